package mqtt

import (
	"strconv"
	"time"

	"github.com/visiond/visiond/pipeline"
)

// PublishCamera publishes the answer to one frame of a camera that visiond reads itself
// (RTSP, MJPEG, a device or a file) as it publishes a frame a camera sent over MQTT: on
// <prefix>/<camera>/detections (one message per result, with the zones' label counts),
// /annotated (the first result's annotated image, when made) and the retained
// /objects/<label> counts; and the retained /zones/<zone>/<label> counts when they change.
// read is when the frame was read. A camera's frames must be published in order.
func (s *Service) PublishCamera(camera string, read time.Time, res []*pipeline.Result, zones map[string]map[string]int) {
	seq := s.arrivals.Add(1)
	src := source{Camera: camera, Timestamp: read.UTC()}
	for _, r := range res {
		own := *r // the camera shares r with its HTTP readers; the total is this message's
		msg := newResult(src, &own, time.Since(read))
		if len(zones) > 0 {
			msg.Zones = zones
		}
		s.publishResult(camera, seq, msg)
	}
	base := s.cfg.Prefix + "/" + camera + "/zones/"
	for zone, counts := range zones {
		// Zone counts are kept under a key no camera has: camera names hold no '/'.
		s.counts.set(camera+"/zones/"+zone, seq, counts, func(changed []labelCount) {
			for _, c := range changed {
				s.send("zones", base+zone+"/"+labelLevel(c.label), true, []byte(strconv.Itoa(c.count)))
			}
		})
	}
}

// Annotated says whether annotated frames are published (mqtt.annotated).
func (s *Service) Annotated() bool { return s.cfg.Annotated }
