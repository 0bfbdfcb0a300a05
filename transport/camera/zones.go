package camera

import "github.com/visiond/visiond/models/results"

// zone is a configured Zone in pixels of a picture of a known size.
type zone struct {
	name   string
	points [][2]float64
}

// zonesFor places the configured zones on a picture of w×h pixels.
func zonesFor(cfg []Zone, w, h int) []zone {
	out := make([]zone, 0, len(cfg))
	for _, z := range cfg {
		pz := zone{name: z.Name}
		for _, p := range z.Points {
			x, y := p[0], p[1]
			if z.Relative {
				x, y = x*float64(w), y*float64(h)
			}
			pz.points = append(pz.points, [2]float64{x, y})
		}
		out = append(out, pz)
	}
	return out
}

// contains reports whether (x, y) is inside the polygon (even-odd rule: a ray from the point
// crosses its edges an odd number of times).
func (z zone) contains(x, y float64) bool {
	in := false
	for i, j := 0, len(z.points)-1; i < len(z.points); j, i = i, i+1 {
		a, b := z.points[i], z.points[j]
		if (a[1] > y) != (b[1] > y) && x < (b[0]-a[0])*(y-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// inZones sorts detections into the zones that hold the middle of their box's bottom edge.
// Every zone has an entry, empty when nothing is in it.
func inZones(zones []zone, dets []results.Detection) map[string][]results.Detection {
	out := make(map[string][]results.Detection, len(zones))
	for _, z := range zones {
		in := []results.Detection{}
		for _, d := range dets {
			if z.contains(d.BBox[0]+d.BBox[2]/2, d.BBox[1]+d.BBox[3]) {
				in = append(in, d)
			}
		}
		out[z.name] = in
	}
	return out
}

// countZones counts the labels in each zone.
func countZones(in map[string][]results.Detection) map[string]map[string]int {
	out := make(map[string]map[string]int, len(in))
	for name, dets := range in {
		c := map[string]int{}
		for _, d := range dets {
			c[d.Class]++
		}
		out[name] = c
	}
	return out
}
