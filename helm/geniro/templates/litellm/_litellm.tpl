{{/* Helpers of the LiteLLM component. */}}

{{/*
The query of LiteLLM's DATABASE_URL. LiteLLM reaches PostgreSQL through Prisma, whose
connection string knows only sslmode=disable|prefer|require (anything else silently becomes
prefer) and checks certificates only with sslaccept=strict: libpq's allow is mapped to
prefer, verify-ca and verify-full to require with certificate checking.
*/}}
{{- define "geniro.litellm.databaseQuery" -}}
{{- $mode := include "geniro.postgresql.sslMode" . -}}
{{- if eq $mode "disable" -}}
sslmode=disable
{{- else if has $mode (list "allow" "prefer") -}}
sslmode=prefer
{{- else if eq $mode "require" -}}
sslmode=require
{{- else -}}
sslmode=require&sslaccept=strict
{{- end -}}
{{- end -}}

{{/*
DATABASE_URL without the password: $(POSTGRES_PASSWORD) is expanded by the kubelet from the
env entry of that name, which must come first. The password lands in the URL unencoded, so
it must be URL-safe (no @ : / ? # % or spaces).
*/}}
{{- define "geniro.litellm.databaseUrl" -}}
{{- printf "postgresql://%s:$(POSTGRES_PASSWORD)@%s:%v/%s?%s" (include "geniro.postgresql.username" . | urlquery) (include "geniro.postgresql.host" .) (include "geniro.postgresql.port" .) (.Values.litellm.database | urlquery) (include "geniro.litellm.databaseQuery" .) -}}
{{- end -}}
