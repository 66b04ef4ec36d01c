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

{{/*
metadata.name, labels and annotations of a component's resource: commonAnnotations, merged
as maps with the resource's own (.annotations, e.g. a Service's), whose keys win, so a key set
at both levels appears once.
*/}}
{{- define "geniro.metadata" -}}
name: {{ default (include "geniro.componentName" .) .name }}
namespace: {{ .context.Release.Namespace | quote }}
labels:
  {{- include "geniro.labels" . | nindent 2 }}
{{- /* mergeOverwrite writes into its first argument: a copy, never the values themselves. */}}
{{- with mergeOverwrite (deepCopy (.context.Values.commonAnnotations | default dict)) (.annotations | default dict) }}
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

{{/*
The port each component's container listens on, as JSON (component → port): the port its
Service targets and its NetworkPolicy opens. Workloads and networkpolicy.yaml read it here,
never a copy. The API, the Daytona API and the runner listen on their Service port; the others
on their image's port, which their Service maps (Keycloak's 80 to 8080, the Daytona proxy's 80
to 4000; web.command starts Vite on 4173). "qdrant-grpc" is Qdrant's second port.
*/}}
{{- define "geniro.containerPorts" -}}
{{- $v := .Values -}}
{{- dict
  "web" 4173
  "api" $v.api.service.port
  "litellm" 4000
  "keycloak" 8080
  "postgresql" 5432
  "redis" 6379
  "qdrant" 6333
  "qdrant-grpc" 6334
  "daytona-api" $v.daytona.api.service.port
  "daytona-runner" $v.daytona.runner.service.port
  "daytona-proxy" 4000
  | toJson -}}
{{- end -}}

{{/* One component's container port (see geniro.containerPorts): (dict "context" $ "component" "redis"). */}}
{{- define "geniro.containerPort" -}}
{{- $ports := include "geniro.containerPorts" .context | fromJson -}}
{{- if not (hasKey $ports .component) -}}
{{- fail (printf "geniro.containerPort: no port for component %q" .component) -}}
{{- end -}}
{{- int (get $ports .component) -}}
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
Image pull secrets (global.imagePullSecrets) of every pod, the `helm test` pod included.
*/}}
{{- define "geniro.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- end -}}

{{/*
A pod's placement: each of nodeSelector, tolerations and affinity from the component's values
(.values) when set there, else from global.*. A component's setting replaces the global one
whole, never merges into it: a pod placed on dedicated nodes (the Daytona runner) must not
also inherit the constraints meant for every other pod.
  (dict "context" $ "values" .Values.api)
*/}}
{{- define "geniro.podPlacement" -}}
{{- $global := .context.Values.global -}}
{{- range $field := list "nodeSelector" "tolerations" "affinity" }}
{{- with get $.values $field | default (get $global $field) }}
{{ $field }}:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
Pod-level fields every component shares: service account (no token unless asked), pull
secrets, security context, grace period and placement.
  (dict "context" $ "values" .Values.api)
*/}}
{{- define "geniro.podSpecCommon" -}}
serviceAccountName: {{ include "geniro.serviceAccountName" .context }}
automountServiceAccountToken: {{ .context.Values.serviceAccount.automountToken }}
{{- include "geniro.imagePullSecrets" .context }}
securityContext:
  {{- toYaml .values.podSecurityContext | nindent 2 }}
terminationGracePeriodSeconds: {{ .values.terminationGracePeriodSeconds }}
{{- include "geniro.podPlacement" . }}
{{- end -}}

{{/*
A pod's extra labels or annotations (field "podLabels" or "podAnnotations"): global.<field>
merged with the component's own (.values), whose keys win.
  (dict "context" $ "values" .Values.api "field" "podLabels")
*/}}
{{- define "geniro.podExtras" -}}
{{- $global := get .context.Values.global .field | default dict -}}
{{- $own := get .values .field | default dict -}}
{{- with merge (deepCopy $own) $global }}
{{- toYaml . }}
{{- end }}
{{- end -}}

{{/*
The pod template's metadata: selector labels, extra pod labels, and annotations
(checksums of what feeds the pod, then the user's).
  (dict "context" $ "component" "api" "values" .Values.api "checksums" (dict "config" "…"))
*/}}
{{- define "geniro.podMetadata" -}}
{{- $labels := include "geniro.podExtras" (merge (dict "field" "podLabels") .) -}}
{{- $annotations := include "geniro.podExtras" (merge (dict "field" "podAnnotations") .) -}}
labels:
  {{- include "geniro.labels" . | nindent 2 }}
  {{- with $labels }}
  {{- . | nindent 2 }}
  {{- end }}
{{- if or .checksums $annotations }}
annotations:
  {{- range $name, $sum := .checksums }}
  checksum/{{ $name }}: {{ $sum | quote }}
  {{- end }}
  {{- with $annotations }}
  {{- . | nindent 2 }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* sha256 of another template of this chart, for checksum/* annotations. */}}
{{- define "geniro.checksum" -}}
{{- include (print .context.Template.BasePath "/" .template) .context | sha256sum -}}
{{- end -}}

