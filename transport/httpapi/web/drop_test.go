package web_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/visiond/visiond/internal/testenv"
)

// TestDropAndPaste gives the page photos the two other ways: dropped from the file manager
// onto the page, and pasted from the clipboard.
func TestDropAndPaste(t *testing.T) {
	d := startDaemon(t)
	tab := newTab(t)
	openPage(t, tab, d)
	chooseTask(t, tab, "classify")

	// A drag of burger.jpg from outside the browser, let go over the drop zone.
	box := eval[[]float64](t, tab, `(() => { const r = document.getElementById('drop').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
	data := &input.DragData{Files: []string{testenv.Image(t, "burger.jpg")}, DragOperationsMask: 1}
	within(t, tab, 10*time.Second, func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		for _, typ := range []input.DispatchDragEventType{input.DispatchDragEventTypeDragEnter, input.DispatchDragEventTypeDragOver, input.DispatchDragEventTypeDrop} {
			if _, err := chromedp.Call(ctx, input.DispatchDragEvent, input.DispatchDragEventParams{Type: typ, X: box[0], Y: box[1], Data: data}); err != nil {
				return chromedp.Void{}, err
			}
		}
		return chromedp.Void{}, nil
	})
	if c := readCard(t, tab, "burger.jpg"); !c.Done || len(c.Rows) == 0 || c.Rows[0][1] != "cheeseburger" {
		t.Errorf("dropped burger.jpg: %q, %v", c.Msg, c.Rows)
	}

	// A paste of the coffee mug photo, as a browser delivers a copied image file.
	mug, err := os.ReadFile(testenv.Image(t, "coffee_mug.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	eval[bool](t, tab, fmt.Sprintf(`(() => {
  const bytes = Uint8Array.from(atob(%q), (c) => c.charCodeAt(0));
  const dt = new DataTransfer();
  dt.items.add(new File([bytes], 'coffee_mug.jpg', { type: 'image/jpeg' }));
  document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true }));
  return true;
})()`, base64.StdEncoding.EncodeToString(mug)))
	if c := readCard(t, tab, "coffee_mug.jpg"); !c.Done || len(c.Rows) == 0 || c.Rows[0][1] != "coffee mug" {
		t.Errorf("pasted coffee_mug.jpg: %q, %v", c.Msg, c.Rows)
	}
}
