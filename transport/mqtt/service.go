// Package mqtt is visiond's MQTT transport: cameras publish frames to <prefix>/<camera>/image,
// visiond runs the configured models on the newest frame of each camera through the same
// pipeline as HTTP, and publishes detections, annotated frames, retained per-label counts
// and errors beside it. Clients may also ask for one answer on <prefix>/request. visiond
// connects to an external broker, or runs an embedded one when none is configured.
package mqtt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/visiond/visiond/models/results"
	"github.com/visiond/visiond/pipeline"
)

const (
	// messageDeadline bounds the processing of one message.
	messageDeadline = 30 * time.Second
	// maxPending bounds the cameras and requests waiting for a worker.
	maxPending = 1024
)

// errSuperseded: a newer frame of the same camera arrived while this one waited for the pipeline.
var errSuperseded = errors.New("superseded by a newer frame")

// inferer runs one request; *pipeline.Pipeline is one.
type inferer interface {
	Run(ctx context.Context, req pipeline.Request) (*pipeline.Result, error)
}

// publisher sends messages to the broker.
type publisher interface {
	// publish sends one message and tells done whether the broker took it.
	publish(topic string, retained bool, payload []byte, done func(error))
	// close waits until every message sent is answered, or ctx ends; nothing is sent after.
	close(ctx context.Context) error
}

var (
	_ inferer   = (*pipeline.Pipeline)(nil)
	_ publisher = (*brokerClient)(nil)
)

// Service is the running MQTT transport. Close it to stop.
type Service struct {
	cfg     Config
	log     *slog.Logger
	pipe    inferer
	router  *router
	pub     publisher
	box     *mailbox
	counts  *objectCounts
	metrics *metrics
	ha      discovery

	client    paho.Client
	broker    *embeddedBroker
	brokerURL string

	ctx      context.Context
	cancel   context.CancelFunc
	workers  sync.WaitGroup
	arrivals atomic.Uint64
	connects atomic.Int64
	ready    chan struct{}
	once     sync.Once

	closeOnce sync.Once
	closeErr  error
}

// Start connects to the broker (starting the embedded one when cfg.Broker is empty),
// subscribes, and processes frames with pipe until Close. It returns without waiting for the
// broker, which it keeps trying to reach. ctx is the parent of all its work. An embedded
// broker that cannot listen is an error wrapping ErrListen. Metrics are registered on reg
// (none when nil); a nil log logs to slog's default.
func Start(ctx context.Context, cfg Config, pipe *pipeline.Pipeline, reg prometheus.Registerer, log *slog.Logger) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.ClientID == "" {
		host, _ := os.Hostname()
		cfg.ClientID = "visiond-" + host + "-" + randomHex(3)
	}
	rt, err := newRouter(cfg, pipe.Models())
	if err != nil {
		return nil, err
	}
	s := newService(ctx, cfg, pipe, rt, log)
	if err := s.metrics.register(reg); err != nil {
		s.cancel()
		return nil, fmt.Errorf("mqtt: registering metrics: %w", err)
	}
	if err := s.connect(); err != nil {
		s.cancel()
		return nil, err
	}
	s.startWorkers()
	s.log.Info("mqtt: started", "broker", s.brokerURL, "embedded", s.broker != nil, "client_id", cfg.ClientID,
		"subscriptions", rt.filters(cfg.Prefix, cfg.ShareGroup), "workers", s.cfg.Workers)
	return s, nil
}

// newService makes a service that is neither connected nor working yet.
func newService(ctx context.Context, cfg Config, pipe inferer, rt *router, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	s := &Service{
		cfg: cfg, log: log, pipe: pipe, router: rt,
		box: newMailbox(maxPending), counts: newObjectCounts(), metrics: newMetrics(),
		ha:    discovery{sent: map[string]bool{}},
		ready: make(chan struct{}),
	}
	s.ctx, s.cancel = context.WithCancel(ctx)
	return s
}

// startWorkers starts the workers that drain the mailbox.
func (s *Service) startWorkers() {
	s.workers.Add(s.cfg.Workers)
	for range s.cfg.Workers {
		go s.work()
	}
}

// connect starts the embedded broker when needed and the client, which connects in the
// background.
func (s *Service) connect() error {
	s.brokerURL = s.cfg.Broker
	login := credentials{s.cfg.Username, s.cfg.Password}
	if s.cfg.Broker == "" {
		b, err := startBroker(s.cfg.Embedded, s.cfg.MaxPayload, s.cfg.Prefix, s.log)
		if err != nil {
			return err
		}
		s.broker, s.brokerURL, login = b, b.url(), b.self
	}
	opts, err := clientOptions(s.cfg, s.brokerURL, login)
	if err != nil {
		s.stopBroker()
		return err
	}
	opts.SetOnConnectHandler(s.onConnect).
		SetConnectionLostHandler(s.onConnectionLost).
		SetConnectionNotificationHandler(s.onNotification)
	s.client = paho.NewClient(opts)
	s.pub = newBrokerClient(s.client, byte(s.cfg.QoS))
	s.client.Connect()
	return nil
}

