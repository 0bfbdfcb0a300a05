package onnx

import (
	"reflect"
	"strings"
	"testing"
)

func TestMarshal(t *testing.T) {
	tests := []struct {
		name  string
		build func(g *Graph)
		opset int64
		want  graph
		// wantOpset is the imported default-domain version.
		wantOpset int64
	}{
		{
			name: "add with symbolic batch",
			build: func(g *Graph) {
				g.Input("x", Float, []int64{-1, 3})
				g.FloatInit("w", []int64{3}, []float32{1, 2, -0.5})
				g.Node("Add", []string{"x", "w"}, []string{"y"})
				g.Output("y", Float, []int64{-1, 3})
			},
			wantOpset: 13,
			want: graph{
				Name:    "add with symbolic batch",
				Nodes:   []nodeProto{{Name: "Add_1", Op: "Add", In: []string{"x", "w"}, Out: []string{"y"}}},
				Inits:   []tensorProto{{Name: "w", Type: 1, Dims: []int64{3}, Raw: []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0, 0xbf}}},
				Inputs:  []valueProto{{Name: "x", Type: 1, Shape: []string{"N", "3"}}},
				Outputs: []valueProto{{Name: "y", Type: 1, Shape: []string{"?", "3"}}},
			},
		},
		{
			name: "every attribute kind and unknown rank",
			build: func(g *Graph) {
				g.Input("x", Int8, []int64{2, -1, -1})
				g.Node("Custom", []string{"x"}, []string{"y"},
					AttrInt("i", -2),
					AttrFloat("f", 0.25),
					AttrInts("is", []int64{1, -1, 300}),
					AttrFloats("fs", []float32{1.5, -2}),
					AttrString("s", "nearest"))
				g.Output("y", Int32, nil)
			},
			opset:     17,
			wantOpset: 17,
			want: graph{
				Name: "every attribute kind and unknown rank",
				Nodes: []nodeProto{{Name: "Custom_1", Op: "Custom", In: []string{"x"}, Out: []string{"y"}, Attrs: []attrProto{
					{Name: "i", Type: 2, I: -2},
					{Name: "f", Type: 1, F: 0.25},
					{Name: "is", Type: 7, Ints: []int64{1, -1, 300}},
					{Name: "fs", Type: 6, Floats: []float32{1.5, -2}},
					{Name: "s", Type: 3, S: "nearest"},
				}}},
				Inputs:  []valueProto{{Name: "x", Type: 3, Shape: []string{"2", "x_dim1", "x_dim2"}}},
				Outputs: []valueProto{{Name: "y", Type: 6}},
			},
		},
		{
			name: "scalar initializers and an omitted optional input",
			build: func(g *Graph) {
				g.Input("q", Uint8, []int64{4})
				g.FloatInit("scale", []int64{}, []float32{0.5})
				g.Initializer("zero", Uint8, nil, []byte{128})
				g.Int64Init("axes", []int64{2}, []int64{0, -1})
				g.Node("DequantizeLinear", []string{"q", "scale", ""}, []string{"f"})
				g.Node("Unsqueeze", []string{"f", "axes"}, []string{"u"})
				g.Output("u", Float, []int64{})
			},
			wantOpset: 13,
			want: graph{
				Name: "scalar initializers and an omitted optional input",
				Nodes: []nodeProto{
					{Name: "DequantizeLinear_1", Op: "DequantizeLinear", In: []string{"q", "scale", ""}, Out: []string{"f"}},
					{Name: "Unsqueeze_2", Op: "Unsqueeze", In: []string{"f", "axes"}, Out: []string{"u"}},
				},
				Inits: []tensorProto{
					{Name: "scale", Type: 1, Raw: []byte{0, 0, 0, 0x3f}},
					{Name: "zero", Type: 2, Raw: []byte{128}},
					{Name: "axes", Type: 7, Dims: []int64{2}, Raw: []byte{0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
				},
				Inputs:  []valueProto{{Name: "q", Type: 2, Shape: []string{"4"}}},
				Outputs: []valueProto{{Name: "u", Type: 1, Shape: []string{}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewGraph(tt.name)
			tt.build(g)
			b, err := g.Marshal(tt.opset)
			if err != nil {
				t.Fatal(err)
			}
			m, err := decodeModel(b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			want := model{IR: 8, Producer: "visiond", Opsets: []opsetID{{Version: tt.wantOpset}}, Graph: tt.want}
			if !reflect.DeepEqual(m, want) {
				t.Errorf("decoded model\n got %+v\nwant %+v", m, want)
			}
		})
	}
}

func TestMarshalErrors(t *testing.T) {
	tests := []struct {
		name  string
		build func(g *Graph)
		opset int64
		want  string // a part of the error message
	}{
		{"dangling node input", func(g *Graph) {
			g.Input("x", Float, []int64{1})
			g.Node("Add", []string{"x", "ghost"}, []string{"y"})
			g.Output("y", Float, nil)
		}, 0, `reads "ghost"`},
		{"dangling output", func(g *Graph) {
			g.Input("x", Float, []int64{1})
			g.Node("Relu", []string{"x"}, []string{"y"})
			g.Output("z", Float, nil)
		}, 0, `output "z" is produced by nothing`},
		{"node read before it is produced", func(g *Graph) {
			g.Input("x", Float, []int64{1})
			g.Node("Relu", []string{"t"}, []string{"y"})
			g.Node("Relu", []string{"x"}, []string{"t"})
			g.Output("y", Float, nil)
		}, 0, `reads "t"`},
		{"tensor produced twice", func(g *Graph) {
			g.Input("x", Float, []int64{1})
			g.Node("Relu", []string{"x"}, []string{"y"})
			g.Node("Neg", []string{"x"}, []string{"y"})
			g.Output("y", Float, nil)
		}, 0, `"y" is produced twice`},
		{"input shadowed by an initializer", func(g *Graph) {
			g.Input("x", Float, []int64{1})
			g.FloatInit("x", []int64{1}, []float32{1})
			g.Output("x", Float, nil)
		}, 0, `"x" is produced twice`},
		{"raw size mismatch", func(g *Graph) {
			g.Initializer("w", Float, []int64{2}, []byte{1, 2, 3})
			g.Output("w", Float, nil)
		}, 0, "need 8 bytes, got 3"},
		{"float count mismatch", func(g *Graph) {
			g.FloatInit("w", []int64{2, 2}, []float32{1, 2, 3})
			g.Output("w", Float, nil)
		}, 0, "need 16 bytes, got 12"},
		{"negative initializer dim", func(g *Graph) {
			g.Int64Init("w", []int64{-1}, nil)
			g.Output("w", Int64, nil)
		}, 0, "negative dimension"},
		{"unknown initializer type", func(g *Graph) {
			g.Initializer("w", DataType(99), []int64{1}, []byte{1})
			g.Output("w", DataType(99), nil)
		}, 0, "unsupported data type 99"},
		{"empty op type", func(g *Graph) {
			g.Input("x", Float, []int64{1})
			g.Node("", []string{"x"}, []string{"y"})
			g.Output("y", Float, nil)
		}, 0, "no operator type"},
		{"node without outputs", func(g *Graph) {
			g.Input("x", Float, []int64{1})
			g.Node("Relu", []string{"x"}, nil)
			g.Output("x", Float, nil)
		}, 0, "has no outputs"},
		{"negative opset", func(g *Graph) {
			g.Input("x", Float, []int64{1})
			g.Output("x", Float, nil)
		}, -1, "invalid opset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewGraph("g")
			tt.build(g)
			b, err := g.Marshal(tt.opset)
			if err == nil {
				t.Fatalf("Marshal returned %d bytes and no error", len(b))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestUniqueName(t *testing.T) {
	g := NewGraph("g")
	g.Input("t#1", Float, []int64{1})
	g.FloatInit("t#3", []int64{1}, []float32{1})
	g.Node("Add", []string{"t#1", "t#3"}, []string{"t#4"}) // node names also advance the counter
	seen := map[string]bool{"t#1": true, "t#3": true, "t#4": true}
	for range 100 {
		name := g.UniqueName("t")
		if !strings.HasPrefix(name, "t") || seen[name] {
			t.Fatalf("UniqueName returned %q, already used or without the prefix", name)
		}
		seen[name] = true
	}
}
