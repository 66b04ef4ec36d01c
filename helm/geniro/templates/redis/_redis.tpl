{{/*
Helpers of the in-cluster Valkey. Shared helpers live in _helpers.tpl.
*/}}

{{/* Name of the headless Service that governs the StatefulSet (≤ 63 characters). */}}
{{- define "geniro.redis.headlessName" -}}
{{- include "geniro.componentName" (dict "context" . "component" "redis-headless") -}}
{{- end -}}

{{/*
Name of the StatefulSet: <fullname>-redis in at most 52 characters, because the controller
adds "-<revision hash>" to it in a 63-character pod label. The fullname is shortened, never
the component suffix.
*/}}
{{- define "geniro.redis.statefulsetName" -}}
{{- printf "%s-%s" (include "geniro.fullname" . | trunc 46 | trimSuffix "-") "redis" -}}
{{- end -}}