// BrokerURL is the broker visiond uses: the configured one, or the embedded broker's
// address (useful when it listens on port 0).
func (s *Service) BrokerURL() string { return s.brokerURL }

// Ready is closed once visiond has connected and subscribed (or failed to, which it logs)
// for the first time.
func (s *Service) Ready() <-chan struct{} { return s.ready }

// onConnect (re)subscribes on every connection, then announces visiond online.
func (s *Service) onConnect(c paho.Client) {
	if s.connects.Add(1) > 1 {
		s.metrics.reconnects.Inc()
	}
	s.metrics.connected.Set(1)
	filters := map[string]byte{}
	for _, f := range s.router.filters(s.cfg.Prefix, s.cfg.ShareGroup) {
		filters[f] = byte(s.cfg.QoS)
	}
	t := c.SubscribeMultiple(filters, func(_ paho.Client, m paho.Message) { s.receive(m.Topic(), m.Payload()) })
	if err := await(t, time.Now().Add(brokerTimeout), "subscribing"); err != nil {
		s.log.Error("mqtt: subscribing failed", "broker", s.brokerURL, "err", err)
		s.metrics.errors.WithLabelValues("subscribe").Inc()
	} else {
		s.log.Info("mqtt: connected and subscribed", "broker", s.brokerURL)
	}
	s.send("status", s.cfg.Prefix+"/status", true, []byte(online))
	s.once.Do(func() { close(s.ready) })
}

// onConnectionLost notes the loss; paho reconnects, backing off from 1 s to reconnectMax.
func (s *Service) onConnectionLost(_ paho.Client, err error) {
	s.metrics.connected.Set(0)
	s.log.Warn("mqtt: connection lost, reconnecting", "broker", s.brokerURL, "err", err)
}

// onNotification reports failed connection attempts, which paho otherwise keeps quiet.
func (s *Service) onNotification(_ paho.Client, n paho.ConnectionNotification) {
	if f, ok := n.(paho.ConnectionNotificationFailed); ok {
		s.log.Warn("mqtt: cannot connect to the broker, retrying", "broker", s.brokerURL, "err", f.Reason)
	}
}

// receive files an arriving message in the mailbox, replacing the camera's waiting frame.
func (s *Service) receive(topic string, payload []byte) {
	m := &inbound{topic: topic, payload: payload, received: time.Now(), seq: s.arrivals.Add(1)}
	kind := "image"
	if topic == s.cfg.Prefix+"/request" {
		kind = "request"
		m.key = "request/" + strconv.FormatUint(m.seq, 10) // never a camera: those have no '/'
	} else {
		m.camera = strings.TrimSuffix(strings.TrimPrefix(topic, s.cfg.Prefix+"/"), "/image")
		m.key = m.camera
	}
	s.metrics.received.WithLabelValues(kind).Inc()
	if accepted, replaced := s.box.put(m); replaced || !accepted {
		s.metrics.dropped.Inc()
	}
}

// work processes messages until the mailbox closes.
func (s *Service) work() {
	defer s.workers.Done()
	for {
		m, ok := s.box.take()
		if !ok {
			return
		}
		s.process(m)
	}
}

// process answers one message: the results of each of its jobs, or one error.
func (s *Service) process(m *inbound) {
	ctx, cancel := context.WithTimeout(s.ctx, messageDeadline)
	defer cancel()
	p, err := parsePayload(m.payload, s.cfg.MaxPayload, s.cfg.Prefix)
	switch {
	case m.camera == "" && !strings.HasPrefix(m.key, "request/"):
		// A frame on <prefix>//image: no camera to answer on, and no request either.
		p.replyTo = ""
		err = fmt.Errorf("%w: topic %q names no camera; publish frames to %s/<camera>/image", pipeline.ErrBadRequest, m.topic, s.cfg.Prefix)
	case err == nil && m.camera == "" && p.replyTo == "":
		err = fmt.Errorf("%w: a request is a JSON envelope with a reply_to topic", pipeline.ErrBadRequest)
	}
	var jobs []job
	if err == nil {
		jobs, err = s.router.jobs(m.camera, p.model)
	}
	for i := 0; err == nil && i < len(jobs); i++ {
		var res *pipeline.Result
		annotate := s.cfg.Annotated && m.camera != "" && i == 0
		res, err = s.run(ctx, m, jobs[i].request(p.image, annotate))
		if err == nil {
			s.answer(m, p, res)
		}
	}
	switch {
	case errors.Is(err, errSuperseded):
		s.metrics.dropped.Inc()
	case err != nil:
		s.fail(m, p, err)
	default:
		s.metrics.latency.Observe(time.Since(m.received).Seconds())
	}
}

