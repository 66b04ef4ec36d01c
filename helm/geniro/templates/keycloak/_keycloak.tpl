{{/* Helpers of the Keycloak component. */}}

{{/* JDBC URL of Keycloak's database; sslmode only when TLS is asked for (pgjdbc knows libpq's modes). */}}
{{- define "geniro.keycloak.dbUrl" -}}
{{- $url := printf "jdbc:postgresql://%s:%v/%s" (include "geniro.postgresql.host" .) (include "geniro.postgresql.port" .) .Values.keycloak.database -}}
{{- $mode := include "geniro.postgresql.sslMode" . -}}
{{- if ne $mode "disable" -}}
{{- $url = printf "%s?sslmode=%s" $url $mode -}}
{{- end -}}
{{- $url -}}
{{- end -}}

{{/*
The realm imported at start (--import-realm). Keycloak imports a realm only while it does
not exist yet: later changes to these values do not reach a running realm.
The web app's client is public (a browser keeps no secret) and uses the authorization code
flow with PKCE S256; post.logout.redirect.uris "+" reuses the redirect URIs for logout.
*/}}
{{- define "geniro.keycloak.realmJson" -}}
{{- $realm := .Values.keycloak.realm -}}
{{- $client := dict
  "clientId" $realm.clientId
  "enabled" true
  "protocol" "openid-connect"
  "publicClient" true
  "standardFlowEnabled" true
  "implicitFlowEnabled" false
  "directAccessGrantsEnabled" false
  "serviceAccountsEnabled" false
  "redirectUris" ($realm.redirectUris | default list)
  "webOrigins" ($realm.webOrigins | default list)
  "attributes" (dict "pkce.code.challenge.method" "S256" "post.logout.redirect.uris" "+")
-}}
{{- $clients := list $client -}}
{{- if .Values.daytona.enabled -}}
{{- /* Daytona's dashboard signs in through this realm; its tokens must name Daytona's audience. */ -}}
{{- $daytonaApi := .Values.daytona.api -}}
{{- $daytonaOrigin := ternary (printf "%s://%s" (ternary "https" "http" $daytonaApi.ingress.tls.enabled) $daytonaApi.ingress.host) "http://localhost:13986" $daytonaApi.ingress.enabled -}}
{{- $audience := dict "name" "daytona-audience" "protocol" "openid-connect" "protocolMapper" "oidc-audience-mapper" "config" (dict "included.client.audience" .Values.daytona.oidc.audience "access.token.claim" "true" "id.token.claim" "false") -}}
{{- $clients = append $clients (dict
  "clientId" .Values.daytona.oidc.clientId
  "enabled" true
  "protocol" "openid-connect"
  "publicClient" true
  "standardFlowEnabled" true
  "implicitFlowEnabled" false
  "directAccessGrantsEnabled" false
  "serviceAccountsEnabled" false
  "redirectUris" (list (printf "%s/*" $daytonaOrigin))
  "webOrigins" (list $daytonaOrigin)
  "attributes" (dict "pkce.code.challenge.method" "S256" "post.logout.redirect.uris" "+")
  "protocolMappers" (list $audience)
) -}}
{{- end -}}
{{- toPrettyJson (dict "realm" $realm.name "enabled" true "clients" $clients) -}}
{{- end -}}
