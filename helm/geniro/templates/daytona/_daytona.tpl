{{/*
Helpers of the Daytona components (api, runner, proxy). The URL the Geniro API uses
(geniro.daytona.apiUrl) lives in _helpers.tpl; everything else Daytona needs is here.
*/}}

{{/* In-cluster URL of the proxy: the Daytona API hands `<it>/toolbox` to SDK clients. */}}
{{- define "geniro.daytona.proxy.internalUrl" -}}
{{- printf "http://%s:%v" (include "geniro.componentName" (dict "context" . "component" "daytona-proxy")) .Values.daytona.proxy.service.port -}}
{{- end -}}

{{/* Public base URL of the Daytona API: its ingress, else the geniro-dev forward (13986). */}}
{{- define "geniro.daytona.api.publicUrl" -}}
{{- $ingress := .Values.daytona.api.ingress -}}
{{- if $ingress.enabled -}}
{{- printf "%s://%s" (ternary "https" "http" $ingress.tls.enabled) $ingress.host -}}
{{- else -}}
http://localhost:13986
{{- end -}}
{{- end -}}

{{/* Scheme of preview URLs: https behind a TLS ingress, http otherwise. */}}
{{- define "geniro.daytona.proxy.protocol" -}}
{{- $ingress := .Values.daytona.proxy.ingress -}}
{{- ternary "https" "http" (and $ingress.enabled $ingress.tls.enabled) -}}
{{- end -}}

{{/* Domain of preview URLs: daytona.proxy.domain, the ingress host, or the forward. */}}
{{- define "geniro.daytona.proxy.domain" -}}
{{- $proxy := .Values.daytona.proxy -}}
{{- if $proxy.domain -}}
{{- $proxy.domain -}}
{{- else if $proxy.ingress.enabled -}}
{{- $proxy.ingress.host -}}
{{- else -}}
localhost:13987
{{- end -}}
{{- end -}}

{{/* OIDC issuer as the Daytona API and proxy reach it (empty when there is no Keycloak). */}}
{{- define "geniro.daytona.oidc.issuerUrl" -}}
{{- if .Values.daytona.oidc.issuerUrl -}}
{{- .Values.daytona.oidc.issuerUrl -}}
{{- else if or .Values.keycloak.enabled .Values.externalKeycloak.enabled -}}
{{- printf "%s/realms/%s" (include "geniro.keycloak.url" . | trimSuffix "/") (include "geniro.keycloak.realm" .) -}}
{{- end -}}
{{- end -}}

{{/* OIDC issuer as browsers see it (Keycloak's public hostname). */}}
{{- define "geniro.daytona.oidc.publicIssuerUrl" -}}
{{- if .Values.daytona.oidc.publicIssuerUrl -}}
{{- .Values.daytona.oidc.publicIssuerUrl -}}
{{- else if .Values.keycloak.enabled -}}
{{- printf "%s/realms/%s" (.Values.keycloak.hostname | trimSuffix "/") .Values.keycloak.realm.name -}}
{{- else if .Values.externalKeycloak.enabled -}}
{{- printf "%s/realms/%s" (.Values.externalKeycloak.url | trimSuffix "/") .Values.externalKeycloak.realm -}}
{{- end -}}
{{- end -}}

{{/*
OIDC_* environment of the proxy. Only the two issuer URLs: the proxy takes the client id and
the audience from the Daytona API's /api/config when they are unset, but the issuer it would
get there is the public one (PUBLIC_OIDC_DOMAIN), which a pod may not reach. The proxy uses
OIDC only for the browser login of private previews; it contacts no issuer at start.
*/}}
{{- define "geniro.daytona.oidc.proxyEnv" -}}
- name: OIDC_DOMAIN
  value: {{ include "geniro.daytona.oidc.issuerUrl" . | quote }}
- name: OIDC_PUBLIC_DOMAIN
  value: {{ include "geniro.daytona.oidc.publicIssuerUrl" . | quote }}
{{- end -}}

{{/* The runner token, shared by the Daytona API (DEFAULT_RUNNER_API_KEY) and the runner. */}}
{{- define "geniro.daytona.runnerTokenEnv" -}}
{{- include "geniro.secretEnv" (dict "name" .name "secret" (include "geniro.secretName" .context) "key" "daytona-runner-token") -}}
{{- end -}}

{{/* "true" when the Redis that Daytona uses asks for a password (in-cluster: always). */}}
{{- define "geniro.daytona.redis.auth" -}}
{{- if or .Values.redis.enabled .Values.externalRedis.auth -}}true{{- end -}}
{{- end -}}

{{/* "true" or "false": TLS towards Redis (only an external Redis can have it). */}}
{{- define "geniro.daytona.redis.tls" -}}
{{- and (not .Values.redis.enabled) .Values.externalRedis.enabled .Values.externalRedis.tls -}}
{{- end -}}

{{/* REDIS_PASSWORD from its Secret, only when the Redis has a password (else nothing). */}}
{{- define "geniro.daytona.redis.passwordEnv" -}}
{{- if include "geniro.daytona.redis.auth" . -}}
{{- include "geniro.credentialEnv" (dict "context" . "service" "redis" "name" "REDIS_PASSWORD") -}}
{{- end -}}
{{- end -}}

{{/*
Pod metadata of a Daytona component: geniro.podMetadata with the checksum of the Secret
(and of the component's ConfigMap when it has one).
  (dict "context" $ "component" "daytona-api" "values" .Values.daytona.api "configmap" "daytona/api-configmap.yaml")
*/}}
{{- define "geniro.daytona.podMetadata" -}}
{{- $checksums := dict "secrets" (include "geniro.checksum" (dict "context" .context "template" "secrets.yaml")) -}}
{{- with .configmap -}}
{{- $_ := set $checksums "config" (include "geniro.checksum" (dict "context" $.context "template" .)) -}}
{{- end -}}
{{- include "geniro.podMetadata" (merge (dict "checksums" $checksums) .) -}}
{{- end -}}
