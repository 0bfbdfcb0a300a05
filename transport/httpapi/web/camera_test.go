package web_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"testing"

	"golang.org/x/image/draw"

	"github.com/visiond/visiond/internal/testenv"
)

// Chromium's fake camera plays an .mjpeg file: baseline JPEG frames of one size, one after
// the other, at 30 frames a second, from the start again at the end.
const (
	cameraWidth  = 640
	cameraHeight = 480
	cameraFrameN = 24
)

// cameraFrames makes the fake camera's video from the airplane photo: the photo fitted into a
// 640×480 frame and panned a few pixels per frame, so the picture moves.
func cameraFrames(t *testing.T) [][]byte {
	t.Helper()
	f, err := os.Open(testenv.Image(t, "airplane_airport_1280.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	photo, err := jpeg.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	side := cameraHeight
	scaled := image.NewRGBA(image.Rect(0, 0, side, side))
	draw.ApproxBiLinear.Scale(scaled, scaled.Bounds(), photo, photo.Bounds(), draw.Src, nil)

	frames := make([][]byte, cameraFrameN)
	for i := range frames {
		frame := image.NewRGBA(image.Rect(0, 0, cameraWidth, cameraHeight))
		draw.Draw(frame, frame.Bounds(), image.NewUniform(color.Gray{40}), image.Point{}, draw.Src)
		x := (cameraWidth - side) * i / (cameraFrameN - 1)
		draw.Draw(frame, image.Rect(x, 0, x+side, side), scaled, image.Point{}, draw.Src)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, frame, &jpeg.Options{Quality: 85}); err != nil {
			t.Fatal(err)
		}
		frames[i] = buf.Bytes()
	}
	return frames
}

// writeMJPEG writes frames, concatenated, to path.
func writeMJPEG(path string, frames [][]byte) error {
	return os.WriteFile(path, bytes.Join(frames, nil), 0o644)
}
