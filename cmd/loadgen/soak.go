package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/visiond/visiond/internal/hostile"
)

// soakKey is the API key the soak run's daemon requires, so that the anonymous kinds meet it.
const soakKey = "soak-key"

// soakClients is how many clients send at once.
const soakClients = 8

// soakInputs are the inputs a soak run sends, built once.
type soakInputs struct {
	frame, bomb, amplifying, deep, truncated, form []byte
	formType                                       string
}

// hostileKinds are the malformed or hostile requests of a soak run, one of each in turn: the
// inputs that used to cost gigabytes or stall the workers, and plain garbage. Each returns
// the HTTP status it got (0 for none, as when the broker closes an MQTT connection) or an
// error for a failure of the exchange itself.
var hostileKinds = []struct {
	name string
	send func(s *soaker) (int, error)
}{
	{"declared 43 MB, sent 1 byte", func(s *soaker) (int, error) {
		return s.raw("POST", "/v1/detect", "image/jpeg", 44804774, []byte("X"), true)
	}},
	{"progressive JPEG, 600 scans", func(s *soaker) (int, error) { return s.post("/v1/detect", "image/jpeg", s.in.bomb, true) }},
	{"JSON, 8 M empty arrays", func(s *soaker) (int, error) {
		return s.post("/v1/detect", "application/json", s.in.amplifying, true)
	}},
	{"JSON nested 10,000 deep", func(s *soaker) (int, error) { return s.post("/v1/detect", "application/json", s.in.deep, true) }},
	{"DeepStack without a key, 43 MB declared", func(s *soaker) (int, error) {
		return s.raw("POST", "/v1/vision/detection", "image/jpeg", 44804774, []byte("X"), false)
	}},
	{"DeepStack form, wrong key", func(s *soaker) (int, error) {
		return s.post("/v1/vision/detection", s.in.formType, s.in.form, false)
	}},
	{"truncated JPEG", func(s *soaker) (int, error) { return s.post("/v1/detect", "image/jpeg", s.in.truncated, true) }},
	{"Content-Length over the limit", func(s *soaker) (int, error) {
		return s.raw("POST", "/v1/detect", "image/jpeg", 1<<30, nil, true)
	}},
	{"MQTT publish declaring 100 MiB", func(s *soaker) (int, error) { return 0, s.bigPublish() }},
	{"MQTT frame of no camera, reply_to visiond/status", func(s *soaker) (int, error) { return 0, s.badTopics() }},
}

// soaker sends a soak run's requests and counts their statuses by kind.
type soaker struct {
	url, mqttAddr string
	in            soakInputs
	mqtt          paho.Client

	mu       sync.Mutex
	statuses map[string]map[int]int
	took     map[string]time.Duration
	failures []string
}

// soakMQTTListen is a free loopback address for the daemon's embedded broker.
func soakMQTTListen() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// soak runs the soak test against d: soakClients clients send total requests of which every
// fifth is hostile, then good more good ones; it prints the statuses by kind and the daemon's
// memory, goroutines and descriptors, and fails on any 5xx but 503 and 504, on a crash, or
// on growth.
func soak(ctx context.Context, d *daemon, mqttAddr string, frame []byte, total, good int, out io.Writer) error {
	in, err := newSoakInputs(frame)
	if err != nil {
		return err
	}
	s := &soaker{url: d.url, mqttAddr: mqttAddr, in: in, statuses: map[string]map[int]int{}, took: map[string]time.Duration{}}
	s.mqtt = paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + mqttAddr).SetClientID("soak").SetConnectTimeout(10 * time.Second))
	if tok := s.mqtt.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		return fmt.Errorf("soak: connecting to the embedded broker at %s: %v", mqttAddr, tok.Error())
	}
	defer s.mqtt.Disconnect(100)

	s.run(ctx, slices.Repeat([]int{-1}, soakClients)) // warm up: the model has run
	delete(s.statuses, "good")
	start, err := s.usage(d)
	if err != nil {
		return err
	}
	var peak atomic.Int64
	stopSampling := sampleRSS(d, &peak)
	mixed := make([]int, total)
	for i := range mixed {
		mixed[i] = -1 // good
		if i%5 == 4 {
			mixed[i] = (i / 5) % len(hostileKinds)
		}
	}
	began := time.Now()
	s.run(ctx, mixed)
	mixedTook := time.Since(began)
	s.run(ctx, slices.Repeat([]int{-1}, good))
	goodTook := time.Since(began) - mixedTook
	stopSampling()
	end, err := s.usage(d)
	if err != nil {
		return fmt.Errorf("after the run: %w", err)
	}

	fmt.Fprintf(out, "visiond soak: %d clients, %d requests (every fifth hostile: %d kinds in turn) in %.1f s, then %d good in %.1f s\n\n",
		soakClients, total, len(hostileKinds), mixedTook.Seconds(), good, goodTook.Seconds())
	fmt.Fprintln(out, "| kind | requests | statuses | mean ms |")
	fmt.Fprintln(out, "|---|---|---|---|")
	kinds := []string{"good"}
	for _, k := range hostileKinds {
		kinds = append(kinds, k.name)
	}
	for _, k := range kinds {
		n := s.requests(k)
		fmt.Fprintf(out, "| %s | %d | %s | %.1f |\n", k, n, s.statusText(k), ms(s.took[k])/float64(max(n, 1)))
	}
	mib := func(b int64) float64 { return float64(b) / (1 << 20) }
	fmt.Fprintf(out, "\nVmRSS: start %.1f MiB, end %.1f MiB, peak %.1f MiB; goroutines: start %d, end %d; open fds: start %d, end %d\n",
		mib(start.rss), mib(end.rss), mib(max(peak.Load(), end.rss)), start.goroutines, end.goroutines, start.fds, end.fds)
	if mq, err := s.mqttErrors(); err == nil {
		fmt.Fprintf(out, "MQTT bad_request errors answered by visiond: %d\n", mq)
	}

	var errs []error
	for _, f := range s.failures {
		errs = append(errs, errors.New(f))
	}
	switch {
	case d.exited():
		errs = append(errs, errors.New("visiond is no longer running"))
	case end.rss-start.rss > max(start.rss/2, 64<<20):
		errs = append(errs, fmt.Errorf("resident memory grew from %.1f to %.1f MiB", mib(start.rss), mib(end.rss)))
	case end.goroutines > start.goroutines+2 || end.fds > start.fds+2:
		errs = append(errs, fmt.Errorf("goroutines %d → %d, fds %d → %d: something leaks", start.goroutines, end.goroutines, start.fds, end.fds))
	}
	return errors.Join(errs...)
}

