package check

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/visiond/visiond/deploy/check/kube"
)

const (
	// chart is the chart's folder in the checkout.
	chart = "deploy/helm/visiond"
	// kubeVersion is the Kubernetes version the chart is rendered for.
	kubeVersion = "1.33.0"
)

// valueSets are the values the chart is tested with: its defaults, every option on, and every
// option off.
var valueSets = []struct {
	name  string
	files []string
}{
	{"default", nil},
	{"full", []string{chart + "/ci/full-values.yaml"}},
	{"minimal", []string{chart + "/ci/minimal-values.yaml"}},
}

// valuesArgs are helm's flags for the values files.
func valuesArgs(files []string) []string {
	var args []string
	for _, f := range files {
		args = append(args, "--values", f)
	}
	return args
}

// TestChartLint runs helm lint --strict with each set of values.
func TestChartLint(t *testing.T) {
	for _, vs := range valueSets {
		t.Run(vs.name, func(t *testing.T) {
			out := run(t, nil, helm(t), append([]string{"lint", "--strict", "--kube-version", kubeVersion, chart}, valuesArgs(vs.files)...)...)
			if !strings.Contains(string(out), "1 chart(s) linted, 0 chart(s) failed") {
				t.Errorf("helm lint:\n%s", out)
			}
		})
	}
}

// TestChartRejectsBadValues renders the chart with values its schema refuses: helm must stop
// with a message naming the value.
func TestChartRejectsBadValues(t *testing.T) {
	for _, tc := range []struct{ set, want string }{
		{"replicaCount=0", "/replicaCount"},
		{"models.load=null", "load"},
		{"models.load[0]=../../etc", "/models/load/0"},
		{"config.modles.dir=x", "modles"},
		{"config.models.dir=/tmp", "models"},
		{"mqtt.broker=mosquitto:1883", "/mqtt/broker"},
		{"mqtt.shareGroup=a/b", "/mqtt/shareGroup"},
		{"apiKeys={a,b c}", "/apiKeys/1"},
		{"probes.liveness.path=/metrics", "/probes/liveness/path"},
		{"service.port=70000", "/service/port"},
		{"env[0].name=VISIOND_API_KEYS", "/env/0/name"},
		{"imagee.tag=1", "imagee"},
	} {
		t.Run(tc.set, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), commandLimit)
			defer cancel()
			cmd := exec.CommandContext(ctx, helm(t), "template", "visiond", chart, "--set", tc.set)
			cmd.Dir, cmd.Env = repoRoot, baseEnv(nil)
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), tc.want) {
				t.Errorf("helm template --set %s: %v, want an error naming %s:\n%.600s", tc.set, err, tc.want, out)
			}
		})
	}
}

// manifest is the chart rendered with one set of values, decoded strictly.
type manifest struct {
	kinds          []string
	deployment     *appsv1.Deployment
	configMap      *corev1.ConfigMap
	secret         *corev1.Secret
	service        *corev1.Service
	claim          *corev1.PersistentVolumeClaim
	autoscaler     *autoscalingv2.HorizontalPodAutoscaler
	budget         *policyv1.PodDisruptionBudget
	policy         *networkingv1.NetworkPolicy
	serviceMonitor *monitoringv1.ServiceMonitor
}

// render runs helm template and decodes every object strictly; an object of a kind the chart
// should not make fails the test.
func render(t *testing.T, files []string) manifest {
	t.Helper()
	out := run(t, nil, helm(t), append([]string{"template", "visiond", chart, "--namespace", "vision", "--kube-version", kubeVersion}, valuesArgs(files)...)...)
	objs, err := kube.Decode(out)
	if err != nil {
		t.Fatalf("strict decoding of the rendered chart: %v", err)
	}
	var m manifest
	for _, o := range objs {
		kind := o.GetObjectKind().GroupVersionKind().Kind
		if slices.Contains(m.kinds, kind) {
			t.Errorf("two objects of kind %s", kind)
		}
		m.kinds = append(m.kinds, kind)
		switch v := o.(type) {
		case *appsv1.Deployment:
			m.deployment = v
		case *corev1.ConfigMap:
			m.configMap = v
		case *corev1.Secret:
			m.secret = v
		case *corev1.Service:
			m.service = v
		case *corev1.PersistentVolumeClaim:
			m.claim = v
		case *autoscalingv2.HorizontalPodAutoscaler:
			m.autoscaler = v
		case *policyv1.PodDisruptionBudget:
			m.budget = v
		case *networkingv1.NetworkPolicy:
			m.policy = v
		case *monitoringv1.ServiceMonitor:
			m.serviceMonitor = v
		default:
			t.Errorf("unexpected object %s", kind)
		}
	}
	slices.Sort(m.kinds)
	return m
}

