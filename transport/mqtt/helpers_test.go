package mqtt

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/pipeline"
)

// waitLimit bounds every wait for something the broker or visiond should do; reaching it is
// a failure, never a measurement.
const waitLimit = 30 * time.Second

func TestMain(m *testing.M) { os.Exit(testmodels.Run(m)) }

// testLog shows warnings and errors on stderr.
func testLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// startService starts visiond's MQTT transport and waits until it has subscribed.
func startService(t testing.TB, cfg Config, pipe *pipeline.Pipeline) *Service {
	t.Helper()
	s, err := Start(context.Background(), cfg, pipe, nil, testLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	select {
	case <-s.Ready():
	case <-time.After(waitLimit):
		t.Fatalf("visiond did not connect to %s", s.BrokerURL())
	}
	return s
}

// tool finds a program of the mosquitto packages; missing, it skips (fails in CI).
func tool(t testing.TB, name string) string {
	t.Helper()
	return testenv.Tool(t, name, "mosquitto mosquitto-clients")
}

// mosquitto is a Mosquitto broker the test runs on a free loopback port with its own config.
type mosquitto struct {
	t    testing.TB
	bin  string
	port int
	conf string
	cmd  *exec.Cmd
	log  *testenv.LockedBuffer
}

// startMosquitto starts a broker; extra lines configure its listener. It stops at the end
// of the test.
func startMosquitto(t testing.TB, extra ...string) *mosquitto {
	t.Helper()
	m := &mosquitto{t: t, bin: tool(t, "mosquitto"), port: testenv.FreePort(t), conf: filepath.Join(t.TempDir(), "mosquitto.conf")}
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	lines := append([]string{
		"user " + me.Username, // run as root, Mosquitto would become another user who cannot read the test's files
		fmt.Sprintf("listener %d 127.0.0.1", m.port), "allow_anonymous true", "persistence false",
		"log_dest stderr", "log_type error", "log_type warning",
	}, extra...)
	if err := os.WriteFile(m.conf, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m.start()
	t.Cleanup(m.stop)
	return m
}

func (m *mosquitto) url() string { return fmt.Sprintf("tcp://127.0.0.1:%d", m.port) }

// start runs the broker and waits until it accepts connections.
func (m *mosquitto) start() {
	m.t.Helper()
	m.log = &testenv.LockedBuffer{}
	m.cmd = exec.Command(m.bin, "-c", m.conf)
	m.cmd.Stdout, m.cmd.Stderr = m.log, m.log
	if err := m.cmd.Start(); err != nil {
		m.t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { m.cmd.Process.Wait(); close(exited) }()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", m.port)); err == nil {
			c.Close()
			return
		}
		select {
		case <-exited:
			m.t.Fatalf("mosquitto exited: %s", m.log)
		case <-time.After(20 * time.Millisecond):
		}
	}
	m.t.Fatalf("mosquitto does not listen on %d: %s", m.port, m.log)
}

// stop ends the broker and waits for it.
func (m *mosquitto) stop() {
	if m.cmd == nil {
		return
	}
	m.cmd.Process.Signal(syscall.SIGTERM)
	m.cmd.Process.Wait()
	m.cmd = nil
}

// client connects a test MQTT client, with a login when given "user:password".
func client(t testing.TB, url string, login ...string) paho.Client {
	t.Helper()
	return clientAs(t, url, "test-"+randomHex(4), login...)
}

// clientAs is client with the client id id.
func clientAs(t testing.TB, url, id string, login ...string) paho.Client {
	t.Helper()
	o := paho.NewClientOptions().AddBroker(url).SetClientID(id).SetConnectTimeout(waitLimit)
	if len(login) == 1 {
		user, pass, _ := strings.Cut(login[0], ":")
		o.SetUsername(user).SetPassword(pass)
	}
	c := paho.NewClient(o)
	if tok := c.Connect(); !tok.WaitTimeout(waitLimit) || tok.Error() != nil {
		t.Fatalf("test client cannot connect to %s: %v", url, tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return c
}

// publish sends one message from a test client at QoS 1.
func publish(t testing.TB, c paho.Client, topic string, payload []byte) {
	t.Helper()
	if tok := c.Publish(topic, 1, false, payload); !tok.WaitTimeout(waitLimit) || tok.Error() != nil {
		t.Fatalf("publishing to %s: %v", topic, tok.Error())
	}
}

// watcher collects the messages of its subscriptions for the test to wait on.
type watcher struct {
	mu     sync.Mutex
	msgs   []paho.Message
	notify chan struct{}
}

// watch subscribes a test client to filters.
func watch(t testing.TB, c paho.Client, filters ...string) *watcher {
	t.Helper()
	w := &watcher{notify: make(chan struct{}, 1)}
	subscribe(t, c, func(m paho.Message) {
		w.mu.Lock()
		w.msgs = append(w.msgs, m)
		w.mu.Unlock()
		select {
		case w.notify <- struct{}{}:
		default:
		}
	}, filters...)
	return w
}

// subscribe subscribes c to filters at QoS 1, handing every message to handle.
func subscribe(t testing.TB, c paho.Client, handle func(paho.Message), filters ...string) {
	t.Helper()
	subs := map[string]byte{}
	for _, f := range filters {
		subs[f] = 1
	}
	tok := c.SubscribeMultiple(subs, func(_ paho.Client, m paho.Message) { handle(m) })
	if !tok.WaitTimeout(waitLimit) || tok.Error() != nil {
		t.Fatalf("subscribing to %v: %v", filters, tok.Error())
	}
}

// next waits for, and consumes, the first message on topic for which match holds (nil: any).
func (w *watcher) next(t testing.TB, topic string, match func(paho.Message) bool) paho.Message {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		w.mu.Lock()
		for i, m := range w.msgs {
			if m.Topic() == topic && (match == nil || match(m)) {
				w.msgs = append(w.msgs[:i], w.msgs[i+1:]...)
				w.mu.Unlock()
				return m
			}
		}
		seen := w.topics()
		w.mu.Unlock()
		select {
		case <-w.notify:
		case <-deadline:
			t.Fatalf("no message on %s; received: %v", topic, seen)
		}
	}
}

// topics lists what is waiting, for failure messages; the caller holds mu.
func (w *watcher) topics() []string {
	var out []string
	for _, m := range w.msgs {
		out = append(out, fmt.Sprintf("%s=%.40q", m.Topic(), m.Payload()))
	}
	return out
}

func payloadIs(s string) func(paho.Message) bool {
	return func(m paho.Message) bool { return string(m.Payload()) == s }
}

// proxy forwards TCP connections to a broker and can cut them all, as a network fault would.
type proxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startProxy(t testing.TB, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.serve(target)
	return p
}

func (p *proxy) url() string { return "tcp://" + p.ln.Addr().String() }

func (p *proxy) serve(target string) {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", target)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		go func() { io.Copy(out, in); out.Close() }()
		go func() { io.Copy(in, out); in.Close() }()
	}
}

// cut closes every connection made so far.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
