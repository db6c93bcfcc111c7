#!/usr/bin/env bash
# Backup-and-restore drill with pgBackRest and PostgreSQL 15.
#
# Creates a throwaway cluster (port 15433), applies db/schema.sql, loads the rows an after-mode
# worker writes for a known set of produced events, takes a full backup (to an S3 API served by
# moto behind stunnel, or a posix repository), keeps writing, drops the ledger table, restores to
# the time the DROP was issued (point-in-time recovery from the WAL archive), verifies row counts,
# balances and stored offsets against the produced events, then replays the remaining events from
# the restored offsets (as the worker does after a restore) and verifies every produced event is
# applied exactly once.
#
# Last stdout line: one JSON object with rpo_seconds, rto_seconds, rows_expected, rows_restored,
# verified. Exit 0 only when verified; a wrong restore exits 1 and says why on stderr.
#
# Usage: scripts/drill/pgbackrest-drill.sh [--repo s3|posix] [--scenario drop-table|volume-loss]
#                                          [--fault none|wrong-target|corrupt-after-restore] [--events N] [--keep]
#   --scenario volume-loss: instead of a DROP, postgres is killed and its data directory deleted (the
#   volume is lost, with the WAL not yet archived); the restore replays the archive to its end and the
#   RPO is what the archive did not hold yet.
#   --fault exists to prove the verification fails loudly (checks/drill/test-drill.sh).
#   A failed drill keeps its work directory for inspection unless DRILL_KEEP_ON_FAILURE=0.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_PORT=${DRILL_PG_PORT:-15433}
S3_HTTP_PORT=${DRILL_S3_HTTP_PORT:-15480}
S3_TLS_PORT=${DRILL_S3_TLS_PORT:-15443}
VENV="$ROOT/.local/venvs/ops"
REPO=s3
SCENARIO=drop-table
FAULT=none
EVENTS_A=20000
KEEP=0

usage() { sed -n '2,/^set -euo/p' "$0" | sed 's/^# \{0,1\}//; /^set -euo/d' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
        --repo) REPO=${2:?}; shift 2 ;;
        --fault) FAULT=${2:?}; shift 2 ;;
        --scenario) SCENARIO=${2:?}; shift 2 ;;
        --events) EVENTS_A=${2:?}; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage ;;
        *) echo "drill: unknown argument '$1'" >&2; usage ;;
    esac
done
case "$REPO" in s3|posix) ;; *) echo "drill: --repo must be s3 or posix, not '$REPO'" >&2; exit 2 ;; esac
case "$FAULT" in none|wrong-target|corrupt-after-restore) ;; *) echo "drill: unknown --fault '$FAULT'" >&2; exit 2 ;; esac
case "$SCENARIO" in drop-table|volume-loss) ;; *) echo "drill: unknown --scenario '$SCENARIO'" >&2; exit 2 ;; esac
if [ "$SCENARIO" = volume-loss ] && [ "$FAULT" = wrong-target ]; then
    echo "drill: --fault wrong-target needs --scenario drop-table (a volume loss restores to the end of the archive)" >&2; exit 2
fi
if ! [[ "$EVENTS_A" =~ ^[0-9]+$ ]] || [ "$EVENTS_A" -lt 100 ]; then
    echo "drill: --events must be an integer >= 100" >&2; exit 2
fi

