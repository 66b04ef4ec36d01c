{{/*
Helpers of the in-cluster PostgreSQL (pgvector). Shared helpers live in _helpers.tpl.
*/}}

{{/*
The databases the in-cluster PostgreSQL creates, space-separated and in a fixed order: those
of the enabled components (api, litellm, keycloak, daytona), then postgresql.extraDatabases,
without duplicates. Every name must be a plain identifier: the init script and the Job's
name are built from this list.
*/}}
{{- define "geniro.postgresql.databases" -}}
{{- $v := .Values -}}
{{- $databases := list -}}
{{- range $component := list "api" "litellm" "keycloak" "daytona" -}}
{{- $values := index $v $component -}}
{{- if $values.enabled -}}
{{- $databases = append $databases (toString $values.database) -}}
{{- end -}}
{{- end -}}
{{- range $v.postgresql.extraDatabases -}}
{{- $databases = append $databases (toString .) -}}
{{- end -}}
{{- range $databases -}}
{{- if not (regexMatch "^[A-Za-z_][A-Za-z0-9_-]{0,62}$" .) -}}
{{- fail (printf "values: database name %q is not supported; use letters, digits, _ and - (at most 63, not starting with a digit or -)" .) -}}
{{- end -}}
{{- if has . (list "template0" "template1") -}}
{{- fail (printf "values: database name %q is a PostgreSQL template database; choose another name" .) -}}
{{- end -}}
{{- end -}}
{{- $databases | uniq | join " " -}}
{{- end -}}

{{/* Name of the headless Service that governs the StatefulSet (≤ 63 characters). */}}
{{- define "geniro.postgresql.headlessName" -}}
{{- include "geniro.componentName" (dict "context" . "component" "postgresql-headless") -}}
{{- end -}}

{{/*
The pod template of the database-init Job. Rendered separately so that the Job's name can
carry a hash of it: a Job's template is immutable, so any change to it (the database list
through the ConfigMap checksum, the image, resources…) must create a new Job rather than
patch the old one.
*/}}
{{- define "geniro.postgresql.initJobPodTemplate" -}}
{{- $v := .Values.postgresql -}}
{{- $component := dict "context" . "component" "postgresql-init" "values" $v -}}
metadata:
  {{- include "geniro.podMetadata" (merge (dict "checksums" (dict "init" (include "geniro.checksum" (dict "context" . "template" "postgresql/configmap.yaml")) "secrets" (include "geniro.checksum" (dict "context" . "template" "secrets.yaml")))) $component) | nindent 2 }}
spec:
  {{- include "geniro.podSpecCommon" $component | nindent 2 }}
  enableServiceLinks: false
  restartPolicy: Never
  containers:
    - name: init-databases
      {{- include "geniro.containerImage" (dict "image" $v.image "context" .) | nindent 6 }}
      command:
        - sh
        - -c
        - until pg_isready --quiet; do echo "waiting for PostgreSQL on $PGHOST:$PGPORT"; sleep 2; done; exec sh /scripts/init-databases.sh
      env:
        - name: PGHOST
          value: {{ include "geniro.componentName" (dict "context" . "component" "postgresql") | quote }}
        - name: PGPORT
          value: {{ $v.service.port | quote }}
        - name: PGUSER
          value: {{ $v.username | quote }}
        - name: PGDATABASE
          value: postgres
        - name: PGCONNECT_TIMEOUT
          value: "5"
        {{- include "geniro.credentialEnv" (dict "context" . "service" "postgresql" "name" "PGPASSWORD") | nindent 8 }}
      resources:
        requests:
          cpu: 10m
          memory: 32Mi
        limits:
          cpu: 200m
          memory: 128Mi
      securityContext:
        {{- include "geniro.restrictedContainerSecurityContext" . | nindent 8 }}
      volumeMounts:
        - name: scripts
          mountPath: /scripts
          readOnly: true
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: scripts
      configMap:
        name: {{ include "geniro.componentName" (dict "context" . "component" "postgresql") }}
        defaultMode: 0555
    - name: tmp
      emptyDir: {}
{{- end -}}

{{/*
Name of the StatefulSet: <fullname>-postgresql in at most 52 characters, because the controller
adds "-<revision hash>" to it in a 63-character pod label. The fullname is shortened, never
the component suffix.
*/}}
{{- define "geniro.postgresql.statefulsetName" -}}
{{- printf "%s-%s" (include "geniro.fullname" . | trunc 41 | trimSuffix "-") "postgresql" -}}
{{- end -}}
