{{/* The chart's name, or nameOverride. */}}
{{- define "visiond.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of the release's objects: fullnameOverride, or release-chart (the release alone when it already names the chart). */}}
{{- define "visiond.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels that select the pods. */}}
{{- define "visiond.selectorLabels" -}}
app.kubernetes.io/name: {{ include "visiond.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "visiond.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "visiond.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The image reference. */}}
{{- define "visiond.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The Secret holding the API keys. */}}
{{- define "visiond.secretName" -}}
{{- default (include "visiond.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{/* Whether clients need an API key. */}}
{{- define "visiond.apiKeys" -}}
{{- if or .Values.apiKeys .Values.existingSecret }}true{{ end -}}
{{- end -}}

{{/* The claim holding the models, when they persist. */}}
{{- define "visiond.claimName" -}}
{{- default (printf "%s-models" (include "visiond.fullname" .)) .Values.models.persistence.existingClaim -}}
{{- end -}}

{{/* The port visiond serves HTTP on inside the pod (the image's). */}}
{{- define "visiond.httpPort" -}}8080{{- end -}}

{{/* Where the image reads its configuration and keeps its models. */}}
{{- define "visiond.configDir" -}}/etc/visiond{{- end -}}
{{- define "visiond.modelsDir" -}}/var/lib/visiond/models{{- end -}}

{{/* visiond.yaml: the values' config, with the keys the chart owns set over it. */}}
{{- define "visiond.config" -}}
{{- $owned := dict
  "models" (dict "dir" (include "visiond.modelsDir" .) "load" .Values.models.load)
  "http" (dict "addr" (printf ":%s" (include "visiond.httpPort" .)))
  "mqtt" (dict "enabled" (not (empty .Values.mqtt.broker)) "broker" .Values.mqtt.broker "share_group" .Values.mqtt.shareGroup) -}}
{{- toYaml (mustMergeOverwrite (deepCopy .Values.config) $owned) -}}
{{- end -}}

{{/* A container's security context: non-root, read-only root file system, no privileges. */}}
{{- define "visiond.containerSecurity" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/* An HTTP probe on the http port from one entry of .Values.probes. */}}
{{- define "visiond.probe" -}}
httpGet:
  path: {{ .path }}
  port: http
periodSeconds: {{ .periodSeconds }}
timeoutSeconds: {{ .timeoutSeconds }}
failureThreshold: {{ .failureThreshold }}
{{- end -}}