log() { printf '%s drill: %s\n' "$(date -u +%H:%M:%S.%3N)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# ------------------------------------------------------------------ preconditions
for tool in pgbackrest "$PG_BIN/initdb" "$PG_BIN/pg_ctl" "$PG_BIN/psql" flock runuser; do
    command -v "$tool" >/dev/null || die "missing $tool (run make deps)"
done
PYTHON="$VENV/bin/python"; [ -x "$PYTHON" ] || PYTHON=python3
if [ "$REPO" = s3 ]; then
    command -v stunnel4 >/dev/null || die "missing stunnel4 (run make deps) or use --repo posix"
    [ -x "$VENV/bin/moto_server" ] || die "missing $VENV/bin/moto_server (run make deps) or use --repo posix"
fi
id postgres >/dev/null 2>&1 || die "no 'postgres' user (install postgresql-15)"
if [ "$(id -un)" != postgres ] && [ "$(id -u)" != 0 ]; then die "run as root or as postgres"; fi
as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

# One drill at a time on this machine: the ports are fixed.
exec 9>/tmp/replicasafe-drill.lock
flock -w 300 9 || die "another drill holds /tmp/replicasafe-drill.lock"
for port in "$PG_PORT" "$S3_HTTP_PORT" "$S3_TLS_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is already in use"; fi
done

WORK=$(mktemp -d /tmp/replicasafe-drill.XXXXXX)
chmod 755 "$WORK"
PGDATA="$WORK/pgdata"
CONF="$WORK/pgbackrest.conf"
MOTO_PID=""; STUNNEL_PID=""; WRITER_PID=""

cleanup() {
    local rc=$?
    set +e
    [ -n "$WRITER_PID" ] && kill "$WRITER_PID" 2>/dev/null
    if [ -f "$PGDATA/postmaster.pid" ]; then as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1; fi
    [ -n "$STUNNEL_PID" ] && kill "$STUNNEL_PID" 2>/dev/null
    [ -n "$MOTO_PID" ] && kill "$MOTO_PID" 2>/dev/null
    wait 2>/dev/null
    if [ "$KEEP" = 1 ] || { [ "$rc" != 0 ] && [ "${DRILL_KEEP_ON_FAILURE:-1}" = 1 ]; }; then
        log "work directory kept for inspection: $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql_cmd() { as_pg "$PG_BIN/psql" -X -q -At -h "$WORK" -p "$PG_PORT" -U postgres "$@"; }
PSQL_JSON=$(printf '["runuser","-u","postgres","--","%s","-X","-q","-At","-h","%s","-p","%s","-U","postgres","-d","replicasafe"]' "$PG_BIN/psql" "$WORK" "$PG_PORT")
[ "$(id -un)" = postgres ] && PSQL_JSON=$(printf '["%s","-X","-q","-At","-h","%s","-p","%s","-U","postgres","-d","replicasafe"]' "$PG_BIN/psql" "$WORK" "$PG_PORT")
pgbr() { as_pg pgbackrest --config="$CONF" --stanza=drill "$@"; }
data() { (cd "$ROOT" && "$PYTHON" -m scripts.drill.drill_data "$@"); }

# ------------------------------------------------------------------ repository
start_s3() {
    "$VENV/bin/moto_server" -H 127.0.0.1 -p "$S3_HTTP_PORT" >"$WORK/moto.log" 2>&1 &
    MOTO_PID=$!
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
        -keyout "$WORK/tls.key" -out "$WORK/tls.crt" >/dev/null 2>&1 || die "openssl could not make a certificate"
    # stunnel terminates TLS for pgBackRest (moto's own --ssl breaks pgBackRest's TLS).
    cat >"$WORK/stunnel.conf" <<EOF
foreground = yes
pid =
[s3]
accept = 127.0.0.1:$S3_TLS_PORT
connect = 127.0.0.1:$S3_HTTP_PORT
cert = $WORK/tls.crt
key = $WORK/tls.key
EOF
    stunnel4 "$WORK/stunnel.conf" >"$WORK/stunnel.log" 2>&1 &
    STUNNEL_PID=$!
    local i
    for i in $(seq 1 100); do
        if "$VENV/bin/python" - "$S3_HTTP_PORT" <<'EOF' 2>/dev/null; then break; fi
import sys, boto3
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1",
                  aws_access_key_id="drill", aws_secret_access_key="drill")
s3.create_bucket(Bucket="replicasafe-db-backups")
EOF
        sleep 0.1
        [ "$i" = 100 ] && die "moto did not start (see $WORK/moto.log)"
    done
    for i in $(seq 1 50); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$S3_TLS_PORT") 2>/dev/null; then break; fi
        sleep 0.1
        [ "$i" = 50 ] && die "stunnel did not listen on $S3_TLS_PORT (see $WORK/stunnel.log)"
    done
    cat >"$CONF" <<EOF
[global]
repo1-type=s3
repo1-s3-endpoint=127.0.0.1
repo1-storage-port=$S3_TLS_PORT
repo1-storage-verify-tls=n
repo1-s3-uri-style=path
repo1-s3-bucket=replicasafe-db-backups
repo1-s3-region=us-east-1
repo1-s3-key=drill
repo1-s3-key-secret=drill
EOF
}

start_posix() {
    mkdir -p "$WORK/repo"
    cat >"$CONF" <<EOF
[global]
repo1-type=posix
EOF
}

if [ "$REPO" = s3 ]; then start_s3; else start_posix; fi
mkdir -p "$WORK/repo" "$WORK/log" "$WORK/lock"
cat >>"$CONF" <<EOF
repo1-path=$( [ "$REPO" = s3 ] && echo /replicasafe || echo "$WORK/repo" )
repo1-bundle=y
repo1-retention-full=2
compress-type=lz4
process-max=2
start-fast=y
log-path=$WORK/log
lock-path=$WORK/lock
log-level-console=warn
log-level-file=info

[drill]
pg1-path=$PGDATA
pg1-port=$PG_PORT
pg1-socket-path=$WORK
EOF
chown -R postgres "$WORK"
log "repository: $REPO; work directory $WORK"

# ------------------------------------------------------------------ cluster, schema, stanza
as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 \
    || die "initdb failed (see $WORK/initdb.log)"
cat >>"$PGDATA/postgresql.conf" <<EOF
port = $PG_PORT
listen_addresses = ''
unix_socket_directories = '$WORK'
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] '
log_statement = 'ddl'
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --config=$CONF --stanza=drill archive-push %p'
archive_timeout = 60
track_commit_timestamp = on
EOF
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -w start >/dev/null || die "postgres did not start (see $WORK/postgres.log)"
psql_cmd -d postgres -c "CREATE DATABASE replicasafe" || die "createdb failed"
psql_cmd -d replicasafe -v ON_ERROR_STOP=1 <"$ROOT/db/schema.sql" || die "db/schema.sql did not apply"
pgbr stanza-create >/dev/null || die "stanza-create failed (see $WORK/log)"
pgbr check >/dev/null || die "pgbackrest check failed: WAL archiving does not work (see $WORK/log)"

