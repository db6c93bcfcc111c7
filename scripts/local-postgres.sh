#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the local stack and the integration tests.
#   scripts/local-postgres.sh start   # initdb (first time) + start on 127.0.0.1:15432, create role/db replicasafe
#   scripts/local-postgres.sh stop    # fast shutdown (idempotent)
#   scripts/local-postgres.sh url [ROLE]   # print the DATABASE_URL (of the owner, or of role api or worker)
#   scripts/local-postgres.sh roles        # create the least-privilege roles api and worker (idempotent)
#   scripts/local-postgres.sh schema DB    # as the owner: db/schema.sql, then db/grants.sql, in database DB
#   scripts/local-postgres.sh status
#   scripts/local-postgres.sh durability   # print the running server's fsync, synchronous_commit, full_page_writes
#   scripts/local-postgres.sh reset-standby  # clear synchronous_standby_names (the conformance test sets it)
# PG_DURABILITY=off (the default: tests and the local stack) starts the server with fsync, synchronous_commit
# and full_page_writes off, which no production database does; PG_DURABILITY=on keeps PostgreSQL's defaults
# (all three on, as the cluster on EKS runs), which the benchmarks use. The setting goes on the server's command
# line at every start, so one data directory serves either.
# The roles and grants are the ones the EKS manifests use (db/grants.sql): the api and the worker connect as
# `api` and `worker`, so a grant they lack fails here first. The owner `replicasafe` is a superuser locally
# (the tests create and drop databases); on EKS it is PGO's NOSUPERUSER owner.
# PostgreSQL refuses to run as root, so initdb/pg_ctl run as the `postgres` user on a directory it owns.
set -euo pipefail
cd "$(dirname "$0")/.."
PGPORT="${PGPORT:-15432}"
DATA_DIR="${LOCAL_PG_DIR:-$PWD/.local/pg}"
# The major version the EKS manifests deploy (apps/base/postgres/postgrescluster.yaml postgresVersion; the lint
# checks that the two agree): Debian 12's postgresql-15.
PG_MAJOR=15
PG_BIN="${PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}"
URL="postgresql://replicasafe@127.0.0.1:${PGPORT}/replicasafe"
case "${PG_DURABILITY:-off}" in
    on) SERVER_OPTIONS="-c fsync=on -c synchronous_commit=on -c full_page_writes=on" ;;
    off) SERVER_OPTIONS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off" ;;
    *) echo "PG_DURABILITY must be on or off, not ${PG_DURABILITY}" >&2; exit 2 ;;
esac

as_postgres() {
    if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -s /bin/bash -c "$(printf '%q ' "$@")"; fi
}

start() {
    [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL $PG_MAJOR binaries not found in $PG_BIN (run make deps)" >&2; exit 1; }
    mkdir -p "$DATA_DIR"
    if [ "$(id -u)" = 0 ]; then
        chown postgres:postgres "$DATA_DIR"
        # The postgres user must be able to reach the directory through its parents.
        local dir
        dir="$(dirname "$DATA_DIR")"
        while [ "$dir" != / ]; do chmod o+x "$dir" 2>/dev/null || true; dir="$(dirname "$dir")"; done
    fi
    if [ ! -f "$DATA_DIR/PG_VERSION" ]; then
        as_postgres "$PG_BIN/initdb" -D "$DATA_DIR" -U postgres --auth=trust --no-instructions -E UTF8 >/dev/null
        {
            echo "listen_addresses = '127.0.0.1'"
            echo "port = ${PGPORT}"
            echo "unix_socket_directories = '${DATA_DIR}'"
            echo "max_connections = 200"
        } | as_postgres tee -a "$DATA_DIR/postgresql.conf" >/dev/null
    fi
    if as_postgres "$PG_BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1; then
        echo "local postgres already running on 127.0.0.1:${PGPORT}" >&2
    else
        # Another cluster (e.g. the one of another checkout) on the port would make pg_ctl fail with only
        # "could not start server"; say what is wrong instead.
        if (exec 3<>"/dev/tcp/127.0.0.1/${PGPORT}") 2>/dev/null; then
            echo "127.0.0.1:${PGPORT} is already taken by another process (another checkout's local PostgreSQL?):" >&2
            ss -ltnp "sport = :${PGPORT}" >&2 || true
            echo "stop it, or choose another port with PGPORT=..." >&2
            exit 1
        fi
        as_postgres "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$DATA_DIR/server.log" -o "$SERVER_OPTIONS" -w -t 30 start >/dev/null
    fi
    local running
    running="$(durability)"
    if [ "$running" != "${PG_DURABILITY:-off}" ]; then
        echo "the local PostgreSQL on 127.0.0.1:${PGPORT} runs with durability $running, not ${PG_DURABILITY:-off}" \
            "(PG_DURABILITY); stop it first (scripts/local-postgres.sh stop)" >&2
        exit 1
    fi
    as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt -c \
        "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'replicasafe') THEN CREATE ROLE replicasafe LOGIN SUPERUSER; END IF; END \$\$;" >/dev/null
    roles
    if [ "$(as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -qAt -c "SELECT 1 FROM pg_database WHERE datname = 'replicasafe'")" != 1 ]; then
        as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -qAt -c "CREATE DATABASE replicasafe OWNER replicasafe" >/dev/null
    fi
    reset_standby
    echo "local postgres up: $URL" >&2
}

# The database conformance test names a synchronous standby that never connects while it runs, and resets it
# (Tests/ModelConformanceTests/ConformanceAmbiguity.swift); a run that died first must not leave every
# synchronous COMMIT (PG_DURABILITY=on) waiting for it.
reset_standby() {
    psql_admin -d postgres -c "ALTER SYSTEM RESET synchronous_standby_names" -c "SELECT pg_reload_conf()" >/dev/null
}

psql_admin() {
    as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

roles() {
    local role
    for role in api worker; do
        psql_admin -d postgres -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN CREATE ROLE $role LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF; END \$\$;" >/dev/null
    done
}

schema() {
    local db=${1:?usage: $0 schema DATABASE}
    [[ $db =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "schema: bad database name $db" >&2; exit 2; }
    roles
    psql "postgresql://replicasafe@127.0.0.1:${PGPORT}/${db}" -v ON_ERROR_STOP=1 -qAt \
        -f db/schema.sql -f db/grants.sql >/dev/null
}

# on, off, or mixed (the three settings disagree).
durability() {
    local values
    values="$(psql_admin -d postgres -c "SELECT string_agg(setting, ',' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')")"
    case "$values" in
        on,on,on) echo on ;;
        off,off,off) echo off ;;
        *) echo "mixed ($values: fsync, full_page_writes, synchronous_commit)" ;;
    esac
}

stop() {
    if [ -f "$DATA_DIR/PG_VERSION" ] && as_postgres "$PG_BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1; then
        as_postgres "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m fast -w stop >/dev/null
        echo "local postgres stopped" >&2
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) echo "${URL/replicasafe@/${2:-replicasafe}@}" ;;
    roles) roles ;;
    schema) schema "${2:-}" ;;
    status) as_postgres "$PG_BIN/pg_ctl" -D "$DATA_DIR" status ;;
    durability) durability ;;
    reset-standby) reset_standby ;;
    *) echo "usage: $0 start|stop|url [ROLE]|roles|schema DB|status|durability|reset-standby" >&2; exit 2 ;;
esac
