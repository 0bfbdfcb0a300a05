package httpapi

import "github.com/prometheus/client_golang/prometheus"

// httpMetrics are the HTTP transport's metrics; the pipeline registers its own (stage
// latencies, queue depth, rejections, models loaded) on the same registry.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	panics   prometheus.Counter
}

func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "visiond_http_requests_total",
			Help: "HTTP requests answered, by route, model and status (499: the client left first).",
		}, []string{"endpoint", "model", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "visiond_http_request_duration_seconds",
			Help:    "Time from a request's arrival to its answer, by route.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 15), // 1 ms .. 16 s
		}, []string{"endpoint"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "visiond_http_requests_in_flight",
			Help: "HTTP requests being read, queued, run or answered.",
		}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "visiond_http_panics_total",
			Help: "Panics recovered while answering a request.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.inFlight, m.panics} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
