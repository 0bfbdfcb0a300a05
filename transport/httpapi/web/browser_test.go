package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/visiond/visiond/internal/testenv"
)

// card is what a result card of the page shows, read from its DOM.
type card struct {
	Name      string     `json:"name"`
	Done      bool       `json:"done"`
	Failed    bool       `json:"failed"`
	Drawn     bool       `json:"drawn"`
	Msg       string     `json:"msg"`
	Rows      [][]string `json:"rows"`
	Boxes     int        `json:"boxes"`
	Keypoints int        `json:"keypoints"`
	Low       int        `json:"low"`
	Bones     int        `json:"bones"`
	Fingers   int        `json:"fingers"`
	Texts     []string   `json:"texts"`
	Stroke    string     `json:"stroke"`
	StageX    float64    `json:"stageX"`
	StageY    float64    `json:"stageY"`
	StageW    float64    `json:"stageW"`
	StageH    float64    `json:"stageH"`
	// Result is the API's answer the card was drawn from, as JSON.
	Result string `json:"result"`
}

// cardJS reads the card whose title is the given file name.
const cardJS = `((name) => {
  const c = [...document.querySelectorAll('#cards .card')].find((c) => c.querySelector('.name').textContent === name);
  if (!c) return null;
  const stage = c.querySelector('.stage').getBoundingClientRect();
  const box = c.querySelector('svg g.det rect.box');
  return {
    name, done: c.classList.contains('done'), failed: c.classList.contains('failed'),
    drawn: c.querySelector('svg.overlay').dataset.drawn === 'yes',
    msg: c.querySelector('.msg').textContent,
    rows: [...c.querySelectorAll('table.list tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent)),
    boxes: c.querySelectorAll('svg g.det').length,
    keypoints: c.querySelectorAll('svg circle.kp').length,
    low: c.querySelectorAll('svg circle.kp.low').length,
    bones: c.querySelectorAll('svg line.bone').length,
    fingers: c.querySelectorAll('svg polyline.bone').length,
    texts: [...c.querySelectorAll('svg text')].map((t) => t.textContent),
    stroke: box ? box.getAttribute('stroke') : '',
    stageX: stage.x, stageY: stage.y, stageW: stage.width, stageH: stage.height,
    result: JSON.stringify(c.result || null),
  };
})(%q)`

// readCard waits until the card of the named file is answered and its results drawn over the
// shown photo (or until it failed), and reads it.
func readCard(t *testing.T, tab context.Context, name string) card {
	t.Helper()
	waitJS(t, tab, name+" answered", fmt.Sprintf(`(() => { const c = %s; return !!c && (c.done && c.drawn || c.failed); })()`, fmt.Sprintf(cardJS, name)), 30*time.Second)
	return eval[card](t, tab, fmt.Sprintf(cardJS, name))
}

// openPage loads the page of d on the tab and waits until it offers the models' tasks.
func openPage(t *testing.T, tab context.Context, d *daemon) {
	t.Helper()
	within(t, tab, 20*time.Second, chromedp.Navigate(d.url+"/"))
	waitJS(t, tab, "the page to be ready", `document.getElementById('state').textContent === 'Ready'`, 30*time.Second)
}

// chooseTask selects a task in the page's task selector.
func chooseTask(t *testing.T, tab context.Context, task string) {
	t.Helper()
	got := eval[string](t, tab, fmt.Sprintf(`(() => {
  const s = document.getElementById('task');
  s.value = %q;
  s.dispatchEvent(new Event('change'));
  return s.value;
})()`, task))
	if got != task {
		t.Fatalf("the task selector has no %q (it shows %q)", task, got)
	}
}

// upload gives files to the page's file input, as choosing them in the file dialog does.
func upload(t *testing.T, tab context.Context, paths ...string) {
	t.Helper()
	within(t, tab, 10*time.Second, chromedp.SetUploadFiles(chromedp.ID("pick"), paths))
}

// annotatedAndCopied presses the newest card's buttons: the server-annotated image is
// downloaded at the photo's size, and the JSON with its rows lands on the clipboard.
func annotatedAndCopied(t *testing.T, tab context.Context, d *daemon, rows int) {
	t.Helper()
	dir := t.TempDir()
	within(t, tab, 10*time.Second, func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
		}); err != nil {
			return chromedp.Void{}, err
		}
		for _, name := range []string{"clipboard-read", "clipboard-write"} {
			if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
				Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, Origin: d.url,
			}); err != nil {
				return chromedp.Void{}, err
			}
		}
		return chromedp.Void{}, nil
	}, chromedp.Click(chromedp.CSS("#cards .card .download")))

	file := filepath.Join(dir, "airplane_airport_1280.annotated.jpg")
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := os.ReadFile(file)
		if err == nil {
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
			if err != nil || cfg.Width != 1280 || cfg.Height != 1280 {
				t.Fatalf("downloaded %s: %v, %dx%d; want a 1280x1280 JPEG", file, err, cfg.Width, cfg.Height)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s downloaded", file)
		}
		time.Sleep(50 * time.Millisecond)
	}

	within(t, tab, 10*time.Second, chromedp.Click(chromedp.CSS("#cards .card .copy")))
	waitJS(t, tab, "the copy to be confirmed", `document.querySelector('#cards .card .copy').textContent === 'JSON copied'`, 5*time.Second)
	var copied struct {
		Model   string            `json:"model"`
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal([]byte(eval[string](t, tab, `navigator.clipboard.readText()`)), &copied); err != nil {
		t.Fatal("the clipboard holds no JSON: ", err)
	}
	if copied.Model != "coco-ssd" || len(copied.Results) != rows {
		t.Errorf("copied: model %q, %d results; want coco-ssd and %d", copied.Model, len(copied.Results), rows)
	}
}

