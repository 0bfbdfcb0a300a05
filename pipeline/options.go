package pipeline

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/visiond/visiond/models"
)

// Options are the per-request settings of the tasks. Zero values mean the model's defaults.
type Options struct {
	MinScore  float64  // detect, pose, hands: drop results scoring below this
	Max       int      // detect: most boxes; pose: most poses; hands: most hands
	Classes   []string // detect: keep only these labels
	Top       int      // classify: number of classes
	Multi     bool     // pose: find several people
	NMSRadius float64  // pose with Multi: how close a part may come to the same part of a better pose
}

// option is one field of Options as it travels: its name in HTTP fields, MQTT members and (with
// dashes) CLI flags, and how its text is read.
type option struct {
	name string
	set  func(o *Options, v string) error
}

// options are every Options field by name; a task lists the ones it reads.
var options = []option{
	{"min_score", func(o *Options, v string) (err error) { o.MinScore, err = ParseScore(v); return }},
	{"max", func(o *Options, v string) (err error) { o.Max, err = parseInt(v); return }},
	{"classes", func(o *Options, v string) error { o.Classes = splitList(v); return nil }},
	{"top", func(o *Options, v string) (err error) { o.Top, err = parseInt(v); return }},
	{"multi", func(o *Options, v string) (err error) { o.Multi, err = ParseFlag(v); return }},
	{"nms_radius", func(o *Options, v string) (err error) { o.NMSRadius, err = parseFloat(v); return }},
}

// Set reads the option called name from its text: min_score, max, classes (comma-separated),
// top, multi or nms_radius. An unknown name is ignored (ok false); a bad value is an error
// wrapping models.ErrBadOption that names the field.
func (o *Options) Set(name, value string) (ok bool, err error) {
	for _, opt := range options {
		if opt.name == name {
			if err := opt.set(o, value); err != nil {
				return true, fmt.Errorf("%w: %s: %q is not %v", models.ErrBadOption, name, value, err)
			}
			return true, nil
		}
	}
	return false, nil
}

// want is what a value should have been, for messages.
type want string

func (w want) Error() string { return string(w) }

// ParseScore reads a score threshold between 0 and 1. An explicit 0 means "everything", as
// in TensorFlow.js, where the models take 0 to mean their default.
func ParseScore(v string) (float64, error) {
	x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, want("a number between 0 and 1")
	}
	if x == 0 {
		x = math.SmallestNonzeroFloat64
	}
	return x, nil
}

func parseInt(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, want("a whole number")
	}
	return n, nil
}

func parseFloat(v string) (float64, error) {
	x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, want("a number")
	}
	return x, nil
}

// ParseFlag reads a boolean; an empty value (?annotate, --multi) means true.
func ParseFlag(v string) (bool, error) {
	if v = strings.TrimSpace(v); v == "" {
		return true, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, want("true or false")
	}
	return b, nil
}

// splitList splits a comma-separated list, dropping spaces and empty items.
func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