// run sends one request per entry of plan (a hostile kind's index, or -1 for a good request)
// from soakClients clients.
func (s *soaker) run(ctx context.Context, plan []int) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range soakClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(plan)) && ctx.Err() == nil; i = next.Add(1) - 1 {
				if k := plan[i]; k < 0 {
					s.count("good", s.goodRequest)
				} else {
					s.count(hostileKinds[k].name, func() (int, error) { return hostileKinds[k].send(s) })
				}
			}
		}()
	}
	wg.Wait()
}

// count runs one exchange and records its status under kind; a 5xx other than 503 and 504,
// or a failed exchange, is a failure of the run.
func (s *soaker) count(kind string, send func() (int, error)) {
	start := time.Now()
	status, err := send()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.took[kind] += time.Since(start)
	if s.statuses[kind] == nil {
		s.statuses[kind] = map[int]int{}
	}
	s.statuses[kind][status]++
	switch {
	case err != nil:
		s.failures = append(s.failures, fmt.Sprintf("%s: %v", kind, err))
	case status >= 500 && status != http.StatusServiceUnavailable && status != http.StatusGatewayTimeout:
		s.failures = append(s.failures, fmt.Sprintf("%s: status %d", kind, status))
	}
}

func (s *soaker) requests(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.statuses[kind] {
		n += c
	}
	return n
}

