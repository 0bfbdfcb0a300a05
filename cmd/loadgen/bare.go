package main

import (
	"context"
	"io"
	"net"
	"net/http"
)

// bareServer is the least an HTTP service around the same inference can do: it reads the
// request body, runs the raw inference on the prepared tensor and answers with a fixed JSON
// body. Timed against the raw inference, it shows what HTTP alone costs on this machine
// around a request that waits that long, with no decoding, resizing or post-processing.
type bareServer struct {
	url string
	srv *http.Server
}

// startBare serves run on a loopback port, answering answer to every POST.
func startBare(run func() error, answer []byte) (*bareServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h := func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, 1<<20)); err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		if err := run(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer)
	}
	b := &bareServer{url: "http://" + ln.Addr().String(), srv: &http.Server{Handler: http.HandlerFunc(h)}}
	go b.srv.Serve(ln) // a failure here shows as the client's error
	return b, nil
}

func (b *bareServer) stop() { b.srv.Shutdown(context.Background()) }
