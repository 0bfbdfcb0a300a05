package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/pipeline"
)

// Errors of the HTTP layer itself, beside the core's sentinels.
var (
	errBadRequest   = errors.New("bad request")
	errUnauthorized = errors.New("missing or wrong API key (send Authorization: Bearer KEY or X-API-Key: KEY; DeepStack clients may send the api_key form field)")
	errNotReady     = errors.New("models are still loading")
	errNoRoute      = errors.New("no such endpoint (see /openapi.json)")
	errMethod       = errors.New("method not allowed on this endpoint")
	errPanic        = errors.New("internal error")
)

// statusClientClosed is the status logged and counted when the client went away before its
// answer (nginx's 499); the client never sees it.
const statusClientClosed = 499

// statusOf maps an error to its HTTP status and a stable machine-readable code. It is the one
// place where core errors meet HTTP.
func statusOf(err error) (int, string) {
	switch {
	case errors.Is(err, pipeline.ErrBusy):
		return http.StatusServiceUnavailable, "busy"
	case errors.Is(err, pipeline.ErrClosed):
		return http.StatusServiceUnavailable, "shutting_down"
	case errors.Is(err, errNotReady):
		return http.StatusServiceUnavailable, "loading"
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, "timeout"
	case errors.Is(err, context.Canceled):
		return statusClientClosed, "canceled"
	case errors.Is(err, errUnauthorized):
		return http.StatusUnauthorized, "unauthorized"
	case errors.Is(err, errNoRoute):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, errMethod):
		return http.StatusMethodNotAllowed, "method_not_allowed"
	case errors.Is(err, pipeline.ErrUnknownTask):
		return http.StatusNotFound, "unknown_task"
	case errors.Is(err, catalog.ErrUnknownModel), errors.Is(err, catalog.ErrNotInstalled):
		return http.StatusNotFound, "unknown_model"
	case errors.Is(err, models.ErrBadOption):
		return http.StatusBadRequest, "bad_option"
	case errors.Is(err, preprocess.ErrTooLarge):
		return http.StatusRequestEntityTooLarge, "too_large"
	case errors.Is(err, preprocess.ErrUnsupportedFormat):
		return http.StatusUnsupportedMediaType, "unsupported_format"
	case errors.Is(err, preprocess.ErrBadImage):
		return http.StatusBadRequest, "bad_image"
	case errors.Is(err, errBadRequest):
		return http.StatusBadRequest, "bad_request"
	}
	return http.StatusInternalServerError, "internal"
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
