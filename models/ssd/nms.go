package ssd

import (
	"cmp"
	"slices"
)

// nms keeps, best first, each candidate whose IoU with every candidate kept before it is at
// most iou, and stops after limit. cands must be sorted best first. The kept candidates are
// moved to the front, in order, and their number is returned.
func nms(cands []candidate, iou float32, limit int) int {
	kept := 0
	for i := range cands {
		if kept == limit {
			break
		}
		ok := true
		for _, k := range cands[:kept] {
			if k.box.IoU(cands[i].box) > iou {
				ok = false
				break
			}
		}
		if ok {
			cands[kept] = cands[i]
			kept++
		}
	}
	return kept
}

// fast runs class-agnostic NMS: each anchor is a candidate with its best kept class, and a
// kept anchor then reports up to MaxClassesPerDetection of its classes. The result is left
// in s.cands, best first.
func (s *scratch) fast(in *input, q Query) error {
	for a := range in.n {
		class, score := s.best(in.classScores(a), q.MinScore)
		if class < 0 {
			continue
		}
		b, err := in.box(a)
		if err != nil {
			return err
		}
		s.cands = append(s.cands, candidate{box: b, score: score, anchor: int32(a), class: int32(class)})
	}
	slices.SortFunc(s.cands, byScore)
	s.cands = s.cands[:nms(s.cands, in.opts.IoUThreshold, q.MaxDetections)]
	if in.opts.MaxClassesPerDetection == 1 {
		return nil
	}
	for _, k := range s.cands {
		from := len(s.extra)
		for c, v := range in.classScores(int(k.anchor)) {
			if v >= q.MinScore {
				s.extra = append(s.extra, candidate{box: k.box, score: v, anchor: k.anchor, class: int32(c)})
			}
		}
		classes := s.extra[from:]
		slices.SortFunc(classes, byScore)
		s.extra = s.extra[:from+min(len(classes), in.opts.MaxClassesPerDetection)]
	}
	slices.SortFunc(s.extra, byScore)
	s.cands, s.extra = s.extra, s.cands
	return nil
}

// best returns the kept class with the highest score in row (the lowest such class on a
// tie) and its score, or -1 when no kept class scores minScore or more.
func (s *scratch) best(row []float32, minScore float32) (int, float32) {
	class, score := -1, minScore
	for c := firstAtLeast(row, minScore); c >= 0 && c < len(row); c++ {
		if v := row[c]; v >= score && (v > score || class < 0) {
			class, score = c, v
		}
	}
	return class, score
}

// firstAtLeast returns the index of the first score of at least minScore, or -1. Most rows
// have none, and this plain loop is the fastest way to skip them.
func firstAtLeast(row []float32, minScore float32) int {
	for c, v := range row {
		if v >= minScore {
			return c
		}
	}
	return -1
}

// regular runs NMS within each kept class, keeping at most DetectionsPerClass per class. The
// result is left in s.cands, best first.
func (s *scratch) regular(in *input, q Query) error {
	for a := range in.n {
		var (
			b       Box
			decoded bool
		)
		row := in.classScores(a)
		for c := firstAtLeast(row, q.MinScore); c >= 0 && c < len(row); c++ {
			v := row[c]
			if !(v >= q.MinScore) {
				continue
			}
			if !decoded {
				var err error
				if b, err = in.box(a); err != nil {
					return err
				}
				decoded = true
			}
			s.cands = append(s.cands, candidate{box: b, score: v, anchor: int32(a), class: int32(c)})
		}
	}
	slices.SortFunc(s.cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.class, b.class), byScore(a, b))
	})
	kept := 0
	for i := 0; i < len(s.cands); {
		j := i + 1
		for j < len(s.cands) && s.cands[j].class == s.cands[i].class {
			j++
		}
		n := nms(s.cands[i:j], in.opts.IoUThreshold, in.opts.DetectionsPerClass)
		kept += copy(s.cands[kept:], s.cands[i:i+n])
		i = j
	}
	s.cands = s.cands[:kept]
	slices.SortFunc(s.cands, byScore)
	return nil
}
