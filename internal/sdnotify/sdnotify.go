// Package sdnotify tells systemd how the daemon is doing, as sd_notify(3) does: one datagram
// on the unix socket that $NOTIFY_SOCKET names. A service of Type=notify counts as started
// once it sent Ready. Without $NOTIFY_SOCKET (not under systemd) Notify does nothing.
package sdnotify

import (
	"fmt"
	"net"
	"os"
)

// States this daemon reports.
const (
	// Ready says start-up is complete: the models are loaded and requests are answered.
	Ready = "READY=1"
	// Stopping says the daemon is shutting down.
	Stopping = "STOPPING=1"
)

// Env is the variable systemd sets to the notification socket's path ("@name" for an abstract
// socket).
const Env = "NOTIFY_SOCKET"

// maxSocketPath is the longest path a unix socket address holds (sun_path, less the NUL).
const maxSocketPath = 107

// Notify sends state ("READY=1", or several "KEY=value" lines) to the service manager. It
// returns nil at once when $NOTIFY_SOCKET is unset, and an error when the variable is not a
// usable socket address or the datagram cannot be sent.
func Notify(state string) error {
	addr := os.Getenv(Env)
	if addr == "" {
		return nil
	}
	if (addr[0] != '/' && addr[0] != '@') || len(addr) > maxSocketPath {
		return fmt.Errorf("sdnotify: %s=%q is not a unix socket path or @abstract name", Env, addr)
	}
	// Go reads a leading '@' as Linux's abstract namespace, as systemd means it.
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	return nil
}
