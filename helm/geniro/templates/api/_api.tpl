{{/* Helpers of the API component. */}}

{{/*
The API's database: externalPostgresql.database when an external server is used and it is
set (bridge mode gives the cluster its own database on a shared server), else api.database.
*/}}
{{- define "geniro.api.database" -}}
{{- if and .Values.externalPostgresql.enabled .Values.externalPostgresql.database -}}
{{- .Values.externalPostgresql.database -}}
{{- else -}}
{{- .Values.api.database -}}
{{- end -}}
{{- end -}}

{{/*
The browser origins the API lets in (CORS and its Socket.IO gateway, which refuses every
origin while CORS_ALLOWED_ORIGINS is unset): api.config.corsAllowedOrigins, else the web
app's origin — its ingress, or the web forward of geniro-dev.
*/}}
{{- define "geniro.api.corsAllowedOrigins" -}}
{{- $origins := .Values.api.config.corsAllowedOrigins -}}
{{- if not $origins -}}
{{- $origins = list (include "geniro.web.publicUrl" . | default "http://localhost:14173") -}}
{{- end -}}
{{- join "," $origins -}}
{{- end -}}

{{/*
How the API reaches PostgreSQL over TLS. Its driver (node-postgres) gets `ssl: POSTGRES_SSL`,
where true checks the certificate and the host name (verify-full; a private CA comes in
through NODE_EXTRA_CA_CERTS). Encryption without that check (require) exists only as
sslmode=no-verify in a connection URL, which the driver reads over the separate fields.
*/}}
{{- define "geniro.api.postgresqlTlsEnv" -}}
{{- $mode := include "geniro.postgresql.sslMode" . -}}
- name: POSTGRES_SSL
  value: {{ eq $mode "verify-full" | quote }}
{{- if eq $mode "require" }}
- name: POSTGRES_URL
  value: {{ include "geniro.postgresql.url" (dict "context" . "database" (include "geniro.api.database" .) "query" "sslmode=no-verify") | quote }}
{{- end }}
{{- with include "geniro.postgresql.caFile" . }}
- name: NODE_EXTRA_CA_CERTS
  value: {{ . | quote }}
{{- end }}
{{- end -}}

{{/*
Through the port-forwards Keycloak's public URL is http://localhost:<port>. The API must
fetch its keys from that same URL (it checks the token issuer against it), and inside the
pod localhost is the pod itself: this sidecar relays 127.0.0.1:<port> to the Keycloak
Service. It runs the API image's own Node, so it adds no image.
*/}}
{{- define "geniro.api.keycloakRelayContainer" -}}
{{- $port := include "geniro.keycloak.localhostPort" . -}}
{{- $target := include "geniro.componentName" (dict "context" . "component" "keycloak") -}}
- name: keycloak-relay
  {{- include "geniro.containerImage" (dict "image" .Values.api.image "context" .) | nindent 2 }}
  command:
    - node
    - -e
    - >-
      const net = require('node:net');
      net.createServer((client) => {
      const upstream = net.connect({{ .Values.keycloak.service.port }}, {{ $target | quote }});
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      }).listen({{ $port }}, '127.0.0.1');
  {{- /* The relay listens on loopback only, where kubelet's TCP probes cannot reach: exec. */}}
  {{- $probe := dict "exec" (dict "command" (list "node" "-e" (printf "require('node:net').connect(%s, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))" $port))) }}
  livenessProbe:
    {{- toYaml $probe | nindent 4 }}
    periodSeconds: 20
    timeoutSeconds: 5
    failureThreshold: 3
  readinessProbe:
    {{- toYaml $probe | nindent 4 }}
    periodSeconds: 10
    timeoutSeconds: 5
    failureThreshold: 3
  resources:
    requests:
      cpu: 5m
      memory: 48Mi
    limits:
      cpu: 200m
      memory: 128Mi
  securityContext:
    {{- include "geniro.restrictedContainerSecurityContext" . | nindent 4 }}
{{- end -}}
