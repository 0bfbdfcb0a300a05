package kube

import (
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
)

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: web:1
          ports: [{name: http, containerPort: 8080}]
`

const serviceMonitor = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  endpoints:
    - port: http
      path: /metrics
      interval: 30s
`

func TestDecodeAcceptsValidObjects(t *testing.T) {
	objs, err := Decode([]byte("---\n# Source: only a comment\n---\n" + deployment + "---\n" + serviceMonitor))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 {
		t.Fatalf("got %d objects, want 2", len(objs))
	}
	d, ok := objs[0].(*appsv1.Deployment)
	if !ok || *d.Spec.Replicas != 2 || d.Spec.Template.Spec.Containers[0].Ports[0].ContainerPort != 8080 {
		t.Errorf("first object: %#v", objs[0])
	}
	sm, ok := objs[1].(*monitoringv1.ServiceMonitor)
	if !ok || sm.Spec.Endpoints[0].Path != "/metrics" {
		t.Errorf("second object: %#v", objs[1])
	}
	bad := strings.Replace(deployment, "replicas: 2", "replicas: two", 1)
	if _, err := Decode([]byte(deployment + "---\n" + bad)); err == nil || !strings.HasPrefix(err.Error(), "document 1 (Deployment)") {
		t.Errorf("error %v, want one naming document 1", err)
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"unknown field", strings.Replace(deployment, "replicas: 2", "replicas: 2\n  replica: 3", 1), `unknown field "spec.replica"`},
		{"misplaced field", strings.Replace(deployment, "image: web:1", "image: web:1\n          runAsUser: 10001", 1), `unknown field "spec.template.spec.containers[0].runAsUser"`},
		{"wrong type", strings.Replace(deployment, "replicas: 2", "replicas: two", 1), "replicas"},
		{"port as string", strings.Replace(deployment, "containerPort: 8080", `containerPort: "8080"`, 1), "containerPort"},
		{"duplicate key", strings.Replace(deployment, "replicas: 2", "replicas: 2\n  replicas: 3", 1), "replicas"},
		{"unknown ServiceMonitor field", strings.Replace(serviceMonitor, "interval: 30s", "interval: 30s\n      every: 30s", 1), `unknown field "spec.endpoints[0].every"`},
		{"unknown kind", strings.Replace(deployment, "kind: Deployment", "kind: Deploymint", 1), "Deploymint"},
		{"no kind", "metadata: {name: x}\n", "'Kind' is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}
