//go:build opencv

// Package capture reads camera streams with OpenCV (gocv): RTSP, MJPEG over HTTP(S), V4L2
// devices (/dev/videoN) and video files. It is the only package that uses cgo for OpenCV,
// and it is built only with the opencv build tag: the helper program cmd/visiond-capture runs
// it in a child process of visiond, so that a C++ exception, which gocv v0.25 turns into an
// abort, ends that child and never the daemon.
package capture

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gocv.io/x/gocv"
)

// ErrEnd: the stream or file has no more frames.
var ErrEnd = errors.New("end of stream")

// Reader reads the frames of one source. It is not safe for concurrent use; Close it.
type Reader struct {
	vc   *gocv.VideoCapture
	bgr  gocv.Mat
	rgba gocv.Mat
	// pace is the time between frames of a file, read at its own frame rate like a camera;
	// zero for live sources, which pace themselves.
	pace time.Duration
	next time.Time
}

// Open opens url: /dev/videoN through V4L2, anything else (rtsp://, http(s)://, a file)
// through FFmpeg.
func Open(url string) (*Reader, error) {
	api := gocv.VideoCaptureFFmpeg
	if strings.HasPrefix(url, "/dev/video") {
		api = gocv.VideoCaptureV4L2
	}
	vc, err := gocv.VideoCaptureFileWithAPI(url, api)
	if err != nil {
		return nil, fmt.Errorf("cannot open the stream: %w", err)
	}
	if !vc.IsOpened() {
		vc.Close()
		return nil, errors.New("cannot open the stream")
	}
	r := &Reader{vc: vc, bgr: gocv.NewMat(), rgba: gocv.NewMat()}
	if isFile(url) {
		fps := vc.Get(gocv.VideoCaptureFPS)
		if fps <= 0 || fps > 1000 {
			fps = 25
		}
		r.pace = time.Duration(float64(time.Second) / fps)
	}
	return r, nil
}

// isFile says whether url names a file rather than a live source.
func isFile(url string) bool {
	return !strings.Contains(url, "://") && !strings.HasPrefix(url, "/dev/video")
}

// Read returns the next frame as opaque RGBA pixels with its size. The slice is valid until
// the next Read. A frame the stream delivered empty is (nil, 0, 0, nil) for a live source;
// the end of a file, or of a stream that stopped, is ErrEnd.
func (r *Reader) Read() (pix []byte, width, height int, err error) {
	if r.pace > 0 {
		if wait := time.Until(r.next); wait > 0 {
			time.Sleep(wait)
		}
		r.next = time.Now().Add(r.pace)
	}
	if !r.vc.Read(&r.bgr) {
		return nil, 0, 0, ErrEnd
	}
	if r.bgr.Empty() || r.bgr.Channels() != 3 {
		if r.pace > 0 {
			return nil, 0, 0, ErrEnd
		}
		return nil, 0, 0, nil
	}
	gocv.CvtColor(r.bgr, &r.rgba, gocv.ColorBGRToRGBA)
	return r.rgba.DataPtrUint8(), r.rgba.Cols(), r.rgba.Rows(), nil
}

// Close releases the stream and the frame buffers.
func (r *Reader) Close() error {
	r.bgr.Close()
	r.rgba.Close()
	return r.vc.Close()
}