// TestChartRendersValidObjects renders each set of values and checks which objects come out,
// that their selectors find the pods, and that every container is locked down and sized.
func TestChartRendersValidObjects(t *testing.T) {
	want := map[string][]string{
		"default": {"ConfigMap", "Deployment", "HorizontalPodAutoscaler", "NetworkPolicy", "PodDisruptionBudget", "Service"},
		"full": {"ConfigMap", "Deployment", "HorizontalPodAutoscaler", "NetworkPolicy", "PersistentVolumeClaim",
			"PodDisruptionBudget", "Secret", "Service", "ServiceMonitor"},
		"minimal": {"ConfigMap", "Deployment", "Service"},
	}
	for _, vs := range valueSets {
		t.Run(vs.name, func(t *testing.T) {
			m := render(t, vs.files)
			if !slices.Equal(m.kinds, want[vs.name]) {
				t.Fatalf("objects %v, want %v", m.kinds, want[vs.name])
			}
			pod := m.deployment.Spec.Template
			podLabels := labels.Set(pod.Labels)
			selects := func(what string, sel map[string]string) {
				if len(sel) == 0 || !labels.SelectorFromSet(sel).Matches(podLabels) {
					t.Errorf("%s selector %v does not select the pods (%v)", what, sel, pod.Labels)
				}
			}
			selects("Deployment", m.deployment.Spec.Selector.MatchLabels)
			selects("Service", m.service.Spec.Selector)
			if m.budget != nil {
				selects("PodDisruptionBudget", m.budget.Spec.Selector.MatchLabels)
			}
			if m.policy != nil {
				selects("NetworkPolicy", m.policy.Spec.PodSelector.MatchLabels)
			}
			if m.serviceMonitor != nil {
				if !labels.SelectorFromSet(m.serviceMonitor.Spec.Selector.MatchLabels).Matches(labels.Set(m.service.Labels)) {
					t.Errorf("ServiceMonitor selector %v does not select the Service", m.serviceMonitor.Spec.Selector.MatchLabels)
				}
			}

			// The autoscaler scales this Deployment on CPU, which needs CPU requests, and
			// owns the replica count; without it the Deployment says how many.
			if a := m.autoscaler; a != nil {
				ref := a.Spec.ScaleTargetRef
				if ref.Kind != "Deployment" || ref.Name != m.deployment.Name || m.deployment.Spec.Replicas != nil {
					t.Errorf("autoscaler targets %s/%s; Deployment %s has replicas %v", ref.Kind, ref.Name, m.deployment.Name, m.deployment.Spec.Replicas)
				}
				if ms := a.Spec.Metrics; len(ms) != 1 || ms[0].Resource == nil || ms[0].Resource.Name != corev1.ResourceCPU {
					t.Errorf("autoscaler metrics %+v, want CPU", ms)
				}
			} else if r := m.deployment.Spec.Replicas; r == nil || *r != 1 {
				t.Errorf("without an autoscaler the Deployment has replicas %v, want replicaCount 1", r)
			}

			pull, serve := containers(t, m.deployment)
			for _, c := range []corev1.Container{pull, serve} {
				if c.Resources.Requests.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
					t.Errorf("%s: resources %v lack a CPU request or a memory limit", c.Name, c.Resources)
				}
				checkLockedDown(t, pod.Spec, c)
			}
			if len(serve.Ports) != 1 {
				t.Errorf("visiond exposes %v; only HTTP is served in a pod (MQTT goes to an external broker)", serve.Ports)
			}

			for _, vm := range serve.VolumeMounts {
				if vm.Name == "models" && vm.ReadOnly {
					t.Error("visiond's models mount is read-only: it caches its ONNX conversions there")
				}
			}
			// With persistence the models volume is the claim; without, an emptyDir.
			models := volume(t, pod.Spec, "models")
			switch {
			case m.claim != nil && (models.PersistentVolumeClaim == nil || models.PersistentVolumeClaim.ClaimName != m.claim.Name):
				t.Errorf("models volume %+v does not use claim %s", models.VolumeSource, m.claim.Name)
			case m.claim == nil && models.EmptyDir == nil:
				t.Errorf("models volume %+v, want an emptyDir", models.VolumeSource)
			}
		})
	}
}

