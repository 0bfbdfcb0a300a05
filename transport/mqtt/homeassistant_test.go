package mqtt

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testpipeline"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/pipeline"
)

// haSchema is what Home Assistant's MQTT discovery documentation allows in the config of each
// entity type visiond announces (the keys visiond may use), and what it requires.
var haSchema = map[string]struct{ allowed, required []string }{
	"sensor": {
		allowed:  []string{"state_topic", "state_class", "unit_of_measurement", "icon", "value_template", "device_class"},
		required: []string{"state_topic"},
	},
	"binary_sensor": {
		allowed:  []string{"state_topic", "value_template", "payload_on", "payload_off", "device_class", "icon"},
		required: []string{"state_topic"},
	},
	"image": {
		allowed:  []string{"image_topic", "content_type", "icon"},
		required: []string{"image_topic"},
	},
}

// haCommon are the keys every MQTT entity may have (availability, device, naming).
var haCommon = []string{"name", "unique_id", "default_entity_id", "availability_topic", "payload_available", "payload_not_available", "device"}

// TestHomeAssistantDiscovery: with mqtt.home_assistant, an MQTT camera and a camera visiond
// reads itself (PublishCamera) each appear in Home Assistant's discovery topics on a real
// Mosquitto: a device with a count sensor and a presence binary sensor per label seen and an
// image of the annotated frame, each config retained, within the documented schema, tied
// to visiond/status, and pointing at topics that hold the values. The camera's zone counts
// are retained on their own topics.
func TestHomeAssistantDiscovery(t *testing.T) {
	m := startMosquitto(t)
	cfg := Defaults()
	cfg.Broker, cfg.Annotated, cfg.HomeAssistant = m.url(), true, true
	pipe := testpipeline.Shared(t)
	s := startService(t, cfg, pipe)
	street := testenv.ReadImage(t, "street_coco_000000373353.jpg")
	w := watch(t, client(t, s.BrokerURL()), "visiond/#")

	publish(t, client(t, s.BrokerURL()), "visiond/porch/image", street)
	res, err := pipe.Run(context.Background(), pipeline.Request{Task: catalog.TaskDetect, Image: street, Annotate: true})
	if err != nil {
		t.Fatal(err)
	}
	s.PublishCamera("gate", time.Now(), []*pipeline.Result{res}, map[string]map[string]int{"drive": {"car": 2}, "lawn": {}})
	gate := w.next(t, "visiond/gate/detections", nil)
	var msg struct {
		Camera string
		Zones  map[string]map[string]int
	}
	if err := json.Unmarshal(gate.Payload(), &msg); err != nil || msg.Camera != "gate" || msg.Zones["drive"]["car"] != 2 {
		t.Errorf("gate detections: %v %.300s", err, gate.Payload())
	}
	w.next(t, "visiond/porch/detections", nil)

	// A Home Assistant starting later finds every config retained.
	later := client(t, s.BrokerURL())
	configs := map[string]map[string]any{}
	got := make(chan paho.Message, 64)
	subscribe(t, later, func(m paho.Message) { got <- m }, "homeassistant/#", "visiond/+/objects/+", "visiond/+/zones/+/+")
	values := map[string]string{}
	deadline := time.After(waitLimit)
	for !complete(configs, values) {
		select {
		case m := <-got:
			if !m.Retained() {
				t.Errorf("%s is not retained", m.Topic())
			}
			if strings.HasPrefix(m.Topic(), "homeassistant/") {
				var v map[string]any
				if err := json.Unmarshal(m.Payload(), &v); err != nil {
					t.Fatalf("%s: %v", m.Topic(), err)
				}
				configs[m.Topic()] = v
			} else {
				values[m.Topic()] = string(m.Payload())
			}
		case <-deadline:
			t.Fatalf("within %v got configs %v and values %v", waitLimit, keys(configs), values)
		}
	}
	for topic, v := range configs {
		checkHAConfig(t, topic, v, values)
	}
	if values["visiond/gate/zones/drive/car"] != "2" {
		t.Errorf("zone count: %v", values)
	}
}

