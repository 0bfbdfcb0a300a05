package mqtt

import (
	"encoding/json"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testpipeline"
)

// embeddedService starts visiond on its own embedded broker, on a free loopback port, with
// the access rules acl applied to the test's clients too, although they connect over loopback.
func embeddedService(t *testing.T, acl string) *Service {
	t.Helper()
	cfg := Defaults()
	cfg.Embedded.Listen, cfg.Embedded.ACL, cfg.Embedded.TrustLoopback = "127.0.0.1:0", acl, false
	return startService(t, cfg, testpipeline.Shared(t))
}

// TestBrokerMaxPacket: a publish that declares 100 MiB is refused by the embedded broker from
// its fixed header, before the broker buffers it (it used to add 601 MB before the payload
// limit refused it): the connection is closed, the heap does not grow, and cameras are still
// answered.
func TestBrokerMaxPacket(t *testing.T) {
	s := embeddedService(t, ACLCameras)
	addr := strings.TrimPrefix(s.BrokerURL(), "tcp://")
	before := testenv.HeapInUse()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// CONNECT (MQTT 3.1.1, clean session, keep-alive 60 s, client id "big"), then the fixed
	// header of a PUBLISH of 100 MiB and its first bytes.
	c.Write([]byte{0x10, 15, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 3, 'b', 'i', 'g'})
	connack := make([]byte, 4)
	if _, err := io.ReadFull(c, connack); err != nil || connack[0] != 0x20 || connack[3] != 0 {
		t.Fatalf("CONNACK %x, %v", connack, err)
	}
	c.Write(append([]byte{0x30}, remainingLength(100<<20)...))
	c.Write([]byte{0, 18, 'v', 'i', 's', 'i', 'o', 'n', 'd', '/', 'b', 'i', 'g', '/', 'i', 'm', 'a', 'g', 'e'})
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := c.Read(make([]byte, 16)); err == nil {
		t.Errorf("the broker kept the connection (read %d bytes); want it closed", n)
	}
	grown := int64(testenv.HeapInUse()) - int64(before)
	t.Logf("heap grew by %.1f MiB after a declared 100 MiB publish", float64(grown)/(1<<20))
	if grown > 8<<20 {
		t.Errorf("heap grew by %d bytes; want the packet refused unread", grown)
	}
	cam := clientAs(t, s.BrokerURL(), "porch")
	w := watch(t, cam, "visiond/porch/detections")
	publish(t, cam, "visiond/porch/image", testenv.ReadImage(t, "burger.jpg"))
	w.next(t, "visiond/porch/detections", nil)
}

// TestBrokerConnectBound: before logging in, a connection can make the broker hold no more
// than a small CONNECT: 50 connections declaring a CONNECT of 16 MiB (under the packet limit)
// and one opening with a PUBLISH are closed unread, and the heap does not grow.
func TestBrokerConnectBound(t *testing.T) {
	s := embeddedService(t, ACLCameras)
	addr := strings.TrimPrefix(s.BrokerURL(), "tcp://")
	before := testenv.HeapInUse()
	var conns []net.Conn
	for i := 0; i <= 50; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		first := byte(0x10) // CONNECT
		if i == 50 {
			first = 0x30 // PUBLISH
		}
		c.Write(append([]byte{first}, remainingLength(16<<20)...))
		c.Write([]byte{0, 4, 'M', 'Q', 'T', 'T'})
		conns = append(conns, c)
	}
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := c.Read(make([]byte, 16)); err == nil {
			t.Errorf("connection %d kept open (read %d bytes); want it closed", i, n)
		}
	}
	grown := int64(testenv.HeapInUse()) - int64(before)
	t.Logf("heap grew by %.1f MiB after 50 CONNECTs declaring 16 MiB", float64(grown)/(1<<20))
	if grown > 8<<20 {
		t.Errorf("heap grew by %d bytes; want the CONNECTs refused unread", grown)
	}
}

// remainingLength is MQTT's variable-length encoding of n.
func remainingLength(n int) []byte {
	var out []byte
	for {
		b := byte(n % 128)
		n /= 128
		if n > 0 {
			b |= 0x80
		}
		out = append(out, b)
		if n == 0 {
			return out
		}
	}
}

