{{/*
Helpers of the geniro chart. Each does one thing. Component-aware helpers take a dict:
  (dict "context" $ "component" "api")
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "geniro.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The release-scoped base name. A release already named after the chart is not repeated
("geniro", not "geniro-geniro"), and any other release name works the same way.
*/}}
{{- define "geniro.fullname" -}}
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

{{/* <fullname>-<component>, the name of every resource of a component. */}}
{{- define "geniro.componentName" -}}
{{- printf "%s-%s" (include "geniro.fullname" .context | trunc (int (sub 62 (len .component)))) .component | trimSuffix "-" -}}
{{- end -}}

{{- define "geniro.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: fixed for the life of a release, never add to them. */}}
{{- define "geniro.selectorLabels" -}}
app.kubernetes.io/name: {{ include "geniro.name" .context }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Standard labels of every resource of a component. */}}
{{- define "geniro.labels" -}}
helm.sh/chart: {{ include "geniro.chart" .context }}
{{ include "geniro.selectorLabels" . }}
app.kubernetes.io/version: {{ include "geniro.componentVersion" . | quote }}
app.kubernetes.io/managed-by: {{ .context.Release.Service }}
app.kubernetes.io/part-of: geniro
{{- with .context.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* metadata.name, labels and commonAnnotations of a component's resource. */}}
{{- define "geniro.metadata" -}}
name: {{ default (include "geniro.componentName" .) .name }}
namespace: {{ .context.Release.Namespace | quote }}
labels:
  {{- include "geniro.labels" . | nindent 2 }}
{{- with .context.Values.commonAnnotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
An image reference: global.imageRegistry overrides the registry, a digest wins over
the tag, and an empty tag falls back to the chart's appVersion.
  (dict "image" .Values.api.image "context" $)
*/}}
{{- define "geniro.image" -}}
{{- $registry := default .image.registry .context.Values.global.imageRegistry -}}
{{- $repository := .image.repository -}}
{{- if $registry -}}{{- $repository = printf "%s/%s" $registry .image.repository -}}{{- end -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (default .context.Chart.AppVersion .image.tag | toString) -}}
{{- end -}}
{{- end -}}

{{/*
The version an image runs, for labels and the API's TF_IMAGE_TAG: its tag (the chart's
appVersion when empty), made a valid label value.
  (dict "image" .Values.api.image "context" $)
*/}}
{{- define "geniro.imageVersion" -}}
{{- default .context.Chart.AppVersion .image.tag | toString | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
app.kubernetes.io/version of a component's resources: the tag of the image the component
runs (its values block: api, daytona.api, postgresql for postgresql-init, tests for test),
the chart's appVersion for resources without an image (secrets, network policies).
*/}}
{{- define "geniro.componentVersion" -}}
{{- $values := .context.Values -}}
{{- $name := regexReplaceAll "-(headless|init)$" .component "" -}}
{{- $name = ternary "tests" $name (eq $name "test") -}}
{{- $block := dict -}}
{{- if hasPrefix "daytona-" $name -}}
{{- $block = get $values.daytona (trimPrefix "daytona-" $name) -}}
{{- else if hasKey $values $name -}}
{{- $block = index $values $name -}}
{{- end -}}
{{- if and (kindIs "map" $block) (kindIs "map" (get $block "image")) -}}
{{- include "geniro.imageVersion" (dict "image" $block.image "context" .context) -}}
{{- else -}}
{{- .context.Chart.AppVersion -}}
{{- end -}}
{{- end -}}

{{/* The container fields that come from an image block. */}}
{{- define "geniro.containerImage" -}}
image: {{ include "geniro.image" . | quote }}
imagePullPolicy: {{ .image.pullPolicy }}
{{- end -}}

{{- define "geniro.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "geniro.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
Pod-level fields every component shares: service account (no token unless asked), pull
secrets, security context, placement and grace period.
  (dict "context" $ "values" .Values.api)
*/}}
{{- define "geniro.podSpecCommon" -}}
serviceAccountName: {{ include "geniro.serviceAccountName" .context }}
automountServiceAccountToken: {{ .context.Values.serviceAccount.automountToken }}
{{- with .context.Values.global.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
securityContext:
  {{- toYaml .values.podSecurityContext | nindent 2 }}
terminationGracePeriodSeconds: {{ .values.terminationGracePeriodSeconds }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
The pod template's metadata: selector labels, extra pod labels, and annotations
(checksums of what feeds the pod, then the user's).
  (dict "context" $ "component" "api" "values" .Values.api "checksums" (dict "config" "…"))
*/}}
{{- define "geniro.podMetadata" -}}
labels:
  {{- include "geniro.labels" . | nindent 2 }}
  {{- with .values.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- if or .checksums .values.podAnnotations }}
annotations:
  {{- range $name, $sum := .checksums }}
  checksum/{{ $name }}: {{ $sum | quote }}
  {{- end }}
  {{- with .values.podAnnotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* sha256 of another template of this chart, for checksum/* annotations. */}}
{{- define "geniro.checksum" -}}
{{- include (print .context.Template.BasePath "/" .template) .context | sha256sum -}}
{{- end -}}

{{/*
A probe from its values (enabled, timings) and its handler (httpGet, exec, tcpSocket).
  (dict "probe" .Values.api.probes.liveness "handler" (dict "httpGet" (dict "path" "/health/check" "port" "http")))
Renders nothing when the probe is disabled.
*/}}
{{- define "geniro.probe" -}}
{{- if .probe.enabled -}}
{{- toYaml .handler }}
initialDelaySeconds: {{ .probe.initialDelaySeconds }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end -}}
{{- end -}}

{{/* The one Secret of sensitive values: existingSecret, or the chart's own. */}}
{{- define "geniro.secretName" -}}
{{- default (include "geniro.componentName" (dict "context" . "component" "secrets")) .Values.existingSecret -}}
{{- end -}}

{{/* True while the generated Secret holds a CHANGE_ME placeholder. */}}
{{- define "geniro.placeholdersInUse" -}}
{{- if not .Values.existingSecret -}}
{{- range $key, $value := .Values.secrets -}}
{{- if and (kindIs "string" $value) (contains "CHANGE_ME" $value) -}}true{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* An env entry read from a Secret: (dict "name" "ENV" "secret" "name" "key" "key"). */}}
{{- define "geniro.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end -}}

{{/* ---------------------------------------------------------------- PostgreSQL */}}

{{- define "geniro.postgresql.host" -}}
{{- if .Values.postgresql.enabled -}}
{{- include "geniro.componentName" (dict "context" . "component" "postgresql") -}}
{{- else -}}
{{- .Values.externalPostgresql.host -}}
{{- end -}}
{{- end -}}

{{- define "geniro.postgresql.port" -}}
{{- ternary .Values.postgresql.service.port .Values.externalPostgresql.port .Values.postgresql.enabled -}}
{{- end -}}

{{- define "geniro.postgresql.username" -}}
{{- ternary .Values.postgresql.username .Values.externalPostgresql.username .Values.postgresql.enabled -}}
{{- end -}}

{{- define "geniro.postgresql.sslMode" -}}
{{- ternary "disable" .Values.externalPostgresql.sslMode .Values.postgresql.enabled -}}
{{- end -}}

{{/*
Path of the external server's CA certificate inside the pods that connect to it, or "" when
there is none to mount (no externalPostgresql.caSecret, or the connection does not verify).
*/}}
{{- define "geniro.postgresql.caFile" -}}
{{- if and (eq (include "geniro.postgresql.sslMode" .) "verify-full") .Values.externalPostgresql.caSecret -}}
/etc/geniro/postgresql-ca/ca.crt
{{- end -}}
{{- end -}}

{{/* The volume of that CA certificate (empty without one). */}}
{{- define "geniro.postgresql.caVolume" -}}
{{- if include "geniro.postgresql.caFile" . -}}
- name: postgresql-ca
  secret:
    secretName: {{ .Values.externalPostgresql.caSecret }}
    items:
      - key: {{ .Values.externalPostgresql.caSecretKey }}
        path: ca.crt
{{- end -}}
{{- end -}}

{{/* Its mount (empty without one). */}}
{{- define "geniro.postgresql.caVolumeMount" -}}
{{- with include "geniro.postgresql.caFile" . -}}
- name: postgresql-ca
  mountPath: {{ dir . }}
  readOnly: true
{{- end -}}
{{- end -}}

{{/* Secret and key of the PostgreSQL password. */}}
{{- define "geniro.postgresql.passwordSecret" -}}
{{- if and (not .Values.postgresql.enabled) .Values.externalPostgresql.existingSecret -}}
{{- .Values.externalPostgresql.existingSecret -}}
{{- else -}}
{{- include "geniro.secretName" . -}}
{{- end -}}
{{- end -}}

{{- define "geniro.postgresql.passwordKey" -}}
{{- if and (not .Values.postgresql.enabled) .Values.externalPostgresql.existingSecret -}}
{{- .Values.externalPostgresql.existingSecretPasswordKey -}}
{{- else -}}
postgres-password
{{- end -}}
{{- end -}}

{{/*
A postgresql:// connection URL for a consumer's database, the password taken from
$(POSTGRES_PASSWORD), which the kubelet expands from an env entry of that name defined before
it (the password lands unencoded, so it must be URL-safe).
  (dict "context" $ "database" "litellm" "query" "sslmode=disable")
*/}}
{{- define "geniro.postgresql.url" -}}
{{- printf "postgresql://%s:$(POSTGRES_PASSWORD)@%s:%v/%s?%s" (include "geniro.postgresql.username" .context | urlquery) (include "geniro.postgresql.host" .context) (include "geniro.postgresql.port" .context) (.database | urlquery) .query -}}
{{- end -}}

{{/* POSTGRES_* environment of a consumer: (dict "context" $ "database" "geniro"). */}}
{{- define "geniro.postgresql.env" -}}
- name: POSTGRES_HOST
  value: {{ include "geniro.postgresql.host" .context | quote }}
- name: POSTGRES_PORT
  value: {{ include "geniro.postgresql.port" .context | quote }}
- name: POSTGRES_USERNAME
  value: {{ include "geniro.postgresql.username" .context | quote }}
- name: POSTGRES_DATABASE
  value: {{ .database | quote }}
{{ include "geniro.secretEnv" (dict "name" "POSTGRES_PASSWORD" "secret" (include "geniro.postgresql.passwordSecret" .context) "key" (include "geniro.postgresql.passwordKey" .context)) }}
{{- end -}}

{{/*
Init container that holds a consumer back until its database accepts connections, so
nothing (migrations included) races the database's start or its creation.
  (dict "context" $ "database" "geniro" "values" .Values.api)
*/}}
{{- define "geniro.waitForDatabase" -}}
- name: wait-for-database
  {{- include "geniro.containerImage" (dict "image" .context.Values.postgresql.image "context" .context) | nindent 2 }}
  command:
    - sh
    - -c
    - until pg_isready --quiet && psql --no-password --command 'SELECT 1' >/dev/null 2>&1; do echo "waiting for database $PGDATABASE on $PGHOST:$PGPORT"; sleep 2; done
  env:
    - name: PGHOST
      value: {{ include "geniro.postgresql.host" .context | quote }}
    - name: PGPORT
      value: {{ include "geniro.postgresql.port" .context | quote }}
    - name: PGUSER
      value: {{ include "geniro.postgresql.username" .context | quote }}
    - name: PGDATABASE
      value: {{ .database | quote }}
    - name: PGSSLMODE
      value: {{ include "geniro.postgresql.sslMode" .context | quote }}
    {{- if eq (include "geniro.postgresql.sslMode" .context) "verify-full" }}
    {{- /* libpq 16+ reads "system" as the image's CA store. */}}
    - name: PGSSLROOTCERT
      value: {{ include "geniro.postgresql.caFile" .context | default "system" | quote }}
    {{- end }}
    - name: PGCONNECT_TIMEOUT
      value: "5"
    {{- include "geniro.secretEnv" (dict "name" "PGPASSWORD" "secret" (include "geniro.postgresql.passwordSecret" .context) "key" (include "geniro.postgresql.passwordKey" .context)) | nindent 4 }}
  resources:
    requests:
      cpu: 10m
      memory: 16Mi
    limits:
      cpu: 100m
      memory: 64Mi
  securityContext:
    {{- include "geniro.restrictedContainerSecurityContext" . | nindent 4 }}
  {{- with include "geniro.postgresql.caVolumeMount" .context }}
  volumeMounts:
    {{- . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* The restricted container security context of the chart's own helper containers. */}}
{{- define "geniro.restrictedContainerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop:
    - ALL
{{- end -}}

{{/* ---------------------------------------------------------------- Redis */}}

{{- define "geniro.redis.host" -}}
{{- if .Values.redis.enabled -}}
{{- include "geniro.componentName" (dict "context" . "component" "redis") -}}
{{- else -}}
{{- .Values.externalRedis.host -}}
{{- end -}}
{{- end -}}

{{- define "geniro.redis.port" -}}
{{- ternary .Values.redis.service.port .Values.externalRedis.port .Values.redis.enabled -}}
{{- end -}}

{{/*
redis:// or rediss:// URL with the password taken from $(REDIS_PASSWORD), which Kubernetes
expands from an env var defined before it (the password must be URL-safe). An external Redis
without a password (externalRedis.auth=false) gets no credentials, and an external database
above 0 is the path: redis://host:port/N.
*/}}
{{- define "geniro.redis.url" -}}
{{- $external := and (not .Values.redis.enabled) .Values.externalRedis.enabled -}}
{{- $scheme := ternary "rediss" "redis" (and $external .Values.externalRedis.tls) -}}
{{- $credentials := ternary "" ":$(REDIS_PASSWORD)@" (and $external (not .Values.externalRedis.auth)) -}}
{{- $database := ternary (int .Values.externalRedis.database) 0 $external -}}
{{- printf "%s://%s%s:%v" $scheme $credentials (include "geniro.redis.host" .) (include "geniro.redis.port" .) -}}
{{- if gt $database 0 }}/{{ $database }}{{ end -}}
{{- end -}}

{{/* REDIS_PASSWORD from its Secret, then REDIS_URL built from it (order matters). */}}
{{- define "geniro.redis.env" -}}
{{ include "geniro.secretEnv" (dict "name" "REDIS_PASSWORD" "secret" (include "geniro.redis.passwordSecret" .) "key" (include "geniro.redis.passwordKey" .)) }}
- name: REDIS_URL
  value: {{ include "geniro.redis.url" . | quote }}
{{- end -}}

{{- define "geniro.redis.passwordSecret" -}}
{{- if and (not .Values.redis.enabled) .Values.externalRedis.existingSecret -}}
{{- .Values.externalRedis.existingSecret -}}
{{- else -}}
{{- include "geniro.secretName" . -}}
{{- end -}}
{{- end -}}

{{- define "geniro.redis.passwordKey" -}}
{{- if and (not .Values.redis.enabled) .Values.externalRedis.existingSecret -}}
{{- .Values.externalRedis.existingSecretPasswordKey -}}
{{- else -}}
redis-password
{{- end -}}
{{- end -}}

{{/* ---------------------------------------------------------------- Qdrant */}}

{{- define "geniro.qdrant.url" -}}
{{- if .Values.qdrant.enabled -}}
{{- printf "http://%s:%v" (include "geniro.componentName" (dict "context" . "component" "qdrant")) .Values.qdrant.service.port -}}
{{- else -}}
{{- .Values.externalQdrant.url -}}
{{- end -}}
{{- end -}}

{{- define "geniro.qdrant.apiKeySecret" -}}
{{- if and (not .Values.qdrant.enabled) .Values.externalQdrant.existingSecret -}}
{{- .Values.externalQdrant.existingSecret -}}
{{- else -}}
{{- include "geniro.secretName" . -}}
{{- end -}}
{{- end -}}

{{- define "geniro.qdrant.apiKeyKey" -}}
{{- if and (not .Values.qdrant.enabled) .Values.externalQdrant.existingSecret -}}
{{- .Values.externalQdrant.existingSecretApiKeyKey -}}
{{- else -}}
qdrant-api-key
{{- end -}}
{{- end -}}

{{/* ---------------------------------------------------------------- LiteLLM */}}

{{- define "geniro.litellm.url" -}}
{{- if .Values.litellm.enabled -}}
{{- printf "http://%s:%v" (include "geniro.componentName" (dict "context" . "component" "litellm")) .Values.litellm.service.port -}}
{{- else -}}
{{- .Values.externalLitellm.url -}}
{{- end -}}
{{- end -}}

{{- define "geniro.litellm.masterKeySecret" -}}
{{- if and (not .Values.litellm.enabled) .Values.externalLitellm.existingSecret -}}
{{- .Values.externalLitellm.existingSecret -}}
{{- else -}}
{{- include "geniro.secretName" . -}}
{{- end -}}
{{- end -}}

{{- define "geniro.litellm.masterKeyKey" -}}
{{- if and (not .Values.litellm.enabled) .Values.externalLitellm.existingSecret -}}
{{- .Values.externalLitellm.existingSecretMasterKeyKey -}}
{{- else -}}
litellm-master-key
{{- end -}}
{{- end -}}

{{/* ---------------------------------------------------------------- Keycloak */}}

{{/* The URL the API uses to reach Keycloak inside the cluster. */}}
{{- define "geniro.keycloak.url" -}}
{{- if .Values.keycloak.enabled -}}
{{- printf "http://%s:%v" (include "geniro.componentName" (dict "context" . "component" "keycloak")) .Values.keycloak.service.port -}}
{{- else -}}
{{- .Values.externalKeycloak.url -}}
{{- end -}}
{{- end -}}

{{/* The URL browsers (and token issuers) know Keycloak by. */}}
{{- define "geniro.keycloak.publicUrl" -}}
{{- ternary .Values.keycloak.hostname .Values.externalKeycloak.url .Values.keycloak.enabled | trimSuffix "/" -}}
{{- end -}}

{{/*
The local port of Keycloak's public URL when that URL is http://localhost:<port> (the
port-forward case), else "". Pods need a relay on that port: localhost is the pod itself.
*/}}
{{- define "geniro.keycloak.localhostPort" -}}
{{- if .Values.keycloak.enabled -}}
{{- $url := urlParse .Values.keycloak.hostname -}}
{{- if and (eq $url.scheme "http") (has (regexReplaceAll ":[0-9]+$" $url.host "") (list "localhost" "127.0.0.1")) -}}
{{- $port := regexFind "[0-9]+$" (regexFind ":[0-9]+$" $url.host) -}}
{{- default "80" $port -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "geniro.keycloak.realm" -}}
{{- ternary .Values.keycloak.realm.name .Values.externalKeycloak.realm .Values.keycloak.enabled -}}
{{- end -}}

{{- define "geniro.keycloak.clientId" -}}
{{- ternary .Values.keycloak.realm.clientId .Values.externalKeycloak.clientId .Values.keycloak.enabled -}}
{{- end -}}

{{/* ---------------------------------------------------------------- Daytona */}}

{{- define "geniro.daytona.apiUrl" -}}
{{- printf "http://%s:%v/api" (include "geniro.componentName" (dict "context" . "component" "daytona-api")) .Values.daytona.api.service.port -}}
{{- end -}}

{{/* ---------------------------------------------------------------- Shared objects */}}

{{/*
An Ingress for one Service, with its TLS block.
  (dict "context" $ "component" "api" "ingress" .Values.api.ingress "port" 5000 "extraPaths" list)
extraPaths: list of (dict "path" "/api" "pathType" "Prefix" "service" "<name>" "port" 5000)
*/}}
{{- define "geniro.ingress" -}}
{{- $service := include "geniro.componentName" . -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  {{- include "geniro.metadata" . | nindent 2 }}
  {{- with .ingress.annotations }}
  {{- if not $.context.Values.commonAnnotations }}
  annotations:
  {{- end }}
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with .ingress.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- if .ingress.tls.enabled }}
  tls:
    - hosts:
        - {{ .ingress.host | quote }}
      secretName: {{ default (printf "%s-tls" $service) .ingress.tls.secretName }}
  {{- end }}
  rules:
    - host: {{ .ingress.host | quote }}
      http:
        paths:
          {{- range .extraPaths }}
          - path: {{ .path }}
            pathType: {{ .pathType }}
            backend:
              service:
                name: {{ .service }}
                port:
                  number: {{ .port }}
          {{- end }}
          - path: {{ .ingress.path }}
            pathType: {{ .ingress.pathType }}
            backend:
              service:
                name: {{ $service }}
                port:
                  number: {{ .port }}
{{- end -}}

{{/*
A ClusterIP (or LoadBalancer) Service. NodePort is never offered.
  (dict "context" $ "component" "api" "service" .Values.api.service "ports" (list (dict "name" "http" "port" 5000 "targetPort" "http")))
*/}}
{{- define "geniro.service" -}}
apiVersion: v1
kind: Service
metadata:
  {{- include "geniro.metadata" . | nindent 2 }}
  {{- with .service.annotations }}
  {{- if not $.context.Values.commonAnnotations }}
  annotations:
  {{- end }}
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .service.type }}
  {{- with .headless }}
  clusterIP: None
  {{- end }}
  ports:
    {{- range .ports }}
    - name: {{ .name }}
      port: {{ .port }}
      targetPort: {{ .targetPort }}
      protocol: TCP
    {{- end }}
  selector:
    {{- include "geniro.selectorLabels" . | nindent 4 }}
{{- end -}}

{{/*
A PodDisruptionBudget when asked for, or whenever more than one replica runs.
  (dict "context" $ "component" "api" "values" .Values.api "replicas" 2)
*/}}
{{- define "geniro.pdb" -}}
{{- if or .values.pdb.enabled (gt (int .replicas) 1) }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  {{- include "geniro.metadata" . | nindent 2 }}
spec:
  minAvailable: {{ .values.pdb.minAvailable }}
  selector:
    matchLabels:
      {{- include "geniro.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{/* A PersistentVolumeClaim template or emptyDir source for a data service. */}}
{{- define "geniro.storageClass" -}}
{{- $class := default .context.Values.global.storageClass .persistence.storageClass -}}
{{- if eq $class "-" }}
storageClassName: ""
{{- else if $class }}
storageClassName: {{ $class | quote }}
{{- end }}
{{- end -}}
