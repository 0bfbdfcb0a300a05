package convert

// permuteDims returns shape reordered by perm (out[k] = shape[perm[k]]); nil perm keeps it.
func permuteDims(shape []int, perm []int) []int64 {
	out := make([]int64, len(shape))
	for k := range shape {
		src := k
		if perm != nil {
			src = perm[k]
		}
		out[k] = int64(shape[src])
	}
	return out
}

// permuteIndex calls fn(dst, src) for every element of a row-major tensor of the given
// shape transposed by perm, where dst indexes the transposed tensor and src the original.
func permuteIndex(shape, perm []int, fn func(dst, src int)) {
	n := 1
	for _, d := range shape {
		n *= d
	}
	rank := len(shape)
	// strides of the source, in the order of the destination's axes
	srcStride := make([]int, rank)
	stride := 1
	for k := rank - 1; k >= 0; k-- {
		for j, p := range perm {
			if p == k {
				srcStride[j] = stride
			}
		}
		stride *= shape[k]
	}
	outShape := permuteDims(shape, perm)
	idx := make([]int, rank)
	src := 0
	for dst := 0; dst < n; dst++ {
		fn(dst, src)
		for k := rank - 1; k >= 0; k-- {
			idx[k]++
			src += srcStride[k]
			if idx[k] < int(outShape[k]) {
				break
			}
			src -= srcStride[k] * idx[k]
			idx[k] = 0
		}
	}
}

// permute transposes row-major float data of the given shape by perm; nil perm copies nothing.
func permute(data []float32, shape, perm []int) []float32 {
	if perm == nil {
		return data
	}
	out := make([]float32, len(data))
	permuteIndex(shape, perm, func(dst, src int) { out[dst] = data[src] })
	return out
}

// permuteBytes transposes row-major data of size-byte elements by perm.
func permuteBytes(data []byte, size int, shape, perm []int) []byte {
	if perm == nil {
		return data
	}
	out := make([]byte, len(data))
	permuteIndex(shape, perm, func(dst, src int) { copy(out[dst*size:dst*size+size], data[src*size:src*size+size]) })
	return out
}
