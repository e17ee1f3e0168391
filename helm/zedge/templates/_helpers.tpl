{{/*
Names and labels (helm.sh chart_best_practices/labels). Selectors use only the immutable
pair app.kubernetes.io/name + app.kubernetes.io/instance.
*/}}
{{- define "zedge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "zedge.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* fullname plus a suffix, still a valid 63-character DNS label. */}}
{{- define "zedge.suffixedName" -}}
{{- $suffix := .suffix }}
{{- printf "%s-%s" (include "zedge.fullname" .root | trunc (int (sub 62 (len $suffix))) | trimSuffix "-") $suffix }}
{{- end }}

{{- define "zedge.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "zedge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "zedge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "zedge.labels" -}}
helm.sh/chart: {{ include "zedge.chart" . }}
{{ include "zedge.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: zedge
{{- end }}

{{- define "zedge.image" -}}
{{- printf "%s:%s" .Values.image.repository (toString (default .Chart.AppVersion .Values.image.tag)) }}
{{- end }}

{{- define "zedge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "zedge.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "zedge.adminTokenSecretName" -}}
{{- default (include "zedge.suffixedName" (dict "root" . "suffix" "admin-token")) .Values.admin.token.existingSecret }}
{{- end }}

{{- define "zedge.adminTokenSecretKey" -}}
{{- if .Values.admin.token.existingSecret }}{{ .Values.admin.token.existingSecretKey }}{{ else }}token{{ end }}
{{- end }}

{{/* "true" when zedge runs as a native sidecar (initContainers, restartPolicy: Always). */}}
{{- define "zedge.nativeSidecar" -}}
{{- if and (eq .Values.mode "sidecar") .Values.sidecar.native }}true{{ end }}
{{- end }}

{{/*
Pod termination budget: preStop wait + zedge's drain + slack, always above the drain
timeout so the kubelet's SIGKILL never cuts a drain short.
*/}}
{{- define "zedge.terminationGracePeriodSeconds" -}}
{{- $drain := int .Values.zedge.drainTimeoutSeconds }}
{{- $given := int .Values.shutdown.terminationGracePeriodSeconds }}
{{- if gt $given 0 }}
{{- if le $given $drain }}
{{- fail (printf "shutdown.terminationGracePeriodSeconds (%d) must be above zedge.drainTimeoutSeconds (%d)" $given $drain) }}
{{- end }}
{{- $given }}
{{- else }}
{{- add (include "zedge.preStopSleepSeconds" . | int) $drain (int .Values.shutdown.extraGraceSeconds) }}
{{- end }}
{{- end }}

{{- define "zedge.preStopSleepSeconds" -}}
{{- if eq .Values.shutdown.preStopMode "none" }}0{{ else }}{{ int .Values.shutdown.preStopSleepSeconds }}{{ end }}
{{- end }}

{{/* "true" when the preStop hooks drain zedge through zedge-drain (shutdown.preStopMode). */}}
{{- define "zedge.drainHook" -}}
{{- if eq .Values.shutdown.preStopMode "drain" }}true{{ end }}
{{- end }}

{{/* Where the handler container finds zedge-drain (sidecar mode, preStopMode drain). */}}
{{- define "zedge.hooksMountPath" -}}
/zedge-hooks
{{- end }}

{{/*
The zedge-drain command line of a preStop hook, .binary being its path in that container:
wait preStopSleepSeconds with zedge serving, drain for drainTimeoutSeconds, return when no
connection is left. The admin API on loopback needs no token for POST /drain.
*/}}
{{- define "zedge.drainCommand" -}}
{{- $v := .root.Values }}
{{- $words := list .binary (printf "--admin=127.0.0.1:%d" (int $v.admin.port)) (printf "--delay=%d" (int $v.shutdown.preStopSleepSeconds)) (printf "--timeout=%d" (int $v.zedge.drainTimeoutSeconds)) }}
{{- range $i, $word := $words }}{{ if $i }}, {{ else }}[{{ end }}{{ $word | quote }}{{ end }}]
{{- end }}

{{/*
A preStop handler: the drain (.binary set, preStopMode drain), or a wait of .seconds
(exec, sleepAction; empty for 0 or none).
*/}}
{{- define "zedge.preStop" -}}
{{- if eq .root.Values.shutdown.preStopMode "drain" }}
preStop:
  exec:
    command: {{ include "zedge.drainCommand" (dict "root" .root "binary" .binary) }}
{{- else if and (ne .root.Values.shutdown.preStopMode "none") (gt (int .seconds) 0) }}
preStop:
{{- if eq .root.Values.shutdown.preStopMode "sleepAction" }}
  sleep:
    seconds: {{ int .seconds }}
{{- else }}
  exec:
    command: ["/bin/sleep", "{{ int .seconds }}"]
{{- end }}
{{- end }}
{{- end }}

{{/*
zedge's preStop. A native sidecar gets its preStop and SIGTERM only after the handler has
exited: with preStopMode drain the handler's hook has drained zedge by then, otherwise
waiting would only delay the drain. In the other arrangements zedge's hook drains (or
waits) too, so the SIGTERM after it finds the drain over and zedge exits at once.
*/}}
{{- define "zedge.zedgeLifecycle" -}}
{{- if not (include "zedge.nativeSidecar" .) }}
{{- include "zedge.preStop" (dict "root" . "binary" "/usr/local/bin/zedge-drain" "seconds" (include "zedge.preStopSleepSeconds" .)) }}
{{- end }}
{{- end }}

{{/*
The handler's preStop (sidecar mode). drain: zedge-drain from the zedge-hooks volume, so
the handler gets SIGTERM only once zedge's drain is over, native or classic. exec and
sleepAction only wait: classic, the handler waits out zedge's preStop and drain too (every
container gets SIGTERM when its own preStop ends); native, the handler stops first and
zedge drains after it, without a handler.
*/}}
{{- define "zedge.handlerLifecycle" -}}
{{- if .Values.handler.lifecycle }}
{{- toYaml .Values.handler.lifecycle }}
{{- else }}
{{- $seconds := include "zedge.preStopSleepSeconds" . | int }}
{{- if and (not (include "zedge.nativeSidecar" .)) (gt $seconds 0) }}
{{- $seconds = add $seconds (int .Values.zedge.drainTimeoutSeconds) }}
{{- end }}
{{- include "zedge.preStop" (dict "root" . "binary" (printf "%s/zedge-drain" (include "zedge.hooksMountPath" .)) "seconds" $seconds) }}
{{- end }}
{{- end }}

{{/*
Sidecar mode with preStopMode drain: an init container copies zedge-drain (static, runs in
any image) from zedge's image into the zedge-hooks emptyDir the handler mounts; neither
image needs a shell or cp for it.
*/}}
{{- define "zedge.hooksInstaller" -}}
- name: install-drain-hook
  image: {{ include "zedge.image" . | quote }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  command: ["/usr/local/bin/zedge-drain", {{ printf "--install-to=%s" (include "zedge.hooksMountPath" .) | quote }}]
  resources:
    requests:
      cpu: 10m
      memory: 16Mi
    limits:
      memory: 32Mi
  securityContext:
    {{- include "zedge.containerSecurityContext" . | nindent 4 }}
  volumeMounts:
    - name: zedge-hooks
      mountPath: {{ include "zedge.hooksMountPath" . }}
{{- end }}

{{/* "true" when the pod has the zedge-hooks volume and its installer. */}}
{{- define "zedge.installsHooks" -}}
{{- if and (eq .Values.mode "sidecar") (include "zedge.drainHook" .) }}true{{ end }}
{{- end }}

{{/* Pod Security "restricted", plus a read-only root filesystem. */}}
{{- define "zedge.restrictedSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "zedge.containerSecurityContext" -}}
{{- $base := include "zedge.restrictedSecurityContext" . | fromYaml }}
{{- $base = mergeOverwrite $base (dict "runAsUser" 65532 "runAsGroup" 65532) }}
{{- toYaml (mergeOverwrite $base (deepCopy .Values.zedge.securityContext)) }}
{{- end }}

{{- define "zedge.handlerSecurityContext" -}}
{{- $base := include "zedge.restrictedSecurityContext" . | fromYaml }}
{{- toYaml (mergeOverwrite $base (deepCopy .Values.handler.securityContext)) }}
{{- end }}

{{- define "zedge.podSecurityContext" -}}
{{- $base := dict "runAsNonRoot" true "runAsUser" 65532 "runAsGroup" 65532 "fsGroup" 65532 "seccompProfile" (dict "type" "RuntimeDefault") }}
{{- toYaml (mergeOverwrite $base (deepCopy .Values.podSecurityContext)) }}
{{- end }}

{{/* The ZHTTP stream base zedge binds (sidecar) or connects to (gateway). */}}
{{- define "zedge.streamBase" -}}
{{- if eq .Values.mode "gateway" }}
{{- printf "tcp://%s:%d" (required "gateway.handlerService is required in gateway mode: the headless Service of your handler pods" .Values.gateway.handlerService) (int .Values.gateway.handlerPort) }}
{{- else if eq .Values.sidecar.transport "ipc" }}
{{- print "ipc:///var/run/zedge/client" }}
{{- else }}
{{- printf "tcp://127.0.0.1:%d" (int .Values.sidecar.tcpPort) }}
{{- end }}
{{- end }}

{{/* The same base as the handler container sees it (sidecar mode). */}}
{{- define "zedge.handlerStreamBase" -}}
{{- if eq .Values.sidecar.transport "ipc" }}
{{- printf "ipc://%s/client" (trimSuffix "/" .Values.handler.ipcMountPath) }}
{{- else }}
{{- include "zedge.streamBase" . }}
{{- end }}
{{- end }}

{{- define "zedge.args" -}}
- {{ printf "--listen=0.0.0.0:%d,stream" (int .Values.zedge.port) | quote }}
- {{ printf "--zclient-stream=%s" (include "zedge.streamBase" .) | quote }}
{{- if eq .Values.mode "gateway" }}
- "--zclient-connect"
- {{ printf "--discovery-interval=%d" (int .Values.gateway.discoveryInterval) | quote }}
{{- else if eq .Values.sidecar.transport "ipc" }}
- "--ipc-file-mode=660"
{{- end }}
- {{ printf "--id=%s" (default "$(POD_NAME)" .Values.zedge.id) | quote }}
- {{ printf "--workers=%d" (int .Values.zedge.workers) | quote }}
- {{ printf "--stream-maxconn=%d" (int .Values.zedge.streamMaxconn) | quote }}
- {{ printf "--log-level=%d" (int .Values.zedge.logLevel) | quote }}
- {{ printf "--admin-listen=0.0.0.0:%d" (int .Values.admin.port) | quote }}
{{- if .Values.admin.token.enabled }}
- "--admin-token-file=/etc/zedge/admin-token/token"
{{- end }}
- {{ printf "--drain-timeout=%d" (int .Values.zedge.drainTimeoutSeconds) | quote }}
- {{ printf "--ready-handler-grace=%d" (int .Values.zedge.readyHandlerGraceSeconds) | quote }}
{{- range .Values.zedge.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end }}

{{/* The zedge container: a native sidecar (in initContainers) or an ordinary container. */}}
{{- define "zedge.container" -}}
- name: zedge
  image: {{ include "zedge.image" . | quote }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  {{- if include "zedge.nativeSidecar" . }}
  restartPolicy: Always
  {{- end }}
  args:
    {{- include "zedge.args" . | nindent 4 }}
  env:
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    {{- with .Values.zedge.env }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
    - name: http
      containerPort: {{ int .Values.zedge.port }}
      protocol: TCP
    - name: admin
      containerPort: {{ int .Values.admin.port }}
      protocol: TCP
  startupProbe:
    httpGet:
      path: /livez
      port: admin
    {{- toYaml .Values.probes.startup | nindent 4 }}
  livenessProbe:
    httpGet:
      path: /livez
      port: admin
    {{- toYaml .Values.probes.liveness | nindent 4 }}
  readinessProbe:
    httpGet:
      path: /readyz
      port: admin
    {{- toYaml .Values.probes.readiness | nindent 4 }}
  {{- with include "zedge.zedgeLifecycle" . }}
  lifecycle:
    {{- . | trim | nindent 4 }}
  {{- end }}
  resources:
    {{- toYaml .Values.zedge.resources | nindent 4 }}
  securityContext:
    {{- include "zedge.containerSecurityContext" . | nindent 4 }}
  volumeMounts:
    - name: zedge-run
      mountPath: /var/run/zedge
    - name: tmp
      mountPath: /tmp
    {{- if .Values.admin.token.enabled }}
    - name: admin-token
      mountPath: /etc/zedge/admin-token
      readOnly: true
    {{- end }}
{{- end }}

{{/* The user's handler container (sidecar mode). */}}
{{- define "zedge.handlerContainer" -}}
{{- $h := .Values.handler -}}
- name: {{ $h.name }}
  {{- if $h.image.repository }}
  {{- $tag := $h.image.tag | default "" | toString }}
  image: {{ printf "%s%s" $h.image.repository ($tag | empty | ternary "" (printf ":%s" $tag)) | quote }}
  imagePullPolicy: {{ $h.image.pullPolicy }}
  {{- with $h.command }}
  command:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $h.args }}
  args:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- else }}
  # The demo: the example handler bundled in zedge's image.
  image: {{ include "zedge.image" . | quote }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  command: ["zedge-hello-handler"]
  args: ["--stream-base=$(ZEDGE_STREAM_BASE)", "--instance=$(ZEDGE_ID)"]
  {{- end }}
  env:
    - name: ZEDGE_STREAM_BASE
      value: {{ include "zedge.handlerStreamBase" . | quote }}
    - name: ZEDGE_ID
      {{- if .Values.zedge.id }}
      value: {{ .Values.zedge.id | quote }}
      {{- else }}
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
      {{- end }}
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    {{- with $h.env }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with $h.envFrom }}
  envFrom:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $h.ports }}
  ports:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $h.startupProbe }}
  startupProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $h.livenessProbe }}
  livenessProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $h.readinessProbe }}
  readinessProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with include "zedge.handlerLifecycle" . }}
  lifecycle:
    {{- . | trim | nindent 4 }}
  {{- end }}
  {{- with $h.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- include "zedge.handlerSecurityContext" . | nindent 4 }}
  volumeMounts:
    - name: handler-tmp
      mountPath: /tmp
    {{- if eq .Values.sidecar.transport "ipc" }}
    - name: zedge-run
      mountPath: {{ $h.ipcMountPath }}
    {{- end }}
    {{- if include "zedge.installsHooks" . }}
    - name: zedge-hooks
      mountPath: {{ include "zedge.hooksMountPath" . }}
      readOnly: true
    {{- end }}
    {{- with $h.volumeMounts }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}

{{/* Combinations the schema cannot express. */}}
{{- define "zedge.validate" -}}
{{- $pdb := .Values.podDisruptionBudget }}
{{- if and ($pdb.maxUnavailable | default "" | toString) ($pdb.minAvailable | default "" | toString) }}
{{- fail "podDisruptionBudget: set maxUnavailable or minAvailable, not both" }}
{{- end }}
{{- if and .Values.admin.token.enabled .Values.admin.token.existingSecret .Values.admin.token.value }}
{{- fail "admin.token: set existingSecret or value, not both" }}
{{- end }}
{{- end }}
