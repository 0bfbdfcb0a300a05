package palm

import "math"

// LandmarkInput is the side, in pixels, of hand_landmark_lite's square input.
const LandmarkInput = 224

// normalizeZ is the hand landmark graph's extra scale of z (TensorsToLandmarksCalculator's
// normalize_z), which puts z on roughly the scale of x.
const normalizeZ = 0.4

// Crop maps between a Size×Size-pixel model input and the rotated rectangle of the source
// image it shows: the rectangle's top-left corner (on its own axes) is the input's (0, 0).
type Crop struct {
	Rect Rect
	Size int
}

// Affine is an affine map of the plane: (u, v) goes to (OX + u·UX + v·VX, OY + u·UY + v·VY).
type Affine struct {
	OX, OY float64 // where (0, 0) goes
	UX, UY float64 // where a step of 1 along u goes
	VX, VY float64 // where a step of 1 along v goes
}

// Apply maps the point (u, v).
func (a Affine) Apply(u, v float64) (x, y float64) {
	return a.OX + u*a.UX + v*a.VX, a.OY + u*a.UY + v*a.VY
}

// Scale returns a followed by scaling x by sx and y by sy, as from source coordinates to the
// pixels of an image that covers the source at another scale.
func (a Affine) Scale(sx, sy float64) Affine {
	return Affine{OX: a.OX * sx, OY: a.OY * sy, UX: a.UX * sx, UY: a.UY * sy, VX: a.VX * sx, VY: a.VY * sy}
}

// finite reports whether every coefficient is a finite number.
func (a Affine) finite() bool {
	for _, v := range [...]float64{a.OX, a.OY, a.UX, a.UY, a.VX, a.VY} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// Affine is ToSource as an affine map, from crop pixels to source pixels.
func (c Crop) Affine() Affine {
	sin, cos := math.Sincos(c.Rect.Angle)
	n := float64(c.Size)
	a := Affine{
		UX: cos * c.Rect.W / n, UY: sin * c.Rect.W / n,
		VX: -sin * c.Rect.H / n, VY: cos * c.Rect.H / n,
	}
	a.OX = c.Rect.CX - (a.UX+a.VX)*n/2
	a.OY = c.Rect.CY - (a.UY+a.VY)*n/2
	return a
}

// ToSource maps a point of the crop, in crop pixels, to source pixels (the projection of
// LandmarkProjectionCalculator).
func (c Crop) ToSource(u, v float64) (x, y float64) { return c.Affine().Apply(u, v) }

// ToCrop maps a point in source pixels to crop pixels; it is the inverse of ToSource.
func (c Crop) ToCrop(x, y float64) (u, v float64) {
	sin, cos := math.Sincos(c.Rect.Angle)
	dx, dy := x-c.Rect.CX, y-c.Rect.CY
	n := float64(c.Size)
	return ((cos*dx+sin*dy)/c.Rect.W + 0.5) * n, ((-sin*dx+cos*dy)/c.Rect.H + 0.5) * n
}

// Landmark maps one landmark of the hand model, x and y in crop pixels and z in the same
// units, to source pixels. z is scaled as MediaPipe does (divided by the crop size and by
// normalize_z 0.4, times the rectangle's width), which puts it on roughly the scale of x: it
// is the depth relative to the wrist, smaller is nearer the camera.
func (c Crop) Landmark(x, y, z float64) [3]float64 {
	sx, sy := c.ToSource(x, y)
	return [3]float64{sx, sy, z / float64(c.Size) / normalizeZ * c.Rect.W}
}
