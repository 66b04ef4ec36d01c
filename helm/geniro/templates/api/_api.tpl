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
Applies the API's database migrations (MikroORM) before the API starts, after the database
accepts connections. Two replicas starting together may both try: the loser fails on the
migrations table lock or a duplicate, its init container restarts, and finds nothing left
to do.
*/}}
{{- define "geniro.api.migrateContainer" -}}
{{- $v := .Values.api -}}
- name: migrate
  {{- include "geniro.containerImage" (dict "image" $v.image "context" .) | nindent 2 }}
  command:
    {{- toYaml $v.migrations.command | nindent 4 }}
  envFrom:
    - configMapRef:
        name: {{ include "geniro.componentName" (dict "context" . "component" "api") }}
  env:
    {{- include "geniro.postgresql.env" (dict "context" . "database" (include "geniro.api.database" .)) | nindent 4 }}
  resources:
    {{- toYaml $v.resources | nindent 4 }}
  securityContext:
    {{- toYaml $v.securityContext | nindent 4 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
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
