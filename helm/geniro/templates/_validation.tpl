{{/*
Contradictory or removed values fail the render with one clear message each.
Called once, from validate.yaml.
*/}}
{{- define "geniro.validate" -}}
{{- $v := .Values -}}
{{- /* Keys of the earlier Bitnami-based layout: name the new key. */ -}}
{{- $legacy := dict
  "postgresql.auth" "use secrets.postgresPassword, postgresql.username and <component>.database"
  "postgresql.primary" "use postgresql.persistence, postgresql.resources and postgresql.podSecurityContext"
  "postgresql.architecture" "the chart runs one PostgreSQL; use externalPostgresql for HA"
  "redis.architecture" "the chart runs one Valkey; use externalRedis for replication"
  "redis.auth" "use secrets.redisPassword (or externalRedis.existingSecret)"
  "redis.master" "use redis.persistence, redis.resources and redis.podSecurityContext"
  "redis.replica" "the chart runs one Valkey; use externalRedis for replication"
-}}
{{- range $path, $hint := $legacy -}}
{{- $parts := splitList "." $path -}}
{{- $block := index $v (first $parts) -}}
{{- if and (kindIs "map" $block) (hasKey $block (last $parts)) -}}
{{- fail (printf "values: %s was removed with the Bitnami-based layout: %s (see \"Migrating from the Bitnami-based layout\" in the chart README)" $path $hint) -}}
{{- end -}}
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
{{- fail (printf "values: daytona.enabled with externalRedis.database %d: Daytona takes only REDIS_HOST and REDIS_PORT and would use database 0; set externalRedis.database=0 or disable Daytona" (int $v.externalRedis.database)) -}}
{{- end -}}
{{- if and $v.daytona.enabled (not $v.daytona.api.enabled) -}}
{{- fail "values: daytona.enabled needs daytona.api.enabled" -}}
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
