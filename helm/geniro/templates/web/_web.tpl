{{/* Helpers of the web component. */}}

{{/*
The browser-side configuration of the web app, as one JSON object (toJson escapes <, > and &,
so no value can close the <script> it is loaded by).
apiUrl: web.apiUrl, or "" = same origin (the app calls /api/... and /socket.io on its own
host; the web Ingress routes both to the API). keycloakUrl is the public URL the browser
reaches Keycloak at, never the in-cluster one.
*/}}
{{- define "geniro.web.runtimeConfig" -}}
{{- $keycloakUrl := "" -}}
{{- if .Values.keycloak.enabled -}}
{{- $keycloakUrl = .Values.keycloak.hostname -}}
{{- else if .Values.externalKeycloak.enabled -}}
{{- $keycloakUrl = .Values.externalKeycloak.url -}}
{{- end -}}
{{- $config := dict
  "apiUrl" (.Values.web.apiUrl | default "" | trimSuffix "/")
  "keycloakUrl" ($keycloakUrl | trimSuffix "/")
  "keycloakRealm" (include "geniro.keycloak.realm" .)
  "keycloakClientId" (include "geniro.keycloak.clientId" .)
-}}
{{- toJson $config -}}
{{- end -}}
