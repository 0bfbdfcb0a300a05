package golden

import (
	"encoding/json"
	"testing"
)

func TestTolerances(t *testing.T) {
	want := `[{"bbox":[10,20,30,40],"class":"dog","score":0.5,
	           "keypoints":[{"part":"nose","position":{"x":100,"y":50},"score":0.9}]}]`
	tests := []struct {
		name            string
		got             string
		exact, faithful int // differences each tolerance reports
	}{
		{"same", want, 0, 0},
		{"score off by 0.008", `[{"bbox":[10,20,30,40],"class":"dog","score":0.508,"keypoints":[{"part":"nose","position":{"x":100,"y":50},"score":0.9}]}]`, 1, 0},
		{"score off by 0.02", `[{"bbox":[10,20,30,40],"class":"dog","score":0.52,"keypoints":[{"part":"nose","position":{"x":100,"y":50},"score":0.9}]}]`, 1, 1},
		{"box off by 1.5 px", `[{"bbox":[11.5,20,30,40],"class":"dog","score":0.5,"keypoints":[{"part":"nose","position":{"x":100,"y":50},"score":0.9}]}]`, 1, 0},
		{"box off by 2.5 px", `[{"bbox":[12.5,20,30,40],"class":"dog","score":0.5,"keypoints":[{"part":"nose","position":{"x":100,"y":50},"score":0.9}]}]`, 1, 1},
		{"keypoint off by 2.5 px", `[{"bbox":[10,20,30,40],"class":"dog","score":0.5,"keypoints":[{"part":"nose","position":{"x":102.5,"y":50},"score":0.9}]}]`, 1, 0},
		{"keypoint off by 3.5 px", `[{"bbox":[10,20,30,40],"class":"dog","score":0.5,"keypoints":[{"part":"nose","position":{"x":100,"y":53.5},"score":0.9}]}]`, 1, 1},
		{"another class", `[{"bbox":[10,20,30,40],"class":"cat","score":0.5,"keypoints":[{"part":"nose","position":{"x":100,"y":50},"score":0.9}]}]`, 1, 1},
		{"one more result", `[{"bbox":[10,20,30,40],"class":"dog","score":0.5},{"bbox":[1,2,3,4],"class":"dog","score":0.5}]`, 1, 1},
	}
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		var got any
		if err := json.Unmarshal([]byte(tc.got), &got); err != nil {
			t.Fatal(err)
		}
		if d := exact.diff("", "", got, w); len(d) != tc.exact {
			t.Errorf("%s: exact tolerance reports %q, want %d differences", tc.name, d, tc.exact)
		}
		if d := faithful.diff("", "", got, w); len(d) != tc.faithful {
			t.Errorf("%s: faithful tolerance reports %q, want %d differences", tc.name, d, tc.faithful)
		}
	}
	if toleranceOf("coco-ssd") != exact || toleranceOf("no-such-model") != exact {
		t.Error("a float-mode model, or an unknown one, is not held to the exact tolerance")
	}
}
