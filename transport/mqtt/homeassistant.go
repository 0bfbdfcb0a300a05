package mqtt

import (
	"encoding/json"
	"strings"
	"sync"

	"github.com/visiond/visiond/models/results"
)

// Home Assistant MQTT discovery (mqtt.home_assistant): each camera becomes a device with,
// per label it has seen, a sensor (how many) and a binary sensor (any present), and an
// image entity showing the annotated frame when annotated frames are published. The configs
// are retained under <discovery prefix>/<component>/visiond_<camera>/<object id>/config, and
// every entity is available while visiond's status topic says online. The keys follow Home
// Assistant's MQTT discovery documentation (integrations mqtt, sensor.mqtt,
// binary_sensor.mqtt and image.mqtt); default_entity_id replaces object_id, which Home
// Assistant deprecated in 2025.10.

// discoveryPrefix is Home Assistant's default discovery prefix.
const discoveryPrefix = "homeassistant"

// haDevice is the device block of every entity of a camera.
type haDevice struct {
	Identifiers  []string `json:"identifiers"`
	Name         string   `json:"name"`
	Manufacturer string   `json:"manufacturer"`
	Model        string   `json:"model"`
}

// haEntity is the part of a discovery config every entity shares.
type haEntity struct {
	Name                string   `json:"name"`
	UniqueID            string   `json:"unique_id"`
	DefaultEntityID     string   `json:"default_entity_id"`
	AvailabilityTopic   string   `json:"availability_topic"`
	PayloadAvailable    string   `json:"payload_available"`
	PayloadNotAvailable string   `json:"payload_not_available"`
	Device              haDevice `json:"device"`
}

// haSensor is a sensor's config: the label's count.
type haSensor struct {
	haEntity
	StateTopic        string `json:"state_topic"`
	StateClass        string `json:"state_class"`
	UnitOfMeasurement string `json:"unit_of_measurement"`
	Icon              string `json:"icon"`
}

// haBinarySensor is a binary sensor's config: whether the label is present.
type haBinarySensor struct {
	haEntity
	StateTopic    string `json:"state_topic"`
	ValueTemplate string `json:"value_template"`
	PayloadOn     string `json:"payload_on"`
	PayloadOff    string `json:"payload_off"`
	DeviceClass   string `json:"device_class"`
}

// haImage is an image entity's config: the annotated frame.
type haImage struct {
	haEntity
	ImageTopic  string `json:"image_topic"`
	ContentType string `json:"content_type"`
}

// discovery remembers which configs were published, so that each goes out once per run.
type discovery struct {
	mu   sync.Mutex
	sent map[string]bool
}

// discover publishes the discovery configs of a camera and the labels of its detections that
// have none yet.
func (s *Service) discover(camera string, dets []results.Detection) {
	if !s.cfg.HomeAssistant {
		return
	}
	type config struct {
		topic string
		v     any
	}
	node := "visiond_" + camera
	dev := haDevice{Identifiers: []string{node}, Name: camera, Manufacturer: "visiond", Model: "camera"}
	entity := func(component, name, id string) haEntity {
		return haEntity{
			Name: name, UniqueID: node + "_" + id, DefaultEntityID: component + "." + node + "_" + id,
			AvailabilityTopic: s.cfg.Prefix + "/status", PayloadAvailable: online, PayloadNotAvailable: offline,
			Device: dev,
		}
	}
	var todo []config
	s.ha.mu.Lock()
	want := func(topic string, v func() any) {
		if !s.ha.sent[topic] {
			s.ha.sent[topic] = true
			todo = append(todo, config{topic, v()})
		}
	}
	if s.cfg.Annotated {
		want(discoveryPrefix+"/image/"+node+"/annotated/config", func() any {
			return haImage{haEntity: entity("image", "Annotated", "annotated"), ImageTopic: s.cfg.Prefix + "/" + camera + "/annotated", ContentType: "image/jpeg"}
		})
	}
	for _, d := range dets {
		id, state := objectID(d.Class), s.cfg.Prefix+"/"+camera+"/objects/"+labelLevel(d.Class)
		want(discoveryPrefix+"/sensor/"+node+"/"+id+"_count/config", func() any {
			return haSensor{haEntity: entity("sensor", d.Class+" count", id+"_count"), StateTopic: state,
				StateClass: "measurement", UnitOfMeasurement: "objects", Icon: "mdi:counter"}
		})
		want(discoveryPrefix+"/binary_sensor/"+node+"/"+id+"/config", func() any {
			return haBinarySensor{haEntity: entity("binary_sensor", d.Class, id), StateTopic: state,
				ValueTemplate: "{{ 'ON' if value | int(0) > 0 else 'OFF' }}", PayloadOn: "ON", PayloadOff: "OFF", DeviceClass: "occupancy"}
		})
	}
	s.ha.mu.Unlock()
	for _, c := range todo {
		b, err := json.Marshal(c.v)
		if err != nil {
			s.log.Error("mqtt: encoding a discovery config", "topic", c.topic, "err", err)
			continue
		}
		s.send("discovery", c.topic, true, b)
	}
}

// objectID makes a label an object id: letters, digits and '_' ("traffic light" →
// "traffic_light").
func objectID(label string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, label)
}
