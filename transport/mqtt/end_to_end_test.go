package mqtt

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/visiond/visiond/internal/golden"
	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testpipeline"
	"github.com/visiond/visiond/models/results"
)

// detections is the part of a detections message the tests read.
type detections struct {
	Camera  string              `json:"camera"`
	ID      json.RawMessage     `json:"id"`
	Model   string              `json:"model"`
	Results []results.Detection `json:"results"`
	Timings map[string]float64  `json:"timings_ms"`
}

func decodeDetections(t testing.TB, m paho.Message) detections {
	t.Helper()
	var d detections
	if err := json.Unmarshal(m.Payload(), &d); err != nil {
		t.Fatalf("%s: %v: %.200q", m.Topic(), err, m.Payload())
	}
	return d
}

func jsonFrame(t testing.TB, img []byte, fields ...string) []byte {
	t.Helper()
	m := map[string]string{"image": base64.StdEncoding.EncodeToString(img)}
	for i := 0; i+1 < len(fields); i += 2 {
		m[fields[i]] = fields[i+1]
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAirplane sends the airplane photo through Mosquitto (with mosquitto_pub -f) and
// through the embedded broker (with a paho client), and reads every answer: detections
// naming the two large airplanes, the annotated JPEG, the retained airplane count, a
// request's reply and the retained online status.
func TestAirplane(t *testing.T) {
	pipe := testpipeline.Shared(t)
	path := testenv.Image(t, "airplane_airport_1280.jpg")
	jpg := testenv.ReadImage(t, "airplane_airport_1280.jpg")
	for _, broker := range []string{"mosquitto", "embedded"} {
		t.Run(broker, func(t *testing.T) {
			cfg := Defaults()
			cfg.Annotated = true
			var send func(topic string)
			if broker == "mosquitto" {
				m := startMosquitto(t)
				pub := tool(t, "mosquitto_pub")
				cfg.Broker = m.url()
				send = func(topic string) {
					out, err := exec.Command(pub, "-h", "127.0.0.1", "-p", strconv.Itoa(m.port), "-q", "1", "-t", topic, "-f", path).CombinedOutput()
					if err != nil {
						t.Fatalf("mosquitto_pub: %v: %s", err, out)
					}
				}
			} else {
				cfg.Embedded.Listen = "127.0.0.1:0" // the test's clients are on loopback: trusted
			}
			s := startService(t, cfg, pipe)
			w := watch(t, client(t, s.BrokerURL()), "visiond/#", "app/answers")
			if send == nil {
				c := client(t, s.BrokerURL())
				send = func(topic string) { publish(t, c, topic, jpg) }
			}
			send("visiond/plane/image")

			det := decodeDetections(t, w.next(t, "visiond/plane/detections", nil))
			golden.Check(t, "coco-ssd", "airplane_airport_1280.jpg", det.Results)
			airplanes := len(det.Results) // the golden results are airplanes only
			if det.Camera != "plane" || det.Model != "coco-ssd" || det.Timings["inference"] <= 0 {
				t.Errorf("detections: %+v; want coco-ssd's, with timings", det)
			}
			img, err := jpeg.Decode(bytes.NewReader(w.next(t, "visiond/plane/annotated", nil).Payload()))
			if err != nil || img.Bounds() != image.Rect(0, 0, 1280, 1280) {
				t.Errorf("annotated image: %v, %v; want a 1280×1280 JPEG", err, img.Bounds())
			}

			// A dashboard subscribing later gets the retained count and status.
			later := watch(t, client(t, s.BrokerURL()), "visiond/plane/objects/+", "visiond/status")
			n := later.next(t, "visiond/plane/objects/airplane", nil)
			if !n.Retained() || string(n.Payload()) != strconv.Itoa(airplanes) {
				t.Errorf("airplane count %q (retained %v), want %d retained", n.Payload(), n.Retained(), airplanes)
			}
			if st := later.next(t, "visiond/status", nil); !st.Retained() || string(st.Payload()) != online {
				t.Errorf("status %q (retained %v), want online retained", st.Payload(), st.Retained())
			}

			c := client(t, s.BrokerURL())
			publish(t, c, "visiond/request", jsonFrame(t, jpg, "id", "q1", "reply_to", "app/answers"))
			reply := decodeDetections(t, w.next(t, "app/answers", nil))
			golden.Check(t, "coco-ssd", "airplane_airport_1280.jpg", reply.Results)
			if string(reply.ID) != `"q1"` {
				t.Errorf("reply %+v, want id q1", reply)
			}
		})
	}
}

// TestMalformedPayloads publishes what a broken camera might send: each gets an error
// message naming the reason, and visiond goes on answering.
func TestMalformedPayloads(t *testing.T) {
	pipe := testpipeline.Shared(t)
	m := startMosquitto(t)
	cfg := Defaults()
	cfg.Broker, cfg.MaxPayload = m.url(), 1<<20
	s := startService(t, cfg, pipe)
	w := watch(t, client(t, m.url()), "visiond/+/error", "visiond/+/detections")
	c := client(t, m.url())
	jpg := testenv.ReadImage(t, "burger.jpg")
	cases := []struct {
		camera  string
		payload []byte
		code    string
	}{
		{"empty", nil, "bad_request"},
		{"oversized", bytes.Repeat([]byte{0xff}, 1<<20+1), "too_large"},
		{"json", []byte(`{"image": 5}`), "bad_request"},
		{"base64", []byte(`{"image": "not base64!"}`), "bad_request"},
	}
	// The inputs every entrance refuses with the same code, as frames of their own cameras.
	badImages := 0
	for i, in := range testenv.BadInputs(t) {
		payload := in.Image
		if in.Model != "" {
			payload = jsonFrame(t, in.Image, "model", in.Model)
		}
		cases = append(cases, struct {
			camera  string
			payload []byte
			code    string
		}{fmt.Sprintf("bad%d", i), payload, in.Code})
		if in.Code == "bad_image" {
			badImages++
		}
	}
	for _, k := range cases { // one camera each, so no frame replaces another
		publish(t, c, "visiond/"+k.camera+"/image", k.payload)
	}
	for _, k := range cases {
		var e errorMessage
		msg := w.next(t, "visiond/"+k.camera+"/error", nil)
		if err := json.Unmarshal(msg.Payload(), &e); err != nil {
			t.Fatalf("%s: %v", k.camera, err)
		}
		if e.Error != k.code || e.Reason == "" || e.Camera != k.camera || e.Topic != "visiond/"+k.camera+"/image" {
			t.Errorf("%s: error message %+v, want code %s", k.camera, e, k.code)
		}
	}
	publish(t, c, "visiond/bad0/image", jpg)
	if d := decodeDetections(t, w.next(t, "visiond/bad0/detections", nil)); d.Camera != "bad0" {
		t.Errorf("after the errors: %+v", d)
	}
	if n := testutil.ToFloat64(s.metrics.errors.WithLabelValues("bad_image")); n != float64(badImages) {
		t.Errorf("bad_image errors metric %v, want %d", n, badImages)
	}
}

// TestMosquittoRestart stops Mosquitto while a camera streams frames and starts it again:
// visiond reconnects, subscribes again, says it is online, and answers frames sent after
// the restart.
func TestMosquittoRestart(t *testing.T) {
	pipe := testpipeline.Shared(t)
	m := startMosquitto(t)
	cfg := Defaults()
	cfg.Broker = m.url()
	s := startService(t, cfg, pipe)
	jpg := testenv.ReadImage(t, "burger.jpg")

	var sent atomic.Int64 // id of the last frame sent
	stop := make(chan struct{})
	var streaming sync.WaitGroup
	streaming.Add(1)
	go func() { // a camera with its own reconnecting client, sending 20 frames a second
		defer streaming.Done()
		cam := paho.NewClient(paho.NewClientOptions().AddBroker(m.url()).SetClientID("camera").
			SetConnectRetry(true).SetConnectRetryInterval(100 * time.Millisecond).SetMaxReconnectInterval(200 * time.Millisecond))
		cam.Connect()
		defer cam.Disconnect(100)
		for id := int64(1); ; id++ {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			cam.Publish("visiond/cam/image", 0, false, jsonFrame(t, jpg, "id", strconv.FormatInt(id, 10)))
			sent.Store(id)
		}
	}()
	defer func() { close(stop); streaming.Wait() }()

	answeredAfter := func(w *watcher, id int64) {
		t.Helper()
		w.next(t, "visiond/cam/detections", func(msg paho.Message) bool {
			var d struct{ ID string }
			json.Unmarshal(msg.Payload(), &d)
			got, _ := strconv.ParseInt(d.ID, 10, 64)
			return got > id
		})
	}
	answeredAfter(watch(t, client(t, m.url()), "visiond/cam/detections"), 0)

	m.stop()
	before := sent.Load()
	m.start()
	w := watch(t, client(t, m.url()), "visiond/status", "visiond/cam/detections")
	w.next(t, "visiond/status", payloadIs(online)) // the new broker keeps nothing: this is visiond's
	answeredAfter(w, before)
	if n := testutil.ToFloat64(s.metrics.reconnects); n != 1 {
		t.Errorf("reconnects metric %v, want 1", n)
	}
}

// TestLastWill cuts visiond's connection as a network fault would: the broker publishes its
// last will (offline); visiond reconnects (online); closing it says offline.
func TestLastWill(t *testing.T) {
	pipe := testpipeline.Shared(t)
	m := startMosquitto(t)
	p := startProxy(t, fmt.Sprintf("127.0.0.1:%d", m.port))
	cfg := Defaults()
	cfg.Broker = p.url()
	w := watch(t, client(t, m.url()), "visiond/status")
	s := startService(t, cfg, pipe)
	w.next(t, "visiond/status", payloadIs(online))

	p.cut()
	w.next(t, "visiond/status", payloadIs(offline))
	w.next(t, "visiond/status", payloadIs(online))

	s.Close(context.Background())
	w.next(t, "visiond/status", payloadIs(offline))
}

// TestSharedSubscription runs two visiond instances in one share group on one Mosquitto:
// 200 frames from 4 cameras are each answered exactly once, and both instances work.
func TestSharedSubscription(t *testing.T) {
	const cameras, frames = 4, 50
	pipe := testpipeline.Shared(t)
	m := startMosquitto(t)
	cfg := Defaults()
	cfg.Broker, cfg.ShareGroup = m.url(), "visiond"
	instances := []*Service{startService(t, cfg, pipe), startService(t, cfg, pipe)}

	var mu sync.Mutex
	answers := map[string]int{}
	answered := make([]chan string, cameras)
	for i := range answered {
		answered[i] = make(chan string, frames)
	}
	subscribe(t, client(t, m.url()), func(msg paho.Message) {
		var d detections
		json.Unmarshal(msg.Payload(), &d)
		id, _ := strconv.Unquote(string(d.ID))
		mu.Lock()
		answers[id]++
		mu.Unlock()
		cam, _ := strconv.Atoi(strings.TrimPrefix(d.Camera, "cam"))
		answered[cam] <- id
	}, "visiond/+/detections")

	jpg := testenv.ReadImage(t, "burger.jpg")
	var cams sync.WaitGroup
	errs := make(chan error, cameras)
	for cam := range cameras {
		cams.Add(1)
		c := client(t, m.url())
		go func() { // each camera sends its next frame once the last is answered, so none is dropped
			defer cams.Done()
			for f := range frames {
				id := fmt.Sprintf("cam%d-%d", cam, f)
				c.Publish(fmt.Sprintf("visiond/cam%d/image", cam), 1, false, jsonFrame(t, jpg, "id", id)).Wait()
				select {
				case got := <-answered[cam]:
					if got != id {
						errs <- fmt.Errorf("camera %d: answer for %s while waiting for %s", cam, got, id)
						return
					}
				case <-time.After(waitLimit):
					errs <- fmt.Errorf("camera %d: no answer for %s", cam, id)
					return
				}
			}
		}()
	}
	cams.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	received, published := 0.0, 0.0
	for i, s := range instances {
		s.Close(context.Background()) // waits for work in progress, so every count is final
		r := testutil.ToFloat64(s.metrics.received.WithLabelValues("image"))
		received += r
		published += testutil.ToFloat64(s.metrics.published.WithLabelValues("detections"))
		if r == 0 {
			t.Errorf("instance %d received no frame", i)
		}
		if d := testutil.ToFloat64(s.metrics.dropped); d != 0 {
			t.Errorf("instance %d dropped %v frames", i, d)
		}
		t.Logf("instance %d processed %v frames", i, r)
	}
	if received != cameras*frames || published != cameras*frames {
		t.Errorf("instances received %v frames and published %v results, want %d each", received, published, cameras*frames)
	}
	mu.Lock()
	defer mu.Unlock()
	for id, n := range answers {
		if n != 1 {
			t.Errorf("frame %s answered %d times", id, n)
		}
	}
	if len(answers) != cameras*frames {
		t.Errorf("%d frames answered, want %d", len(answers), cameras*frames)
	}
}

// TestEmbeddedBrokerLogin lets in only the configured users (and visiond itself).
func TestEmbeddedBrokerLogin(t *testing.T) {
	pipe := testpipeline.Shared(t)
	cfg := Defaults()
	cfg.Embedded = Embedded{Listen: "127.0.0.1:0", Users: map[string]string{"cam": "secret"}, ACL: ACLCameras, TrustLoopback: true}
	s := startService(t, cfg, pipe)

	intruder := paho.NewClient(paho.NewClientOptions().AddBroker(s.BrokerURL()).SetUsername("cam").SetPassword("guess"))
	if tok := intruder.Connect(); !tok.WaitTimeout(waitLimit) || tok.Error() == nil {
		intruder.Disconnect(0)
		t.Fatal("a wrong password was let in")
	}
	cam := client(t, s.BrokerURL(), "cam:secret")
	w := watch(t, cam, "visiond/cam/detections") // a user's camera is its name
	publish(t, cam, "visiond/cam/image", testenv.ReadImage(t, "burger.jpg"))
	if d := decodeDetections(t, w.next(t, "visiond/cam/detections", nil)); d.Camera != "cam" {
		t.Errorf("detections %+v", d)
	}
}

// TestEmbeddedBrokerPortTaken reports a taken port clearly, as ErrListen.
func TestEmbeddedBrokerPortTaken(t *testing.T) {
	pipe := testpipeline.Shared(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cfg := Defaults()
	cfg.Embedded.Listen = taken.Addr().String()
	s, err := Start(context.Background(), cfg, pipe, nil, testLog())
	if err == nil {
		s.Close(context.Background())
		t.Fatal("started on a taken port")
	}
	if !errors.Is(err, ErrListen) || !strings.Contains(err.Error(), "another MQTT broker") {
		t.Errorf("error %q, want ErrListen saying what to do", err)
	}
}
