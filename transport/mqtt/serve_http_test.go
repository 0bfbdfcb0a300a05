package mqtt_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/visiond/visiond/config"
	"github.com/visiond/visiond/pipeline"
	vhttp "github.com/visiond/visiond/transport/httpapi"
	"github.com/visiond/visiond/transport/mqtt"
)

func init() { mqtt.ServeHTTP = serveHTTP }

// serveHTTP serves pipe as visiond serve does, with the default HTTP settings and a text log.
func serveHTTP(t testing.TB, pipe *pipeline.Pipeline) string {
	srv, err := vhttp.New(config.Default(), prometheus.NewRegistry(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv.Ready(pipe, "onnxruntime")
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts.URL + "/v1/detect"
}