{{/*
A container's startupProbe, livenessProbe and readinessProbe, each from the component's probes
values (enabled and timings; startup only where the values have one) and the handler it
checks (httpGet, exec, tcpSocket); readinessHandler, when given, replaces the handler for
readiness. Renders nothing for a disabled probe; each probe starts on a new line, indented by
`indent` (the container's own indentation).
  (dict "probes" .Values.api.probes "handler" (dict "httpGet" (dict "path" "/health/check" "port" "http")) "indent" 10)
*/}}
{{- define "geniro.probes" -}}
{{- range $kind := list "startup" "liveness" "readiness" -}}
{{- $probe := get $.probes $kind -}}
{{- if and $probe $probe.enabled -}}
{{- $handler := ternary (default $.handler $.readinessHandler) $.handler (eq $kind "readiness") -}}
{{- printf "%sProbe:" $kind | nindent (int $.indent) -}}
{{- include "geniro.probe" (dict "probe" $probe "handler" $handler) | nindent (add $.indent 2 | int) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The body of one probe: its handler, then its timings. */}}
{{- define "geniro.probe" -}}
{{- toYaml .handler }}
initialDelaySeconds: {{ .probe.initialDelaySeconds }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
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

{{/*
An env entry with the credential of a service others consume (postgresql, redis, qdrant,
litellm): from external<Service>.existingSecret and its key while the external service
replaces the in-cluster one and names a Secret, else from the chart's Secret.
  (dict "context" $ "service" "postgresql" "name" "POSTGRES_PASSWORD")
*/}}
{{- define "geniro.credentialEnv" -}}
{{- $v := .context.Values -}}
{{- /* service: (external block, its key field, the key in the chart's Secret) */ -}}
{{- $ref := get (dict
  "postgresql" (list "externalPostgresql" "existingSecretPasswordKey" "postgres-password")
  "redis" (list "externalRedis" "existingSecretPasswordKey" "redis-password")
  "qdrant" (list "externalQdrant" "existingSecretApiKeyKey" "qdrant-api-key")
  "litellm" (list "externalLitellm" "existingSecretMasterKeyKey" "litellm-master-key")
) .service -}}
{{- if not $ref -}}
{{- fail (printf "geniro.credentialEnv: unknown service %q" .service) -}}
{{- end -}}
{{- $external := index $v (index $ref 0) -}}
{{- $secret := include "geniro.secretName" .context -}}
{{- $key := index $ref 2 -}}
{{- if and (not (index $v .service).enabled) $external.existingSecret -}}
{{- $secret = $external.existingSecret -}}
{{- $key = index $external (index $ref 1) -}}
{{- end -}}
{{- include "geniro.secretEnv" (dict "name" .name "secret" $secret "key" $key) -}}
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
{{ include "geniro.credentialEnv" (dict "context" .context "service" "postgresql" "name" "POSTGRES_PASSWORD") }}
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
    {{- include "geniro.credentialEnv" (dict "context" .context "service" "postgresql" "name" "PGPASSWORD") | nindent 4 }}
  {{- include "geniro.waitingContainerBasics" . | nindent 2 }}
  {{- with include "geniro.postgresql.caVolumeMount" .context }}
  volumeMounts:
    {{- . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/*
Small resources and the restricted security context of the chart's helper init containers
that only wait for something or copy files (wait-for-database, Daytona's wait-for-oidc and
copy-dashboard).
*/}}
{{- define "geniro.waitingContainerBasics" -}}
resources:
  requests:
    cpu: 10m
    memory: 16Mi
  limits:
    cpu: 100m
    memory: 64Mi
securityContext:
  {{- include "geniro.restrictedContainerSecurityContext" . | nindent 2 }}
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
{{ include "geniro.credentialEnv" (dict "context" . "service" "redis" "name" "REDIS_PASSWORD") }}
- name: REDIS_URL
  value: {{ include "geniro.redis.url" . | quote }}
{{- end -}}

{{/* ---------------------------------------------------------------- Qdrant */}}

{{- define "geniro.qdrant.url" -}}
{{- if .Values.qdrant.enabled -}}
{{- printf "http://%s:%v" (include "geniro.componentName" (dict "context" . "component" "qdrant")) .Values.qdrant.service.port -}}
{{- else -}}
{{- .Values.externalQdrant.url -}}
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
  {{- include "geniro.metadata" (merge (dict "annotations" .ingress.annotations) .) | nindent 2 }}
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
  {{- include "geniro.metadata" (merge (dict "annotations" .service.annotations) .) | nindent 2 }}
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

{{/*
The claim template of a data service's StatefulSet, from its persistence values, when
persistence is on (nothing otherwise: the pod mounts an emptyDir of that name instead).
  (dict "context" $ "component" "redis" "values" .Values.redis "volume" "data")
*/}}
{{- define "geniro.volumeClaimTemplates" -}}
{{- $persistence := .values.persistence -}}
{{- if $persistence.enabled -}}
volumeClaimTemplates:
  - metadata:
      name: {{ .volume }}
      labels:
        {{- include "geniro.selectorLabels" . | nindent 8 }}
      {{- with $persistence.annotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      accessModes:
        {{- toYaml $persistence.accessModes | nindent 8 }}
      {{- with include "geniro.storageClass" (dict "context" .context "persistence" $persistence) | trim }}
      {{- . | nindent 6 }}
      {{- end }}
      resources:
        requests:
          storage: {{ $persistence.size | quote }}
{{- end -}}
{{- end -}}

{{/* The storageClassName of a claim: its own storageClass, else global.storageClass. */}}
{{- define "geniro.storageClass" -}}
{{- $class := default .context.Values.global.storageClass .persistence.storageClass -}}
{{- if eq $class "-" }}
storageClassName: ""
{{- else if $class }}
storageClassName: {{ $class | quote }}
{{- end }}
{{- end -}}
