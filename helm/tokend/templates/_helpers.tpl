{{/* Chart name. */}}
{{- define "tokend.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: <release>-<chart>, truncated to 63 characters (DNS label). */}}
{{- define "tokend.fullname" -}}
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

{{/* Name of the admin Service (leaves room for the suffix). */}}
{{- define "tokend.adminServiceName" -}}
{{- printf "%s-admin" (include "tokend.fullname" . | trunc 57 | trimSuffix "-") }}
{{- end }}

{{- define "tokend.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object (without component). */}}
{{- define "tokend.labels" -}}
helm.sh/chart: {{ include "tokend.chart" . }}
{{ include "tokend.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tokend
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels shared by every component. */}}
{{- define "tokend.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tokend.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector of the tokend server pods. */}}
{{- define "tokend.serverSelectorLabels" -}}
{{ include "tokend.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{- define "tokend.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tokend.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "tokend.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end }}

{{/*
Validation shared by every template that needs the database URL. Fails the render with a clear
message instead of starting tokend with its private (ephemeral) PostgreSQL.
*/}}
{{- define "tokend.validate" -}}
{{- if and (not .Values.database.url) (not .Values.database.existingSecret) }}
{{- fail "tokend: a PostgreSQL URL is required: set database.url (the chart stores it in a Secret) or database.existingSecret (and database.existingSecretKey) naming a Secret that holds it" }}
{{- end }}
{{- if and .Values.database.url .Values.database.existingSecret }}
{{- fail "tokend: set only one of database.url and database.existingSecret" }}
{{- end }}
{{- if and .Values.tls.enabled (not .Values.tls.secretName) }}
{{- fail "tokend: tls.enabled needs tls.secretName (a kubernetes.io/tls Secret with tls.crt and tls.key)" }}
{{- end }}
{{- if ge (int .Values.config.commitWriters) (int .Values.config.dbPoolSize) }}
{{- fail "tokend: config.commitWriters must be smaller than config.dbPoolSize" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) }}
{{- fail "tokend: autoscaling.maxReplicas must be >= autoscaling.minReplicas" }}
{{- end }}
{{- end }}

{{/* Name of the Secret the chart creates (admin key, key-encryption key, database URL). */}}
{{- define "tokend.secretName" -}}
{{- include "tokend.fullname" . }}
{{- end }}

{{/* Does the chart create its own Secret? */}}
{{- define "tokend.createSecret" -}}
{{- if or .Values.database.url (not .Values.auth.existingSecret) }}true{{- end }}
{{- end }}

{{/* secretKeyRef of the database URL. */}}
{{- define "tokend.databaseUrlRef" -}}
{{- if .Values.database.existingSecret -}}
name: {{ .Values.database.existingSecret }}
key: {{ .Values.database.existingSecretKey }}
{{- else -}}
name: {{ include "tokend.secretName" . }}
key: database-url
{{- end }}
{{- end }}

{{/* Secret name and key names holding the admin key and the key-encryption key. */}}
{{- define "tokend.authSecretName" -}}
{{- default (include "tokend.secretName" .) .Values.auth.existingSecret }}
{{- end }}
{{- define "tokend.adminKeyKey" -}}
{{- if .Values.auth.existingSecret }}{{ .Values.auth.existingSecretKeys.adminKey }}{{ else }}admin-key{{ end }}
{{- end }}
{{- define "tokend.keyEncryptionKeyKey" -}}
{{- if .Values.auth.existingSecret }}{{ .Values.auth.existingSecretKeys.keyEncryptionKey }}{{ else }}key-encryption-key{{ end }}
{{- end }}

{{/* URL scheme of the listeners. */}}
{{- define "tokend.scheme" -}}
{{- if .Values.tls.enabled }}https{{ else }}http{{ end }}
{{- end }}

{{/* TOKEND_ISSUER: explicit, else the first Ingress host, else the public Service's in-cluster URL. */}}
{{- define "tokend.issuer" -}}
{{- if .Values.config.issuer -}}
{{- .Values.config.issuer -}}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts (index .Values.ingress.hosts 0).host -}}
{{- $host := (index .Values.ingress.hosts 0).host -}}
{{- printf "%s://%s" (ternary "https" "http" (gt (len .Values.ingress.tls) 0)) $host -}}
{{- else -}}
{{- $port := int .Values.service.httpPort -}}
{{- $base := printf "%s://%s.%s.svc" (include "tokend.scheme" .) (include "tokend.fullname" .) .Release.Namespace -}}
{{- if or (and .Values.tls.enabled (eq $port 443)) (and (not .Values.tls.enabled) (eq $port 80)) -}}
{{- $base -}}
{{- else -}}
{{- printf "%s:%d" $base $port -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/* Probe handlers. Kubernetes grpc probes cannot use TLS, so TLS forces HTTPS GET probes. */}}
{{- define "tokend.probeType" -}}
{{- if .Values.tls.enabled }}http{{ else }}{{ .Values.probes.type }}{{ end }}
{{- end }}

{{- define "tokend.livenessHandler" -}}
{{- if eq (include "tokend.probeType" .) "grpc" -}}
grpc:
  port: {{ .Values.containerPorts.grpc }}
{{- else -}}
httpGet:
  path: /healthz
  port: http
  scheme: {{ include "tokend.scheme" . | upper }}
{{- end }}
{{- end }}

{{- define "tokend.readinessHandler" -}}
{{- if eq (include "tokend.probeType" .) "grpc" -}}
grpc:
  port: {{ .Values.containerPorts.grpc }}
{{- else -}}
httpGet:
  path: /readyz
  port: http
  scheme: {{ include "tokend.scheme" . | upper }}
{{- end }}
{{- end }}

{{/*
The generated admin key and key-encryption key, as a JSON object of base64-encoded Secret data.
They are kept across upgrades: the chart's existing Secret is looked up and its data reused. Without
cluster access (helm template, --dry-run, helm-check) lookup returns an empty map and new values are
generated, so GitOps renderers should use auth.existingSecret instead.
The result is memoised in the chart's root context (a map shared by all of the chart's templates
during one render; .Values is not touched, so the schema is unaffected), so the Deployment's
checksum/secret (which includes secret.yaml) hashes exactly the data the Secret gets.
  admin-key:          40 alphanumeric characters (~238 bits)
  key-encryption-key: base64 of 32 random bytes (the value tokend reads), base64-encoded again
*/}}
{{- define "tokend.generatedSecretData" -}}
{{- if not (hasKey $ "tokendGeneratedSecretData") -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "tokend.secretName" .) | default dict -}}
{{- $old := get $existing "data" | default dict -}}
{{- $adminKey := get $old "admin-key" | default (randAlphaNum 40 | b64enc) -}}
{{- $kek := get $old "key-encryption-key" | default (randBytes 32 | b64enc) -}}
{{- $_ := set $ "tokendGeneratedSecretData" (dict "admin-key" $adminKey "key-encryption-key" $kek) -}}
{{- end -}}
{{- get $ "tokendGeneratedSecretData" | toJson -}}
{{- end }}
