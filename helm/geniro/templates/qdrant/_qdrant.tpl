{{/*
Helpers of the in-cluster Qdrant. Shared helpers live in _helpers.tpl.
*/}}

{{/* Name of the headless Service that governs the StatefulSet (≤ 63 characters). */}}
{{- define "geniro.qdrant.headlessName" -}}
{{- include "geniro.componentName" (dict "context" . "component" "qdrant-headless") -}}
{{- end -}}

{{/*
Name of the StatefulSet: <fullname>-qdrant in at most 52 characters, because the controller
adds "-<revision hash>" to it in a 63-character pod label. The fullname is shortened, never
the component suffix.
*/}}
{{- define "geniro.qdrant.statefulsetName" -}}
{{- printf "%s-%s" (include "geniro.fullname" . | trunc 45 | trimSuffix "-") "qdrant" -}}
{{- end -}}
