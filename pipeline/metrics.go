package pipeline

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the pipeline's Prometheus metrics. They live here, not in a transport, because
// every transport feeds the same pipeline: HTTP and MQTT requests share the queue, the workers
// and the stage timings.
type metrics struct {
	stages   *prometheus.HistogramVec
	rejected prometheus.Counter
}

// register creates the pipeline's metrics on reg; a nil reg means no metrics.
func (p *Pipeline) register(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	m := &metrics{
		stages: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "visiond_pipeline_stage_seconds",
			Help:    "Time spent in each stage of a successful request: queue, decode, preprocess, inference, postprocess, annotate.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 15), // 0.5 ms .. 8 s
		}, []string{"task", "model", "stage"}),
		rejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "visiond_pipeline_rejected_total",
			Help: "Requests refused at once because every worker was busy and the queue was full.",
		}),
	}
	for _, c := range []prometheus.Collector{
		m.stages, m.rejected,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "visiond_pipeline_queue_depth",
			Help: "Requests waiting for a worker.",
		}, func() float64 { return float64(p.Queued()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "visiond_pipeline_busy_workers",
			Help: "Workers running a request.",
		}, func() float64 { return float64(len(p.pool.slots)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "visiond_pipeline_workers",
			Help: "Requests that may run at once.",
		}, func() float64 { return float64(cap(p.pool.slots)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "visiond_models_loaded",
			Help: "Models loaded and serving.",
		}, func() float64 { return float64(p.reg.count()) }),
	} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	p.metrics = m
	return nil
}

// observe records the outcome of one Run.
func (m *metrics) observe(req Request, res *Result, err error) {
	if m == nil {
		return
	}
	if errors.Is(err, ErrBusy) {
		m.rejected.Inc()
	}
	if err != nil {
		return
	}
	t := res.Timings
	for _, s := range []struct {
		name string
		d    time.Duration
	}{
		{"queue", t.Queue}, {"decode", t.Decode}, {"preprocess", t.Preprocess},
		{"inference", t.Inference}, {"postprocess", t.Postprocess}, {"annotate", t.Annotate},
	} {
		if s.name == "annotate" && !req.Annotate {
			continue
		}
		m.stages.WithLabelValues(string(res.Task), res.Model, s.name).Observe(s.d.Seconds())
	}
}
