package mqtt

import (
	"strconv"
	"time"

	"github.com/visiond/visiond/models/results"
	"github.com/visiond/visiond/pipeline"
)

// CameraFrame is the answer to one frame of a camera that visiond reads itself (RTSP, MJPEG,
// a device or a file), to be published like the answer to a frame a camera sent over MQTT.
type CameraFrame struct {
	// Camera names the camera: <prefix>/<Camera>/... are its topics.
	Camera string
	// Read is when the frame was read from the stream.
	Read time.Time
	// Results are the answers of the camera's models, the first one annotated when asked for.
	Results []*pipeline.Result
	// Zones holds, for each zone of the camera, the detections of the first result inside it.
	Zones map[string][]results.Detection
	// ZoneCounts is Zones as label counts per zone, carried in the detections messages.
	ZoneCounts any
}

// PublishCamera publishes a camera frame's answer: on <prefix>/<camera>/detections (one
// message per result, with the zone counts), /annotated and the retained
// /objects/<label> counts, as for MQTT cameras, and the retained
// /zones/<zone>/<label> counts when they change. A camera's frames must be published in order.
func (s *Service) PublishCamera(f CameraFrame) {
	seq := s.arrivals.Add(1)
	src := source{Camera: f.Camera, Timestamp: f.Read.UTC()}
	for _, res := range f.Results {
		msg := newResult(src, res, time.Since(f.Read))
		msg.Zones = f.ZoneCounts
		s.publishResult(f.Camera, seq, msg)
	}
	base := s.cfg.Prefix + "/" + f.Camera + "/zones/"
	for zone, dets := range f.Zones {
		// Zone counts are kept under a key no camera has: camera names hold no '/'.
		s.counts.update(f.Camera+"/zones/"+zone, seq, dets, func(changed []labelCount) {
			for _, c := range changed {
				s.send("zones", base+zone+"/"+labelLevel(c.label), true, []byte(strconv.Itoa(c.count)))
			}
		})
	}
}

// Annotated says whether annotated frames are published (mqtt.annotated).
func (s *Service) Annotated() bool { return s.cfg.Annotated }
