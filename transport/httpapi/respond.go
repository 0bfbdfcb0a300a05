package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/visiond/visiond/pipeline"
)

// The HTTP layer's own errors, worded for HTTP clients, in the core's vocabulary.
var (
	errUnauthorized = fmt.Errorf("%w (send Authorization: Bearer KEY or X-API-Key: KEY; DeepStack clients may send the api_key form field)", pipeline.ErrUnauthorized)
	errNoRoute      = fmt.Errorf("%w: no such endpoint (see /openapi.json)", pipeline.ErrNotFound)
	errMethod       = fmt.Errorf("%w on this endpoint", pipeline.ErrMethod)
	errPanic        = errors.New("internal error")
)

// statusClientClosed is the status logged and counted when the client went away before its
// answer (nginx's 499); the client never sees it.
const statusClientClosed = 499

// statuses are the HTTP statuses of the error codes of pipeline.Code; every other code is 500.
var statuses = map[string]int{
	"busy":               http.StatusServiceUnavailable,
	"shutting_down":      http.StatusServiceUnavailable,
	"loading":            http.StatusServiceUnavailable,
	"no_frame":           http.StatusServiceUnavailable,
	"not_installed":      http.StatusServiceUnavailable,
	"bad_model":          http.StatusServiceUnavailable,
	"timeout":            http.StatusGatewayTimeout,
	"canceled":           statusClientClosed,
	"unauthorized":       http.StatusUnauthorized,
	"not_found":          http.StatusNotFound,
	"method_not_allowed": http.StatusMethodNotAllowed,
	"unknown_task":       http.StatusNotFound,
	"unknown_model":      http.StatusNotFound,
	"bad_option":         http.StatusBadRequest,
	"too_large":          http.StatusRequestEntityTooLarge,
	"unsupported_format": http.StatusUnsupportedMediaType,
	"bad_image":          http.StatusBadRequest,
	"bad_request":        http.StatusBadRequest,
}

// statusOf is the HTTP status and the code of err.
func statusOf(err error) (int, string) {
	code := pipeline.Code(err)
	if status, ok := statuses[code]; ok {
		return status, code
	}
	return http.StatusInternalServerError, code
}

// handler is a route's logic: it returns the answer, or an error for the adapter to map.
type handler func(c *gin.Context) (any, error)

// imageBody is an answer whose body is an encoded image rather than JSON.
type imageBody struct {
	contentType string
	data        []byte
}

// errorShape builds the JSON body of an error answer.
type errorShape func(code, message string) any

// errorKey holds the route's errorShape in the gin context, for the panic recovery.
const errorKey = "visiond.error_shape"

// apiError is the error body of visiond's own routes: {"error": {"code", "message"}}.
func apiError(code, message string) any {
	return gin.H{"error": gin.H{"code": code, "message": message}}
}

// api adapts a handler of visiond's own API.
func (s *Server) api(h handler) gin.HandlerFunc { return s.adapt(h, apiError) }

// adapt turns a handler into a gin handler: the one place where answers are written.
func (s *Server) adapt(h handler, shape errorShape) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(errorKey, shape)
		v, err := h(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		switch v := v.(type) {
		case imageBody:
			c.Data(http.StatusOK, v.contentType, v.data)
		default:
			c.JSON(http.StatusOK, v)
		}
	}
}

// fail writes the error answer for err in the route's shape and stops the chain. Client
// errors carry their message; server errors a generic one, the details going to the log.
func (s *Server) fail(c *gin.Context, err error) {
	if errors.Is(err, context.Canceled) && s.closing.Load() {
		// Canceled by the shutdown timeout, not by the client, who is still there to read it.
		err = fmt.Errorf("%w: the request was stopped at the shutdown timeout", pipeline.ErrClosed)
	}
	status, code := statusOf(err)
	msg := err.Error()
	switch status {
	case http.StatusInternalServerError:
		msg = fmt.Sprintf("internal error (request id %s)", c.Writer.Header().Get(requestIDHeader))
	case http.StatusServiceUnavailable:
		c.Header("Retry-After", "1")
	case http.StatusUnauthorized:
		c.Header("WWW-Authenticate", `Bearer realm="visiond"`)
	}
	_ = c.Error(err) // for the request log
	v, _ := c.Get(errorKey)
	shape, ok := v.(errorShape)
	if !ok {
		shape = apiError
	}
	c.AbortWithStatusJSON(status, shape(code, msg))
}

// logger is the request's logger, which carries its request id.
func (s *Server) logger(c *gin.Context) *slog.Logger {
	v, _ := c.Get(loggerKey)
	if l, ok := v.(*slog.Logger); ok {
		return l
	}
	return s.log
}