func TestStillImages(t *testing.T) {
	d := startDaemon(t)
	tab := newTab(t)
	openPage(t, tab, d)

	t.Run("detect airplanes", func(t *testing.T) {
		chooseTask(t, tab, "detect")
		upload(t, tab, testenv.Image(t, "airplane_airport_1280.jpg"))
		c := readCard(t, tab, "airplane_airport_1280.jpg")
		if !c.Done {
			t.Fatalf("no result: %q", c.Msg)
		}
		airplanes := 0
		for _, r := range c.Rows {
			if len(r) > 1 && r[1] == "airplane" {
				airplanes++
			}
		}
		if airplanes < 3 || c.Boxes != len(c.Rows) {
			t.Fatalf("table %v (%d airplanes), %d boxes drawn; want at least 3 airplanes and one box per row", c.Rows, airplanes, c.Boxes)
		}
		var res struct {
			Width   float64 `json:"width"`
			Height  float64 `json:"height"`
			Results []struct {
				BBox  [4]float64 `json:"bbox"`
				Class string     `json:"class"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(c.Result), &res); err != nil {
			t.Fatal(err)
		}
		shot := screenshot(t, tab, `#cards .card .stage`)
		name := filepath.Join(t.TempDir(), "detect.png")
		if err := os.WriteFile(name, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Fatal(err)
		}
		stroke, ok := parseHex(c.Stroke)
		if !ok {
			t.Fatalf("box stroke %q is not a #rrggbb colour", c.Stroke)
		}
		// The screenshot's scale: device pixels per CSS pixel of the shown image.
		s := float64(img.Bounds().Dx()) / c.StageW
		kx, ky := c.StageW/res.Width*s, c.StageH/res.Height*s
		for _, r := range res.Results {
			x, y, w, h := r.BBox[0]*kx, r.BBox[1]*ky, r.BBox[2]*kx, r.BBox[3]*ky
			// The airplanes stand on the apron across the middle of the photo: each box's
			// centre lies there, not in the sky above or on the tarmac below.
			if cy := (r.BBox[1] + r.BBox[3]/2) / res.Height; cy < 0.3 || cy > 0.75 {
				t.Errorf("%s box %v: its centre is at %.0f%% of the height, not where the airplanes are", r.Class, r.BBox, cy*100)
			}
			if f := edgeMatch(img, x, y, w, h, stroke); f < 0.8 {
				t.Errorf("%s box %v: only %.0f%% of its edge pixels in %s show the box colour %s (see %s)", r.Class, r.BBox, f*100, c.Stroke, c.Stroke, name)
			}
		}
		// The pointer over the smallest box (drawn on top of the others) lights up its row.
		small := 0
		for i, r := range res.Results {
			if r.BBox[2]*r.BBox[3] < res.Results[small].BBox[2]*res.Results[small].BBox[3] {
				small = i
			}
		}
		b := res.Results[small].BBox
		within(t, tab, 10*time.Second, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved,
			c.StageX+(b[0]+b[2]/2)*c.StageW/res.Width, c.StageY+(b[1]+b[3]/2)*c.StageH/res.Height))
		hot := eval[[]int](t, tab, `[...document.querySelectorAll('#cards .card table.list tbody tr.hot')].map((tr) => Number(tr.dataset.i))`)
		if len(hot) != 1 || hot[0] != small {
			t.Errorf("pointer over box %d: rows %v light up", small, hot)
		}
		annotatedAndCopied(t, tab, d, len(c.Rows))
		// A control: the sky in the top corners, outside every box, is not drawn on.
		if f := edgeMatch(img, 4, 4, float64(img.Bounds().Dx())-8, 0.2*float64(img.Bounds().Dy()), stroke); f > 0.2 {
			t.Errorf("%.0f%% of the top of the photo shows the box colour: the check cannot tell boxes from the photo", f*100)
		}
	})

	t.Run("classify burger", func(t *testing.T) {
		chooseTask(t, tab, "classify")
		upload(t, tab, testenv.Image(t, "burger.jpg"))
		c := readCard(t, tab, "burger.jpg")
		if !c.Done || len(c.Rows) == 0 || c.Rows[0][1] != "cheeseburger" {
			t.Fatalf("classify burger.jpg: %q, table %v; want cheeseburger first", c.Msg, c.Rows)
		}
		if len(c.Texts) == 0 || !strings.HasPrefix(c.Texts[0], "cheeseburger ") {
			t.Fatalf("captions drawn over the photo: %q; want cheeseburger first", c.Texts)
		}
	})

	t.Run("pose", func(t *testing.T) {
		chooseTask(t, tab, "pose")
		upload(t, tab, testenv.Image(t, "person_fullbody_pose.jpg"))
		c := readCard(t, tab, "person_fullbody_pose.jpg")
		if !c.Done || len(c.Rows) != 1 {
			t.Fatalf("pose: %q, table %v; want one person", c.Msg, c.Rows)
		}
		// The whole body is in view, the head in profile: every keypoint is drawn, all sure
		// but the right ear, hidden behind the head (a hollow ring), and the 12 bones of the
		// skeleton join sure keypoints.
		if c.Keypoints != 17 || c.Low != 1 || c.Bones != 12 || c.Rows[0][2] != "16 of 17" {
			t.Fatalf("pose: %d keypoints (%d unsure) and %d bones drawn, table %v; want 17 (1), 12 and 16 of 17", c.Keypoints, c.Low, c.Bones, c.Rows)
		}
		var res struct {
			Results []struct {
				Keypoints []struct {
					Part  string  `json:"part"`
					Score float64 `json:"score"`
				} `json:"keypoints"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(c.Result), &res); err != nil {
			t.Fatal(err)
		}
		for _, k := range res.Results[0].Keypoints {
			if (k.Part == "rightEar") != (k.Score < 0.2) {
				t.Errorf("%s scores %.3f: want only the hidden right ear under the minimum score", k.Part, k.Score)
			}
		}
	})
	t.Run("hands", func(t *testing.T) {
		chooseTask(t, tab, "hands")
		upload(t, tab, testenv.Image(t, "hands.jpg"))
		c := readCard(t, tab, "hands.jpg")
		// The photo shows two hands, one of them upside down.
		n := len(c.Rows)
		if !c.Done || n != 2 {
			t.Fatalf("hands: %q, table %v; want two hands", c.Msg, c.Rows)
		}
		// Each hand: its box, 21 landmarks and five fingers from the base of the palm.
		if c.Keypoints != 21*n || c.Fingers != 5*n || len(c.Texts) != n {
			t.Fatalf("%d hands: %d landmarks, %d fingers, tags %q drawn; want %d, %d and one tag each", n, c.Keypoints, c.Fingers, c.Texts, 21*n, 5*n)
		}
		if err := os.WriteFile(filepath.Join(screenshotDir(t), "page-hands.png"), screenshot(t, tab, "#cards .card"), 0o644); err != nil {
			t.Fatal(err)
		}
	})
}

// screenshot captures the element sel as PNG.
func screenshot(t *testing.T, tab context.Context, sel string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 20*time.Second)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// edgeMatch is the fraction of points along the edges of the rectangle (x, y, w, h), in
// pixels of img, where img shows colour want (within a small tolerance, one pixel either
// side of the edge).
func edgeMatch(img image.Image, x, y, w, h float64, want [3]uint8) float64 {
	var points, hits int
	probe := func(px, py float64) {
		points++
		for _, dx := range []float64{0, -1, 1} {
			for _, dy := range []float64{0, -1, 1} {
				if near(img, int(math.Round(px+dx)), int(math.Round(py+dy)), want) {
					hits++
					return
				}
			}
		}
	}
	for f := 0.1; f <= 0.9; f += 0.05 {
		probe(x+f*w, y)
		probe(x+f*w, y+h)
		probe(x, y+f*h)
		probe(x+w, y+f*h)
	}
	return float64(hits) / float64(points)
}

// near reports whether the pixel at (x, y) is within 40 of want in every channel.
func near(img image.Image, x, y int, want [3]uint8) bool {
	if !(image.Point{x, y}.In(img.Bounds())) {
		return false
	}
	r, g, b, _ := img.At(x, y).RGBA()
	for i, v := range []uint32{r >> 8, g >> 8, b >> 8} {
		if d := int(v) - int(want[i]); d < -40 || d > 40 {
			return false
		}
	}
	return true
}

// parseHex reads a #rrggbb colour.
func parseHex(s string) ([3]uint8, bool) {
	var c [3]uint8
	if len(s) != 7 || s[0] != '#' {
		return c, false
	}
	for i := range c {
		v, err := strconv.ParseUint(s[1+2*i:3+2*i], 16, 8)
		if err != nil {
			return c, false
		}
		c[i] = uint8(v)
	}
	return c, true
}
