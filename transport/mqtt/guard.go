package mqtt

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// maxConnectBytes bounds the first packet of a connection, CONNECT: a client id, a login and a
// last will fit in far less. The broker allocates a packet's declared length once it has read
// the fixed header, so without this bound a client could make it hold the maximum packet
// size on every connection before logging in.
const maxConnectBytes = 64 << 10

// connectHeadTimeout is how long a new connection may take to send its CONNECT header.
const connectHeadTimeout = 10 * time.Second

// connectGuard is a listener whose connections must open with a CONNECT of at most
// maxConnectBytes, its fixed header arriving within connectHeadTimeout; others are closed before
// the broker reads more.
type connectGuard struct{ net.Listener }

// Accept wraps the next connection in its guard.
func (g connectGuard) Accept() (net.Conn, error) {
	c, err := g.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &guardedConn{Conn: c}, nil
}

// guardedConn checks the fixed header of its first packet on the first Read, then hands
// those bytes and the rest of the stream to the broker unchanged.
type guardedConn struct {
	net.Conn
	checked bool
	head    []byte // the fixed header, not yet handed on
}

var errBadConnect = errors.New("mqtt: the connection does not open with a CONNECT of sane size")

func (c *guardedConn) Read(p []byte) (int, error) {
	if !c.checked {
		c.checked = true
		if err := c.readHead(); err != nil {
			c.Conn.Close()
			return 0, err
		}
	}
	if len(c.head) > 0 {
		n := copy(p, c.head)
		c.head = c.head[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// readHead reads the first packet's type byte and remaining length, and checks them.
func (c *guardedConn) readHead() error {
	c.Conn.SetReadDeadline(time.Now().Add(connectHeadTimeout))
	defer c.Conn.SetReadDeadline(time.Time{})
	b := make([]byte, 1, 5)
	if _, err := c.Conn.Read(b[:1]); err != nil {
		return err
	}
	if b[0]>>4 != 1 {
		return fmt.Errorf("%w: first packet of type %d", errBadConnect, b[0]>>4)
	}
	length, shift := 0, 0
	for i := 0; i < 4; i++ {
		var x [1]byte
		if _, err := c.Conn.Read(x[:]); err != nil {
			return err
		}
		b = append(b, x[0])
		length |= int(x[0]&0x7f) << shift
		shift += 7
		if x[0]&0x80 == 0 {
			if length > maxConnectBytes {
				return fmt.Errorf("%w: CONNECT of %d bytes, limit %d", errBadConnect, length, maxConnectBytes)
			}
			c.head = b
			return nil
		}
	}
	return fmt.Errorf("%w: malformed remaining length", errBadConnect)
}
