package httpapi

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/pipeline"
)

// gatedHarness is a server on a one-worker pipeline (coco-ssd) whose inferences wait at g's
// gate, with the pipeline's and the server's metrics on one registry. A zero timeout keeps
// the test configuration's request deadline.
func gatedHarness(t *testing.T, timeout time.Duration, queue int) (*harness, *gatedEngine, *pipeline.Pipeline) {
	t.Helper()
	reg := prometheus.NewRegistry()
	g := newGatedEngine(t)
	p := openPipeline(t, g, reg, 1, queue, "coco-ssd")
	cfg := testConfig()
	if timeout > 0 {
		cfg.RequestTimeout = timeout
	}
	t.Cleanup(g.open) // never leave a request stuck at the gate
	return newHarness(t, cfg, p, reg), g, p
}

// TestOverload: with the worker busy and the queue full, the next request is refused at once
// with 503 and Retry-After, and counted; the admitted ones complete.
func TestOverload(t *testing.T) {
	h, g, p := gatedHarness(t, 0, 1)
	photo := testenv.ReadImage(t, "burger.jpg")
	done := make(chan reply, 2)
	go func() { done <- h.do("POST", "/v1/detect", "image/jpeg", photo) }()
	waitFor(t, "the first request to reach the worker", func() bool { return g.waiting.Load() == 1 })
	go func() { done <- h.do("POST", "/v1/detect", "image/jpeg", photo) }()
	waitFor(t, "the second request to queue", func() bool { return p.Queued() == 1 })

	r := h.do("POST", "/v1/detect", "image/jpeg", photo)
	code, msg := r.apiErr(t)
	if r.status != http.StatusServiceUnavailable || code != "busy" || r.header.Get("Retry-After") != "1" || !strings.Contains(msg, "busy") {
		t.Errorf("third request: status %d, Retry-After %q, body %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	if n := h.metric("visiond_pipeline_rejected_total"); n != 1 {
		t.Errorf("rejected_total = %v, want 1", n)
	}

	g.open()
	for range 2 {
		if r := <-done; r.status != http.StatusOK {
			t.Errorf("admitted request: %d %s", r.status, r.body)
		}
	}
	if n := h.metric("visiond_http_requests_total", "endpoint", "/v1/detect", "status", "503"); n != 1 {
		t.Errorf("503s counted: %v", n)
	}
	if n := h.metric("visiond_http_requests_total", "endpoint", "/v1/detect", "model", "coco-ssd", "status", "200"); n != 2 {
		t.Errorf("200s counted: %v", n)
	}
}

// TestOverloadManyClients: a burst of concurrent clients beyond workers+queue gets only 200s
// and explicit 503s.
func TestOverloadManyClients(t *testing.T) {
	h, g, _ := gatedHarness(t, 0, 2)
	photo := testenv.ReadImage(t, "burger.jpg")
	const clients = 12
	done := make(chan reply, clients)
	for range clients {
		go func() { done <- h.do("POST", "/v1/detect", "image/jpeg", photo) }()
	}
	waitFor(t, "the rejections", func() bool {
		return h.metric("visiond_http_requests_total", "status", "503") == clients-3
	})
	g.open()
	counts := map[int]int{}
	for range clients {
		counts[(<-done).status]++
	}
	if counts[200] != 3 || counts[503] != clients-3 {
		t.Errorf("statuses %v: want 3 admitted (1 worker + 2 queued) and %d refused", counts, clients-3)
	}
}

// TestClientGone: a client that goes away cancels its request, queued or running.
func TestClientGone(t *testing.T) {
	h, g, p := gatedHarness(t, 0, 2)
	photo := testenv.ReadImage(t, "burger.jpg")

	runCtx, leaveRunning := context.WithCancel(context.Background())
	running := make(chan reply, 1)
	go func() { running <- h.doCtx(runCtx, "POST", "/v1/detect", "image/jpeg", photo) }()
	waitFor(t, "the first request to reach the worker", func() bool { return g.waiting.Load() == 1 })

	queueCtx, leaveQueued := context.WithCancel(context.Background())
	waiting := make(chan reply, 1)
	go func() { waiting <- h.doCtx(queueCtx, "POST", "/v1/detect", "image/jpeg", photo) }()
	waitFor(t, "the second request to queue", func() bool { return p.Queued() == 1 })

	leaveQueued()
	if r := <-waiting; r.status != -1 {
		t.Errorf("the client that left got %d", r.status)
	}
	waitFor(t, "the queued request to leave the queue", func() bool { return p.Queued() == 0 })

	leaveRunning()
	<-running
	waitFor(t, "the running inference to stop", func() bool { return g.canceled.Load() == 1 })
	waitFor(t, "both to be logged as 499", func() bool {
		return h.metric("visiond_http_requests_total", "endpoint", "/v1/detect", "status", "499") == 2
	})
	g.open()
	if r := h.do("POST", "/v1/detect", "image/jpeg", photo); r.status != http.StatusOK {
		t.Errorf("after the clients left: %d %s", r.status, r.body)
	}
}

// TestDeadline: a request that outlives its deadline gets 504, and its inference stops.
func TestDeadline(t *testing.T) {
	h, g, _ := gatedHarness(t, 200*time.Millisecond, 1)
	r := h.do("POST", "/v1/detect", "image/jpeg", testenv.ReadImage(t, "burger.jpg"))
	if code, _ := r.apiErr(t); r.status != http.StatusGatewayTimeout || code != "timeout" {
		t.Errorf("status %d: %s", r.status, r.body)
	}
	if g.canceled.Load() != 1 {
		t.Errorf("the inference was not stopped")
	}
}

// TestPanic: a panic while answering is a 500 in the route's error shape, logged with its
// stack and counted; the worker it held is free again.
func TestPanic(t *testing.T) {
	h, g, _ := gatedHarness(t, 0, 0)
	g.panics.Store(true)
	photo := testenv.ReadImage(t, "burger.jpg")
	r := h.do("POST", "/v1/detect", "image/jpeg", photo, "X-Request-Id", "boom1")
	code, msg := r.apiErr(t)
	if r.status != http.StatusInternalServerError || code != "internal" || !strings.Contains(msg, "boom1") || strings.Contains(msg, "exploded") {
		t.Errorf("status %d: %s; want 500, code internal, the request id and no details", r.status, r.body)
	}
	formType, form := multipartBody(t, photo)
	r = h.do("POST", "/v1/vision/detection", formType, form)
	var ds map[string]any
	r.json(t, &ds)
	if r.status != http.StatusInternalServerError || ds["success"] != false {
		t.Errorf("DeepStack route: %d %s", r.status, r.body)
	}
	if n := h.metric("visiond_http_panics_total"); n != 2 {
		t.Errorf("panics counted: %v", n)
	}
	if !contains(h.log.String(), "msg=panic", "request_id=boom1", "session exploded", "goroutine ") {
		t.Errorf("log lacks the panic and its stack:\n%s", h.log.String())
	}
	g.panics.Store(false)
	g.open()
	if r := h.do("POST", "/v1/detect", "image/jpeg", photo); r.status != http.StatusOK {
		t.Errorf("after the panic: %d %s", r.status, r.body)
	}
}

// serve runs srv on a new local listener and returns its address and Serve's result.
func serve(t *testing.T, srv *Server) (string, chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	return ln.Addr().String(), served
}

// TestGracefulShutdown: Shutdown stops new connections, lets the request in flight finish,
// and cancels it when its own deadline passes first.
func TestGracefulShutdown(t *testing.T) {
	for _, tc := range []struct {
		name     string
		deadline time.Duration
	}{{"in-flight request finishes", 10 * time.Second}, {"deadline cancels it", 100 * time.Millisecond}} {
		t.Run(tc.name, func(t *testing.T) {
			h, g, _ := gatedHarness(t, 0, 0)
			addr, served := serve(t, h.srv)
			photo := testenv.ReadImage(t, "burger.jpg")
			inflight := make(chan *http.Response, 1)
			go func() {
				resp, err := http.Post("http://"+addr+"/v1/detect", "image/jpeg", bytes.NewReader(photo))
				if err != nil {
					resp = &http.Response{StatusCode: -1}
				}
				inflight <- resp
			}()
			waitFor(t, "the request to reach the worker", func() bool { return g.waiting.Load() == 1 })

			ctx, cancel := context.WithTimeout(context.Background(), tc.deadline)
			defer cancel()
			stopped := make(chan error, 1)
			go func() { stopped <- h.srv.Shutdown(ctx) }()
			waitFor(t, "the listener to close", func() bool {
				c, err := net.Dial("tcp", addr)
				if err == nil {
					c.Close()
				}
				return err != nil
			})
			if tc.deadline > time.Second {
				g.open()
			}
			resp := <-inflight
			err := <-stopped
			if tc.deadline > time.Second && (resp.StatusCode != http.StatusOK || err != nil) {
				t.Errorf("in flight: %d, Shutdown: %v; want 200 and nil", resp.StatusCode, err)
			}
			if tc.deadline < time.Second && (g.canceled.Load() != 1 || !errors.Is(err, context.DeadlineExceeded)) {
				t.Errorf("canceled runs %d, Shutdown: %v; want the run canceled and the deadline error", g.canceled.Load(), err)
			}
			// The client is still connected: it is told why, never sent 499.
			if tc.deadline < time.Second && resp.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("request canceled by the shutdown: %d, want 503 shutting_down", resp.StatusCode)
			}
			if err := <-served; !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("Serve returned %v", err)
			}
		})
	}
}

// TestTLS: with a certificate configured the server speaks HTTPS only; a missing certificate
// fails New.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := selfSigned(t, dir)
	cfg := testConfig()
	cfg.TLS.Cert, cfg.TLS.Key = certFile, keyFile
	srv, err := New(cfg, pipeline.Defaults().MaxImageBytes, prometheus.NewRegistry(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	addr, served := serve(t, srv)
	defer func() { srv.Shutdown(context.Background()); <-served }()

	pemCert, _ := os.ReadFile(certFile)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pemCert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Errorf("HTTPS healthz: %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP answered on the HTTPS port")
		}
	}

	cfg.TLS.Cert = filepath.Join(dir, "missing.pem")
	if _, err := New(cfg, pipeline.Defaults().MaxImageBytes, prometheus.NewRegistry(), slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "missing.pem") {
		t.Errorf("New with a missing certificate: %v", err)
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "visiond test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certFile, keyFile
}