// request is the pipeline request of a job on an image.
func (j job) request(image []byte, annotate bool) pipeline.Request {
	return pipeline.Request{Task: j.task, Model: j.model, Image: image, Options: j.options, Annotate: annotate}
}

// run calls the pipeline; while it is busy, run waits and tries again as long as m is still
// its camera's newest frame (a request always is).
func (s *Service) run(ctx context.Context, m *inbound, req pipeline.Request) (*pipeline.Result, error) {
	superseded := false
	res, err := pipeline.RetryBusy(ctx, func() (*pipeline.Result, error) { return s.pipe.Run(ctx, req) },
		func() bool { superseded = s.box.waiting(m.key); return superseded })
	if superseded {
		return nil, errSuperseded
	}
	return res, err
}

// answer publishes a result: to the request's reply topic, or on the camera's detections,
// annotated and objects topics.
func (s *Service) answer(m *inbound, p payload, res *pipeline.Result) {
	msg := newResult(sourceOf(m, p), res, time.Since(m.received))
	if m.camera == "" {
		s.sendJSON("reply", p.replyTo, msg)
		return
	}
	s.publishResult(m.camera, m.seq, msg)
}

// publishResult publishes a camera's result on its detections, annotated and objects topics;
// seq orders the camera's frames.
func (s *Service) publishResult(camera string, seq uint64, msg resultMessage) {
	base := s.cfg.Prefix + "/" + camera
	s.sendJSON("detections", base+"/detections", msg)
	if msg.Annotated != nil {
		s.send("annotated", base+"/annotated", false, msg.Annotated)
	}
	if dets, ok := msg.Results.([]results.Detection); ok {
		s.discover(camera, dets)
		s.counts.update(camera, seq, dets, func(changed []labelCount) {
			for _, c := range changed {
				s.send("objects", base+"/objects/"+labelLevel(c.label), true, []byte(strconv.Itoa(c.count)))
			}
		})
	}
}

// fail publishes the error message for m: on its camera's error topic, or to the request's
// reply topic (<prefix>/request/error for a request without one, and for a frame that names
// no camera).
func (s *Service) fail(m *inbound, p payload, err error) {
	code, reason := errorCode(err)
	s.metrics.errors.WithLabelValues(code).Inc()
	if code == pipeline.Internal {
		s.log.Error("mqtt: processing a message failed", "topic", m.topic, "err", err)
	}
	topic := s.cfg.Prefix + "/request/error"
	switch {
	case m.camera != "":
		topic = s.cfg.Prefix + "/" + m.camera + "/error"
	case p.replyTo != "":
		topic = p.replyTo
	}
	s.sendJSON("error", topic, errorMessage{source: sourceOf(m, p), Error: code, Reason: reason})
}

// sendJSON publishes v as JSON.
func (s *Service) sendJSON(kind, topic string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.Error("mqtt: encoding an answer", "topic", topic, "err", err)
		s.metrics.errors.WithLabelValues("internal").Inc()
		return
	}
	s.send(kind, topic, false, b)
}

// send publishes one message; once the broker took it, it is counted, else the failure is
// logged and counted.
func (s *Service) send(kind, topic string, retained bool, payload []byte) {
	s.pub.publish(topic, retained, payload, func(err error) {
		if err != nil {
			s.log.Warn("mqtt: publish failed", "topic", topic, "err", err)
			s.metrics.errors.WithLabelValues("publish").Inc()
			return
		}
		s.metrics.published.WithLabelValues(kind).Inc()
	})
}

// Close stops taking messages, lets the ones being processed finish (cancelling them when ctx
// ends first), announces visiond offline, disconnects and stops the embedded broker.
func (s *Service) Close(ctx context.Context) error {
	s.closeOnce.Do(func() { s.closeErr = s.close(ctx) })
	return s.closeErr
}

// close is Close, done once.
func (s *Service) close(ctx context.Context) error {
	s.box.close()
	done := make(chan struct{})
	go func() { s.workers.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		s.cancel()
		<-done
	}
	s.cancel()
	if s.client != nil {
		if s.client.IsConnectionOpen() {
			s.send("status", s.cfg.Prefix+"/status", true, []byte(offline))
		}
		if drained := s.pub.close(ctx); err == nil {
			err = drained
		}
		s.client.Disconnect(250)
		s.metrics.connected.Set(0)
	}
	s.stopBroker()
	return err
}

// stopBroker stops the embedded broker, if any.
func (s *Service) stopBroker() {
	if s.broker != nil {
		s.broker.close()
	}
}
