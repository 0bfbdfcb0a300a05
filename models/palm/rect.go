package palm

import "math"

// The palm-to-hand rectangle settings of MediaPipe's palm_detection_detection_to_roi graph.
const (
	// targetAngle is the direction, from the x axis counter-clockwise, that the line from the
	// wrist to the middle finger's MCP joint is turned to (rotation_vector_target_angle_degrees 90).
	targetAngle = math.Pi / 2
	// shiftY moves the rectangle along its own y axis by this fraction of the palm box
	// height, towards the fingers.
	shiftY = -0.5
	// handScale enlarges the squared palm box so that it holds the whole hand.
	handScale = 2.6
)

// Rect is a rotated rectangle in source pixels: its centre, its width and height along its
// own axes, and Angle, the radians its axes are turned clockwise on the image (y pointing
// down), in [-π, π).
type Rect struct {
	CX, CY, W, H, Angle float64
}

// Rotation is the angle that turns the line from wrist to middle, both in pixels, to point up
// the rectangle (DetectionsToRectsCalculator with keypoints 0 and 2 and target angle 90°). A
// hand pointing up gets 0, one pointing right π/2.
func Rotation(wrist, middle Point) float64 {
	return normalizeRadians(targetAngle - math.Atan2(-(middle.Y-wrist.Y), middle.X-wrist.X))
}

// HandRect is the square that the landmark model looks at for a palm detection in source
// pixels: the palm box turned by Rotation, shifted half its height towards the fingers, then
// squared on its longer side and enlarged 2.6 times (RectTransformationCalculator).
func HandRect(d Detection) Rect {
	w, h := d.Box.XMax-d.Box.XMin, d.Box.YMax-d.Box.YMin
	r := Rect{
		CX:    (d.Box.XMin + d.Box.XMax) / 2,
		CY:    (d.Box.YMin + d.Box.YMax) / 2,
		Angle: Rotation(d.Keypoints[Wrist], d.Keypoints[MiddleMCP]),
	}
	sin, cos := math.Sincos(r.Angle)
	r.CX -= h * shiftY * sin
	r.CY += h * shiftY * cos
	side := math.Max(w, h) * handScale
	r.W, r.H = side, side
	return r
}

// normalizeRadians wraps an angle into [-π, π).
func normalizeRadians(a float64) float64 {
	return a - 2*math.Pi*math.Floor((a+math.Pi)/(2*math.Pi))
}
