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
A duration such as 15s, 1m30s or 500ms, in milliseconds (the values schema admits only these forms).
*/}}
{{- define "nodedaemon.millis" -}}
{{- $total := 0.0 -}}
{{- range (regexFindAll "[0-9.]+(ms|s|m|h)" . -1) -}}
{{- $n := float64 (regexFind "^[0-9.]+" .) -}}
{{- if hasSuffix "ms" . -}}{{- $total = addf $total $n -}}
{{- else if hasSuffix "h" . -}}{{- $total = addf $total (mulf $n 3600000) -}}
{{- else if hasSuffix "m" . -}}{{- $total = addf $total (mulf $n 60000) -}}
{{- else -}}{{- $total = addf $total (mulf $n 1000) -}}
{{- end -}}
{{- end -}}
{{- $total -}}
{{- end -}}

{{/*
Settings that would let two operators write the same pods are refused at install: more than one
replica without leader election, and a leader that may still act after its lease could pass to
another (renewDeadline not shorter than leaseDuration, retryPeriod not shorter than renewDeadline).
*/}}
{{- define "nodedaemon.validateLeaderElection" -}}
{{- $le := .Values.leaderElection -}}
{{- if and (gt (int .Values.replicaCount) 1) (not $le.enabled) -}}
{{- fail (printf "replicaCount %d needs leaderElection.enabled: without it every replica reconciles and two operators write the same pods" (int .Values.replicaCount)) -}}
{{- end -}}
{{- if $le.enabled -}}
{{- $lease := include "nodedaemon.millis" $le.leaseDuration | float64 -}}
{{- $renew := include "nodedaemon.millis" $le.renewDeadline | float64 -}}
{{- $retry := include "nodedaemon.millis" $le.retryPeriod | float64 -}}
{{- if ge $renew $lease -}}
{{- fail (printf "leaderElection.renewDeadline (%s) must be shorter than leaseDuration (%s): a leader that cannot renew must stop before another replica may take the lease" $le.renewDeadline $le.leaseDuration) -}}
{{- end -}}
{{- if ge $retry $renew -}}
{{- fail (printf "leaderElection.retryPeriod (%s) must be shorter than renewDeadline (%s): the leader must get to retry a renewal before its deadline" $le.retryPeriod $le.renewDeadline) -}}
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
