package mqtt

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"strings"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
)

// ErrListen: the embedded broker could not listen on its address (often: another broker
// already runs there). visiond serve reports it and goes on serving HTTP.
var ErrListen = errors.New("mqtt: embedded broker cannot listen")

// embeddedBroker is the broker visiond runs when no external one is configured.
type embeddedBroker struct {
	server *mochi.Server
	addr   net.Addr
	// self is the login visiond's own client uses when users are configured.
	self credentials
}

// credentials are a username and password.
type credentials struct{ username, password string }

// packetHeadroom is what a publish may carry besides its payload: the fixed header, a topic
// of up to 64 KiB and the MQTT 5 properties.
const packetHeadroom = 128 << 10

// startBroker listens on cfg.Listen and serves MQTT there, refusing packets larger than a
// payload of maxPayload bytes and its headroom before reading them, with topics under prefix
// guarded by cfg.ACL.
func startBroker(cfg Embedded, maxPayload int64, prefix string, log *slog.Logger) (*embeddedBroker, error) {
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("%w on %s: %v (is another MQTT broker running? point mqtt.broker at it, or move this one with --mqtt-listen)",
			ErrListen, cfg.Listen, err)
	}
	b := &embeddedBroker{addr: ln.Addr(), self: credentials{"visiond-" + randomHex(4), randomHex(16)}}
	opts := &mochi.Options{Logger: slog.New(minLevel{log.Handler(), slog.LevelWarn})}
	opts.Capabilities = mochi.NewDefaultServerCapabilities()
	opts.Capabilities.MaximumPacketSize = uint32(min(maxPayload+packetHeadroom, math.MaxUint32))
	b.server = mochi.New(opts)
	hook := &loginHook{users: cfg.Users, self: b.self, acl: cfg.ACL, trustLoopback: cfg.TrustLoopback, prefix: prefix}
	err = errors.Join(b.server.AddHook(hook, nil), b.server.AddListener(listeners.NewNet("visiond", connectGuard{ln})))
	if err == nil {
		err = b.server.Serve()
	}
	if err != nil {
		b.server.Close()
		ln.Close()
		return nil, fmt.Errorf("mqtt: starting the embedded broker: %w", err)
	}
	host, _, _ := net.SplitHostPort(cfg.Listen)
	access := "loopback only, no login needed"
	switch {
	case len(cfg.Users) > 0:
		access = "users must log in"
	case !loopback(host):
		access = "every client on the network, no login needed (allow_anonymous)"
	}
	log.Info("mqtt: embedded broker", "listen", b.addr.String(), "access", access, "acl", cfg.ACL,
		"trust_loopback", cfg.TrustLoopback, "max_packet_bytes", opts.Capabilities.MaximumPacketSize)
	return b, nil
}

// url is where visiond's own client reaches the broker: over loopback when it listens on
// every interface.
func (b *embeddedBroker) url() string {
	tcp := b.addr.(*net.TCPAddr)
	host := tcp.IP
	if host.IsUnspecified() {
		host = net.IPv4(127, 0, 0, 1)
	}
	return "tcp://" + net.JoinHostPort(host.String(), fmt.Sprint(tcp.Port))
}

func (b *embeddedBroker) close() { b.server.Close() }

// loginHook lets in the configured users (anyone when there are none) and visiond itself, and
// checks topic access by its ACL: visiond may do anything, others what the ACL allows.
type loginHook struct {
	mochi.HookBase
	users         map[string]string
	self          credentials
	acl           string
	trustLoopback bool
	prefix        string
}

// ID names the hook.
func (h *loginHook) ID() string { return "visiond-login" }

// Provides says the hook authenticates connections and checks topic access.
func (h *loginHook) Provides(b byte) bool {
	return b == mochi.OnConnectAuthenticate || b == mochi.OnACLCheck
}

// OnConnectAuthenticate checks the connecting client's username and password.
func (h *loginHook) OnConnectAuthenticate(cl *mochi.Client, pk packets.Packet) bool {
	user, pass := string(pk.Connect.Username), pk.Connect.Password
	if user == h.self.username {
		return equal(pass, h.self.password)
	}
	if len(h.users) == 0 {
		return true
	}
	want, ok := h.users[user]
	return ok && equal(pass, want)
}

// OnACLCheck says whether cl may publish to (write) or subscribe to a topic or filter.
func (h *loginHook) OnACLCheck(cl *mochi.Client, topic string, write bool) bool {
	if string(cl.Properties.Username) == h.self.username || h.acl == ACLOpen || h.trustLoopback && overLoopback(cl.Net.Remote) {
		return true
	}
	name := string(cl.Properties.Username)
	if name == "" {
		name = cl.ID
	}
	return cameraAllows(h.prefix, name, topic, write)
}

// overLoopback reports whether a client's remote address is this machine's loopback.
func overLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	return err == nil && loopback(host)
}

// cameraAllows is the ACLCameras rule for the client called name: it may publish its own
// frames and requests, read its own camera's topics and the status, and use any topic outside
// the prefix; never $ topics. A name that cannot be a camera has no camera.
func cameraAllows(prefix, name, topic string, write bool) bool {
	own := prefix + "/" + name + "/"
	isCamera := name != "" && !strings.ContainsAny(name, "/+#")
	switch {
	case strings.HasPrefix(topic, "$"):
		return false
	case outside(prefix, topic):
		return true
	case write:
		return isCamera && topic == own+"image" || topic == prefix+"/request"
	}
	return isCamera && strings.HasPrefix(topic, own) || topic == prefix+"/status"
}

// outside reports whether no topic that the name or filter matches lies under prefix/: a
// literal level differs from the prefix's before any wildcard.
func outside(prefix, filter string) bool {
	p, f := strings.Split(prefix, "/"), strings.Split(filter, "/")
	for i, level := range p {
		switch {
		case i >= len(f):
			return true // above the namespace: "home" for the prefix home/visiond
		case f[i] == "+" || f[i] == "#":
			return false
		case f[i] != level:
			return true
		}
	}
	return false
}

// equal compares a password in constant time.
func equal(got []byte, want string) bool {
	return subtle.ConstantTimeCompare(got, []byte(want)) == 1
}

// randomHex is n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// minLevel passes on the records of at least its level (the embedded broker is chatty).
type minLevel struct {
	slog.Handler
	level slog.Level
}

// Enabled drops records below the level.
func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

// Handle names the records the broker's listeners log without a message: a client's
// connection that ended with an error. A connection the broker closed itself (at shutdown)
// is no warning, and is dropped.
func (h minLevel) Handle(ctx context.Context, r slog.Record) error {
	if r.Message != "" {
		return h.Handler.Handle(ctx, r)
	}
	closed := false
	r.Attrs(func(a slog.Attr) bool {
		err, ok := a.Value.Any().(error)
		closed = closed || ok && errors.Is(err, net.ErrClosed)
		return true
	})
	if closed {
		return nil
	}
	r.Message = "mqtt connection ended"
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the level on derived handlers.
func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(as), h.level}
}

// WithGroup keeps the level on derived handlers.
func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.level}
}

var _ mochi.Hook = (*loginHook)(nil)
