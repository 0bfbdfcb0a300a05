package mqtt

import (
	"sort"
	"strings"
	"sync"

	"github.com/visiond/visiond/models/results"
)

// objectCounts remembers, per camera, the label counts last published on the retained
// <prefix>/<camera>/objects/<label> topics, so that only changes are sent, labels that left
// the picture go back to 0, and a frame finishing after a newer one of its camera does not
// overwrite the newer counts.
type objectCounts struct {
	mu   sync.Mutex
	cams map[string]*cameraCounts
}

type cameraCounts struct {
	seq    uint64
	counts map[string]int
}

// labelCount is one label's count to publish.
type labelCount struct {
	label string
	count int
}

func newObjectCounts() *objectCounts {
	return &objectCounts{cams: map[string]*cameraCounts{}}
}

// update records the detections of frame seq of a camera and, holding the camera's state
// until done, calls publish for each label whose count changed, in label order. A frame
// older than the last one recorded changes nothing.
func (o *objectCounts) update(camera string, seq uint64, dets []results.Detection, publish func([]labelCount)) {
	now := map[string]int{}
	for _, d := range dets {
		now[d.Class]++
	}
	o.set(camera, seq, now, publish)
}

// set is update with the counts of the frame's labels.
func (o *objectCounts) set(camera string, seq uint64, now map[string]int, publish func([]labelCount)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	cam := o.cams[camera]
	if cam == nil {
		cam = &cameraCounts{counts: map[string]int{}}
		o.cams[camera] = cam
	}
	if seq < cam.seq {
		return
	}
	cam.seq = seq
	var changed []labelCount
	for label, n := range now {
		if cam.counts[label] != n {
			changed = append(changed, labelCount{label, n})
		}
	}
	for label := range cam.counts {
		if _, still := now[label]; !still {
			changed = append(changed, labelCount{label, 0})
		}
	}
	cam.counts = now
	sort.Slice(changed, func(i, j int) bool { return changed[i].label < changed[j].label })
	if len(changed) > 0 {
		publish(changed)
	}
}

// labelLevel makes a label safe as a topic level.
func labelLevel(label string) string {
	return strings.NewReplacer("/", "_", "+", "_", "#", "_").Replace(label)
}
