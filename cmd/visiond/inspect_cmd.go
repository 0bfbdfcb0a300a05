package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/visiond/visiond/inference/convert"
	"github.com/visiond/visiond/inference/tflite"
	"github.com/visiond/visiond/models/catalog"
)

// modelsInspect runs `visiond models inspect FILE`: what a TFLite file holds, and a card
// draft for it.
func modelsInspect(args []string, stdout, stderr io.Writer) error {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, modelsUsage)
		return fmt.Errorf("models inspect: want one FILE")
	}
	path := args[0]
	if strings.EqualFold(filepath.Ext(path), ".onnx") {
		return fmt.Errorf("models inspect: %s: ONNX files are described by their card alone; `visiond models add` checks them", path)
	}
	data, err := readModelFile(path)
	if err != nil {
		return fmt.Errorf("models inspect: %w", err)
	}
	m, err := tflite.Parse(data)
	if err != nil {
		return fmt.Errorf("models inspect: %s: %w", path, err)
	}
	g := m.Subgraphs[0]
	fmt.Fprintf(stdout, "file: %s (TFLite, schema %d, %d bytes)\n", path, m.Version, len(data))
	if m.Description != "" {
		fmt.Fprintf(stdout, "description: %s\n", m.Description)
	}
	fmt.Fprintln(stdout, "inputs:")
	for _, i := range g.Inputs {
		fmt.Fprintf(stdout, "  %s\n", describeTensor(g.Tensors[i]))
	}
	fmt.Fprintln(stdout, "outputs:")
	for _, i := range g.Outputs {
		fmt.Fprintf(stdout, "  %s\n", describeTensor(g.Tensors[i]))
	}
	counts := map[string]int{}
	for _, op := range g.Operators {
		if int(op.Opcode) < len(m.OperatorCodes) {
			counts[m.OperatorCodes[op.Opcode].Name()]++
		}
	}
	var ops []string
	for name, n := range counts {
		ops = append(ops, fmt.Sprintf("%s×%d", name, n))
	}
	sort.Strings(ops)
	fmt.Fprintf(stdout, "operators: %s\n", strings.Join(ops, " "))
	mean, std, normalized := m.InputNormalization()
	if normalized {
		fmt.Fprintf(stdout, "input normalisation (metadata): mean %v, std %v\n", mean, std)
	}
	packed := packedFiles(data)
	if len(packed) > 0 {
		fmt.Fprintf(stdout, "files packed in the model (metadata): %s\n", strings.Join(packed, ", "))
	}
	if _, err := convert.Convert(m, convert.Float); err != nil {
		fmt.Fprintf(stdout, "converts: no: %v\n", err)
	} else {
		fmt.Fprintln(stdout, "converts: yes")
	}
	fmt.Fprintln(stdout, "\ncard draft (check task, labels and input before `visiond models add --card`):")
	enc := yaml.NewEncoder(stdout)
	enc.SetIndent(2)
	draft := draftCard(m, counts, filepath.Base(path))
	if strings.Contains(strings.Join(packed, " "), ".txt ") {
		draft.Labels = nil // the packed labels serve
	}
	if normalized {
		draft.Input.Range = nil // the metadata's normalisation serves
	}
	if err := enc.Encode(draft); err != nil {
		return err
	}
	return enc.Close()
}

// readModelFile reads a model file of at most catalog.MaxFileBytes.
func readModelFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, catalog.MaxFileBytes+1))
	if err == nil && len(data) > catalog.MaxFileBytes {
		err = fmt.Errorf("%s: more than %d MiB", path, catalog.MaxFileBytes>>20)
	}
	return data, err
}

// describeTensor is one line about a tensor: name, type, shape and quantisation.
func describeTensor(t tflite.Tensor) string {
	s := fmt.Sprintf("%s %v %v", t.Name, t.Type, t.Shape)
	if q := t.Quant; q != nil && len(q.Scale) == 1 {
		s += fmt.Sprintf(" quantised: real = %g × (q - %d)", q.Scale[0], q.ZeroPoint[0])
	} else if q != nil && len(q.Scale) > 1 {
		s += fmt.Sprintf(" quantised per channel (%d scales, axis %d)", len(q.Scale), q.Dim)
	}
	return s
}

// packedFiles lists the files of the zip archive that TFLite metadata appends to a model
// (label files, for instance), or nothing.
func packedFiles(data []byte) []string {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil
	}
	var names []string
	for _, f := range z.File {
		names = append(names, fmt.Sprintf("%s (%d bytes)", f.Name, f.UncompressedSize64))
	}
	return names
}

// draftCard guesses a card from a model's graph: a detector when it ends in the SSD
// post-processing operator or has four outputs, else a classifier; float inputs in -1..1
// (the most common range, to be checked).
func draftCard(m *tflite.Model, ops map[string]int, file string) catalog.Card {
	g := m.Subgraphs[0]
	c := catalog.Card{Name: strings.ToLower(strings.TrimSuffix(file, filepath.Ext(file))), Task: catalog.TaskClassify,
		File: &catalog.File{Name: file}, Labels: &catalog.CardLabels{File: catalog.File{Name: "labels.txt"}}}
	c.Output.Decoder = catalog.DecodeClassifier
	switch {
	case ops["TFLite_Detection_PostProcess"] > 0:
		c.Task, c.Output.Decoder, c.Labels.Offset = catalog.TaskDetect, catalog.DecodeSSD, 1
	case len(g.Outputs) == 4:
		c.Task, c.Output.Decoder = catalog.TaskDetect, catalog.DecodeBoxes
		names := make([]string, 4)
		for i, o := range g.Outputs {
			names[i] = g.Tensors[o].Name
		}
		c.Output.Outputs = catalog.Outputs{Boxes: names[0], Classes: names[1], Scores: names[2], Count: names[3]}
	}
	if len(g.Inputs) == 1 {
		in := g.Tensors[g.Inputs[0]]
		if len(in.Shape) == 4 {
			c.Input.Width, c.Input.Height = int(in.Shape[2]), int(in.Shape[1])
		}
		if in.Type == tflite.Float32 {
			c.Input.Range = []float32{-1, 1}
		}
	}
	return c
}
