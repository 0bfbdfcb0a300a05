// Package hostile makes the inputs a hostile client sends, for the tests and the soak run that
// prove visiond's bounds: a progressive JPEG whose refinement scan repeats, JSON bodies that
// amplify when decoded generically, and the like.
package hostile

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"os/exec"
)

// ErrNoJPEGTran means jpegtran is not installed (Debian package libjpeg-turbo-progs).
var ErrNoJPEGTran = errors.New("jpegtran not found: apt-get install libjpeg-turbo-progs")

// ProgressiveBomb returns a width×height progressive JPEG whose last scan repeats so that it
// holds scans scans in all: Progressive and RepeatLastScan.
func ProgressiveBomb(width, height, scans int) ([]byte, error) {
	prog, err := Progressive(width, height)
	if err != nil {
		return nil, err
	}
	return RepeatLastScan(prog, scans)
}

// RepeatLastScan returns prog, a progressive JPEG from Progressive (ten scans), with its last
// scan, a refinement of the luma's AC coefficients, repeated so that it holds scans scans in
// all. Each copy costs a decoder a pass over every block of the image while adding a few
// bytes: the picture is flat, so the scan is little more than end-of-band runs.
func RepeatLastScan(prog []byte, scans int) ([]byte, error) {
	last := bytes.LastIndex(prog, []byte{0xFF, 0xDA}) // entropy-coded data never holds FF DA
	eoi := len(prog) - 2
	if last < 0 || !bytes.HasSuffix(prog, []byte{0xFF, 0xD9}) {
		return nil, errors.New("hostile: no scan or no end of image in the JPEG")
	}
	scan := prog[last:eoi]
	out := bytes.NewBuffer(make([]byte, 0, len(prog)+max(scans-10, 0)*len(scan)))
	out.Write(prog[:eoi])
	for i := 10; i < scans; i++ {
		out.Write(scan)
	}
	out.Write(prog[eoi:])
	return out.Bytes(), nil
}

// Progressive returns a well-formed width×height progressive JPEG of a flat grey picture, with
// jpegtran's standard ten scans.
func Progressive(width, height int) ([]byte, error) {
	path, err := exec.LookPath("jpegtran")
	if err != nil {
		return nil, ErrNoJPEGTran
	}
	img := image.NewYCbCr(image.Rect(0, 0, width, height), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = 128
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = 128, 128
	}
	var baseline bytes.Buffer
	if err := jpeg.Encode(&baseline, img, &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	cmd := exec.Command(path, "-progressive")
	cmd.Stdin = &baseline
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("hostile: jpegtran: %v: %s", err, stderr.Bytes())
	}
	return out.Bytes(), nil
}
