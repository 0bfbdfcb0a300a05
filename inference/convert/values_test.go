package convert

import (
	"math"
	"slices"
	"testing"

	"github.com/visiond/visiond/inference/tflite"
)

func TestHalfToFloat(t *testing.T) {
	for _, tc := range []struct {
		bits uint16
		want float32
	}{
		{0x0000, 0},
		{0x3C00, 1},                     // exponent 15 (bias 15), no fraction
		{0xC000, -2},                    // sign, exponent 16
		{0x3555, 0.333251953125},        // 2^-2 * (1 + 341/1024) = 1365/4096
		{0x7BFF, 65504},                 // largest finite: 2^15 * (2 - 2^-10)
		{0x0400, 1.0 / 16384},           // smallest normal, 2^-14
		{0x0001, 1.0 / (1 << 24)},       // smallest subnormal, 2^-24
		{0x03FF, 1023.0 / (1 << 24)},    // largest subnormal
		{0x8001, -1.0 / (1 << 24)},      // negative subnormal
		{0x7C00, float32(math.Inf(1))},  // +Inf
		{0xFC00, float32(math.Inf(-1))}, // -Inf
	} {
		if got := halfToFloat(tc.bits); got != tc.want {
			t.Errorf("halfToFloat(%#04x) = %v, want %v", tc.bits, got, tc.want)
		}
	}
	if got := halfToFloat(0x8000); got != 0 || !math.Signbit(float64(got)) {
		t.Errorf("halfToFloat(0x8000) = %v, want -0", got)
	}
	if got := halfToFloat(0x7E00); !math.IsNaN(float64(got)) {
		t.Errorf("halfToFloat(0x7e00) = %v, want NaN", got)
	}
}

func TestDequantize(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    spec
		data []byte
		want []float32
	}{
		// 0.5 * (q - 128).
		{"uint8 per tensor", quantized(tflite.Uint8, 0.5, 128, 4), []byte{0, 127, 128, 255}, []float32{-64, -0.5, 0, 63.5}},
		// Columns scaled by 1, 0.5, 0.25: rows [4 -4 8] and [8 8 -8].
		{"int8 per channel along dimension 1", perChannel(tflite.Int8, 1, []float32{1, 0.5, 0.25}, 2, 3),
			int8s(4, -8, 32, 8, 16, -32), []float32{4, -4, 8, 8, 8, -8}},
		// Rows scaled by 0.5 and 2.
		{"int32 per channel along dimension 0", perChannel(tflite.Int32, 0, []float32{0.5, 2}, 2, 2),
			int32s(2, -4, 3, 100), []float32{1, -2, 6, 200}},
		{"float32", f32(2), floats(1.5, -3), []float32{1.5, -3}},
		{"float16", spec{typ: tflite.Float16, shape: []int32{2}}, halves(0x3C00, 0xC000), []float32{1, -2}},
		{"int64 without quantisation", spec{typ: tflite.Int64, shape: []int32{2}}, int64s(-7, 1<<40), []float32{-7, 1 << 40}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &tfModel{}
			m.output(m.constant("c", tc.s, tc.data))
			parsed := parse(t, m)
			got, err := dequantize(parsed, &parsed.Subgraphs[0].Tensors[0])
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("dequantize = %v, want %v", got, tc.want)
			}
		})
	}
}
