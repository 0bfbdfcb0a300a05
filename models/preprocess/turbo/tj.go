//go:build cgo

package turbo

/*
#cgo LDFLAGS: -lturbojpeg
#include <stdlib.h>
#include <turbojpeg.h>
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// decompressor is one TurboJPEG handle. It is not safe for concurrent use; each call of
// DecodeScaled or Header makes its own.
type decompressor struct{ h C.tjhandle }

func newDecompressor() (*decompressor, error) {
	h := C.tjInitDecompress()
	if h == nil {
		return nil, fmt.Errorf("turbojpeg: %s", C.GoString(C.tjGetErrorStr2(nil)))
	}
	return &decompressor{h}, nil
}

// close frees the handle and all the memory libjpeg-turbo holds for it.
func (d *decompressor) close() {
	C.tjDestroy(d.h)
}

// failure is the library's message for the last failed call, wrapped in ErrBadJPEG. The library
// fails a call on warnings (a truncated file, corrupt entropy data) as on fatal errors, and so
// does this package: tjGetErrorCode is not consulted, since after a warning it reports any
// later fatal error as a warning too.
func (d *decompressor) failure(op string) error {
	return fmt.Errorf("%w: %s: %s", ErrBadJPEG, op, C.GoString(C.tjGetErrorStr2(d.h)))
}

// header reads the image size from the JPEG's frame header.
func (d *decompressor) header(data []byte) (w, h int, err error) {
	var cw, ch, sub, cs C.int
	if C.tjDecompressHeader3(d.h, cbytes(data), C.ulong(len(data)), &cw, &ch, &sub, &cs) != 0 {
		return 0, 0, d.failure("header")
	}
	return int(cw), int(ch), nil
}

// decompress decodes the whole JPEG into pix as w×h packed RGBA pixels with opaque alpha, where
// w×h is the size of one of the library's scaling factors. It stops at the first warning and
// refuses progressive files with an unreasonable number of scans.
func (d *decompressor) decompress(data, pix []byte, w, h int) error {
	const flags = C.TJFLAG_STOPONWARNING | C.TJFLAG_LIMITSCANS
	dst := (*C.uchar)(unsafe.Pointer(&pix[0]))
	if C.tjDecompress2(d.h, cbytes(data), C.ulong(len(data)), dst, C.int(w), C.int(4*w), C.int(h), C.TJPF_RGBA, flags) != 0 {
		return d.failure("decode")
	}
	return nil
}

// cbytes points C at a non-empty Go byte slice, which holds no Go pointers and so may be passed.
func cbytes(b []byte) *C.uchar {
	return (*C.uchar)(unsafe.Pointer(&b[0]))
}

// scalingFactors lists the factors the library's decompressor supports.
func scalingFactors() []factor {
	var n C.int
	p := C.tjGetScalingFactors(&n)
	if p == nil {
		return nil
	}
	fs := make([]factor, 0, int(n))
	for _, f := range unsafe.Slice(p, int(n)) {
		fs = append(fs, factor{int(f.num), int(f.denom)})
	}
	return fs
}
