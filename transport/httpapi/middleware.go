package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

const (
	requestIDHeader = "X-Request-Id"
	loggerKey       = "visiond.logger"
	modelKey        = "visiond.model"
)

// observe gives each request its id, logger and deadline, and records it in the metrics and
// the log when it is done.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	id := requestID(c.GetHeader(requestIDHeader))
	c.Header(requestIDHeader, id)
	log := s.log.With("request_id", id)
	c.Set(loggerKey, log)
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.RequestTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	s.metrics.inFlight.Inc()
	defer s.metrics.inFlight.Dec()

	c.Next()

	status := c.Writer.Status()
	endpoint := c.FullPath()
	if endpoint == "" {
		endpoint = "unmatched" // not the path: clients must not be able to grow the label set
	}
	model := c.GetString(modelKey)
	elapsed := time.Since(start)
	s.metrics.requests.WithLabelValues(endpoint, model, strconv.Itoa(status)).Inc()
	s.metrics.duration.WithLabelValues(endpoint).Observe(elapsed.Seconds())

	level := slog.LevelInfo
	switch {
	case status >= 500 && status != http.StatusServiceUnavailable && status != http.StatusGatewayTimeout:
		level = slog.LevelError
	case status == http.StatusOK && c.Request.Method == http.MethodGet && endpoint != "/v1/models":
		level = slog.LevelDebug // probes and scrapes
	case status == http.StatusServiceUnavailable:
		level = slog.LevelDebug // overload: thousands a second, counted in the metrics
	}
	attrs := []slog.Attr{
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", status),
		slog.Float64("ms", float64(elapsed.Microseconds())/1000),
		slog.String("client", c.ClientIP()),
		slog.Int64("bytes_in", c.Request.ContentLength),
		slog.Int("bytes_out", c.Writer.Size()),
	}
	if model != "" {
		attrs = append(attrs, slog.String("model", model))
	}
	if err := c.Errors.Last(); err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	log.LogAttrs(context.Background(), level, "request", attrs...)
}

// recover turns a panic in a handler into a 500 answer, logged with its stack and counted.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v) // net/http's way to drop a connection on purpose
		}
		s.metrics.panics.Inc()
		s.logger(c).Error("panic", "panic", v, "stack", string(debug.Stack()))
		if c.Writer.Written() {
			c.Abort() // too late for an error answer: the client gets what was written
			return
		}
		s.fail(c, errPanic)
	}()
	c.Next()
}

// authenticate lets a request through when it presents an API key in a header (or when no
// keys are configured).
func (s *Server) authenticate(c *gin.Context) {
	if !s.keys.allows(headerKeys(c.Request)...) {
		s.fail(c, errUnauthorized)
	}
}

// headerKeys are the API keys a request presents in Authorization: Bearer and X-API-Key.
func headerKeys(r *http.Request) []string {
	keys := []string{r.Header.Get("X-API-Key")}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if ok && strings.EqualFold(scheme, "Bearer") {
		keys = append(keys, strings.TrimSpace(token))
	}
	return keys
}

// keyring holds the SHA-256 of each configured API key. Comparing digests keeps the
// comparison's time independent of the key's length and contents.
type keyring [][sha256.Size]byte

func newKeyring(keys []string) keyring {
	k := make(keyring, len(keys))
	for i, key := range keys {
		k[i] = sha256.Sum256([]byte(key))
	}
	return k
}

// allows reports whether any candidate is a configured key, or whether no keys are set.
// Every candidate is compared with every key, in constant time.
func (k keyring) allows(candidates ...string) bool {
	if len(k) == 0 {
		return true
	}
	match := 0
	for _, c := range candidates {
		if c == "" {
			continue
		}
		d := sha256.Sum256([]byte(c))
		for i := range k {
			match |= subtle.ConstantTimeCompare(d[:], k[i][:])
		}
	}
	return match == 1
}

// requestID returns the client's request id when it is a sane one, or a new random id.
func requestID(given string) string {
	if len(given) > 0 && len(given) <= 64 && strings.IndexFunc(given, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	}) < 0 {
		return given
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
