// Package kube decodes Kubernetes manifests strictly against the API's Go types, offline: an
// unknown field, a duplicate field or a value of the wrong type is an error, as the API server
// with field validation would report it. It knows the built-in kinds of client-go's scheme and
// the Prometheus Operator's monitoring.coreos.com/v1 kinds (ServiceMonitor), decoded into the
// operator's own Go types.
package kube

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// maxDocument bounds one YAML document of a manifest stream.
const maxDocument = 4 << 20

// decoder is the strict universal deserializer over client-go's scheme and the monitoring
// types.
var decoder = func() runtime.Decoder {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		panic(err)
	}
	if err := monitoringv1.AddToScheme(scheme); err != nil {
		panic(err)
	}
	return serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
}()

// Decode reads a stream of YAML documents separated by "---" and decodes each non-empty one
// strictly into its typed object (*appsv1.Deployment, *monitoringv1.ServiceMonitor, ...). It
// returns the objects in order, or the first error, naming the document by its position from 0.
func Decode(manifests []byte) ([]runtime.Object, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReaderSize(bytes.NewReader(manifests), 64<<10))
	var out []runtime.Object
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if len(doc) > maxDocument {
			return nil, fmt.Errorf("document %d: %d bytes, more than %d", i, len(doc), maxDocument)
		}
		js, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if string(bytes.TrimSpace(js)) == "null" {
			continue // only comments, as `helm template` writes between files
		}
		obj, gvk, err := decoder.Decode(js, nil, nil)
		if err != nil {
			name := "no kind"
			if gvk != nil && gvk.Kind != "" {
				name = gvk.Kind
			}
			return nil, fmt.Errorf("document %d (%s): %w", i, name, err)
		}
		out = append(out, obj)
	}
}
