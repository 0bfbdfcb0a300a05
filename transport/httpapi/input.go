package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/pipeline"
	"github.com/visiond/visiond/transport/imagedata"
)

// input is what a request body carries: the encoded image and the fields sent beside it.
type input struct {
	image  []byte
	fields map[string]string
}

const howToSend = `send the image as the body, as multipart field "image", or as JSON {"image": "<base64 or data: URI>"}`

// parseBody finds the image in a request body, in one of three forms:
//   - multipart/form-data (the header is needed for its boundary): the part named "image",
//     other non-file parts become fields;
//   - a JSON object (sniffed from its first byte, whatever the header says): "image" holds
//     base64 or a data: URI, other members become fields;
//   - anything else is the image itself, whose format the decoder sniffs from its bytes
//     (Node-RED, curl --data-binary and cameras label it in many ways).
//
// Errors wrap errBadRequest.
func parseBody(contentType string, body []byte) (input, error) {
	if mt, params, err := mime.ParseMediaType(contentType); err == nil && mt == "multipart/form-data" {
		return parseMultipart(body, params["boundary"])
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return input{}, fmt.Errorf("%w: empty body: %s", errBadRequest, howToSend)
	}
	if trimmed[0] == '{' {
		return parseJSON(body)
	}
	return input{image: body, fields: map[string]string{}}, nil
}

func parseMultipart(body []byte, boundary string) (input, error) {
	if boundary == "" {
		return input{}, fmt.Errorf("%w: multipart/form-data without a boundary", errBadRequest)
	}
	in := input{fields: map[string]string{}}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return input{}, fmt.Errorf("%w: malformed multipart body: %v", errBadRequest, err)
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return input{}, fmt.Errorf("%w: malformed multipart body: %v", errBadRequest, err)
		}
		switch name := part.FormName(); {
		case name == "image" && in.image != nil:
			return input{}, fmt.Errorf("%w: more than one image in the form; send one per request", errBadRequest)
		case name == "image":
			in.image = data
		case part.FileName() == "" && name != "":
			in.fields[name] = string(data)
		}
	}
	if len(in.image) == 0 {
		return input{}, fmt.Errorf(`%w: the form has no (or an empty) "image" field: %s`, errBadRequest, howToSend)
	}
	return in, nil
}

func parseJSON(body []byte) (input, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return input{}, fmt.Errorf("%w: malformed JSON body: %v", errBadRequest, err)
	}
	in := input{fields: map[string]string{}}
	for name, raw := range members {
		if name == "image" {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return input{}, fmt.Errorf(`%w: "image" must be a string of base64 or a data: URI`, errBadRequest)
			}
			img, err := imagedata.Decode(s)
			if err != nil {
				return input{}, fmt.Errorf("%w: %v", errBadRequest, err)
			}
			in.image = img
			continue
		}
		v, ok, err := jsonField(raw)
		if err != nil {
			return input{}, fmt.Errorf("%w: %s: %v", errBadRequest, name, err)
		}
		if ok {
			in.fields[name] = v
		}
	}
	if in.image == nil {
		return input{}, fmt.Errorf(`%w: the JSON body has no "image" member: %s`, errBadRequest, howToSend)
	}
	return in, nil
}

// jsonField turns a JSON member into the text a query parameter would carry: strings as they
// are, numbers and booleans as written, lists comma-joined; null is absent (ok false).
func jsonField(raw json.RawMessage) (v string, ok bool, err error) {
	var x any
	if err := json.Unmarshal(raw, &x); err != nil {
		return "", false, err
	}
	switch x := x.(type) {
	case nil:
		return "", false, nil
	case string:
		return x, true, nil
	case bool, float64:
		return string(bytes.TrimSpace(raw)), true, nil
	case []any:
		items := make([]string, len(x))
		for i, item := range x {
			s, ok := item.(string)
			if !ok {
				return "", false, errors.New("want a list of strings")
			}
			items[i] = s
		}
		return strings.Join(items, ","), true, nil
	}
	return "", false, errors.New("want a string, number, boolean or list of strings")
}

// mergeFields joins the query parameters and the body's fields; the body wins. A parameter
// given several times is comma-joined (classes=person&classes=car).
func mergeFields(query url.Values, body map[string]string) map[string]string {
	out := make(map[string]string, len(query)+len(body))
	for k, v := range query {
		out[k] = strings.Join(v, ",")
	}
	for k, v := range body {
		out[k] = v
	}
	return out
}

// options are the settings of one vision request.
type options struct {
	model    string
	task     pipeline.Options
	annotate bool
	format   annotate.Format
}

// parseOptions reads the option fields of a vision request. Values are checked for their
// type here and for their range by the model; errors wrap models.ErrBadOption and name the
// field. Unknown fields are ignored.
func parseOptions(f map[string]string) (options, error) {
	var o options
	var err error
	bad := func(field, v, want string) error {
		return fmt.Errorf("%w: %s: %q is not %s", models.ErrBadOption, field, v, want)
	}
	o.model = strings.TrimSpace(f["model"])
	if v, ok := f["min_score"]; ok {
		var ok bool
		if o.task.MinScore, ok = parseScore(v); !ok {
			return o, bad("min_score", v, "a number between 0 and 1")
		}
	}
	for _, n := range []struct {
		field string
		dst   *int
	}{{"max", &o.task.Max}, {"top", &o.task.Top}} {
		if v, ok := f[n.field]; ok {
			if *n.dst, err = strconv.Atoi(strings.TrimSpace(v)); err != nil {
				return o, bad(n.field, v, "a whole number")
			}
		}
	}
	if v, ok := f["classes"]; ok {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" {
				o.task.Classes = append(o.task.Classes, c)
			}
		}
	}
	for _, b := range []struct {
		field string
		dst   *bool
	}{{"multi", &o.task.Multi}, {"annotate", &o.annotate}} {
		if v, ok := f[b.field]; ok {
			if *b.dst, err = parseFlag(v); err != nil {
				return o, bad(b.field, v, "true or false")
			}
		}
	}
	if v, ok := f["format"]; ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "jpeg", "jpg":
			o.format = annotate.JPEG
		case "png":
			o.format = annotate.PNG
		default:
			return o, bad("format", v, "jpeg or png")
		}
	}
	return o, nil
}

// parseScore reads a score threshold. An explicit 0 means "everything", as in TensorFlow.js,
// where the models take 0 to mean their default.
func parseScore(v string) (float64, bool) {
	x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, false
	}
	if x == 0 {
		x = math.SmallestNonzeroFloat64
	}
	return x, true
}

// parseFlag reads a boolean; an empty value (?annotate) means true.
func parseFlag(v string) (bool, error) {
	if v = strings.TrimSpace(v); v == "" {
		return true, nil
	}
	return strconv.ParseBool(v)
}
