package mqtt

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/results"
	"github.com/visiond/visiond/pipeline"
)

// TestOwnModelOverMQTT: an own model (testmodels.Kitchen's) serves a camera route that
// names it, and a request that names it, as a catalog model would.
func TestOwnModelOverMQTT(t *testing.T) {
	load := models.LoadOptions{Engine: testmodels.Engine(t), Store: testmodels.Kitchen(t, nil), Threads: 1}
	pipe, err := pipeline.Open(pipeline.Defaults(), []string{"kitchen", "mobilenet"}, load, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pipe.Close(context.Background()) })
	cfg := Defaults()
	cfg.Embedded.Listen = "127.0.0.1:0"
	cfg.Routes = []Route{{Filter: "visiond/+/image", Models: []string{"kitchen"}, Top: 1}}
	s := startService(t, cfg, pipe)
	w := watch(t, client(t, s.BrokerURL()), "visiond/#", "app/answers")
	c := client(t, s.BrokerURL())
	burger := testenv.ReadImage(t, "burger.jpg")

	type answer struct {
		Model   string                   `json:"model"`
		Results []results.Classification `json:"results"`
	}
	publish(t, c, "visiond/kitchen/image", burger)
	var a answer
	if err := json.Unmarshal(w.next(t, "visiond/kitchen/detections", nil).Payload(), &a); err != nil ||
		a.Model != "kitchen" || len(a.Results) != 1 || a.Results[0].ClassName != "burger" {
		t.Errorf("camera route to kitchen: %+v, %v", a, err)
	}
	publish(t, c, "visiond/request", jsonFrame(t, burger, "reply_to", "app/answers", "model", "kitchen"))
	if err := json.Unmarshal(w.next(t, "app/answers", nil).Payload(), &a); err != nil || a.Model != "kitchen" || a.Results[0].ClassName != "burger" {
		t.Errorf("request naming kitchen: %+v, %v", a, err)
	}
}