// containers returns the Deployment's models init container and visiond container.
func containers(t *testing.T, d *appsv1.Deployment) (pull, serve corev1.Container) {
	t.Helper()
	spec := d.Spec.Template.Spec
	if len(spec.InitContainers) != 1 || len(spec.Containers) != 1 {
		t.Fatalf("want one init container and one container, got %d and %d", len(spec.InitContainers), len(spec.Containers))
	}
	return spec.InitContainers[0], spec.Containers[0]
}

// checkLockedDown requires a non-root user, a read-only root file system, no privilege
// escalation and no capabilities.
func checkLockedDown(t *testing.T, pod corev1.PodSpec, c corev1.Container) {
	t.Helper()
	sc := c.SecurityContext
	ok := sc != nil && sc.RunAsNonRoot != nil && *sc.RunAsNonRoot &&
		sc.RunAsUser != nil && *sc.RunAsUser == 10001 && sc.RunAsGroup != nil && *sc.RunAsGroup == 10001 &&
		sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem &&
		sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation &&
		sc.Capabilities != nil && slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) && len(sc.Capabilities.Add) == 0
	if !ok {
		t.Errorf("%s: security context %+v is not locked down", c.Name, sc)
	}
	if ps := pod.SecurityContext; ps == nil || ps.FSGroup == nil || *ps.FSGroup != 10001 ||
		ps.SeccompProfile == nil || ps.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod security context %+v: want fsGroup 10001 and the runtime's seccomp profile", ps)
	}
}

// volume finds a volume of the pod by name.
func volume(t *testing.T, pod corev1.PodSpec, name string) corev1.Volume {
	t.Helper()
	for _, v := range pod.Volumes {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no volume %q", name)
	return corev1.Volume{}
}

// mountPath is where container c mounts the named volume.
func mountPath(t *testing.T, c corev1.Container, name string) string {
	t.Helper()
	for _, m := range c.VolumeMounts {
		if m.Name == name {
			return m.MountPath
		}
	}
	t.Fatalf("%s does not mount %q", c.Name, name)
	return ""
}

// envValue finds a variable of container c.
func envValue(c corev1.Container, name string) (corev1.EnvVar, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e, true
		}
	}
	return corev1.EnvVar{}, false
}

// containerPort resolves a probe's or a Service's target port, by name or number.
func containerPort(t *testing.T, c corev1.Container, p intstr.IntOrString) int32 {
	t.Helper()
	for _, cp := range c.Ports {
		if (p.Type == intstr.String && cp.Name == p.StrVal) || (p.Type == intstr.Int && cp.ContainerPort == p.IntVal) {
			return cp.ContainerPort
		}
	}
	t.Fatalf("%s has no port %s", c.Name, p.String())
	return 0
}

