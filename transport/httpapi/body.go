package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"sync/atomic"

	"github.com/gin-gonic/gin"

	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/pipeline"
)

// bodyBudget bounds the memory held by request bodies daemon-wide: a body's buffer is taken
// from it as the bytes arrive, and given back when the request is answered.
type bodyBudget struct {
	limit int64
	used  atomic.Int64
}

// take reserves n bytes, or reports false when that would pass the limit.
func (b *bodyBudget) take(n int64) bool {
	if b.used.Add(n) > b.limit {
		b.used.Add(-n)
		return false
	}
	return true
}

// give returns n bytes taken before.
func (b *bodyBudget) give(n int64) { b.used.Add(-n) }

// firstChunk is the buffer a body starts with; it doubles as more arrives.
const firstChunk = 32 << 10

// errBodyBudget is the answer when the bodies being read hold the whole budget.
var errBodyBudget = fmt.Errorf("%w: the request bodies being read hold the server's memory for them (http.max_body_memory)", pipeline.ErrBusy)

// body is a request body read into memory, and its share of the budget.
type body struct {
	data  []byte
	taken int64
}

// readBody reads r, at most limit bytes, into a buffer that grows with what has arrived (never
// with what Content-Length declares), taking each growth from the budget first. The caller
// gives the returned body's share back with release when the request is done, also on error.
func (b *bodyBudget) readBody(r io.Reader, limit int64) (*body, error) {
	out := &body{}
	for {
		if len(out.data) == cap(out.data) {
			if int64(len(out.data)) > limit {
				return out, fmt.Errorf("%w: the body is over the limit of %d bytes", preprocess.ErrTooLarge, limit)
			}
			// One byte past the limit tells a body at the limit from a longer one.
			grow := min(max(int64(cap(out.data)), firstChunk), limit+1-int64(cap(out.data)))
			if !b.take(grow) {
				return out, errBodyBudget
			}
			out.taken += grow
			next := make([]byte, len(out.data), int64(cap(out.data))+grow)
			copy(next, out.data)
			out.data = next
		}
		n, err := r.Read(out.data[len(out.data):cap(out.data)])
		out.data = out.data[:len(out.data)+n]
		switch {
		case errors.Is(err, io.EOF):
			if int64(len(out.data)) > limit {
				return out, fmt.Errorf("%w: the body is over the limit of %d bytes", preprocess.ErrTooLarge, limit)
			}
			return out, nil
		case err != nil:
			return out, err
		}
	}
}

// release gives the body's share of the budget back; the body must not be used after.
func (b *bodyBudget) release(in *body) {
	b.give(in.taken)
	in.data, in.taken = nil, 0
}

// readError names a failure to read a request body in the error vocabulary.
func readError(r *http.Request, err error) error {
	switch {
	case errors.Is(err, preprocess.ErrTooLarge), errors.Is(err, pipeline.ErrBusy):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF):
		// The client stopped sending (it may still be reading): checked before the context,
		// which the server cancels when the connection's read side ends.
		return fmt.Errorf("%w: the body ended before the %d bytes its Content-Length declares", pipeline.ErrBadRequest, r.ContentLength)
	case errors.Is(err, os.ErrDeadlineExceeded):
		// The connection's read deadline (http.request_timeout) passed: the client is still
		// there and gets 504.
		return fmt.Errorf("%w: the body did not arrive within the request timeout", context.DeadlineExceeded)
	case r.Context().Err() != nil:
		return r.Context().Err()
	}
	return fmt.Errorf("%w: reading the body: %v", pipeline.ErrBadRequest, err)
}

// readInput reads the request body under the budget and finds the image in it; the caller
// releases the input when the request is done, also on error. When the pipeline would refuse
// the request anyway it does not read it: overload stays cheap.
func (s *Server) readInput(c *gin.Context) (input, error) {
	b := s.backend.Load()
	if b == nil {
		return input{}, pipeline.ErrNotReady
	}
	if err := b.pipe.CheckBusy(); err != nil {
		return input{}, err
	}
	if c.Request.ContentLength > s.bodyLimit {
		return input{}, fmt.Errorf("%w: the body is %d bytes, limit %d", preprocess.ErrTooLarge, c.Request.ContentLength, s.bodyLimit)
	}
	raw, err := s.budget.readBody(c.Request.Body, s.bodyLimit)
	free := func() { s.budget.release(raw) }
	if err != nil {
		return input{free: free}, readError(c.Request, err)
	}
	in, err := parseBody(c.GetHeader("Content-Type"), raw.data)
	in.free = free
	return in, err
}

// formKeyAllowed says whether a DeepStack request without a key in its headers or query may
// still be read to find the api_key form field: only a multipart form, and only when
// http.deepstack_form_key allows it.
func (s *Server) formKeyAllowed(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return s.cfg.DeepStackFormKey && err == nil && mt == "multipart/form-data"
}

// maxHeaderBytes bounds a request's header block (HTTP/1.1 and HTTP/2).
const maxHeaderBytes = 64 << 10

// http2Limits bound what one HTTP/2 connection may make the server hold: a few streams at once,
// and flow-control windows of a fraction of a largest body, so that a client cannot have more
// in flight than the body budget admits.
func http2Limits() *http.HTTP2Config {
	return &http.HTTP2Config{
		MaxConcurrentStreams:          16,
		MaxReadFrameSize:              16 << 10,
		MaxReceiveBufferPerConnection: 1 << 20,
		MaxReceiveBufferPerStream:     256 << 10,
		MaxDecoderHeaderTableSize:     4 << 10,
	}
}
