{{/* Helpers of the LiteLLM component. */}}

{{/*
The query of LiteLLM's DATABASE_URL. LiteLLM reaches PostgreSQL through Prisma, whose
connection string knows only sslmode=disable|prefer|require (anything else silently becomes
prefer) and checks certificates only with sslaccept=strict (against sslcert, the CA file,
when externalPostgresql.caSecret is given).
*/}}
{{- define "geniro.litellm.databaseQuery" -}}
{{- $mode := include "geniro.postgresql.sslMode" . -}}
{{- if ne $mode "verify-full" -}}
sslmode={{ $mode }}
{{- else -}}
sslmode=require&sslaccept=strict
{{- with include "geniro.postgresql.caFile" . -}}&sslcert={{ . }}{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The environment variables that carry provider keys, as a JSON array: the keys of
secrets.providerKeys plus every os.environ/NAME in litellm.models (sorted, unique).
*/}}
{{- define "geniro.litellm.providerKeyNames" -}}
{{- $names := keys .Values.secrets.providerKeys -}}
{{- range $ref := regexFindAll "os\\.environ/[A-Za-z_][A-Za-z0-9_]*" (toJson .Values.litellm.models) -1 -}}
{{- $names = append $names (trimPrefix "os.environ/" $ref) -}}
{{- end -}}
{{- $names | uniq | sortAlpha | toJson -}}
{{- end -}}

{{/* LiteLLM's DATABASE_URL (the password by reference, see geniro.postgresql.url). */}}
{{- define "geniro.litellm.databaseUrl" -}}
{{- include "geniro.postgresql.url" (dict "context" . "database" .Values.litellm.database "query" (include "geniro.litellm.databaseQuery" .)) -}}
{{- end -}}
