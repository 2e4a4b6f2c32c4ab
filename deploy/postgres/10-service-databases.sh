#!/usr/bin/env bash
# Runs once, when the postgres:15 container initialises an empty data directory
# (/docker-entrypoint-initdb.d). One LOGIN role and one database per name in DIVIT_DATABASES,
# the database owned by its role - the same layout as tools/stack/postgres/bootstrap.sql.
# The password of role <name> comes from the environment variable <NAME>_DB_PASSWORD
# (e.g. DIVIT_REGISTRATION_DB_PASSWORD); without one the role gets no password and cannot log in
# over the network (scram-sha-256), which is right for services not deployed yet.
# Idempotent: safe to run again by hand (`docker compose exec postgres bash /docker-entrypoint-initdb.d/10-service-databases.sh`).
set -euo pipefail

: "${DIVIT_DATABASES:?DIVIT_DATABASES must list the databases to create}"

for name in $DIVIT_DATABASES; do
  if [[ ! $name =~ ^[a-z_][a-z0-9_]*$ ]]; then
    echo "service-databases: invalid name '$name'" >&2
    exit 1
  fi
  password_var="${name^^}_DB_PASSWORD"
  password="${!password_var:-}"
  psql -X -q -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    -v name="$name" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'name')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'name')
\gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'name', :'password')
 WHERE :'password' <> ''
\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'name')
\gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', d.datname, :'name')
  FROM pg_database d
 WHERE d.datname = :'name' AND pg_get_userbyid(d.datdba) <> :'name'
\gexec
SQL
  if [[ -n $password ]]; then
    echo "service-databases: $name ready (password from $password_var)"
  else
    echo "service-databases: $name ready (no $password_var: role cannot log in over the network)"
  fi
done