// TestDeploymentServes runs what the rendered Deployment runs: the init container's command
// pulls the models (from the shared folder rather than the network), then visiond serves with
// the rendered ConfigMap and the container's environment (the API keys from the rendered
// Secret), its listen address moved to a free loopback port. The probes, the Service's target
// port and the ServiceMonitor's scrape must then answer, and with a broker configured, a
// camera's frame published to a real Mosquitto must come back as detections.
func TestDeploymentServes(t *testing.T) {
	for _, vs := range valueSets {
		t.Run(vs.name, func(t *testing.T) {
			m := render(t, vs.files)
			pull, serve := containers(t, m.deployment)
			pod := m.deployment.Spec.Template.Spec

			// The configuration file visiond reads is the ConfigMap's, where it is mounted.
			cm := volume(t, pod, "config").ConfigMap
			if cm == nil || cm.Name != m.configMap.Name || len(cm.Items) != 1 {
				t.Fatalf("config volume %+v does not hold ConfigMap %s's file", cm, m.configMap.Name)
			}
			env, ok := envValue(serve, "VISIOND_CONFIG")
			if want := filepath.Join(mountPath(t, serve, "config"), cm.Items[0].Path); !ok || env.Value != want {
				t.Errorf("VISIOND_CONFIG is %q, the ConfigMap's file is at %s", env.Value, want)
			}
			file := filepath.Join(t.TempDir(), "visiond.yaml")
			if err := os.WriteFile(file, []byte(m.configMap.Data[cm.Items[0].Key]), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg := configPrint(t, file, nil)

			// The models: where both containers mount them, where visiond looks, and which.
			modelsDir := mountPath(t, serve, "models")
			for _, c := range []corev1.Container{pull, serve} {
				if mountPath(t, c, "models") != modelsDir {
					t.Errorf("%s mounts the models at %s, visiond at %s", c.Name, mountPath(t, c, "models"), modelsDir)
				}
				if e, _ := envValue(c, "VISIOND_MODELS_DIR"); e.Value != modelsDir {
					t.Errorf("%s: VISIOND_MODELS_DIR %q, models mounted at %s", c.Name, e.Value, modelsDir)
				}
			}
			if cfg.Models.Dir != modelsDir {
				t.Errorf("config models.dir %s, models mounted at %s", cfg.Models.Dir, modelsDir)
			}
			if len(pull.Args) < 3 || pull.Args[0] != "models" || pull.Args[1] != "pull" || !slices.Equal(pull.Args[2:], cfg.Models.Load) {
				t.Errorf("init container runs %v; visiond serves %v", pull.Args, cfg.Models.Load)
			}

			// The HTTP port: the container's, the configuration's, the Service's.
			port := containerPort(t, serve, intstr.FromString("http"))
			if _, p, _ := net.SplitHostPort(cfg.HTTP.Addr); p != strconv.Itoa(int(port)) {
				t.Errorf("visiond listens on %s, the container port is %d", cfg.HTTP.Addr, port)
			}
			if sp := m.service.Spec.Ports; len(sp) != 1 || containerPort(t, serve, sp[0].TargetPort) != port {
				t.Errorf("Service ports %+v do not lead to %d", sp, port)
			}
			if grace, _ := time.ParseDuration(cfg.ShutdownTimeout); pod.TerminationGracePeriodSeconds == nil ||
				time.Duration(*pod.TerminationGracePeriodSeconds)*time.Second <= grace {
				t.Errorf("terminationGracePeriodSeconds %v leaves no room for shutdown_timeout %s", pod.TerminationGracePeriodSeconds, cfg.ShutdownTimeout)
			}

			// The environment, secrets resolved. startStack moves the paths and addresses to
			// this machine, where the init container's command pulls the models.
			var vars []string
			var apiKeys string
			for _, e := range serve.Env {
				switch {
				case e.Name == "VISIOND_CONFIG" || e.Name == "VISIOND_MODELS_DIR": // moved here
				case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
					apiKeys = secretValue(t, m, e.ValueFrom.SecretKeyRef)
					vars = append(vars, e.Name+"="+apiKeys)
				case e.ValueFrom != nil:
					t.Fatalf("variable %s comes from %+v, which the test does not resolve", e.Name, e.ValueFrom)
				default:
					vars = append(vars, e.Name+"="+e.Value)
				}
			}
			if apiKeys != "" {
				if e, _ := envValue(serve, "VISIOND_API_KEYS"); e.ValueFrom == nil {
					t.Error("the Secret's keys do not reach VISIOND_API_KEYS")
				}
			}
			if len(serve.Command) != 0 || !slices.Equal(serve.Args, []string{"serve"}) {
				t.Errorf("container runs %v %v; the image's entrypoint is visiond, so args [serve]", serve.Command, serve.Args)
			}
			brokerConf := ""
			if cfg.MQTT.Enabled {
				if cfg.MQTT.Broker == "" || cfg.MQTT.ShareGroup == "" {
					t.Errorf("MQTT on without an external broker and a share group: %+v", cfg.MQTT)
				}
				brokerConf = "listener 1883\nallow_anonymous true\npersistence false\n"
			}
			st := startStack(t, pull.Args, serve.Args, vars, file, brokerConf)
			daemon, base := st.daemon, st.base

			for name, p := range map[string]*corev1.Probe{"startup": serve.StartupProbe, "liveness": serve.LivenessProbe, "readiness": serve.ReadinessProbe} {
				if p == nil || p.HTTPGet == nil {
					t.Fatalf("%s probe %+v is not an HTTP GET", name, p)
				}
				if containerPort(t, serve, p.HTTPGet.Port) != port || p.HTTPGet.Scheme == corev1.URISchemeHTTPS {
					t.Errorf("%s probe asks port %s (%s), visiond serves HTTP on %d", name, p.HTTPGet.Port.String(), p.HTTPGet.Scheme, port)
				}
				body := waitOK(t, daemon, base+p.HTTPGet.Path)
				t.Logf("%s probe GET %s: 200 %s", name, p.HTTPGet.Path, strings.TrimSpace(body))
				if p.HTTPGet.Path == "/readyz" {
					for _, model := range cfg.Models.Load {
						if !strings.Contains(body, strconv.Quote(model)) {
							t.Errorf("ready without model %s: %s", model, body)
						}
					}
				}
			}
			if serve.StartupProbe.HTTPGet.Path != "/readyz" || serve.LivenessProbe.HTTPGet.Path != "/healthz" {
				t.Errorf("startup probe %s, liveness %s: want /readyz (models loaded) and /healthz",
					serve.StartupProbe.HTTPGet.Path, serve.LivenessProbe.HTTPGet.Path)
			}

			if sm := m.serviceMonitor; sm != nil {
				scrape(t, m, sm, base, apiKeys != "" && cfg.HTTP.MetricsAuth)
			}
			if apiKeys != "" {
				if status, _ := get(t, base+"/v1/models"); status != http.StatusUnauthorized {
					t.Errorf("GET /v1/models without a key: %d, want 401", status)
				}
				for _, key := range strings.Split(apiKeys, ",") {
					if status, body := get(t, base+"/v1/models", "X-API-Key: "+key); status != http.StatusOK {
						t.Errorf("GET /v1/models with key %q: %d %s", key, status, body)
					}
				}
			}
			if st.broker != nil {
				st.mqttCheck(t, cfg)
			}
			st.checkHomeUntouched(t)
		})
	}
}

// secretValue reads a key of the rendered Secret.
func secretValue(t *testing.T, m manifest, ref *corev1.SecretKeySelector) string {
	t.Helper()
	if m.secret == nil || m.secret.Name != ref.Name {
		t.Fatalf("Secret %s is not rendered", ref.Name)
	}
	v, ok := m.secret.Data[ref.Key]
	if !ok || len(v) == 0 {
		t.Fatalf("Secret %s has no key %s", ref.Name, ref.Key)
	}
	return string(v)
}

// scrape fetches /metrics the way the ServiceMonitor says Prometheus should.
func scrape(t *testing.T, m manifest, sm *monitoringv1.ServiceMonitor, base string, needsKey bool) {
	t.Helper()
	if len(sm.Spec.Endpoints) != 1 {
		t.Fatalf("ServiceMonitor endpoints %+v", sm.Spec.Endpoints)
	}
	ep := sm.Spec.Endpoints[0]
	if ep.Port != m.service.Spec.Ports[0].Name {
		t.Errorf("ServiceMonitor scrapes port %q, the Service's is %q", ep.Port, m.service.Spec.Ports[0].Name)
	}
	var headers []string
	if auth := ep.Authorization; auth != nil && auth.Credentials != nil {
		headers = append(headers, "Authorization: "+auth.Type+" "+secretValue(t, m, auth.Credentials))
	} else if needsKey {
		t.Error("/metrics needs a key and the ServiceMonitor sends none")
	}
	status, body := get(t, base+ep.Path, headers...)
	if status != http.StatusOK || !strings.Contains(body, "visiond_models_loaded") {
		t.Errorf("scrape of %s: %d\n%.300s", ep.Path, status, body)
	}
	if needsKey {
		if status, _ := get(t, base+ep.Path); status != http.StatusUnauthorized {
			t.Errorf("scrape without the key: %d, want 401", status)
		}
	}
}