// TestBrokerACL: by default a client may publish only its own camera's frames and read only
// its own camera's topics: another client can neither read them (no "#", no other camera) nor
// feed frames to another camera or overwrite visiond/status.
func TestBrokerACL(t *testing.T) {
	s := embeddedService(t, ACLCameras)
	porch := clientAs(t, s.BrokerURL(), "porch")
	w := watch(t, porch, "visiond/porch/#", "visiond/status")
	w.next(t, "visiond/status", payloadIs("online"))

	intruder := clientAs(t, s.BrokerURL(), "intruder")
	for _, filter := range []string{"#", "visiond/#", "visiond/+/image", "visiond/porch/detections", "$SYS/#"} {
		tok := intruder.Subscribe(filter, 1, nil)
		if !tok.WaitTimeout(waitLimit) {
			t.Fatalf("no SUBACK for %s", filter)
		}
		if granted := tok.(*paho.SubscribeToken).Result()[filter]; granted != 0x80 {
			t.Errorf("intruder subscribing to %s: granted %#x, want refused (0x80)", filter, granted)
		}
	}
	// The intruder's own camera is open to it, and everything outside visiond's topics.
	mine := watch(t, intruder, "visiond/intruder/#", "elsewhere/answers")
	received := testutil.ToFloat64(s.metrics.received.WithLabelValues("image"))
	// At QoS 0 a refused publish is dropped quietly (at QoS 1 an MQTT 3 client is cut off);
	// the QoS 1 publish after them, on the same connection, is handled after them.
	for _, topic := range []string{"visiond/porch/image", "visiond/status"} {
		intruder.Publish(topic, 0, topic == "visiond/status", []byte("hacked")).WaitTimeout(waitLimit)
	}
	publish(t, intruder, "visiond/intruder/image", testenv.ReadImage(t, "burger.jpg"))
	mine.next(t, "visiond/intruder/detections", nil)
	if got := testutil.ToFloat64(s.metrics.received.WithLabelValues("image")); got != received+1 {
		t.Errorf("visiond received %v frames, want only the intruder's own (1)", got-received)
	}
	late := watch(t, clientAs(t, s.BrokerURL(), "late"), "visiond/status")
	late.next(t, "visiond/status", payloadIs("online"))
	if !cameraAllows("visiond", "porch", "visiond/porch/image", true) || cameraAllows("home/visiond", "porch", "home/+/porch/image", true) ||
		!cameraAllows("home/visiond", "porch", "home/lights", true) || cameraAllows("visiond", "+", "visiond/+/detections", false) {
		t.Error("cameraAllows: wrong answer for a multi-level prefix or a wildcard name")
	}
	w.mu.Lock()
	for _, m := range w.msgs {
		if string(m.Payload()) == "hacked" {
			t.Errorf("porch received the intruder's %s", m.Topic())
		}
	}
	w.mu.Unlock()
}

// TestTopicChecks: a frame on visiond//image (no camera) is refused with an error message
// naming the topic; a request whose reply_to lies in visiond's own topics or is too long is
// refused on visiond/request/error, and visiond does not answer there.
func TestTopicChecks(t *testing.T) {
	s := embeddedService(t, ACLOpen) // the test reads visiond/request/error
	c := clientAs(t, s.BrokerURL(), "porch")
	w := watch(t, c, "visiond/request/error", "visiond/status", "visiond/porch/#")
	w.next(t, "visiond/status", payloadIs("online"))
	jpg := testenv.ReadImage(t, "burger.jpg")

	for _, tc := range []struct {
		topic   string
		payload []byte
		reason  string
	}{
		{"visiond//image", jpg, `topic "visiond//image" names no camera`},
		{"visiond/request", jsonFrame(t, jpg, "reply_to", "visiond/status"), "in visiond's own topics"},
		{"visiond/request", jsonFrame(t, jpg, "reply_to", "visiond/porch/image"), "in visiond's own topics"},
		{"visiond/request", jsonFrame(t, jpg, "reply_to", "x/"+strings.Repeat("a", 70000)), "70002 bytes, limit 1024"},
	} {
		if tok := c.Publish(tc.topic, 1, false, tc.payload); !tok.WaitTimeout(waitLimit) || tok.Error() != nil {
			t.Fatalf("publishing to %s: %v", tc.topic, tok.Error())
		}
		var e errorMessage
		m := w.next(t, "visiond/request/error", nil)
		if err := json.Unmarshal(m.Payload(), &e); err != nil || e.Error != "bad_request" || !strings.Contains(e.Reason, tc.reason) {
			t.Errorf("%s: error %+v (%v); want bad_request %q", tc.topic, e, err, tc.reason)
		}
	}
	time.Sleep(200 * time.Millisecond) // room for a wrong answer to arrive
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range w.msgs {
		if m.Topic() != "visiond/status" || string(m.Payload()) != "online" {
			t.Errorf("unexpected message on %s: %.80q", m.Topic(), m.Payload())
		}
	}
}
