#!/bin/sh
# Runs once, when the container's data directory is first initialised.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -f /opt/pgwallets/sql/install.sql
