package mqtt

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the MQTT transport's Prometheus metrics.
type metrics struct {
	received   *prometheus.CounterVec // by kind: image, request
	published  *prometheus.CounterVec // by kind: detections, annotated, objects, zones, discovery, error, reply, status
	latency    prometheus.Histogram   // arrival to last answer published
	dropped    prometheus.Counter     // frames replaced by a newer one, or refused when full
	reconnects prometheus.Counter
	errors     *prometheus.CounterVec // by code (see errorCode), and "publish"
	connected  prometheus.Gauge
}

func newMetrics() *metrics {
	return &metrics{
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "visiond_mqtt_messages_received_total", Help: "MQTT messages received, by kind (image, request).",
		}, []string{"kind"}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "visiond_mqtt_messages_published_total", Help: "MQTT messages published, by kind (detections, annotated, objects, zones, discovery, error, reply, status).",
		}, []string{"kind"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "visiond_mqtt_processing_seconds",
			Help:    "Time from a message's arrival to its answers being published.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "visiond_mqtt_frames_dropped_total", Help: "Frames not processed because a newer frame of the same camera replaced them, or the mailbox was full.",
		}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "visiond_mqtt_reconnects_total", Help: "Connections to the broker made again after losing one.",
		}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "visiond_mqtt_errors_total", Help: "Messages answered with an error, by code, and failed publishes (code publish).",
		}, []string{"code"}),
		connected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "visiond_mqtt_connected", Help: "1 while connected to the broker.",
		}),
	}
}

// register adds the metrics to reg; a nil reg keeps them unregistered.
func (m *metrics) register(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	var errs []error
	for _, c := range []prometheus.Collector{m.received, m.published, m.latency, m.dropped, m.reconnects, m.errors, m.connected} {
		errs = append(errs, reg.Register(c))
	}
	return errors.Join(errs...)
}
