package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strings"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/pipeline"
)

// input is what a request body carries: the encoded image and the fields sent beside it.
type input struct {
	image  []byte
	fields map[string]string
	// free gives the body's memory back to the server's budget (nil: nothing to give).
	free func()
}

// release gives the body's memory back; the input must not be used after.
func (in input) release() {
	if in.free != nil {
		in.free()
	}
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
// Errors wrap pipeline.ErrBadRequest.
func parseBody(contentType string, body []byte) (input, error) {
	if mt, params, err := mime.ParseMediaType(contentType); err == nil && mt == "multipart/form-data" {
		return parseMultipart(body, params["boundary"])
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return input{}, fmt.Errorf("%w: empty body: %s", pipeline.ErrBadRequest, howToSend)
	}
	if trimmed[0] == '{' {
		return parseJSON(body)
	}
	return input{image: body, fields: map[string]string{}}, nil
}

func parseMultipart(body []byte, boundary string) (input, error) {
	if boundary == "" {
		return input{}, fmt.Errorf("%w: multipart/form-data without a boundary", pipeline.ErrBadRequest)
	}
	in := input{fields: map[string]string{}}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return input{}, fmt.Errorf("%w: malformed multipart body: %v", pipeline.ErrBadRequest, err)
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return input{}, fmt.Errorf("%w: malformed multipart body: %v", pipeline.ErrBadRequest, err)
		}
		switch name := part.FormName(); {
		case name == "image" && in.image != nil:
			return input{}, fmt.Errorf("%w: more than one image in the form; send one per request", pipeline.ErrBadRequest)
		case name == "image":
			in.image = data
		case part.FileName() == "" && name != "":
			in.fields[name] = string(data)
		}
	}
	if len(in.image) == 0 {
		return input{}, fmt.Errorf(`%w: the form has no (or an empty) "image" field: %s`, pipeline.ErrBadRequest, howToSend)
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

// newRequest is the pipeline request for task that the fields (query parameters and body
// fields, see mergeFields) and image make: the options the task reads, model, annotate and
// format. Values are checked for their type here and for their range by the model; errors
// wrap models.ErrBadOption and name the field. Other fields are ignored.
func newRequest(task pipeline.Task, f map[string]string, image []byte) (pipeline.Request, error) {
	req := pipeline.Request{Task: task.Name, Model: strings.TrimSpace(f["model"]), Image: image}
	for _, o := range task.Options {
		if v, ok := f[o.Name]; ok {
			if _, err := req.Options.Set(o.Name, v); err != nil {
				return req, err
			}
		}
	}
	if v, ok := f["annotate"]; ok {
		var err error
		if req.Annotate, err = pipeline.ParseFlag(v); err != nil {
			return req, fmt.Errorf("%w: annotate: %q is not %v", models.ErrBadOption, v, err)
		}
	}
	if v, ok := f["format"]; ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "jpeg", "jpg":
			req.Format = annotate.JPEG
		case "png":
			req.Format = annotate.PNG
		default:
			return req, fmt.Errorf("%w: format: %q is not jpeg or png", models.ErrBadOption, v)
		}
	}
	return req, nil
}
