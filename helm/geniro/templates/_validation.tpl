{{/* "true" when the dotted path (e.g. api.migrations.command) is set in the values. */}}
{{- define "geniro.valueSet" -}}
{{- $node := .values -}}
{{- $found := true -}}
{{- range $part := splitList "." .path -}}
{{- if and $found (kindIs "map" $node) (hasKey $node $part) -}}
{{- $node = index $node $part -}}
{{- else -}}
{{- $found = false -}}
{{- end -}}
{{- end -}}
{{- if $found -}}true{{- end -}}
{{- end -}}

{{/*
Contradictory or removed values fail the render with one clear message each.
Called once, from validate.yaml.
*/}}
{{- define "geniro.validate" -}}
{{- $v := .Values -}}
{{- /*
Removed keys fail the render naming what replaces them: those of the earlier Bitnami-based
layout, and those of chart 0.3.x that configured what the pinned application does not do.
*/ -}}
{{- $removals := list
  (dict "when" "with the Bitnami-based layout" "see" "Migrating from the Bitnami-based layout" "keys" (dict
    "postgresql.auth" "use secrets.postgresPassword, postgresql.username and <component>.database"
    "postgresql.primary" "use postgresql.persistence, postgresql.resources and postgresql.podSecurityContext"
    "postgresql.architecture" "the chart runs one PostgreSQL; use externalPostgresql for HA"
    "redis.architecture" "the chart runs one Valkey; use externalRedis for replication"
    "redis.auth" "use secrets.redisPassword (or externalRedis.existingSecret)"
    "redis.master" "use redis.persistence, redis.resources and redis.podSecurityContext"
    "redis.replica" "the chart runs one Valkey; use externalRedis for replication"
  ))
  (dict "when" "in chart 0.4.0" "see" "Upgrading" "keys" (dict
    "api.migrations.enabled" "API 1.17.2 applies its migrations itself at boot; use api.migrations.runAtBoot"
    "api.migrations.command" "API 1.17.2 has no migration command in its image; it migrates itself at boot (api.migrations.runAtBoot)"
    "daytona.runner.tokenKey" "the runner token has its own key, daytona-runner-token; set secrets.daytonaRunnerToken (or that key in existingSecret)"
  ))
-}}
{{- range $removal := $removals -}}
{{- range $path, $hint := $removal.keys -}}
{{- if include "geniro.valueSet" (dict "values" $v "path" $path) -}}
{{- fail (printf "values: %s was removed %s: %s (see %q in the chart README)" $path $removal.when $hint $removal.see) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and $v.api.enabled (eq $v.api.config.authProvider "zitadel") (not $v.api.config.zitadel.url) -}}
{{- fail "values: api.config.authProvider is zitadel; set api.config.zitadel.url (and api.config.zitadel.clientId) to your Zitadel, which the chart does not run" -}}
{{- end -}}
{{- if and $v.api.enabled (eq $v.api.config.authProvider "zitadel") (not $v.api.config.zitadel.clientId) -}}
{{- fail "values: api.config.authProvider is zitadel; set api.config.zitadel.clientId to the web app's client ID in Zitadel" -}}
{{- end -}}
{{- if and $v.externalPostgresql.caSecret (ne $v.externalPostgresql.sslMode "verify-full") -}}
{{- fail (printf "values: externalPostgresql.caSecret is only used with sslMode verify-full (sslMode is %s)" $v.externalPostgresql.sslMode) -}}
{{- end -}}
{{- if and $v.postgresql.enabled $v.externalPostgresql.enabled -}}
{{- fail "values: postgresql.enabled and externalPostgresql.enabled are both true; disable one of them" -}}
{{- end -}}
{{- if and $v.redis.enabled $v.externalRedis.enabled -}}
{{- fail "values: redis.enabled and externalRedis.enabled are both true; disable one of them" -}}
{{- end -}}
{{- if and $v.qdrant.enabled $v.externalQdrant.enabled -}}
{{- fail "values: qdrant.enabled and externalQdrant.enabled are both true; disable one of them" -}}
{{- end -}}
{{- if and $v.keycloak.enabled $v.externalKeycloak.enabled -}}
{{- fail "values: keycloak.enabled and externalKeycloak.enabled are both true; disable one of them" -}}
{{- end -}}
{{- if and $v.litellm.enabled $v.externalLitellm.enabled -}}
{{- fail "values: litellm.enabled and externalLitellm.enabled are both true; disable one of them" -}}
{{- end -}}
{{- if and $v.externalPostgresql.enabled (not $v.externalPostgresql.host) -}}
{{- fail "values: externalPostgresql.enabled needs externalPostgresql.host" -}}
{{- end -}}
{{- if and $v.externalPostgresql.enabled (has $v.externalPostgresql.host (list "localhost" "127.0.0.1" "::1")) -}}
{{- fail (printf "values: externalPostgresql.host %s is the pod itself inside Kubernetes; use an address the pods can reach (e.g. the host gateway)" $v.externalPostgresql.host) -}}
{{- end -}}
{{- if and $v.externalRedis.enabled (not $v.externalRedis.host) -}}
{{- fail "values: externalRedis.enabled needs externalRedis.host" -}}
{{- end -}}
{{- if and $v.externalQdrant.enabled (not $v.externalQdrant.url) -}}
{{- fail "values: externalQdrant.enabled needs externalQdrant.url" -}}
{{- end -}}
{{- if and $v.externalKeycloak.enabled (not $v.externalKeycloak.url) -}}
{{- fail "values: externalKeycloak.enabled needs externalKeycloak.url" -}}
{{- end -}}
{{- if and $v.externalLitellm.enabled (not $v.externalLitellm.url) -}}
{{- fail "values: externalLitellm.enabled needs externalLitellm.url" -}}
{{- end -}}
{{- $needsDatabase := or $v.api.enabled $v.litellm.enabled $v.keycloak.enabled $v.daytona.enabled -}}
{{- if and $needsDatabase (not $v.postgresql.enabled) (not $v.externalPostgresql.enabled) -}}
{{- fail "values: the API, LiteLLM, Keycloak and Daytona need PostgreSQL; enable postgresql or externalPostgresql" -}}
{{- end -}}
{{- if and $v.api.enabled (not $v.redis.enabled) (not $v.externalRedis.enabled) -}}
{{- fail "values: the API needs Redis; enable redis or externalRedis" -}}
{{- end -}}
{{- if and $v.api.enabled (not $v.qdrant.enabled) (not $v.externalQdrant.enabled) -}}
{{- fail "values: the API needs Qdrant; enable qdrant or externalQdrant" -}}
{{- end -}}
{{- if and $v.api.enabled (not $v.litellm.enabled) (not $v.externalLitellm.enabled) -}}
{{- fail "values: the API needs LiteLLM; enable litellm or externalLitellm" -}}
{{- end -}}
{{- if and $v.api.enabled (eq $v.api.config.authProvider "keycloak") (not $v.keycloak.enabled) (not $v.externalKeycloak.enabled) -}}
{{- fail "values: api.config.authProvider is keycloak; enable keycloak or externalKeycloak" -}}
{{- end -}}
{{- if and (eq $v.api.config.defaultRuntimeType "Daytona") (not $v.daytona.enabled) -}}
{{- fail "values: api.config.defaultRuntimeType is Daytona; set daytona.enabled=true" -}}
{{- end -}}
{{- if and $v.daytona.enabled $v.externalRedis.enabled (not $v.redis.enabled) (ne (int $v.externalRedis.database) 0) -}}
{{- fail (printf "values: daytona.enabled with externalRedis.database %d: Daytona has no database setting (it takes REDIS_HOST and REDIS_PORT) and would use databases 0 and 1; set externalRedis.database=0 or disable Daytona" (int $v.externalRedis.database)) -}}
{{- end -}}
{{- if and $v.daytona.enabled (not $v.daytona.api.enabled) -}}
{{- fail "values: daytona.enabled needs daytona.api.enabled" -}}
{{- end -}}
{{- /* Daytona (v0.149.0): values its API would reject, or silently ignore, at run time. */ -}}
{{- if $v.daytona.enabled -}}
{{- if and (not $v.redis.enabled) (not $v.externalRedis.enabled) -}}
{{- fail "values: Daytona needs Redis (its API does not start without REDIS_HOST); enable redis or externalRedis" -}}
{{- end -}}
{{- $snapshot := $v.daytona.defaultSnapshot | toString -}}
{{- if or (not (regexMatch "^[^@\\s]+(:[^:/@\\s]+|@sha256:[a-f0-9]{64})$" $snapshot)) (hasSuffix ":latest" $snapshot) -}}
{{- fail (printf "values: daytona.defaultSnapshot %q needs an explicit tag other than latest (or an @sha256 digest); Daytona refuses other snapshot images" $snapshot) -}}
{{- end -}}
{{- $registry := $v.daytona.registry -}}
{{- if and $registry.url (not (and $registry.admin $registry.projectId)) -}}
{{- fail "values: daytona.registry.url needs daytona.registry.admin and daytona.registry.projectId (Daytona ignores a registry with any of them empty)" -}}
{{- end -}}
{{- if not $v.existingSecret -}}
{{- $s := $v.secrets -}}
{{- if and $registry.url (not $s.daytonaRegistryPassword) -}}
{{- fail "values: daytona.registry.url needs secrets.daytonaRegistryPassword (Daytona ignores a registry without a password)" -}}
{{- end -}}
{{- /* The Daytona API tells callers apart by these keys alone: each must be unique. */ -}}
{{- $keys := dict -}}
{{- range $name := list "daytonaApiKey" "daytonaProxyApiKey" "daytonaSshGatewayApiKey" "daytonaRunnerToken" -}}
{{- $key := index $s $name | toString -}}
{{- if hasKey $keys $key -}}
{{- fail (printf "values: secrets.%s and secrets.%s are equal; Daytona tells the Geniro API, the proxy, the SSH gateway and the runner apart by these keys, so each needs its own value" (get $keys $key) $name) -}}
{{- end -}}
{{- $_ := set $keys $key $name -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $databases := dict -}}
{{- range $owner, $database := dict "api" (include "geniro.api.database" .) "litellm" $v.litellm.database "keycloak" $v.keycloak.database "daytona" $v.daytona.database -}}
{{- if hasKey $databases $database -}}
{{- fail (printf "values: %s.database and %s.database are both %q; every component needs its own database" (get $databases $database) $owner $database) -}}
{{- end -}}
{{- $_ := set $databases $database $owner -}}
{{- end -}}
{{- if and (not $v.existingSecret) (not (hasPrefix "sk-" $v.secrets.litellmMasterKey)) -}}
{{- fail "values: secrets.litellmMasterKey must start with sk- (LiteLLM refuses other master keys)" -}}
{{- end -}}
{{- end -}}
