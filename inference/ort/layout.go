package ort

import (
	"context"
	"sync/atomic"

	ortgo "github.com/yalue/onnxruntime_go"

	"github.com/visiond/visiond/inference"
)

// The engine's layout adapts to load. A model loaded with more than one thread per inference
// gets two ONNX Runtime sessions: a wide one, whose inferences use every thread, and a narrow
// one, whose inferences run on the calling thread alone. An inference that starts while no
// other runs on the engine, and whose caller serves no other request (inference.WithCrowd),
// takes the wide session, so a lone client gets the lowest latency;
// one that starts beside others takes the narrow session, so that concurrent requests share
// the cores one inference each, which completes the most of them per second (a thread that
// joins an inference costs more CPU than it saves time: ONNX Runtime's threads wait for one
// another). The wide session's threads stop spinning as soon as its inference returns (see
// sessionOptions), so that an idle one takes no core from a narrow inference beside it.

// inFlight counts the inferences running on one engine's sessions.
type inFlight struct{ n atomic.Int64 }

// pick returns the session an inference of ctx starting now runs on, and the function that
// ends it. The caller's own count of requests, when ctx carries one (inference.WithCrowd),
// counts too: an inference that starts alone on the engine while the caller serves other
// requests (decoding one, answering another) would otherwise take both cores from them.
func (s *Session) pick(ctx context.Context) (*ortgo.DynamicAdvancedSession, func()) {
	n := s.running.n.Add(1)
	done := func() { s.running.n.Add(-1) }
	if s.wide != nil && n == 1 && !inference.Crowded(ctx) {
		return s.wide, done
	}
	return s.sess, done
}
