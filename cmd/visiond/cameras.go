package main

import (
	"context"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/visiond/visiond/config"
	"github.com/visiond/visiond/pipeline"
	"github.com/visiond/visiond/transport/camera"
	"github.com/visiond/visiond/transport/mqtt"
)

var _ camera.Publisher = (*mqtt.Service)(nil)

// startCameras starts reading the configured cameras (none: nil), their answers published on
// mq when MQTT is on.
func startCameras(ctx context.Context, cfg config.Config, p *pipeline.Pipeline, mq *mqtt.Service, reg prometheus.Registerer, log *slog.Logger) (*camera.Service, error) {
	if len(cfg.Cameras) == 0 {
		return nil, nil
	}
	helper, err := camera.FindHelper()
	if err != nil {
		return nil, err
	}
	opts := camera.Options{Helper: helper, MaxPixels: cfg.Pipeline.MaxPixels, Registerer: reg, Log: log.With("transport", "camera")}
	if mq != nil {
		opts.Publisher = mq
	}
	return camera.Start(ctx, cfg.Cameras, p, opts)
}