# ------------------------------------------------------------------ produced events, phase A, full backup
EVENTS_B=$((EVENTS_A * 2))
data produce --seed 42 --events $((EVENTS_A + EVENTS_B)) --out "$WORK/events.csv"
data batches --events "$WORK/events.csv" --start 0 --end "$EVENTS_A" --batch-size 500 \
    --redeliver-every 4 --out "$WORK/phase-a.sql"
psql_cmd -d replicasafe -f "$WORK/phase-a.sql" >"$WORK/commits-a.log" 2>"$WORK/phase-a.err"
[ -s "$WORK/phase-a.err" ] && die "phase A had errors: $(head -3 "$WORK/phase-a.err")"
log "phase A: $EVENTS_A events applied"

t0=$(now)
pgbr --type=full backup || die "full backup failed (see $WORK/log)"
BACKUP_SECONDS=$(elapsed "$t0" "$(now)")
BACKUP_BYTES=$(pgbr info --output=json | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0]["backup"][-1]["info"]["size"])')
log "full backup in ${BACKUP_SECONDS}s (database $BACKUP_BYTES bytes)"

# ------------------------------------------------------------------ keep writing, then the accident
data batches --events "$WORK/events.csv" --start "$EVENTS_A" --end $((EVENTS_A + EVENTS_B)) --batch-size 20 \
    --batch-no-base 1000 --sleep 0.01 --redeliver-every 10 --redeliver 3 --out "$WORK/phase-b.sql"
