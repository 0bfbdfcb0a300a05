//go:build cgo

package turbo

// factor is a DCT scaling factor num/denom.
type factor struct{ num, denom int }

// scaled is n scaled by f, rounded up as libjpeg-turbo does (TJSCALED).
func (f factor) scaled(n int) int {
	return (n*f.num + f.denom - 1) / f.denom
}

// choose returns the smallest of the factors 1/2, 1/4 and 1/8 that scales a w×h image to at
// least minW×minH, or 1/1 when none does. Only these are used: they average whole blocks of
// pixels, while the others (3/8, 5/8...) resample and blur, which costs detectors accuracy on
// small objects.
func choose(factors []factor, w, h, minW, minH int) factor {
	best := factor{1, 1}
	for _, f := range factors {
		if f.num != 1 || f.num*best.denom >= best.num*f.denom {
			continue
		}
		if f.scaled(w) >= minW && f.scaled(h) >= minH {
			best = f
		}
	}
	return best
}
