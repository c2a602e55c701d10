#!/bin/sh
# The database's roles (README, "Database roles"). The postgres image runs this once, on an
# empty volume, from /docker-entrypoint-initdb.d; by hand: POSTGRES_USER=postgres sh scripts/postgres-init.sh
#   owner (perfeval): owns the database and its tables; runs migrate and db_grant_app_role.
#   app (perfeval_app): what web and the worker connect as; neither superuser nor owner, so
#     it cannot TRUNCATE the event log, switch its triggers off or drop them.
set -eu
: "${PERFEVAL_OWNER_PASSWORD:?set PERFEVAL_OWNER_PASSWORD}" "${PERFEVAL_APP_PASSWORD:?set PERFEVAL_APP_PASSWORD}"
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v db="${PERFEVAL_DB:-perfeval}" \
  -v owner="${PERFEVAL_OWNER:-perfeval}" -v owner_password="$PERFEVAL_OWNER_PASSWORD" \
  -v app="${PERFEVAL_APP:-perfeval_app}" -v app_password="$PERFEVAL_APP_PASSWORD" <<'SQL'
CREATE ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOINHERIT PASSWORD :'app_password';
CREATE DATABASE :"db" OWNER :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app";
SQL