psql_cmd -d replicasafe -f "$WORK/phase-b.sql" >"$WORK/commits-b.log" 2>"$WORK/phase-b.err" &
WRITER_PID=$!
sleep 3
kill -0 "$WRITER_PID" 2>/dev/null || die "the writer stopped early (see $WORK/phase-b.err)"
if [ "$SCENARIO" = volume-loss ]; then
    log "accident: postgres dies and its volume is lost while the writer is running"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null || die "could not kill postgres"
else
    log "accident: DROP TABLE ledger while the writer is running"
    psql_cmd -d replicasafe -c "DROP TABLE ledger CASCADE" || die "the DROP itself failed"
    sleep 1
fi
kill "$WRITER_PID" 2>/dev/null || true
wait "$WRITER_PID" 2>/dev/null || true
WRITER_PID=""

# ------------------------------------------------------------------ recovery (the RTO clock runs from here)
t_detect=$(now)
if [ "$SCENARIO" = volume-loss ]; then
    rm -rf "$PGDATA"
    TARGET="end of the WAL archive"; INTENDED_TARGET=$TARGET
    log "restore target: $TARGET"
    t_restore=$(now)
    as_pg mkdir -m 700 "$PGDATA"
    pgbr restore || die "pgbackrest restore failed (see $WORK/log)"
else
    grep -q 'relation "ledger" does not exist' "$WORK/phase-b.err" || log "note: the writer saw no failure after the DROP"
    # The operator reads the DROP's time from the server log (log_statement = ddl, millisecond prefix).
    TARGET=$(sed -n 's/^\([0-9-]* [0-9:.]* UTC\) \[[0-9]*\] LOG:  statement: DROP TABLE ledger.*/\1/p' "$WORK/postgres.log" | tail -1)
    [ -n "$TARGET" ] || die "no DROP statement in the server log"
    INTENDED_TARGET=$TARGET
    if [ "$FAULT" = wrong-target ]; then
        TARGET=$("$PYTHON" -c 'import sys,datetime as d; t=d.datetime.fromisoformat(sys.argv[1].replace(" UTC","+00:00")); print((t-d.timedelta(seconds=1.5)).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]+" UTC")' "$TARGET")
        log "FAULT wrong-target: restoring to $TARGET, 1.5 s before the DROP"
fi
log "restore target: $TARGET"
# Make sure the WAL holding the DROP (and everything before it) is in the repository.
pgbr check >/dev/null || die "could not archive the last WAL segment"
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null || die "postgres did not stop"
t_restore=$(now)
pgbr --delta --type=time "--target=${TARGET/ UTC/+00}" --target-action=promote restore \
    || die "pgbackrest restore failed (see $WORK/log)"
