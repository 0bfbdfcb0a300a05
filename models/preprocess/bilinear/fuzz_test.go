//go:build cgo

package bilinear

import "testing"

// FuzzResize hands the C kernel arbitrary images, axes and destinations. It must never read or
// write out of bounds; whatever it accepts must match the formula evaluated in Go; and the same
// request made valid (indices clamped into the image, pixels opaque, room in the destination)
// must be accepted.
func FuzzResize(f *testing.F) {
	f.Add(uint8(2), uint8(2), uint8(4), []byte{0, 0, 0, 255, 100, 200, 40, 255, 20, 20, 20, 255, 60, 100, 0, 255}, []byte{0, 1, 64}, []byte{0, 1, 128}, uint8(3))
	f.Add(uint8(3), uint8(1), uint8(0), []byte{1, 2, 3, 255, 4, 5, 6, 255, 7, 8, 9, 255}, []byte{0, 1, 0, 1, 2, 255, 2, 2, 9}, []byte{0, 0, 0}, uint8(0))
	f.Fuzz(func(t *testing.T, w, h, pad uint8, pix, xs, ys []byte, spare uint8) {
		src := Source{Pix: pix, Width: int(w % 17), Height: int(h % 17)}
		src.Stride = 4*src.Width + int(pad%9) - 2 // sometimes too short
		x, y := axisFrom(xs), axisFrom(ys)
		dstStride := 3*len(x.W) + int(spare%4) - 1
		n := max(0, (len(y.W)-1)*dstStride+3*len(x.W)+int(spare%3)-1)
		if dst := make([]uint8, n); Uint8(src, x, y, dst, dstStride) {
			check(t, src, x, y, dst, dstStride)
		}

		// The same, made valid.
		if src.Width == 0 || src.Height == 0 || len(x.W) == 0 || len(y.W) == 0 {
			return
		}
		src.Stride = 4 * src.Width
		src.Pix = make([]byte, src.Stride*src.Height)
		for i := range src.Pix {
			src.Pix[i] = 255
			if i%4 != 3 && len(pix) > 0 {
				src.Pix[i] = pix[i%len(pix)]
			}
		}
		x.clamp(src.Width)
		y.clamp(src.Height)
		dstStride = max(dstStride, 3*len(x.W))
		dst := make([]uint8, (len(y.W)-1)*dstStride+3*len(x.W))
		if !Uint8(src, x, y, dst, dstStride) {
			t.Fatalf("a valid resampling was refused: %dx%d, %d columns, %d rows", src.Width, src.Height, len(x.W), len(y.W))
		}
		check(t, src, x, y, dst, dstStride)
	})
}

// axisFrom reads an axis from byte triples (lo, hi, weight/255), at most 40 entries.
func axisFrom(b []byte) Axis {
	var a Axis
	for i := 0; i+2 < len(b) && len(a.W) < 40; i += 3 {
		a.Lo = append(a.Lo, int32(int8(b[i])))
		a.Hi = append(a.Hi, int32(int8(b[i+1])))
		a.W = append(a.W, float32(b[i+2])/255)
	}
	return a
}

func (a Axis) clamp(size int) {
	for i := range a.W {
		a.Lo[i] = int32(min(max(int(a.Lo[i]), 0), size-1))
		a.Hi[i] = int32(min(max(int(a.Hi[i]), 0), size-1))
	}
}

// check compares dst with the kernel's formula evaluated in Go.
func check(t *testing.T, src Source, x, y Axis, dst []uint8, dstStride int) {
	t.Helper()
	lerp := func(a, b, w float32) float32 { return a + float32((b-a)*w) }
	at := func(px, py int32, c int) float32 { return float32(src.Pix[int(py)*src.Stride+4*int(px)+c]) }
	for ty := range y.W {
		for tx := range x.W {
			for c := range 3 {
				top := lerp(at(x.Lo[tx], y.Lo[ty], c), at(x.Hi[tx], y.Lo[ty], c), x.W[tx])
				bottom := lerp(at(x.Lo[tx], y.Hi[ty], c), at(x.Hi[tx], y.Hi[ty], c), x.W[tx])
				want := uint8(lerp(top, bottom, y.W[ty]) + 0.5) // within 0–255: rounds half up
				if got := dst[ty*dstStride+3*tx+c]; got != want {
					t.Fatalf("tensor pixel (%d, %d) channel %d is %d, the formula gives %d", tx, ty, c, got, want)
				}
			}
		}
	}
}
