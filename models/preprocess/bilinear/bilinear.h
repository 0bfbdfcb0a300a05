#include <stddef.h>
#include <stdint.h>

int bilinear_resize(const uint8_t *pix, ptrdiff_t stride,
                    const int32_t *xlo, const int32_t *xhi, const float *xw, int tw,
                    const int32_t *ylo, const int32_t *yhi, const float *yw, int th,
                    uint8_t *dst8, float *dst32, ptrdiff_t dst_stride, float mean, float std);