fi
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -w start >/dev/null || die "restored postgres did not start"
for i in $(seq 1 300); do
    [ "$(psql_cmd -d replicasafe -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] && break
    sleep 0.1
    [ "$i" = 300 ] && die "the restored server did not leave recovery in 30 s"
done
RESTORE_SECONDS=$(elapsed "$t_restore" "$(now)")
log "restored and promoted in ${RESTORE_SECONDS}s"
if [ "$FAULT" = corrupt-after-restore ]; then
    log "FAULT corrupt-after-restore: adding one cent to one balance"
    psql_cmd -d replicasafe -c "UPDATE accounts SET balance_cents = balance_cents + 1 WHERE account_id = (SELECT min(account_id) FROM accounts)"
fi

# The expectation comes from the intended target (the DROP) and the writer's own commit log.
if [ "$SCENARIO" = volume-loss ]; then
    data prefix --events "$WORK/events.csv" --commit-log "$WORK/commits-a.log" "$WORK/commits-b.log" \
        --psql "$PSQL_JSON" --out "$WORK/expected.json"
else
    data expected --commit-log "$WORK/commits-a.log" "$WORK/commits-b.log" --target "$INTENDED_TARGET" --out "$WORK/expected.json"
fi
set +e
AT_TARGET=$(data verify --events "$WORK/events.csv" --expected "$WORK/expected.json" --psql "$PSQL_JSON")
VERIFIED_AT_TARGET=$?
set -e
RTO_SECONDS=$(elapsed "$t_detect" "$(now)")

# ------------------------------------------------------------------ the worker resumes: replay from the restored offsets
REPLAYED=$(data replay --events "$WORK/events.csv" --psql "$PSQL_JSON" --out "$WORK/replay.sql")
psql_cmd -d replicasafe -f "$WORK/replay.sql" >"$WORK/commits-replay.log" 2>"$WORK/replay.err"
[ -s "$WORK/replay.err" ] && log "replay errors: $(head -3 "$WORK/replay.err")"
set +e
AFTER_REPLAY=$(data verify --events "$WORK/events.csv" --all --psql "$PSQL_JSON")
VERIFIED_AFTER_REPLAY=$?
set -e

# ------------------------------------------------------------------ report
mkdir -p "$ROOT/out/drill"
RESULT=$("$PYTHON" - "$WORK/expected.json" "$AT_TARGET" "$AFTER_REPLAY" <<EOF
import json, sys
expected = json.load(open(sys.argv[1]))
at, after = json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(json.dumps({
    "rpo_seconds": expected["rpo_seconds"],
    "rto_seconds": float("$RTO_SECONDS"),
    "rows_expected": at["rows_expected"],
    "rows_restored": at["rows_restored"],
    "verified": bool(at["verified"] and after["verified"] and $VERIFIED_AT_TARGET == 0 and $VERIFIED_AFTER_REPLAY == 0),
    "verified_at_target": at["verified"],
    "verified_after_replay": after["verified"],
    "rows_lost_after_target": expected["lost_rows"],
    "lost_write_span_seconds": expected["lost_write_span_seconds"],
    "restored_to_commit": expected["restored_to"],
    "rows_committed_before_drop": expected["committed_rows"],
    "rows_replayed": int("$REPLAYED"),
    "rows_after_replay": after["rows_restored"],
    "rows_produced": after["rows_expected"],
    "repo": "$REPO",
    "fault": "$FAULT",
    "scenario": "$SCENARIO",
    "restore_target": "$TARGET",
    "intended_target": "$INTENDED_TARGET",
    "backup_seconds": float("$BACKUP_SECONDS"),
    "backup_database_bytes": int("$BACKUP_BYTES"),
    "restore_seconds": float("$RESTORE_SECONDS"),
}))
EOF
)
echo "$RESULT" >"$ROOT/out/drill/result-$SCENARIO-$REPO-$FAULT.json"
if [ "$FAULT" = none ] && [ "$VERIFIED_AT_TARGET" = 0 ]; then
    # The textfile route for replicasafe_backup_last_success_timestamp_seconds (docs/backup/README.md).
    printf '# TYPE replicasafe_backup_last_success_timestamp_seconds gauge\nreplicasafe_backup_last_success_timestamp_seconds{kind="full"} %s\n' \
        "${t0%.*}" >"$ROOT/out/drill/backup.prom"
fi
echo "drill: $SCENARIO, repository $REPO, fault $FAULT: restored $(echo "$AT_TARGET" | "$PYTHON" -c 'import json,sys; r=json.load(sys.stdin); print(r["rows_restored"], "of", r["rows_expected"], "rows; balances wrong:", r["balances_wrong"])'); replayed $REPLAYED events afterwards"
echo "$RESULT"
if [ "$VERIFIED_AT_TARGET" != 0 ] || [ "$VERIFIED_AFTER_REPLAY" != 0 ]; then
    log "FAILED: the restored database does not match the produced events (see VERIFY FAILED above)"
    exit 1
fi
