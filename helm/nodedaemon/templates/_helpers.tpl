{{/* The chart's name, or nameOverride. */}}
{{- define "nodedaemon.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name, at most 63 characters: fullnameOverride, or release and name. */}}
{{- define "nodedaemon.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "nodedaemon.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The Prometheus job of the operator's metrics: the Service's name, as the ServiceMonitor sets it. */}}
{{- define "nodedaemon.metricsJob" -}}
{{- include "nodedaemon.fullname" . }}-metrics
{{- end -}}

{{- define "nodedaemon.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nodedaemon.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "nodedaemon.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "nodedaemon.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "nodedaemon.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "nodedaemon.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The namespaces the operator watches: empty for all namespaces. */}}
{{- define "nodedaemon.watchedNamespaces" -}}
{{- if eq .Values.watch.scope "namespaces" -}}
{{- if .Values.watch.namespaces -}}
{{- join "," (uniq .Values.watch.namespaces) -}}
{{- else -}}
{{- .Release.Namespace -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The operator's JVM options: files/jvm-options (one per line, '#' comments; hack/operator reads the
same file), then jvm.extraOptions, which win where they repeat one.
*/}}
{{- define "nodedaemon.jvmOptions" -}}
{{- $options := list -}}
{{- range (.Files.Get "files/jvm-options" | splitList "\n") -}}
{{- $line := trim . -}}
{{- if and $line (not (hasPrefix "#" $line)) -}}
{{- $options = append $options $line -}}
{{- end -}}
{{- end -}}
{{- with .Values.jvm.extraOptions -}}
{{- $options = append $options . -}}
{{- end -}}
{{- join " " $options -}}
{{- end -}}
