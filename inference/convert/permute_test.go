package convert

import (
	"slices"
	"testing"
)

func TestPermuteIndex(t *testing.T) {
	// A 2x3 matrix transposed: dst walks the 3x2 result [[0 3] [1 4] [2 5]] in order.
	var got [][2]int
	permuteIndex([]int{2, 3}, []int{1, 0}, func(dst, src int) { got = append(got, [2]int{dst, src}) })
	want := [][2]int{{0, 0}, {1, 3}, {2, 1}, {3, 4}, {4, 2}, {5, 5}}
	if !slices.Equal(got, want) {
		t.Errorf("permuteIndex(2x3, [1 0]) pairs %v, want %v", got, want)
	}
}

func TestPermute(t *testing.T) {
	// iota(n) is 0, 1, ..., n-1: element [i][j][k] of a 2x3x4 tensor is 12i + 4j + k.
	iota := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(i)
		}
		return v
	}
	for _, tc := range []struct {
		name        string
		shape, perm []int
		dims        []int64
		want        []float32
	}{
		{"2x3 transposed", []int{2, 3}, []int{1, 0}, []int64{3, 2}, []float32{0, 3, 1, 4, 2, 5}},
		{"2x3 unchanged", []int{2, 3}, []int{0, 1}, []int64{2, 3}, []float32{0, 1, 2, 3, 4, 5}},
		// out[k][i][j] = in[i][j][k]: for each k, the 2x3 values 12i + 4j + k.
		{"2x3x4 by [2 0 1]", []int{2, 3, 4}, []int{2, 0, 1}, []int64{4, 2, 3}, []float32{
			0, 4, 8, 12, 16, 20,
			1, 5, 9, 13, 17, 21,
			2, 6, 10, 14, 18, 22,
			3, 7, 11, 15, 19, 23,
		}},
		// out[j][k][i] = in[i][j][k]: for each j and k, the pair 4j+k, 12+4j+k.
		{"2x3x4 by [1 2 0]", []int{2, 3, 4}, []int{1, 2, 0}, []int64{3, 4, 2}, []float32{
			0, 12, 1, 13, 2, 14, 3, 15,
			4, 16, 5, 17, 6, 18, 7, 19,
			8, 20, 9, 21, 10, 22, 11, 23,
		}},
		// out[i][k][j] = in[i][j][k], as NHWC -> NCHW moves channels before the pixels.
		{"2x3x4 by [0 2 1]", []int{2, 3, 4}, []int{0, 2, 1}, []int64{2, 4, 3}, []float32{
			0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11,
			12, 16, 20, 13, 17, 21, 14, 18, 22, 15, 19, 23,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := iota(len(tc.want))
			if got := permuteDims(tc.shape, tc.perm); !slices.Equal(got, tc.dims) {
				t.Errorf("permuteDims = %v, want %v", got, tc.dims)
			}
			if got := permute(data, tc.shape, tc.perm); !slices.Equal(got, tc.want) {
				t.Errorf("permute = %v,\nwant %v", got, tc.want)
			}
			// The same transpose on 2-byte elements: byte pairs (v, 100+v) move together.
			raw := make([]byte, 2*len(data))
			wantRaw := make([]byte, 2*len(data))
			for i := range data {
				raw[2*i], raw[2*i+1] = byte(i), byte(100+i)
				wantRaw[2*i], wantRaw[2*i+1] = byte(tc.want[i]), byte(100+tc.want[i])
			}
			if got := permuteBytes(raw, 2, tc.shape, tc.perm); !slices.Equal(got, wantRaw) {
				t.Errorf("permuteBytes = %v,\nwant %v", got, wantRaw)
			}
		})
	}
}

func TestPermuteNil(t *testing.T) {
	data := []float32{1, 2, 3}
	if got := permute(data, []int{3}, nil); !slices.Equal(got, data) {
		t.Errorf("permute with nil perm = %v", got)
	}
	if got := permuteDims([]int{2, 5}, nil); !slices.Equal(got, []int64{2, 5}) {
		t.Errorf("permuteDims with nil perm = %v", got)
	}
	if got := permuteBytes([]byte{4, 5}, 1, []int{2}, nil); !slices.Equal(got, []byte{4, 5}) {
		t.Errorf("permuteBytes with nil perm = %v", got)
	}
}