// complete says whether both cameras' person and car sensors, binary sensors and images have
// arrived, with the counts and the zone count they point at.
func complete(configs map[string]map[string]any, values map[string]string) bool {
	for _, cam := range []string{"porch", "gate"} {
		node := "homeassistant/%s/visiond_" + cam + "/"
		for _, topic := range []string{"image/annotated", "sensor/person_count", "sensor/car_count", "binary_sensor/person", "binary_sensor/car"} {
			component, id, _ := strings.Cut(topic, "/")
			if configs[strings.Replace(node, "%s", component, 1)+id+"/config"] == nil {
				return false
			}
		}
		if values["visiond/"+cam+"/objects/person"] == "" || values["visiond/"+cam+"/objects/car"] == "" {
			return false
		}
	}
	return values["visiond/gate/zones/drive/car"] != ""
}

// checkHAConfig checks one discovery config against haSchema and its device and availability.
func checkHAConfig(t *testing.T, topic string, v map[string]any, values map[string]string) {
	t.Helper()
	parts := strings.Split(topic, "/") // homeassistant/<component>/<node>/<object>/config
	if len(parts) != 5 || parts[4] != "config" {
		t.Fatalf("discovery topic %s is not <prefix>/<component>/<node_id>/<object_id>/config", topic)
	}
	component, node := parts[1], parts[2]
	schema, ok := haSchema[component]
	if !ok {
		t.Fatalf("%s: component %s is not one visiond announces", topic, component)
	}
	for key := range v {
		if !slices.Contains(schema.allowed, key) && !slices.Contains(haCommon, key) {
			t.Errorf("%s: key %s is not in the %s schema", topic, key, component)
		}
	}
	for _, key := range append(schema.required, "name", "unique_id", "device") {
		if _, ok := v[key]; !ok {
			t.Errorf("%s: required key %s missing", topic, key)
		}
	}
	for _, id := range parts[2:4] {
		if strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "" {
			t.Errorf("%s: %q has characters discovery ids may not", topic, id)
		}
	}
	if v["availability_topic"] != "visiond/status" || v["payload_available"] != "online" || v["payload_not_available"] != "offline" {
		t.Errorf("%s: availability %v %v %v", topic, v["availability_topic"], v["payload_available"], v["payload_not_available"])
	}
	if !strings.HasPrefix(v["default_entity_id"].(string), component+"."+node+"_") {
		t.Errorf("%s: default_entity_id %v", topic, v["default_entity_id"])
	}
	dev, _ := v["device"].(map[string]any)
	ids, _ := dev["identifiers"].([]any)
	if len(ids) != 1 || ids[0] != node || dev["name"] == "" {
		t.Errorf("%s: device %v", topic, dev)
	}
	switch component {
	case "sensor":
		if n, err := strconv.Atoi(values[v["state_topic"].(string)]); err != nil || n < 1 || v["state_class"] != "measurement" {
			t.Errorf("%s: state topic %v holds %q; state class %v", topic, v["state_topic"], values[v["state_topic"].(string)], v["state_class"])
		}
	case "binary_sensor":
		if values[v["state_topic"].(string)] == "" || v["value_template"] != "{{ 'ON' if value | int(0) > 0 else 'OFF' }}" ||
			v["payload_on"] != "ON" || v["payload_off"] != "OFF" || v["device_class"] != "occupancy" {
			t.Errorf("%s: %v", topic, v)
		}
	case "image":
		if v["image_topic"] != "visiond/"+strings.TrimPrefix(node, "visiond_")+"/annotated" || v["content_type"] != "image/jpeg" {
			t.Errorf("%s: %v", topic, v)
		}
	}
}

// keys lists a map's keys, for failure messages.
func keys(m map[string]map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
