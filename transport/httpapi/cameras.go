package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/visiond/visiond/pipeline"
	"github.com/visiond/visiond/transport/camera"
)

// Cameras is what the camera routes need: *camera.Service.
type Cameras interface {
	List() []camera.Status
	Stream(name string) (*camera.Stream, error)
}

var _ Cameras = (*camera.Service)(nil)

const (
	// snapshotWait bounds the wait for an annotated frame when none is at hand.
	snapshotWait = 5 * time.Second
	// keepAlive is how often an idle event stream sends a comment, so that proxies and
	// clients see it alive and a client that left is noticed.
	keepAlive = 15 * time.Second
	// mjpegBoundary separates the parts of the MJPEG stream.
	mjpegBoundary = "visiond-frame"
)

// errNoCameras: the camera routes when no camera is configured.
var errNoCameras = fmt.Errorf("%w: no cameras are configured (cameras: in the configuration, or --camera NAME=URL)", pipeline.ErrNotFound)

// cameraSet is the cameras the routes serve, and the context of their live streams, which
// ends when the server shuts down.
type cameraSet struct {
	cams    Cameras
	streams context.Context
}

// ServeCameras makes the /v1/cameras routes answer with cams. Live streams (MJPEG, events)
// end when the server shuts down.
func (s *Server) ServeCameras(cams Cameras) {
	ctx, cancel := context.WithCancel(context.Background())
	s.http.RegisterOnShutdown(cancel)
	s.cameras.Store(&cameraSet{cams: cams, streams: ctx})
}

// cameraRoutes registers the camera routes on the API group.
func (s *Server) cameraRoutes(v1 *gin.RouterGroup) {
	v1.GET("/cameras", s.api(s.cameraList))
	v1.GET("/cameras/:name/latest", s.api(s.cameraLatest))
	v1.GET("/cameras/:name/snapshot.jpg", s.api(s.cameraSnapshot))
	v1.GET("/cameras/:name/stream.mjpeg", s.live(s.mjpeg))
	v1.GET("/cameras/:name/events", s.live(s.events))
}

// cameraList answers GET /v1/cameras.
func (s *Server) cameraList(*gin.Context) (any, error) {
	set := s.cameras.Load()
	if set == nil {
		return gin.H{"cameras": []camera.Status{}}, nil
	}
	return gin.H{"cameras": set.cams.List()}, nil
}

// stream finds the route's camera.
func (s *Server) stream(c *gin.Context) (*camera.Stream, *cameraSet, error) {
	set := s.cameras.Load()
	if set == nil {
		return nil, nil, errNoCameras
	}
	st, err := set.cams.Stream(c.Param("name"))
	return st, set, err
}

// cameraLatest answers GET /v1/cameras/{name}/latest: the newest results.
func (s *Server) cameraLatest(c *gin.Context) (any, error) {
	st, _, err := s.stream(c)
	if err != nil {
		return nil, err
	}
	return st.Latest()
}

// cameraSnapshot answers GET /v1/cameras/{name}/snapshot.jpg: the newest annotated frame.
func (s *Server) cameraSnapshot(c *gin.Context) (any, error) {
	st, _, err := s.stream(c)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), snapshotWait)
	defer cancel()
	jpeg, err := st.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	return imageBody{contentType: "image/jpeg", data: jpeg}, nil
}

// liveHandler writes a live stream of a camera's answers until ctx ends or the client leaves.
type liveHandler func(ctx context.Context, c *gin.Context, st *camera.Stream) error

// live adapts a live stream: errors before the first byte are answered as usual; the stream
// itself outlives the request deadline, and ends with the client, its camera's answers, or
// the server.
func (s *Server) live(h liveHandler) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(errorKey, errorShape(apiError))
		st, set, err := s.stream(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		ctx, cancel := context.WithCancel(set.streams)
		defer cancel()
		req := c.Request.Context()
		go func() {
			select {
			case <-req.Done():
				if errors.Is(req.Err(), context.Canceled) { // the client left; a deadline does not end a stream
					cancel()
				}
			case <-ctx.Done():
			}
		}()
		if err := h(ctx, c, st); err != nil && !c.Writer.Written() {
			s.fail(c, err)
		}
	}
}

// mjpeg writes GET /v1/cameras/{name}/stream.mjpeg: each annotated frame as one JPEG part
// of a multipart/x-mixed-replace answer, which <img> tags show as video.
func (s *Server) mjpeg(ctx context.Context, c *gin.Context, st *camera.Stream) error {
	frames, stop, err := st.Subscribe(true)
	if err != nil {
		return err
	}
	defer stop()
	w := c.Writer
	w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary="+mjpegBoundary)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Flush()
	for {
		select {
		case <-ctx.Done():
			return nil
		case l := <-frames:
			jpeg := l.Annotated()
			if jpeg == nil {
				continue // answered before annotation was asked for
			}
			if _, err := fmt.Fprintf(w, "--%s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", mjpegBoundary, len(jpeg)); err != nil {
				return nil
			}
			if _, err := w.Write(append(jpeg[:len(jpeg):len(jpeg)], '\r', '\n')); err != nil {
				return nil
			}
			w.Flush()
		}
	}
}

// events writes GET /v1/cameras/{name}/events: Server-Sent Events, one "result" event per
// answered frame (its data the JSON of /latest, its id the frame number).
func (s *Server) events(ctx context.Context, c *gin.Context, st *camera.Stream) error {
	results, stop, err := st.Subscribe(false)
	if err != nil {
		return err
	}
	defer stop()
	w := c.Writer
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Flush()
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			_, err = fmt.Fprint(w, ": alive\n\n")
		case l := <-results:
			var data []byte
			if data, err = json.Marshal(l); err == nil {
				_, err = fmt.Fprintf(w, "event: result\nid: %s\ndata: %s\n\n", strconv.FormatUint(l.Frame, 10), data)
			}
		}
		if err != nil {
			return nil
		}
		w.Flush()
	}
}
