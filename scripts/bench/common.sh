# shellcheck shell=bash
# Sourced by the live benchmarks (scripts/live/bench-api.sh, scripts/stack/bench-worker.sh), from the repository
# root: their own PostgreSQL cluster and the CPU counters they report.
#
# The cluster is created fresh for each benchmark (no bloat or cache left by an earlier run) on its own port and
# directory, so a running test cluster or `make up` is left alone. It runs with PostgreSQL's defaults for
# durability (fsync, synchronous_commit, full_page_writes on), as a production database does;
# BENCH_PG_DURABILITY=off runs it with all three off, for a second, labelled figure.
export PGPORT="${BENCH_PGPORT:-15436}"
export LOCAL_PG_DIR="$PWD/.local/pg-bench"
export PG_DURABILITY="${BENCH_PG_DURABILITY:-on}"

bench_pg_start() {
    scripts/local-postgres.sh stop >/dev/null 2>&1 || true
    rm -rf "$LOCAL_PG_DIR"
    scripts/local-postgres.sh start
    echo "== PostgreSQL on 127.0.0.1:$PGPORT, durability $(scripts/local-postgres.sh durability)" >&2
}

bench_pg_stop() {
    scripts/local-postgres.sh stop || true
}

# CPU seconds (user + system) a process has used so far: a cost per event that depends much less on what else
# the machine does than a rate.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14 + $15) / hz}' "/proc/$1/stat"; }

# CPU seconds of the whole PostgreSQL cluster so far: the postmaster, its live children (backends, WAL writer,
# checkpointer, ...) and the children that exited (the postmaster's cutime and cstime).
pg_cpu_seconds() {
    local postmaster
    postmaster="$(head -1 "$LOCAL_PG_DIR/postmaster.pid")"
    {
        awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat"
        for child in $(ps -o pid= --ppid "$postmaster"); do
            awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || true
        done
    } | awk -v hz="$(getconf CLK_TCK)" '{s += $1} END {printf "%.3f", s / hz}'
}

# Bytes of WAL the cluster has written so far (the insert position; pg_stat_wal lags: backends flush their
# statistics at most once a second).
pg_wal_bytes() {
    psql "$(scripts/local-postgres.sh url)" -qAt -c "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint"
}

# Waits (at most 5 s) until process PID is gone and reaped, so that its CPU time is in its parent's counters.
wait_gone() {
    local deadline=$((SECONDS + 5))
    while [ -e "/proc/$1" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.02; done
}

# The machine's load average (1, 5, 15 minutes).
load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# The whole machine's CPU ticks so far, "busy, all" (every process's, ours and anyone else's): busy is user, nice,
# system, irq, softirq and steal; idle and iowait (a CPU waiting with nothing to run) are not. A route whose
# busy share stays well under 1 while its rate is lower than another's is waiting (latency-bound), not short of CPU.
machine_ticks() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9 ", " $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9; exit}' /proc/stat; }
