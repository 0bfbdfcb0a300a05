package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/visiond/visiond/internal/hostile"
	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testpipeline"
	"github.com/visiond/visiond/pipeline"
)

// goodClassify posts a real photo beside the hostile traffic and checks that it is answered
// with its result within limit.
func goodClassify(t *testing.T, client *http.Client, url string, limit time.Duration) {
	t.Helper()
	start := time.Now()
	resp, err := client.Post(url+"/v1/classify", "image/jpeg", bytes.NewReader(testenv.ReadImage(t, "burger.jpg")))
	if err != nil {
		t.Fatalf("good request beside the hostile ones: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if took := time.Since(start); resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte("cheeseburger")) || took > limit {
		t.Errorf("good request: %d in %v (limit %v): %.200s", resp.StatusCode, took, limit, b)
	}
}

// listening starts a server for cfg on its own listener (its real http.Server, with its
// timeouts and HTTP/2 limits), answering with the shared pipeline; it is shut down when the
// test ends unless the test does it.
func listening(t *testing.T, cfg Config, reg *prometheus.Registry) (*Server, string) {
	t.Helper()
	srv, err := New(cfg, pipeline.Defaults().MaxImageBytes, reg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv.Ready(testpipeline.Shared(t), "onnxruntime test")
	addr, served := serve(t, srv)
	t.Cleanup(func() { srv.Shutdown(context.Background()); <-served })
	return srv, addr
}

// rawAnswer sends head (a request's header block and the start of its body) on a new
// connection, half-closes it when asked, and reads the answer within wait.
func rawAnswer(t *testing.T, addr, head string, halfClose bool, wait time.Duration) (*http.Response, []byte, error) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprint(c, head)
	if halfClose {
		c.(*net.TCPConn).CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(wait))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return nil, nil, err
	}
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// TestDeclaredLengthReservesNothing: 100 HTTP/1.1 connections declare a body just under the
// limit (about 43 MiB) and send one byte. The server must hold memory for what arrived only
// (32 KiB each), and still answer a good request at once.
func TestDeclaredLengthReservesNothing(t *testing.T) {
	const conns = 100
	h := newHarness(t, testConfig(), testpipeline.Shared(t), nil)
	before := testenv.HeapInUse()
	addr := strings.TrimPrefix(h.ts.URL, "http://")
	for i := 0; i < conns; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /v1/detect HTTP/1.1\r\nHost: visiond\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\nX", h.srv.bodyLimit-2)
	}
	waitFor(t, "every hostile request to be read", func() bool {
		return h.metric("visiond_http_requests_in_flight") == conns
	})
	grown := int64(testenv.HeapInUse()) - int64(before)
	t.Logf("heap grew by %.1f MiB for %d declared bodies of %d bytes", float64(grown)/(1<<20), conns, h.srv.bodyLimit-2)
	if limit := int64(16 << 20); grown > limit {
		t.Errorf("heap grew by %d bytes, limit %d: memory follows the declared length", grown, limit)
	}
	if used := h.srv.budget.used.Load(); used != conns*firstChunk {
		t.Errorf("body budget in use: %d, want %d (one first chunk each)", used, conns*firstChunk)
	}
	goodClassify(t, h.ts.Client(), h.ts.URL, 5*time.Second)
}

