{{/* Helpers of the web component. */}}

{{/*
The web app's runtime configuration: the image's index.html loads /config.js, which sets
window.__CONFIG__ = {API_URL, WEBSITE_URL}. An empty value means the page's own origin (the
web Ingress routes /api and /socket.io to the API); without an ingress the default API_URL is
the API's offset forward, http://localhost:15000. toJson escapes <, > and &, so no value
can close the <script> the file is loaded by. Keycloak's URL, realm and client are not here:
the app reads them from the API (GET /api/v1/system/config).
*/}}
{{- define "geniro.web.configJs" -}}
{{- /* Without an ingress the browser comes through the offset forwards (API on 15000). */ -}}
{{- $apiUrl := .Values.web.apiUrl | default (ternary "" "http://localhost:15000" .Values.web.ingress.enabled) | trimSuffix "/" -}}
{{- $websiteUrl := include "geniro.web.publicUrl" . -}}
window.__CONFIG__ = {
  API_URL: {{ toJson $apiUrl }} || window.location.origin,
  WEBSITE_URL: {{ toJson $websiteUrl }} || window.location.origin,
};
{{- end -}}

{{/* The web app's public URL when an Ingress serves it, else "" (the forward's origin). */}}
{{- define "geniro.web.publicUrl" -}}
{{- if .Values.web.ingress.enabled -}}
{{- printf "%s://%s" (ternary "https" "http" .Values.web.ingress.tls.enabled) .Values.web.ingress.host -}}
{{- end -}}
{{- end -}}
