package tflite

// metadataName names the metadata buffer that holds TFLite metadata (the ModelMetadata
// FlatBuffer of tflite-support's metadata_schema.fbs).
const metadataName = "TFLITE_METADATA"

// normalizationOptions is NormalizationOptions' type in the ProcessUnitOptions union.
const normalizationOptions = 1

// InputNormalization returns the mean and std (per channel, or one value for all) that the
// model's TFLite metadata gives its first input: the NormalizationOptions among the process
// units of the first subgraph's first input tensor. ok is false when the model has no such
// metadata or it cannot be read.
func (m *Model) InputNormalization() (mean, std []float32, ok bool) {
	buf := m.Metadata[metadataName]
	if len(buf) < 8 {
		return nil, nil, false
	}
	r := &reader{b: buf}
	root := r.table(r.deref(0))
	for _, sg := range r.fieldTables(root, 3) { // ModelMetadata.subgraph_metadata
		for _, in := range r.fieldTables(sg, 2) { // SubGraphMetadata.input_tensor_metadata
			for _, pu := range r.fieldTables(in, 4) { // TensorMetadata.process_units
				if r.fieldU8(pu, 0, 0) != normalizationOptions { // ProcessUnit.options_type
					continue
				}
				opts, found := r.fieldTable(pu, 1)
				if found {
					mean, std = r.fieldF32s(opts, 0), r.fieldF32s(opts, 1)
				}
				if !found || r.err != nil || len(mean) == 0 || len(std) == 0 {
					return nil, nil, false
				}
				return mean, std, true
			}
			return nil, nil, false // the first input only
		}
		return nil, nil, false // the main subgraph only
	}
	return nil, nil, false
}