// TestHTTP2DeclaredLength: one HTTP/2 connection opens 40 streams that declare large bodies
// and send one byte each: the server admits 16 streams at a time (the others are refused),
// holds their first chunks only, and answers a good request meanwhile.
func TestHTTP2DeclaredLength(t *testing.T) {
	const streams = 40
	cfg := testConfig()
	cfg.TLS.Cert, cfg.TLS.Key = selfSigned(t, t.TempDir())
	reg := prometheus.NewRegistry()
	srv, addr := listening(t, cfg, reg)
	h := &harness{t: t, srv: srv, reg: reg}
	pemCert, _ := os.ReadFile(cfg.TLS.Cert)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pemCert)

	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close() // ends the streams on the server at once
	if p := conn.ConnectionState().NegotiatedProtocol; p != "h2" {
		t.Fatalf("negotiated %q, want h2", p)
	}
	before := testenv.HeapInUse()
	// The server's settings are left unacknowledged: streams over its limit are then refused
	// one by one (RST_STREAM) rather than ending the connection.
	conn.Write([]byte(http2.ClientPreface))
	fr := http2.NewFramer(conn, conn)
	fr.WriteSettings()
	var refused atomic.Int32
	go func() {
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				return
			}
			if rst, ok := f.(*http2.RSTStreamFrame); ok && rst.ErrCode == http2.ErrCodeRefusedStream {
				refused.Add(1)
			}
		}
	}()
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for i := range streams {
		block.Reset()
		for _, f := range [][2]string{{":method", "POST"}, {":scheme", "https"}, {":authority", addr}, {":path", "/v1/detect"},
			{"content-type", "image/jpeg"}, {"content-length", strconv.FormatInt(srv.bodyLimit-2, 10)}} {
			enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
		}
		id := uint32(2*i + 1)
		if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block.Bytes(), EndHeaders: true}); err != nil {
			t.Fatal(err)
		}
		fr.WriteData(id, false, []byte("X"))
	}
	waitFor(t, "16 streams read and the others refused", func() bool {
		return h.metric("visiond_http_requests_in_flight") == 16 && refused.Load() == streams-16
	})
	grown := int64(testenv.HeapInUse()) - int64(before)
	t.Logf("heap grew by %.1f MiB for %d HTTP/2 streams (16 admitted)", float64(grown)/(1<<20), streams)
	if limit := int64(16 << 20); grown > limit {
		t.Errorf("heap grew by %d bytes, limit %d", grown, limit)
	}
	good := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}}
	goodClassify(t, good, "https://"+addr, 5*time.Second)
}

// TestBodyBudget: when the bodies being read hold the whole budget, the next body is refused
// with 503 busy and Retry-After before more of it is read; the budget is whole again after.
func TestBodyBudget(t *testing.T) {
	cfg := testConfig()
	cfg.MaxBodyMemory = 320 << 10
	h := newLimitedHarness(t, cfg, 96<<10, testpipeline.Shared(t), nil) // bodies up to 192 KiB
	addr := strings.TrimPrefix(h.ts.URL, "http://")

	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprintf(slow, "POST /v1/detect HTTP/1.1\r\nHost: visiond\r\nContent-Length: %d\r\n\r\n", h.srv.bodyLimit)
	slow.Write(bytes.Repeat([]byte{'x'}, 150<<10)) // holds a 192 KiB buffer
	waitFor(t, "the slow body to take its share", func() bool { return h.srv.budget.used.Load() > 128<<10 })

	r := h.do("POST", "/v1/detect", "image/jpeg", bytes.Repeat([]byte{'y'}, 150<<10))
	code, msg := r.apiErr(t)
	if r.status != http.StatusServiceUnavailable || code != "busy" || r.header.Get("Retry-After") == "" || !strings.Contains(msg, "max_body_memory") {
		t.Errorf("over the budget: %d %s %q, Retry-After %q; want 503 busy naming max_body_memory", r.status, code, msg, r.header.Get("Retry-After"))
	}
	slow.Close()
	waitFor(t, "the budget to be given back", func() bool { return h.srv.budget.used.Load() == 0 })
	goodClassify(t, h.ts.Client(), h.ts.URL, 5*time.Second)
}

