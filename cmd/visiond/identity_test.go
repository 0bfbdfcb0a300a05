package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/visiond/visiond/internal/golden"
	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/internal/testpipeline"
	"github.com/visiond/visiond/pipeline"
	"github.com/visiond/visiond/transport/httpapi"
)

// TestCLIMatchesHTTP: on every shared photo, `visiond detect|classify|pose IMAGE...` prints
// the same results, byte for byte, as POST /v1/<task> answers with the daemon's defaults.
func TestCLIMatchesHTTP(t *testing.T) {
	names := []string{"coco-ssd", "mobilenet", "posenet"}
	store := testmodels.Store(t, names...)
	lib := testenv.ORTLibrary(t)
	srv, err := httpapi.New(httpapi.Defaults(), pipeline.Defaults().MaxImageBytes, prometheus.NewRegistry(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv.Ready(testpipeline.Open(t, pipeline.Defaults(), nil, nil, names...), "onnxruntime")
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	var paths []string
	for _, photo := range golden.Photos {
		paths = append(paths, testenv.Image(t, photo))
	}
	for _, task := range []string{"detect", "classify", "pose"} {
		t.Run(task, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{task, "--dir", store.Dir, "--ort-lib", lib}, paths...)
			if err := run(context.Background(), args, &stdout, &stderr); err != nil {
				t.Fatalf("visiond %s: %v\n%s", task, err, &stderr)
			}
			sc := bufio.NewScanner(&stdout)
			sc.Buffer(nil, 1<<20)
			for i := 0; sc.Scan(); i++ {
				var cli struct {
					Image   string
					Results json.RawMessage
				}
				if err := json.Unmarshal(sc.Bytes(), &cli); err != nil || cli.Image != paths[i] {
					t.Fatalf("line %d: %v: %.200s", i, err, sc.Bytes())
				}
				resp, err := http.Post(ts.URL+"/v1/"+task, "application/octet-stream", bytes.NewReader(testenv.ReadImage(t, golden.Photos[i])))
				if err != nil {
					t.Fatal(err)
				}
				var api struct{ Results json.RawMessage }
				err = json.NewDecoder(resp.Body).Decode(&api)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					t.Fatalf("POST /v1/%s %s: %d %v", task, golden.Photos[i], resp.StatusCode, err)
				}
				if !bytes.Equal(cli.Results, api.Results) {
					t.Errorf("%s on %s:\nCLI  %.400s\nHTTP %.400s", task, golden.Photos[i], cli.Results, api.Results)
				}
			}
		})
	}
}
