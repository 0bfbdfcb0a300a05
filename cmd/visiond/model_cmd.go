package main

import (
	"flag"
	"fmt"
	"image"
	"io"

	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
)

// modelCommand is what the classify, detect, pose and hands commands share: the engine flags,
// the model, the images, and optionally an annotated copy of each.
type modelCommand struct {
	name    string // the command, for messages
	fs      *flag.FlagSet
	engine  engineFlags
	model   *string
	out     *string // --annotated, when the command draws
	quality *int
}

// newModelCommand registers the shared flags: the engine's, --model (default model) and, when
// drawn is a description of the drawing, --annotated and --quality.
func newModelCommand(name, model, modelUsage, drawn string, stderr io.Writer) *modelCommand {
	c := &modelCommand{name: name, fs: flag.NewFlagSet(name, flag.ContinueOnError)}
	c.fs.SetOutput(stderr)
	c.engine.register(c.fs)
	c.model = c.fs.String("model", model, modelUsage)
	if drawn != "" {
		c.out = c.fs.String("annotated", "", "write the image with "+drawn+" drawn: a file for one image, a folder for several (.png for PNG, else JPEG)")
		c.quality = c.fs.Int("quality", 85, "JPEG quality of annotated images (1..100)")
	}
	return c
}

// parse parses args and checks that images were given and the quality is in range.
func (c *modelCommand) parse(args []string) error {
	if err := c.fs.Parse(args); err != nil {
		return err
	}
	if c.fs.NArg() == 0 {
		return fmt.Errorf("%s: no images given (usage: visiond %s [flags] IMAGE...)", c.name, c.name)
	}
	if c.quality != nil && (*c.quality < 1 || *c.quality > 100) {
		return fmt.Errorf("%s: -quality must be between 1 and 100, got %d", c.name, *c.quality)
	}
	return nil
}

// runModel loads the command's model with open and runs it on every image with run, printing
// one JSON line per image; with --annotated it also writes each image with draw's drawing.
func runModel[M interface{ Close() error }, R any](c *modelCommand, stdout, stderr io.Writer,
	open func(models.LoadOptions, catalog.Model) (M, error),
	run func(M, image.Image) (R, models.Timings, error),
	draw func(image.Image, R) image.Image) error {
	m, err := catalog.Lookup(*c.model)
	if err != nil {
		return err
	}
	eng, opts, err := c.engine.open()
	if err != nil {
		return err
	}
	defer eng.Close()
	loaded, err := open(opts, m)
	if err != nil {
		return err
	}
	defer loaded.Close()
	return eachImage(c.fs.Args(), stdout, stderr, func(path string, img image.Image) (any, models.Timings, error) {
		res, t, err := run(loaded, img)
		if err != nil || c.out == nil || *c.out == "" {
			return res, t, err
		}
		dst := annotatedPath(*c.out, path, c.fs.NArg() > 1)
		return res, t, writeAnnotated(dst, draw(img, res), *c.quality)
	}, m.Name)
}
