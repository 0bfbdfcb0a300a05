package mqtt

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// Connection timing. Reconnects back off from 1 s up to reconnectMax.
const (
	connectTimeout = 10 * time.Second
	retryInterval  = 5 * time.Second
	reconnectMax   = 30 * time.Second
	// brokerTimeout bounds every wait for the broker's answer.
	brokerTimeout = 10 * time.Second
)

// Availability payloads of <prefix>/status.
const (
	online  = "online"
	offline = "offline"
)

// clientOptions are the paho options for cfg: a clean session that visiond resubscribes on
// every connect, automatic reconnection with backoff, and "offline" as the last will.
func clientOptions(cfg Config, broker string, login credentials) (*paho.ClientOptions, error) {
	o := paho.NewClientOptions().
		AddBroker(broker).
		SetClientID(cfg.ClientID).
		SetUsername(login.username).
		SetPassword(login.password).
		SetCleanSession(true).
		SetAutoReconnect(true).
		SetMaxReconnectInterval(reconnectMax).
		SetConnectRetry(true).
		SetConnectRetryInterval(retryInterval).
		SetConnectTimeout(connectTimeout).
		SetWriteTimeout(brokerTimeout).
		SetWill(cfg.Prefix+"/status", offline, byte(cfg.QoS), true)
	if u, err := url.Parse(broker); err == nil && brokerSchemes[u.Scheme] {
		t, err := tlsConfig(cfg.TLS)
		if err != nil {
			return nil, err
		}
		o.SetTLSConfig(t)
	}
	return o, nil
}

// tlsConfig loads the CA and client certificate files.
func tlsConfig(f TLSFiles) (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if f.CA != "" {
		pem, err := os.ReadFile(f.CA)
		if err != nil {
			return nil, fmt.Errorf("mqtt.tls.ca: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("mqtt.tls.ca: no PEM certificate in %s", f.CA)
		}
	}
	if f.Cert != "" {
		cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
		if err != nil {
			return nil, fmt.Errorf("mqtt.tls.cert/key: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// maxUnacked bounds the messages handed to paho whose acknowledgement is still awaited;
// beyond it, publishing waits, which holds the workers back while the broker is slow.
const maxUnacked = 256

// brokerClient publishes through paho at the configured QoS without waiting for the broker,
// so a worker never idles for a round trip (which, to a remote broker or behind a flood of
// frames on the same connection, is long). One goroutine awaits the acknowledgements in
// publishing order and reports each outcome.
type brokerClient struct {
	client  paho.Client
	qos     byte
	mu      sync.RWMutex // held to send on unacked; written to close it
	closed  bool
	unacked chan unacked
	drained chan struct{}
}

// unacked is a message paho is publishing.
type unacked struct {
	topic string
	token paho.Token
	sent  time.Time
	done  func(error)
}

func newBrokerClient(client paho.Client, qos byte) *brokerClient {
	c := &brokerClient{client: client, qos: qos, unacked: make(chan unacked, maxUnacked), drained: make(chan struct{})}
	go c.confirm()
	return c
}

// publish hands one message to paho; done learns later whether the broker took it within
// brokerTimeout. After close, done learns at once that the client is closed.
func (c *brokerClient) publish(topic string, retained bool, payload []byte, done func(error)) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		done(errors.New("the MQTT client is closed"))
		return
	}
	c.unacked <- unacked{topic, c.client.Publish(topic, c.qos, retained, payload), time.Now(), done}
}

// confirm waits for each message's acknowledgement, at most brokerTimeout after it was sent.
func (c *brokerClient) confirm() {
	defer close(c.drained)
	for u := range c.unacked {
		u.done(await(u.token, u.sent.Add(brokerTimeout), "publishing to "+u.topic))
	}
}

// await returns the outcome of what the token stands for, or a timeout error at the deadline.
func await(t paho.Token, deadline time.Time, what string) error {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-t.Done():
		return t.Error()
	case <-timer.C:
	}
	select { // it may have finished just now
	case <-t.Done():
		return t.Error()
	default:
		return fmt.Errorf("%s: no answer from the broker in %v", what, brokerTimeout)
	}
}

// close stops publishing and waits until every message sent is acknowledged or timed out,
// or ctx ends.
func (c *brokerClient) close(ctx context.Context) error {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.unacked)
	}
	c.mu.Unlock()
	select {
	case <-c.drained:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