// statusText lists a kind's statuses, "none" standing for exchanges without an HTTP status.
func (s *soaker) statusText(kind string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var codes []int
	for c := range s.statuses[kind] {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var parts []string
	for _, c := range codes {
		name := strconv.Itoa(c)
		if c == 0 {
			name = "none"
		}
		parts = append(parts, fmt.Sprintf("%s: %d", name, s.statuses[kind][c]))
	}
	return strings.Join(parts, ", ")
}

// goodRequest posts the frame with the key and checks that the airplane is found.
func (s *soaker) goodRequest() (int, error) {
	status, body, err := s.exchange("/v1/detect", "image/jpeg", s.in.frame, true)
	if err == nil && status == http.StatusOK && !bytes.Contains(body, []byte(`"class":"airplane"`)) {
		err = fmt.Errorf("answer without an airplane: %.200s", body)
	}
	return status, err
}

// post sends body and reads the answer.
func (s *soaker) post(path, contentType string, body []byte, keyed bool) (int, error) {
	status, _, err := s.exchange(path, contentType, body, keyed)
	return status, err
}

func (s *soaker) exchange(path, contentType string, body []byte, keyed bool) (int, []byte, error) {
	req, err := http.NewRequest("POST", s.url+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", contentType)
	if keyed {
		req.Header.Set("X-API-Key", soakKey)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// raw sends a request whose header declares length bytes of body but carries only body, then
// stops sending (half-closes the connection), and reads the answer: a client that lies about
// its body, or stops midway.
func (s *soaker) raw(method, path, contentType string, length int64, body []byte, keyed bool) (int, error) {
	c, err := net.DialTimeout("tcp", strings.TrimPrefix(s.url, "http://"), 5*time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	key := ""
	if keyed {
		key = "X-API-Key: " + soakKey + "\r\n"
	}
	fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: visiond\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n", method, path, contentType, length, key)
	c.Write(body)
	c.(*net.TCPConn).CloseWrite()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, fmt.Errorf("no answer: %w", err)
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// bigPublish connects to the embedded broker and starts a publish that declares 100 MiB: the
// broker must close the connection without reading it.
func (s *soaker) bigPublish() error {
	c, err := net.DialTimeout("tcp", s.mqttAddr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.Write([]byte{0x10, 14, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 2, 'b', 'g'})
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	ack := make([]byte, 4)
	if _, err := io.ReadFull(c, ack); err != nil || ack[0] != 0x20 || ack[3] != 0 {
		return fmt.Errorf("MQTT CONNACK %x: %v", ack, err)
	}
	c.Write([]byte{0x30, 0x80, 0x80, 0x80, 0x32}) // PUBLISH, remaining length 100 MiB
	c.Write([]byte{0, 11, 'v', 'i', 's', 'i', 'o', 'n', 'd', '/', 'b', 'g'})
	if n, err := c.Read(make([]byte, 16)); err == nil {
		return fmt.Errorf("the broker kept a 100 MiB publish's connection open (read %d bytes)", n)
	}
	return nil
}

// badTopics publishes a frame to visiond//image (no camera) and a request whose reply_to is
// visiond's status topic; visiond refuses both as bad requests. The frame goes at QoS 0: on a
// broker that holds this client to its ACL it is then dropped quietly, rather than ending the
// connection.
func (s *soaker) badTopics() error {
	for _, m := range []struct {
		topic   string
		qos     byte
		payload []byte
	}{
		{"visiond//image", 0, s.in.truncated},
		{"visiond/request", 1, []byte(`{"image":"QUJD","reply_to":"visiond/status"}`)},
	} {
		if tok := s.mqtt.Publish(m.topic, m.qos, false, m.payload); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			return fmt.Errorf("publishing to %s: %v", m.topic, tok.Error())
		}
	}
	return nil
}

// usage is what the daemon holds at one moment.
type usage struct {
	rss             int64
	goroutines, fds int
}

// usage reads the daemon's resident memory and open descriptors from /proc and its
// goroutines from its metrics.
// The clients' idle connections are closed first, and given a second to end on the daemon's
// side, so that only what the daemon holds by itself is counted.
func (s *soaker) usage(d *daemon) (usage, error) {
	client.CloseIdleConnections()
	time.Sleep(time.Second)
	var u usage
	var err error
	if u.rss, err = d.rss(); err != nil {
		return u, err
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", d.cmd.Process.Pid))
	if err != nil {
		return u, err
	}
	u.fds = len(fds)
	g, err := s.metric("go_goroutines")
	u.goroutines = int(g)
	return u, err
}

// mqttErrors is the daemon's count of MQTT messages it refused as bad requests.
func (s *soaker) mqttErrors() (int, error) {
	v, err := s.metric(`visiond_mqtt_errors_total{code="bad_request"}`)
	return int(v), err
}

// metric reads one sample of the daemon's /metrics by its name and labels as written there.
func (s *soaker) metric(series string) (float64, error) {
	req, _ := http.NewRequest("GET", s.url+"/metrics", nil)
	req.Header.Set("X-API-Key", soakKey)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("no %s in /metrics", series)
}

// sampleRSS records the daemon's peak resident memory every 100 ms until the returned stop.
func sampleRSS(d *daemon, peak *atomic.Int64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if v, err := d.rss(); err == nil && v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// newSoakInputs builds the soak run's bodies from the good frame.
func newSoakInputs(frame []byte) (soakInputs, error) {
	in := soakInputs{frame: frame, truncated: frame[:len(frame)/3]}
	var err error
	if in.bomb, err = hostile.ProgressiveBomb(6000, 6000, 600); err != nil {
		return in, err
	}
	in.amplifying = append(append([]byte(`{"image":"QUJD","junk":[`), bytes.Repeat([]byte("[],"), 8<<20)...), "[]]}"...)
	in.deep = []byte(`{"image":"QUJD","junk":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "}")
	var form bytes.Buffer
	w := multipart.NewWriter(&form)
	fw, _ := w.CreateFormFile("image", "frame.jpg")
	fw.Write(frame)
	w.WriteField("api_key", "wrong")
	w.Close()
	in.form, in.formType = form.Bytes(), w.FormDataContentType()
	return in, nil
}

// runSoak starts the daemon with an API key and its embedded broker on a free port, and soaks it.
func runSoak(ctx context.Context, o options, out io.Writer) error {
	frame, err := testFrame(o.image)
	if err != nil {
		return err
	}
	mqttAddr, err := soakMQTTListen()
	if err != nil {
		return err
	}
	o.extraArgs = append(o.extraArgs, "--api-keys", soakKey, "--mqtt-listen", mqttAddr)
	d, err := startDaemon(ctx, o, o.threads)
	if err != nil {
		return err
	}
	defer d.stop()
	return soak(ctx, d, mqttAddr, frame, o.soakRequests, o.soakGood, out)
}
