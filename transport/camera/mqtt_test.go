package camera

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/visiond/visiond/internal/testcamera"
	"github.com/visiond/visiond/internal/testpipeline"
	"github.com/visiond/visiond/transport/mqtt"
)

// TestCameraOnMQTT: a camera visiond reads answers on the topics of an MQTT camera of the
// same name, through the embedded broker: detections carrying the zone counts, annotated
// frames, the retained per-label counts and the retained per-zone counts, which agree with
// the boxes' bottom-centres.
func TestCameraOnMQTT(t *testing.T) {
	mcfg := mqtt.Defaults()
	mcfg.Embedded.Listen, mcfg.Annotated = "127.0.0.1:0", true
	pipe := testpipeline.Shared(t)
	mq, err := mqtt.Start(context.Background(), mcfg, pipe, nil, testLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mq.Close(context.Background()) })
	<-mq.Ready()

	msgs := map[string][]byte{}
	var mu sync.Mutex
	c := paho.NewClient(paho.NewClientOptions().AddBroker(mq.BrokerURL()).SetClientID("camera-test"))
	if tok := c.Connect(); !tok.WaitTimeout(waitLimit) || tok.Error() != nil {
		t.Fatalf("connecting: %v", tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	if tok := c.Subscribe("visiond/apron/#", 1, func(_ paho.Client, m paho.Message) {
		mu.Lock()
		msgs[m.Topic()] = m.Payload()
		mu.Unlock()
	}); !tok.WaitTimeout(waitLimit) || tok.Error() != nil {
		t.Fatalf("subscribing: %v", tok.Error())
	}

	cam := camera("apron", testcamera.Video(t, 640, 480, 10, 20, "airplane_airport_1280.jpg"), 5)
	cam.Zones = []Zone{
		{Name: "near", Relative: true, Points: [][]float64{{0, 0.5}, {1, 0.5}, {1, 1}, {0, 1}}},
		{Name: "far", Relative: true, Points: [][]float64{{0, 0}, {1, 0}, {1, 0.5}, {0, 0.5}}},
	}
	s := startOn(t, pipe, Config{cam}, mq)
	st, _ := s.Stream("apron")
	l := waitFor(t, st, "an airplane", has("airplane"))

	want := map[string]int{}
	for _, d := range detections(l) {
		if d.Class == "airplane" {
			if d.BBox[1]+d.BBox[3] > 240 {
				want["near"]++
			} else {
				want["far"]++
			}
		}
	}
	if l.Zones["near"]["airplane"] != want["near"] || l.Zones["far"]["airplane"] != want["far"] {
		t.Errorf("zones %v, want airplanes %v by the boxes' bottoms", l.Zones, want)
	}

	deadline := time.Now().Add(waitLimit)
	for {
		mu.Lock()
		det, ann, objects := msgs["visiond/apron/detections"], msgs["visiond/apron/annotated"], msgs["visiond/apron/objects/airplane"]
		near := msgs["visiond/apron/zones/near/airplane"]
		mu.Unlock()
		if det != nil && ann != nil && objects != nil && (near != nil || want["near"] == 0) {
			var m struct {
				Camera string
				Zones  map[string]map[string]int
				Width  int
			}
			if err := json.Unmarshal(det, &m); err != nil || m.Camera != "apron" || m.Width != 640 || m.Zones == nil {
				t.Errorf("detections message: %v %.300s", err, det)
			}
			if n, err := strconv.Atoi(string(objects)); err != nil || n < 1 {
				t.Errorf("airplane count %q", objects)
			}
			if want["near"] > 0 && string(near) == "0" {
				t.Errorf("near zone count %q, want airplanes", near)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("MQTT messages within %v: %v", waitLimit, keysOf(msgs, &mu))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// keysOf lists the topics received, for failure messages.
func keysOf(m map[string][]byte, mu *sync.Mutex) []string {
	mu.Lock()
	defer mu.Unlock()
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
