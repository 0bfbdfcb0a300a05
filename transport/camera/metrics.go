package camera

import (
	"errors"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the cameras' Prometheus metrics, labelled by camera name (from the
// configuration, never from a client).
type metrics struct {
	read, processed, dropped, reconnects, decodeErrors *prometheus.CounterVec
	latency                                            *prometheus.HistogramVec
	state                                              *prometheus.GaugeVec
}

func newMetrics() *metrics {
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "visiond_camera_" + name, Help: help}, []string{"camera"})
	}
	return &metrics{
		read:         counter("frames_read_total", "Frames received from the stream (after the fps cap)."),
		processed:    counter("frames_processed_total", "Frames the models ran on."),
		dropped:      counter("frames_dropped_total", "Frames replaced by a newer one before the models were free."),
		reconnects:   counter("reconnects_total", "Times the stream dropped or failed to open and was tried again."),
		decodeErrors: counter("decode_errors_total", "Frames the stream delivered but could not decode."),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "visiond_camera_processing_seconds", Help: "Time from reading a frame to its results being out.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}, []string{"camera"}),
		state: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "visiond_camera_state", Help: "1 for the stream's current state (connecting, streaming, reconnecting, stopped), 0 for the others.",
		}, []string{"camera", "state"}),
	}
}

// register adds the metrics to reg; a nil reg keeps them unregistered.
func (m *metrics) register(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	var errs []error
	for _, c := range []prometheus.Collector{m.read, m.processed, m.dropped, m.reconnects, m.decodeErrors, m.latency, m.state} {
		errs = append(errs, reg.Register(c))
	}
	return errors.Join(errs...)
}

// counter is a camera's Prometheus counter, also readable for GET /v1/cameras.
type counter struct {
	n atomic.Uint64
	c prometheus.Counter
}

// Inc adds one.
func (c *counter) Inc() { c.n.Add(1); c.c.Inc() }

// value is the count so far.
func (c *counter) value() uint64 { return c.n.Load() }

// cameraMetrics are one camera's children of the metrics.
type cameraMetrics struct {
	read, processed, dropped, reconnects, decodeErrors *counter
	latency                                            prometheus.Observer
	state                                              *prometheus.GaugeVec
	camera                                             string
}

// forCamera returns the camera's metrics.
func (m *metrics) forCamera(name string) *cameraMetrics {
	return &cameraMetrics{
		read: &counter{c: m.read.WithLabelValues(name)}, processed: &counter{c: m.processed.WithLabelValues(name)},
		dropped: &counter{c: m.dropped.WithLabelValues(name)}, reconnects: &counter{c: m.reconnects.WithLabelValues(name)},
		decodeErrors: &counter{c: m.decodeErrors.WithLabelValues(name)}, latency: m.latency.WithLabelValues(name),
		state: m.state, camera: name,
	}
}

// setState sets the state gauge: 1 for state, 0 for the others.
func (c *cameraMetrics) setState(state string) {
	for _, s := range states {
		v := 0.0
		if s == state {
			v = 1
		}
		c.state.WithLabelValues(c.camera, s).Set(v)
	}
}