// TestJSONAmplification: a 22 MiB JSON body of 8 million empty arrays in an unknown member is
// refused after 1,024 values, within a second, without decoding them into values (the old
// parser spent 360 MB and 2.3 s on it); deep nesting is refused too.
func TestJSONAmplification(t *testing.T) {
	h := newHarness(t, testConfig(), testpipeline.Shared(t), nil)
	arrays := bytes.Repeat([]byte("[],"), 8<<20)
	body := append(append([]byte(`{"junk":[`), arrays...), `[]],"image":"QUJD"}`...)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
	r := h.do("POST", "/v1/detect", "application/json", body)
	took := time.Since(start)
	runtime.ReadMemStats(&m1)
	code, msg := r.apiErr(t)
	allocated := m1.TotalAlloc - m0.TotalAlloc
	t.Logf("%d-byte body: %d %s in %v, %.1f MiB allocated (the body's buffer included)", len(body), r.status, code, took, float64(allocated)/(1<<20))
	if r.status != http.StatusBadRequest || code != "bad_request" || !strings.Contains(msg, "more than 1024 values") {
		t.Errorf("amplifying body: %d %s %q; want 400 bad_request naming the value limit", r.status, code, msg)
	}
	if took > 2*time.Second || allocated > 3*uint64(len(body)) {
		t.Errorf("amplifying body took %v and %d bytes; want under 2 s and 3× its size", took, allocated)
	}

	deep := `{"image":"QUJD","junk":` + strings.Repeat("[", 20) + strings.Repeat("]", 20) + "}"
	r = h.do("POST", "/v1/detect", "application/json", []byte(deep))
	if code, msg := r.apiErr(t); r.status != http.StatusBadRequest || !strings.Contains(msg, "nests deeper") {
		t.Errorf("deep nesting: %d %s %q", r.status, code, msg)
	}
	long := `{"image":"QUJD","classes":"` + strings.Repeat("a", maxJSONField) + `"}`
	r = h.do("POST", "/v1/detect", "application/json", []byte(long))
	if code, msg := r.apiErr(t); r.status != http.StatusBadRequest || !strings.Contains(msg, "classes: longer than") {
		t.Errorf("long option: %d %s %q", r.status, code, msg)
	}
}

// TestDeepStackKeyBeforeBody: with keys set, an anonymous client on the DeepStack route is
// refused before its body is read, unless it sends a form that may carry the api_key field
// (and http.deepstack_form_key allows that); a key in the query counts before the body too.
func TestDeepStackKeyBeforeBody(t *testing.T) {
	cfg := testConfig()
	cfg.APIKeys = []string{"s3cret"}
	for _, tc := range []struct {
		name, contentType, query string
		formKey                  bool
		want                     int
	}{
		{"raw body", "image/jpeg", "", true, http.StatusUnauthorized},
		{"JSON body", "application/json", "", true, http.StatusUnauthorized},
		{"form, form keys off", "multipart/form-data; boundary=x", "", false, http.StatusUnauthorized},
		{"wrong query key", "image/jpeg", "?api_key=nope", true, http.StatusUnauthorized},
		{"form, form keys on", "multipart/form-data; boundary=x", "", true, 0},
		{"query key", "image/jpeg", "?api_key=s3cret", true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg.DeepStackFormKey = tc.formKey
			h := newHarness(t, cfg, testpipeline.Shared(t), nil)
			resp, _, err := rawAnswer(t, strings.TrimPrefix(h.ts.URL, "http://"), fmt.Sprintf(
				"POST /v1/vision/detection%s HTTP/1.1\r\nHost: visiond\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\nX",
				tc.query, tc.contentType, h.srv.bodyLimit-2), false, time.Second)
			switch {
			case tc.want == 0 && err == nil:
				t.Errorf("answered %d before the body arrived; want it read", resp.StatusCode)
			case tc.want != 0 && err != nil:
				t.Errorf("no answer within 1 s of the headers: %v; want %d before the body", err, tc.want)
			case tc.want != 0 && resp.StatusCode != tc.want:
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.want == 0 && h.srv.budget.used.Load() == 0 {
				t.Error("the body is not being read")
			}
		})
	}
}

// TestReadTimeoutIs504: a client that stops sending its body mid-way gets 504 timeout once
// request_timeout has passed, never 499 (which only counts clients that left).
func TestReadTimeoutIs504(t *testing.T) {
	cfg := testConfig()
	cfg.RequestTimeout = 500 * time.Millisecond
	_, addr := listening(t, cfg, prometheus.NewRegistry())
	start := time.Now()
	resp, b, err := rawAnswer(t, addr, "POST /v1/detect HTTP/1.1\r\nHost: visiond\r\nContent-Length: 1000\r\n\r\nonly ten b", false, 5*time.Second)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	if took := time.Since(start); resp.StatusCode != http.StatusGatewayTimeout || !bytes.Contains(b, []byte(`"timeout"`)) || took > 2*time.Second {
		t.Errorf("stalled body: %d in %v: %s; want 504 timeout within 2 s", resp.StatusCode, took, b)
	}
}

