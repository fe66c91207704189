#!/usr/bin/env bash
# Run once by the postgres image when it initialises an empty data volume (/docker-entrypoint-initdb.d): the two roles
# DomioOps connects as. domio_owner owns the database and its schema and applies the migrations (`migrate` service);
# domio_app is what the silos run as: Storage/Sql/0008-application-role.sql grants it the tables, but on the audit
# trail only SELECT and INSERT, and it owns nothing, so it can neither rewrite audit rows nor switch their guards off.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v database="$POSTGRES_DB" -v owner_password="$DOMIO_OWNER_PASSWORD" -v app_password="$DOMIO_APP_PASSWORD" <<'SQL'
CREATE ROLE domio_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE domio_app LOGIN PASSWORD :'app_password';
ALTER DATABASE :"database" OWNER TO domio_owner;
SQL
