{{/* Helpers of the Keycloak component. */}}

{{/*
JDBC URL of Keycloak's database. pgjdbc's sslmode=require encrypts without checking the
certificate; verify-full checks it against sslrootcert (the CA of externalPostgresql.caSecret),
else against the JVM's trust store (pgjdbc's default root.crt path does not exist here).
*/}}
{{- define "geniro.keycloak.dbUrl" -}}
{{- $url := printf "jdbc:postgresql://%s:%v/%s" (include "geniro.postgresql.host" .) (include "geniro.postgresql.port" .) .Values.keycloak.database -}}
{{- $mode := include "geniro.postgresql.sslMode" . -}}
{{- if eq $mode "require" -}}
{{- $url = printf "%s?sslmode=require" $url -}}
{{- else if eq $mode "verify-full" -}}
{{- $trust := "sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory" -}}
{{- with include "geniro.postgresql.caFile" . -}}{{- $trust = printf "sslrootcert=%s" . -}}{{- end -}}
{{- $url = printf "%s?sslmode=verify-full&%s" $url $trust -}}
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
{{- $realmJson := dict "realm" $realm.name "enabled" true "clients" $clients -}}
{{- if $realm.seedUser.enabled -}}
{{- /* Keycloak fills ${NAME} placeholders of an imported realm from its environment: the password stays in the Secret. */ -}}
{{- $_ := set $realmJson "users" (list (dict
  "username" $realm.seedUser.username
  "email" $realm.seedUser.email
  "emailVerified" true
  "firstName" "Geniro"
  "lastName" "Developer"
  "enabled" true
  "credentials" (list (dict "type" "password" "value" (printf "${%s}" (include "geniro.keycloak.seedUserPasswordEnv" .)) "temporary" false))
)) -}}
{{- end -}}
{{- toPrettyJson $realmJson -}}
{{- end -}}

{{/* The environment variable that carries the seeded user's password into the realm import. */}}
{{- define "geniro.keycloak.seedUserPasswordEnv" -}}
GENIRO_SEED_USER_PASSWORD
{{- end -}}

{{/*
The seeded user's password: the one the release's Secret already holds (kept across
upgrades), else a new random one. `helm template` cannot look it up and draws a new one.
*/}}
{{- define "geniro.keycloak.seedUserPassword" -}}
{{- $secret := lookup "v1" "Secret" .Release.Namespace (include "geniro.secretName" .) -}}
{{- $existing := dig "data" "keycloak-seed-user-password" "" ($secret | default dict) -}}
{{- if $existing -}}
{{- b64dec $existing -}}
{{- else -}}
{{- randAlphaNum 24 -}}
{{- end -}}
{{- end -}}
