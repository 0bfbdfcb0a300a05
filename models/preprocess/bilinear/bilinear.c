// The arithmetic must round exactly as the Go kernel of package preprocess does: every float
// operation rounded to float32 on its own, never fused into a multiply-add.
#pragma GCC optimize("fp-contract=off")
#pragma STDC FP_CONTRACT OFF

#include <stdlib.h>
#include <string.h>

#include "bilinear.h"

// lerp is a + (b-a)*t with each operation rounded separately.
static inline float lerp(float a, float b, float t) {
	float d = b - a;
	float m = d * t;
	return a + m;
}

// interpolate_row interpolates one RGBA source row at the n output columns, writing 3n floats
// (RGB) to out. p and q are scratch of 3n+1 bytes each and w3 holds each column's weight three
// times. It returns 0 when a sampled pixel is not opaque.
static int interpolate_row(const uint8_t *row, const int32_t *lo, const int32_t *hi, int n,
                           const float *w3, uint8_t *p, uint8_t *q, float *out) {
	uint8_t alpha = 0xff;
	for (int i = 0; i < n; i++) {
		const uint8_t *a = row + 4 * (ptrdiff_t)lo[i];
		const uint8_t *b = row + 4 * (ptrdiff_t)hi[i];
		memcpy(p + 3 * i, a, 4); // the fourth byte is overwritten by the next pixel
		memcpy(q + 3 * i, b, 4);
		alpha &= a[3] & b[3];
	}
	if (alpha != 0xff) {
		return 0;
	}
	for (int k = 0; k < 3 * n; k++) {
		out[k] = lerp(p[k], q[k], w3[k]);
	}
	return 1;
}

// bilinear_resize resamples an opaque RGBA image into th rows of tw RGB pixels, either to
// uint8 (dst8, rounded half up) or to float32 normalised as (v-mean)/std (dst32), rows
// dst_stride elements apart. Every index must lie inside the image. It returns 1 when done, 0
// when a sampled pixel is not opaque and -1 when out of memory; dst is then partly written.
int bilinear_resize(const uint8_t *pix, ptrdiff_t stride,
                    const int32_t *xlo, const int32_t *xhi, const float *xw, int tw,
                    const int32_t *ylo, const int32_t *yhi, const float *yw, int th,
                    uint8_t *dst8, float *dst32, ptrdiff_t dst_stride, float mean, float std) {
	const size_t n = 3 * (size_t)tw;
	float *floats = malloc(3 * n * sizeof(float));
	uint8_t *bytes = malloc(2 * (n + 1));
	if (floats == NULL || bytes == NULL) {
		free(floats);
		free(bytes);
		return -1;
	}
	float *w3 = floats, *top = floats + n, *bottom = floats + 2 * n;
	uint8_t *p = bytes, *q = bytes + n + 1;
	for (int i = 0; i < tw; i++) {
		w3[3 * i] = w3[3 * i + 1] = w3[3 * i + 2] = xw[i];
	}
	int ok = 1;
	int32_t top_y = -1, bottom_y = -1; // the source rows top and bottom hold
	for (int ty = 0; ty < th; ty++) {
		const int32_t lo = ylo[ty], hi = yhi[ty];
		if (top_y != lo && bottom_y == lo) { // walking down: the old bottom row is the new top
			float *f = top;
			top = bottom, bottom = f;
			top_y = lo, bottom_y = -1;
		}
		if (top_y != lo) {
			ok = interpolate_row(pix + lo * stride, xlo, xhi, tw, w3, p, q, top);
			top_y = lo;
		}
		if (ok == 1 && bottom_y != hi) {
			ok = interpolate_row(pix + hi * stride, xlo, xhi, tw, w3, p, q, bottom);
			bottom_y = hi;
		}
		if (ok != 1) {
			break;
		}
		const float t = yw[ty];
		if (dst8 != NULL) {
			// Values stay within 0–255, so rounding needs no clamping.
			uint8_t *o = dst8 + ty * dst_stride;
			for (size_t k = 0; k < n; k++) {
				o[k] = (uint8_t)(int32_t)(lerp(top[k], bottom[k], t) + 0.5f);
			}
		} else {
			float *o = dst32 + ty * dst_stride;
			for (size_t k = 0; k < n; k++) {
				o[k] = (lerp(top[k], bottom[k], t) - mean) / std;
			}
		}
	}
	free(floats);
	free(bytes);
	return ok;
}
