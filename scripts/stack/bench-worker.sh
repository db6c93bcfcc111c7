#!/usr/bin/env bash
# Worker throughput: one release `worker` process against the local PostgreSQL and kafka-dev (librdkafka's mock
# cluster, 3 brokers), in `before` and `after` mode, in the same run on the same preloaded topic.
#
#   EVENTS=200000 ROUNDS=2 scripts/stack/bench-worker.sh
#
# EVENTS events (JSON as the api writes them, keyed by account over ACCOUNTS accounts) are produced once with
# kcat; each measurement then starts a fresh worker in its own consumer group on its own fresh database and
# times it from its first applied event to its last (group join excluded), reading the worker's own
# replicasafe_worker_events_applied_total, then checks the database holds exactly EVENTS ledger rows.
# Rounds alternate before/after so drift on this shared machine hits both. Prints figures, then one JSON line.
# Traffic stays on 127.0.0.1 and ends with the topic.
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS="${EVENTS:-200000}"
ACCOUNTS="${ACCOUNTS:-1000}"
ROUNDS="${ROUNDS:-3}"
BATCH="${BATCH_MAX_EVENTS:-500}"
BROKER_PORTS="${BENCH_BROKER_PORTS:-19592,19593,19594}"
WORKER_PORT="${BENCH_WORKER_PORT:-19580}"
TIMEOUT_S="${BENCH_TIMEOUT_S:-300}"
SWIFT="${SWIFT:-swift}"
scratch=()
[ -n "${SWIFT_SCRATCH:-}" ] && scratch=(--scratch-path "$SWIFT_SCRATCH")
out="out/bench-worker"
mkdir -p "$out"

echo "== building release worker and kafka-dev" >&2
"$SWIFT" build -c release "${scratch[@]}" --product worker >&2
"$SWIFT" build -c release "${scratch[@]}" --product kafka-dev >&2
bin="$("$SWIFT" build -c release "${scratch[@]}" --show-bin-path)"

pids=()
pg_started=0
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$pg_started" = 1 ]; then scripts/local-postgres.sh stop; fi
}
trap cleanup EXIT

if ! scripts/local-postgres.sh status >/dev/null 2>&1; then scripts/local-postgres.sh start; pg_started=1; fi
base_url="$(scripts/local-postgres.sh url)"
server_url="${base_url%/*}"
psql_admin() { psql "$base_url" -v ON_ERROR_STOP=1 -qAt "$@"; }

"$bin/kafka-dev" --ports "$BROKER_PORTS" --control-port 0 >"$out/kafka-dev.out" 2>"$out/kafka-dev.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$out/kafka-dev.out" ] && break; sleep 0.1; done
bootstrap="$(head -1 "$out/kafka-dev.out")"
[ -n "$bootstrap" ] || { echo "kafka-dev did not start; see $out/kafka-dev.log" >&2; exit 1; }

echo "== producing $EVENTS events over $ACCOUNTS accounts with kcat" >&2
python3 - "$EVENTS" "$ACCOUNTS" >"$out/events.txt" <<'PY'
import random, sys, uuid
n, accounts = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(42)
w = sys.stdout.write
for i in range(n):
    account = f"acct-{rng.randrange(accounts):05d}"
    amount = rng.randrange(-50000, 50001)
    w(f'{account}|{{"event_id":"{uuid.UUID(int=rng.getrandbits(128), version=4)}","account_id":"{account}",'
      f'"amount_cents":{amount},"occurred_at":"2026-11-27T12:00:00.000Z"}}\n')
PY
kcat -P -b "$bootstrap" -t events -K '|' -X linger.ms=20 -X batch.num.messages=10000 -X queue.buffering.max.messages=1000000 \
    <"$out/events.txt"

applied_total() { curl -fsS "http://127.0.0.1:$WORKER_PORT/metrics" 2>/dev/null | awk '/^replicasafe_worker_events_applied_total/{print $2}'; }

