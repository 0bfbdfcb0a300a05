package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/visiond/visiond/config"
	"github.com/visiond/visiond/inference/ort"
	"github.com/visiond/visiond/internal/sdnotify"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/pipeline"
	"github.com/visiond/visiond/transport/camera"
	httpapi "github.com/visiond/visiond/transport/httpapi"
	"github.com/visiond/visiond/transport/mqtt"
)

// serveCommand runs the daemon: it listens at once (/healthz answers, /readyz says not yet),
// loads the configured models, serves until SIGTERM or SIGINT, then shuts down gracefully.
func serveCommand(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, file, err := loadConfig("serve", args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, stderr)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	srv, err := httpapi.New(cfg.HTTP, cfg.Pipeline.MaxImageBytes, reg, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return err
	}
	log.Info("listening", "url", listenURL(ln.Addr(), cfg.HTTP.TLS.Enabled()), "config", cmp.Or(file, "defaults"))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	start := time.Now()
	var mq *mqtt.Service
	p, eng, err := openPipeline(cfg, reg)
	if err == nil {
		defer eng.Close()
		srv.Ready(p, "onnxruntime "+eng.Version())
		log.Info("ready", "models", strings.Join(cfg.Models.Load, ","), "load_ms", time.Since(start).Milliseconds(),
			"workers", cfg.Pipeline.Workers, "threads", cfg.Engine.Threads, "queue", cfg.Pipeline.Queue)
		for _, m := range p.AllModels() {
			if m.Status == pipeline.StatusError {
				log.Error("model not loaded", "model", m.Name, "error", m.Error)
			}
		}
		notifySystemd(log, sdnotify.Ready)
		mq, err = startMQTT(ctx, cfg, p, reg, log)
	}
	var cams *camera.Service
	if err == nil {
		cams, err = startCameras(ctx, cfg, p, mq, reg, log)
	}
	if cams != nil {
		srv.ServeCameras(cams)
	}
	if err == nil {
		select {
		case <-ctx.Done():
		case err = <-served:
		}
	}

	log.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	notifySystemd(log, sdnotify.Stopping)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		log.Warn("requests still running at the shutdown timeout were canceled", "error", serr)
	}
	if cams != nil {
		cams.Close()
	}
	if mq != nil {
		if merr := mq.Close(sctx); merr != nil {
			log.Warn("closing MQTT", "error", merr)
		}
	}
	if p != nil {
		if perr := p.Close(sctx); perr != nil {
			log.Warn("closing models", "error", perr)
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err == nil {
		log.Info("stopped")
	}
	return err
}

// startMQTT starts the MQTT transport when it is enabled. A taken port for the embedded broker
// is logged and HTTP goes on; other errors stop the daemon.
func startMQTT(ctx context.Context, cfg config.Config, p *pipeline.Pipeline, reg prometheus.Registerer, log *slog.Logger) (*mqtt.Service, error) {
	if !cfg.MQTT.Enabled {
		return nil, nil
	}
	mq, err := mqtt.Start(ctx, cfg.MQTT, p, reg, log.With("transport", "mqtt"))
	if errors.Is(err, mqtt.ErrListen) {
		log.Error("MQTT is off; HTTP goes on", "error", err)
		return nil, nil
	}
	return mq, err
}

// configCommand runs `visiond config print [flags]`: the configuration serve would use.
func configCommand(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "print" {
		fmt.Fprint(stderr, "Usage: visiond config print [serve flags]\n")
		return flag.ErrHelp
	}
	cfg, file, err := loadConfig("config print", args[1:], stderr)
	if err != nil {
		return err
	}
	return config.Print(stdout, cfg, file)
}

const serveUsage = `Usage: visiond %s [flags]

Settings come from, in rising precedence: defaults, the YAML file (--config, else
visiond.yaml in the working directory when present; deploy/visiond.yaml is a sample),
VISIOND_* variables, then these flags:

`

// loadConfig reads the daemon's configuration for the command name with its flags in args.
func loadConfig(name string, args []string, stderr io.Writer) (config.Config, string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, serveUsage, name)
		fs.PrintDefaults()
	}
	cfg, file, err := config.Load(fs, args, os.LookupEnv)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return cfg, file, err
}

// openPipeline starts the engine and loads the configured models, their metrics on reg.
func openPipeline(cfg config.Config, reg prometheus.Registerer) (*pipeline.Pipeline, *ort.Engine, error) {
	eng, load, err := models.OpenEngine(cfg.Engine, catalog.Store{Dir: cfg.Models.Dir})
	if err != nil {
		return nil, nil, err
	}
	p, err := pipeline.Open(cfg.Pipeline, cfg.Models.Load, load, reg)
	if err != nil {
		eng.Close()
		return nil, nil, err
	}
	return p, eng, nil
}

// newLogger makes the daemon's structured logger.
func newLogger(c config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// listenURL is a URL a person on this machine can open for addr.
func listenURL(addr net.Addr, tls bool) string {
	scheme := "http"
	if tls {
		scheme = "https"
	}
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}
