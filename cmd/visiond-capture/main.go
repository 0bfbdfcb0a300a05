//go:build opencv

// Command visiond-capture reads one camera stream with OpenCV and writes its frames to
// standard output as wire records (RGBA pixels), at most -fps a second, for visiond to run
// models on. visiond starts one per camera and restarts it when it ends: a stream that cannot
// be opened, ends, or makes OpenCV abort costs this process only. Its last line on standard
// error says why it stopped. Build it with the opencv tag (make build does when OpenCV is
// installed).
//
//	visiond-capture [-fps 5] [-max-pixels 40000000] URL
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/visiond/visiond/transport/camera/capture"
	"github.com/visiond/visiond/transport/camera/wire"
)

// maxEmpty is how many empty frames in a row a live stream may deliver before it counts as
// ended.
const maxEmpty = 50

func main() {
	fps := flag.Float64("fps", 5, "write at most `N` frames a second (0: every frame)")
	maxPixels := flag.Int64("max-pixels", 40_000_000, "refuse frames over `PIXELS`")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "Usage: visiond-capture [-fps N] [-max-pixels PIXELS] URL")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || *fps < 0 || *maxPixels <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *fps, *maxPixels); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run copies frames from the source at url to standard output until the source ends or
// visiond stops reading.
func run(url string, fps float64, maxPixels int64) error {
	r, err := capture.Open(url)
	if err != nil {
		return err
	}
	defer r.Close()
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	// A token bucket caps the rate: fps tokens a second, up to burst saved, one per frame sent.
	// Frames of a stream at or under the cap all pass even when the network bunches them.
	const burst = 2
	tokens, last := float64(burst), time.Now()
	empty := 0
	for {
		pix, w, h, err := r.Read()
		now := time.Now()
		switch {
		case err != nil:
			return err
		case pix == nil:
			if empty++; empty >= maxEmpty {
				return fmt.Errorf("%w: %d empty frames in a row", capture.ErrEnd, empty)
			}
			err = wire.Write(out, wire.DecodeError, 0, 0, now, nil)
		case int64(w)*int64(h) > maxPixels:
			return fmt.Errorf("frames of %dx%d are over the limit of %d pixels", w, h, maxPixels)
		case fps > 0 && refill(&tokens, &last, now, fps, burst) < 1:
			empty = 0
			continue // over the frame rate cap: read and dropped here, never sent
		default:
			empty = 0
			tokens--
			err = wire.Write(out, wire.Frame, w, h, now, pix)
		}
		if err == nil {
			err = out.Flush()
		}
		if err != nil {
			return fmt.Errorf("visiond stopped reading: %w", err)
		}
	}
}

// refill adds the tokens earned since last at fps a second, up to burst, and returns them.
func refill(tokens *float64, last *time.Time, now time.Time, fps, burst float64) float64 {
	*tokens = min(burst, *tokens+now.Sub(*last).Seconds()*fps)
	*last = now
	return *tokens
}