# measure MODE ROUND: prints "seconds events rows"
measure() {
    local mode="$1" round="$2" db="rs_bench_${1}_${2}"
    psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
    WORKER_MODE="$mode" KAFKA_BOOTSTRAP_SERVERS="$bootstrap" KAFKA_GROUP_ID="bench-$mode-$round-$$" \
        DATABASE_URL="$server_url/$db" HTTP_PORT="$WORKER_PORT" WORKER_ID="bench-$mode" BATCH_MAX_EVENTS="$BATCH" \
        LOG_LEVEL=warning "$bin/worker" >"$out/worker-$mode-$round.log" 2>&1 &
    local pid=$!
    local start="" end="" now applied=0 deadline=$((SECONDS + TIMEOUT_S))
    while [ "$SECONDS" -lt "$deadline" ]; do
        applied="$(applied_total || true)"; applied="${applied:-0}"; applied="${applied%.*}"
        now="$(date +%s.%N)"
        if [ -z "$start" ] && [ "$applied" -gt 0 ]; then start="$now"; first="$applied"; fi
        if [ "$applied" -ge "$EVENTS" ]; then end="$now"; break; fi
        sleep 0.05
    done
    local metrics cpu
    metrics="$(curl -fsS "http://127.0.0.1:$WORKER_PORT/metrics" 2>/dev/null || true)"
    # Worker CPU seconds (user + system) from /proc, and the mean batch transaction time from its histogram.
    cpu="$(awk '{print ($14 + $15) / 100}' "/proc/$pid/stat" 2>/dev/null || echo 0)"
    batch_ms="$(awk '/^replicasafe_worker_batch_duration_seconds_sum/{s=$2} /^replicasafe_worker_batch_duration_seconds_count/{c=$2} END{if (c>0) printf "%.2f", 1000*s/c; else print 0}' <<<"$metrics")"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    [ -n "$end" ] || { echo "worker ($mode) applied only $applied of $EVENTS in ${TIMEOUT_S}s; see $out/worker-$mode-$round.log" >&2; exit 1; }
    local rows
    rows="$(psql "$server_url/$db" -qAt -c "SELECT count(*) FROM ledger")"
    psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
    # Events after the first sample, over the time from that sample to the last.
    python3 -c "import sys; s,e,f,n=map(float,sys.argv[1:]); print(f'{e-s:.3f} {int(n-f)} ')" "$start" "$end" "$first" "$EVENTS" | tr -d '\n'
    echo "$rows $cpu $batch_ms"
}

results=()
for round in $(seq 1 "$ROUNDS"); do
    for mode in before after; do
        echo "== round $round: $mode" >&2
        read -r seconds events rows cpu batch_ms < <(measure "$mode" "$round")
        echo "   $mode: $events events in $seconds s ($(python3 -c "print(round($events/$seconds))") events/s), ledger rows $rows," \
             "worker CPU $cpu s, mean batch transaction $batch_ms ms" >&2
        results+=("$mode $seconds $events $rows $cpu $batch_ms")
    done
done

python3 - "$EVENTS" "$BATCH" "${results[@]}" <<'PY'
import json, sys
total, batch = int(sys.argv[1]), int(sys.argv[2])
runs = [r.split() for r in sys.argv[3:]]
def rate(mode):
    rs = [int(e) / float(s) for m, s, e, *_ in runs if m == mode]
    return sum(rs) / len(rs), rs
before, before_all = rate("before")
after, after_all = rate("after")
rows_ok = all(int(r[3]) == total for r in runs)
def mean(mode, column):
    values = [float(r[column]) for r in runs if r[0] == mode]
    return sum(values) / len(values)
ratio = after / before if before else 0.0
print(f"worker before: {before:10.0f} events/s  (rounds: {', '.join(f'{r:.0f}' for r in before_all)})")
print(f"worker after:  {after:10.0f} events/s  (rounds: {', '.join(f'{r:.0f}' for r in after_all)})")
print(f"after / before: {ratio:9.2f}   ledger rows == events in every run: {rows_ok}")
print(json.dumps({
    "bench": "worker", "events": total, "batch_max_events": batch, "rounds": len(before_all),
    "before_per_s": round(before), "after_per_s": round(after), "after_to_before": round(ratio, 3),
    "ledger_rows_exact": rows_ok,
    "before_batch_ms": round(mean("before", 5), 2), "after_batch_ms": round(mean("after", 5), 2),
    "before_worker_cpu_us_per_event": round(1e6 * mean("before", 4) / total, 1),
    "after_worker_cpu_us_per_event": round(1e6 * mean("after", 4) / total, 1), "targets_met": after >= 10000 and ratio >= 0.8 and rows_ok,
}))
PY
