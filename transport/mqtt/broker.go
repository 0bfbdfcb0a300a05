package mqtt

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"

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

// startBroker listens on cfg.Listen and serves MQTT there.
func startBroker(cfg Embedded, log *slog.Logger) (*embeddedBroker, error) {
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("%w on %s: %v (is another MQTT broker running? point mqtt.broker at it, or move this one with --mqtt-listen)",
			ErrListen, cfg.Listen, err)
	}
	b := &embeddedBroker{addr: ln.Addr()}
	b.server = mochi.New(&mochi.Options{Logger: slog.New(minLevel{log.Handler(), slog.LevelWarn})})
	hook := &loginHook{users: cfg.Users}
	if len(cfg.Users) > 0 {
		b.self = credentials{"visiond-" + randomHex(4), randomHex(16)}
		hook.self = b.self
	}
	err = errors.Join(b.server.AddHook(hook, nil), b.server.AddListener(listeners.NewNet("visiond", ln)))
	if err == nil {
		err = b.server.Serve()
	}
	if err != nil {
		b.server.Close()
		ln.Close()
		return nil, fmt.Errorf("mqtt: starting the embedded broker: %w", err)
	}
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

// loginHook lets in the configured users (anyone when there are none) and visiond itself,
// with access to every topic.
type loginHook struct {
	mochi.HookBase
	users map[string]string
	self  credentials
}

// ID names the hook.
func (h *loginHook) ID() string { return "visiond-login" }

// Provides says the hook authenticates connections and checks topic access.
func (h *loginHook) Provides(b byte) bool {
	return b == mochi.OnConnectAuthenticate || b == mochi.OnACLCheck
}

// OnConnectAuthenticate checks the connecting client's username and password.
func (h *loginHook) OnConnectAuthenticate(cl *mochi.Client, pk packets.Packet) bool {
	if len(h.users) == 0 {
		return true
	}
	user, pass := string(pk.Connect.Username), pk.Connect.Password
	if user == h.self.username {
		return equal(pass, h.self.password)
	}
	want, ok := h.users[user]
	return ok && equal(pass, want)
}

// OnACLCheck allows every logged-in client every topic.
func (h *loginHook) OnACLCheck(*mochi.Client, string, bool) bool { return true }

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

// WithAttrs keeps the level on derived handlers.
func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(as), h.level}
}

// WithGroup keeps the level on derived handlers.
func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.level}
}

var _ mochi.Hook = (*loginHook)(nil)