// TestDrain: on Shutdown the server first answers /readyz with 503 for the drain period while
// it still serves requests on new connections, then stops accepting.
func TestDrain(t *testing.T) {
	cfg := testConfig()
	cfg.Drain = 700 * time.Millisecond
	srv, addr := listening(t, cfg, prometheus.NewRegistry())
	stopped := make(chan error, 1)
	start := time.Now()
	go func() { stopped <- srv.Shutdown(context.Background()) }()
	waitFor(t, "the drain to start", srv.closing.Load)

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatalf("readyz during the drain: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !bytes.Contains(b, []byte("shutting_down")) {
		t.Errorf("readyz during the drain: %d %s; want 503 shutting_down", resp.StatusCode, b)
	}
	goodClassify(t, client, "http://"+addr, 2*time.Second)
	if err := <-stopped; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if took := time.Since(start); took < cfg.Drain {
		t.Errorf("Shutdown returned after %v, before the drain of %v", took, cfg.Drain)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Error("still accepting connections after the drain")
	}
}

// TestProgressiveBombOverHTTP: two 6000×6000 progressive JPEGs repeating a scan 600 times, sent
// at once, are answered 400 bad_image within a second (they used to hold both workers for
// 30 s and answer 504), and a good request sent beside them is answered at once.
func TestProgressiveBombOverHTTP(t *testing.T) {
	testenv.Tool(t, "jpegtran", "libjpeg-turbo-progs")
	bomb, err := hostile.ProgressiveBomb(6000, 6000, 600)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, testConfig(), testpipeline.Shared(t), nil)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			r := h.do("POST", "/v1/detect", "image/jpeg", bomb)
			code, msg := r.apiErr(t)
			if took := time.Since(start); r.status != http.StatusBadRequest || code != "bad_image" || !strings.Contains(msg, "600 scans") || took > time.Second {
				t.Errorf("bomb: %d %s %q after %v; want 400 bad_image naming the scans within 1 s", r.status, code, msg, took)
			}
		}()
	}
	goodClassify(t, h.ts.Client(), h.ts.URL, 5*time.Second)
	wg.Wait()
}

// TestHalfClosedBody: a client that declares more body than it sends and then stops sending
// (half-closes) while still reading gets 400 naming the short body, never 499.
func TestHalfClosedBody(t *testing.T) {
	h := newHarness(t, testConfig(), testpipeline.Shared(t), nil)
	resp, b, err := rawAnswer(t, strings.TrimPrefix(h.ts.URL, "http://"),
		"POST /v1/detect HTTP/1.1\r\nHost: visiond\r\nContent-Length: 44804774\r\n\r\nX", true, 5*time.Second)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	if resp.StatusCode != http.StatusBadRequest || !bytes.Contains(b, []byte("the body ended before")) {
		t.Errorf("half-closed body: %d %s; want 400 naming the short body", resp.StatusCode, b)
	}
}

// TestJSONImageOneCopy: the image member is decoded straight from the body, so parsing a
// JSON body allocates the decoded image (3/4 of its base64) and little else, escaped line
// breaks and unknown members included.
func TestJSONImageOneCopy(t *testing.T) {
	img := make([]byte, 4<<20)
	for i := range img {
		img[i] = byte(i * 131 >> 5)
	}
	b64 := base64.StdEncoding.EncodeToString(img)
	var lines strings.Builder
	for i := 0; i < len(b64); i += 76 {
		lines.WriteString(b64[i:min(i+76, len(b64))] + `\n`)
	}
	body := []byte(`{"unknown":{"a":[1,2,{"b":null}]},"image":"` + lines.String() + `","min_score":0.3,"classes":["person","car"]}`)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	in, err := parseJSON(body)
	runtime.ReadMemStats(&m1)
	if err != nil || !bytes.Equal(in.image, img) || in.fields["min_score"] != "0.3" || in.fields["classes"] != "person,car" {
		t.Fatalf("parseJSON: %v, %d image bytes, fields %v", err, len(in.image), in.fields)
	}
	allocated := m1.TotalAlloc - m0.TotalAlloc
	t.Logf("%d-byte body, %d-byte image: %d bytes allocated", len(body), len(img), allocated)
	if limit := uint64(len(body))*3/4 + 64<<10; allocated > limit {
		t.Errorf("parsing allocated %d bytes, want at most %d (one copy of the image)", allocated, limit)
	}
}
