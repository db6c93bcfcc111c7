#!/usr/bin/env bash
# Worker throughput: one release `worker` process against a local PostgreSQL and kafka-dev (librdkafka's mock
# cluster, 3 brokers), in `before` and `after` mode, `after` with tracing on, and the database's own ceiling for the
# `after` writes, in the same run on the same server.
#
#   EVENTS=200000 ROUNDS=3 scripts/stack/bench-worker.sh          # BENCH_PG_DURABILITY=off for the fast-settings line
#   BENCH_BIN_DIR=dir scripts/stack/bench-worker.sh                # the release binaries in dir (another commit's)
#
# EVENTS events (JSON as the api writes them, keyed by account over ACCOUNTS accounts) are produced once with
# kcat; each worker measurement then starts a fresh worker in its own consumer group on its own fresh database and
# times it from its first applied event to its last (group join excluded), reading the worker's own
# replicasafe_worker_events_applied_total, then checks the database holds exactly EVENTS ledger rows.
# The ceiling: the batches the `after` worker of the same round committed (read back from its ledger: one
# transaction, one applied_at) are replayed by `ledger-ceiling` on a fresh database through the worker's
# LedgerStore: same statement, same batches, one transaction per batch, one connection, no Kafka in the loop.
# PostgreSQL is the benchmarks' own cluster (scripts/bench/common.sh), durable unless BENCH_PG_DURABILITY=off.
# Tracing cost: the same events are also produced once through a release api with tracing on at the default
# sampling (topic events-api), so each of those messages carries the api's `traceparent`, about 1 % sampled
# (counted on the topic; none fails the run). An `after` worker reads that topic untraced, and again with tracing on
# (exporting to a local OTLP receiver, checks/api/otlp_receiver.py, which counts the spans it receives; none fails
# the run: an exporter failing fast would cost nothing). The api's producer writes record batches of a few messages
# (kcat's hold thousands) and workers read that topic several times slower, in smaller batches: the traced worker
# is compared with the untraced one on the same topic only.
# Rounds alternate before/after/ceiling/untraced/traced (untraced and traced swap places every other round) so
# drift on this shared machine hits all of them. Besides rates, it
# reports CPU time per event of the worker and of PostgreSQL, and WAL bytes per event, which noise moves far less.
# Prints figures, then one JSON line. Traffic stays on 127.0.0.1 and ends with the topic.
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS="${EVENTS:-200000}"
ACCOUNTS="${ACCOUNTS:-1000}"
ROUNDS="${ROUNDS:-3}"
BATCH="${BATCH_MAX_EVENTS:-500}"
BROKER_PORTS="${BENCH_BROKER_PORTS:-19592,19593,19594}"
WORKER_PORT="${BENCH_WORKER_PORT:-19580}"
API_PORT="${BENCH_WORKER_API_PORT:-19581}"
OTLP_PORT="${BENCH_WORKER_OTLP_PORT:-19582}"
TIMEOUT_S="${BENCH_TIMEOUT_S:-300}"
SWIFT="${SWIFT:-swift}"
scratch=()
[ -n "${SWIFT_SCRATCH:-}" ] && scratch=(--scratch-path "$SWIFT_SCRATCH")
out="out/bench-worker"
mkdir -p "$out"

if [ -n "${BENCH_BIN_DIR:-}" ]; then
    bin="$BENCH_BIN_DIR"
else
    echo "== building release worker, ledger-ceiling, kafka-dev and api" >&2
    for product in worker ledger-ceiling kafka-dev api; do "$SWIFT" build -c release "${scratch[@]}" --product "$product" >&2; done
    bin="$("$SWIFT" build -c release "${scratch[@]}" --show-bin-path)"
fi

# shellcheck source=scripts/bench/common.sh
source scripts/bench/common.sh
# shellcheck source=scripts/bench/tracing.sh
source scripts/bench/tracing.sh
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    bench_pg_stop
}
trap cleanup EXIT

bench_pg_start
durability="$(scripts/local-postgres.sh durability)"
base_url="$(scripts/local-postgres.sh url)"
server_url="${base_url%/*}"
psql_admin() { PGOPTIONS="-c client_min_messages=warning" psql "$base_url" -v ON_ERROR_STOP=1 -qAt "$@"; }

"$bin/kafka-dev" --ports "$BROKER_PORTS" --control-port 0 --topic events:12 --topic events.dlq:3 --topic events-api:12 >"$out/kafka-dev.out" 2>"$out/kafka-dev.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$out/kafka-dev.out" ] && break; sleep 0.1; done
bootstrap="$(head -1 "$out/kafka-dev.out")"
[ -n "$bootstrap" ] || { echo "kafka-dev did not start; see $out/kafka-dev.log" >&2; exit 1; }

otlp_receiver_start "$OTLP_PORT" "$out/otlp-receiver.log"
otlp_endpoint="http://127.0.0.1:$OTLP_PORT"

# write_events FORMAT FILE: EVENTS events over ACCOUNTS accounts, seeded, so both topics carry the same events:
# kcat lines (`account|value`, FORMAT kcat) or the api's request bodies (FORMAT api, which sets occurred_at itself).
write_events() {
    python3 - "$EVENTS" "$ACCOUNTS" "$1" >"$2" <<'PY'
import random, sys, uuid
n, accounts, form = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(42)
w = sys.stdout.write
for i in range(n):
    account = f"acct-{rng.randrange(accounts):05d}"
    amount = rng.randrange(-50000, 50001)
    fields = f'"event_id":"{uuid.UUID(int=rng.getrandbits(128), version=4)}","account_id":"{account}","amount_cents":{amount}'
    if form == "kcat":
        w(f'{account}|{{{fields},"occurred_at":"2026-11-27T12:00:00.000Z"}}\n')
    else:
        w(f"{{{fields}}}\n")
PY
}

# produce_through_api FILE: EVENTS bodies (over ACCOUNTS accounts, seeded) written to FILE and POSTed once each to a
# release api with tracing on (default sampling, spans to the receiver), which keys each message by account and
# adds its W3C traceparent; fails unless the api accepted every one. The api stops (and flushes its spans) after.
produce_through_api() {
    echo "== producing $EVENTS events over $ACCOUNTS accounts through the api, tracing on at the default sampling" >&2
    write_events api "$1"
    scripts/local-postgres.sh schema replicasafe
    local key api_pid api="http://127.0.0.1:$API_PORT" accepted
    key="$("$bin/api" keys create --name bench-worker --account '*' --rate-per-second 100000000 --burst 100000000 \
        --database-url "$base_url" 2>/dev/null | tail -1)"
    OTEL_EXPORTER_OTLP_ENDPOINT="$otlp_endpoint" LOG_LEVEL=warning "$bin/api" --http-port "$API_PORT" \
        --kafka-bootstrap-servers "$bootstrap" --kafka-topic events-api --database-url "$(scripts/local-postgres.sh url api)" \
        >"$out/api.log" 2>&1 &
    api_pid=$!
    pids+=("$api_pid")
    for _ in $(seq 1 100); do curl -fsS "$api/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
    curl -fsS "$api/readyz" >/dev/null || { echo "api not ready; see $out/api.log" >&2; exit 1; }
    EVENTS_FILE="$1" API_KEY="$key" wrk -t1 -c64 -d"${TIMEOUT_S}s" -s checks/load/produce-events.lua "$api" >"$out/produce.txt" 2>&1 &
    local wrk_pid=$! last=-1 stalled=0
    # Until every event is accepted, or the counter has not moved for 3 s (a request wrk dropped on a reconnect).
    while kill -0 "$wrk_pid" 2>/dev/null; do
        accepted="$(accepted_by "$api")"; accepted="${accepted%.*}"
        [ "$accepted" -ge "$EVENTS" ] && break
        if [ "$accepted" = "$last" ]; then stalled=$((stalled + 1)); else stalled=0; last="$accepted"; fi
        [ "$stalled" -ge 30 ] && break
        sleep 0.1
    done
    kill -INT "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" || true
    accepted="$(accepted_by "$api")"
    if [ "${accepted%.*}" != "$EVENTS" ]; then
        # wrk drops a request in flight when it reconnects: send the bodies whose event is not on the topic again.
        echo "== the api accepted ${accepted%.*} of $EVENTS; sending the missing ones again" >&2
        kcat -C -b "$bootstrap" -t events-api -e -q -f '%s\n' >"$out/produced.txt"
        python3 - "$1" "$out/produced.txt" <<'PY' | while read -r body; do
import json, sys
produced = {json.loads(line)["event_id"] for line in open(sys.argv[2]) if line.strip()}
for line in open(sys.argv[1]):
    if json.loads(line)["event_id"] not in produced:
        print(line, end="")
PY
            curl -fsS -o /dev/null -XPOST "$api/v1/events" -H "Authorization: Bearer $key" \
                -H 'Content-Type: application/json' -d "$body" || true
        done
        accepted="$(accepted_by "$api")"
    fi
    kill "$api_pid"; wait "$api_pid" 2>/dev/null || true
    [ "${accepted%.*}" = "$EVENTS" ] || { echo "the api accepted ${accepted:-0} of $EVENTS events; see $out/produce.txt and $out/api.log" >&2; exit 1; }
}

accepted_by() { curl -fsS "$1/metrics" | awk '/^replicasafe_api_events_accepted_total /{print $2}'; }

# The messages on the topic whose traceparent has the sampled flag: the events a following worker traces.
count_sampled() {
    kcat -C -b "$bootstrap" -t events-api -e -q -f '%h\n' | grep -c 'traceparent=00-[0-9a-f]\{32\}-[0-9a-f]\{16\}-01' || true
}

echo "== producing $EVENTS events over $ACCOUNTS accounts with kcat" >&2
write_events kcat "$out/events.txt"
kcat -P -b "$bootstrap" -t events -K '|' -X linger.ms=20 -X batch.num.messages=10000 -X queue.buffering.max.messages=1000000 \
    <"$out/events.txt"

produce_through_api "$out/events.json"
sampled_events="$(count_sampled)"
echo "== $sampled_events of $EVENTS messages carry a sampled traceparent" >&2
[ "$sampled_events" -gt 0 ] || { echo "no sampled message: the traced worker would do no tracing work" >&2; exit 1; }

applied_total() { curl -fsS "http://127.0.0.1:$WORKER_PORT/metrics" 2>/dev/null | awk '/^replicasafe_worker_events_applied_total/{print $2}'; }

# A new database with the schema and grants applied by the owner; the worker and the ceiling connect as the
# least-privilege role `worker`, as on EKS.
fresh_database() {
    psql_admin -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null
    scripts/local-postgres.sh schema "$1"
}
worker_url() { echo "${server_url/replicasafe@/worker@}/$1"; }

# The database-side counters around a measurement: PostgreSQL CPU seconds and WAL bytes.
counters() { echo "$(pg_cpu_seconds) $(pg_wal_bytes)"; }

# measure_worker MODE ROUND [traced]: prints one JSON object (mode "traced" for an `after` worker with tracing on,
# exporting to the receiver)
measure_worker() {
    local mode="$1" round="$2" name="${3:-$1}" db="rs_bench_${3:-$1}_${2}" endpoint="" topic=events
    [ "$name" = traced ] && endpoint="$otlp_endpoint"
    [ "$name" = traced ] || [ "$name" = untraced ] && topic=events-api
    fresh_database "$db"
    WORKER_MODE="$mode" KAFKA_BOOTSTRAP_SERVERS="$bootstrap" KAFKA_TOPIC="$topic" KAFKA_GROUP_ID="bench-$name-$round-$$" \
        DATABASE_URL="$(worker_url "$db")" HTTP_PORT="$WORKER_PORT" WORKER_ID="bench-$name" BATCH_MAX_EVENTS="$BATCH" \
        OTEL_EXPORTER_OTLP_ENDPOINT="$endpoint" LOG_LEVEL=warning "$bin/worker" >"$out/worker-$name-$round.log" 2>&1 &
    local pid=$!
    local start="" end="" first=0 now applied=0 deadline=$((SECONDS + TIMEOUT_S)) db_0="" db_1=""
    while [ "$SECONDS" -lt "$deadline" ]; do
        applied="$(applied_total || true)"; applied="${applied:-0}"; applied="${applied%.*}"
        now="$(date +%s.%N)"
        if [ -z "$start" ] && [ "$applied" -gt 0 ]; then start="$now"; first="$applied"; db_0="$(counters)"; fi
        if [ "$applied" -ge "$EVENTS" ]; then end="$now"; db_1="$(counters)"; break; fi
        sleep 0.05
    done
    local metrics cpu batch_ms
    metrics="$(curl -fsS "http://127.0.0.1:$WORKER_PORT/metrics" 2>/dev/null || true)"
    # Worker CPU seconds (user + system) from /proc, and the mean batch transaction time from its histogram.
    cpu="$(cpu_seconds "$pid" 2>/dev/null || echo 0)"
    batch_ms="$(awk '/^replicasafe_worker_batch_duration_seconds_sum/{s=$2} /^replicasafe_worker_batch_duration_seconds_count/{c=$2} END{if (c>0) printf "%.2f", 1000*s/c; else print 0}' <<<"$metrics")"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    [ -n "$end" ] || { echo "worker ($name) applied only $applied of $EVENTS in ${TIMEOUT_S}s; see $out/worker-$name-$round.log" >&2; exit 1; }
    local rows shape
    rows="$(psql "$server_url/$db" -qAt -c "SELECT count(*) FROM ledger")"
    # The batches as committed (one transaction, one applied_at): how many, and how many accounts and partitions
    # each touched. The after batches are what the ceiling replays.
    shape="$(psql "$server_url/$db" -qAt -F ' ' -c "SELECT count(*), avg(n), avg(a), avg(p) FROM (SELECT count(*) n,
        count(DISTINCT account_id) a, count(DISTINCT kafka_partition) p FROM ledger GROUP BY applied_at) b")"
    if [ "$name" = after ]; then
        psql "$server_url/$db" -qAt -c "COPY (SELECT dense_rank() OVER (ORDER BY applied_at), event_id, account_id,
            amount_cents, kafka_partition, kafka_offset FROM ledger ORDER BY applied_at, id) TO STDOUT" >"$out/batches-$round.tsv"
    fi
    psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
    # The exporter flushed its spans before the worker exited: the receiver's count is final for this run.
    local spans applies
    spans="$(spans_received "$out/otlp-receiver.log" worker)"
    applies="$(spans_received "$out/otlp-receiver.log" worker "ledger apply ")"
    python3 - "$name" "$start" "$end" "$first" "$EVENTS" "$rows" "$cpu" "$batch_ms" "$db_0" "$db_1" "$shape" "$spans" "$applies" <<'PY'
import json, sys
mode, start, end, first, total, rows, cpu, batch_ms, db_0, db_1, shape, spans, applies = sys.argv[1:]
a, b = [float(x) for x in db_0.split()], [float(x) for x in db_1.split()]
batches, size, accounts, partitions = (float(x or 0) for x in shape.split())
# Events after the first sample, over the time from that sample to the last.
print(json.dumps({"mode": mode, "seconds": float(end) - float(start), "events": int(total) - int(float(first)),
    "rows": int(rows), "worker_cpu_s": float(cpu), "batch_ms": float(batch_ms),
    "pg_cpu_s": b[0] - a[0], "wal_bytes": b[1] - a[1], "batches": int(batches), "batch_events": size, "batch_accounts": accounts, "batch_partitions": partitions,
    "worker_spans_so_far": int(spans), "apply_spans_so_far": int(applies)}))
PY
}

# measure_ceiling ROUND: the after batches of this round through ledger-ceiling; prints one JSON object
measure_ceiling() {
    local round="$1" db="rs_bench_ceiling_$1"
    fresh_database "$db"
    local db_0 db_1 report
    db_0="$(counters)"
    report="$("$bin/ledger-ceiling" --batches "$out/batches-$round.tsv" --database-url "$(worker_url "$db")" \
        2>"$out/ceiling-$round.log" | tail -1)"
    # The ceiling's backend has exited with the client: count its CPU once the postmaster has reaped it.
    wait_gone "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["backend_pid"])' "$report")"
    db_1="$(counters)"
    local rows
    rows="$(psql "$server_url/$db" -qAt -c "SELECT count(*) FROM ledger")"
    psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
    python3 - "$report" "$rows" "$db_0" "$db_1" <<'PY'
import json, sys
report, rows = json.loads(sys.argv[1]), int(sys.argv[2])
a, b = [float(x) for x in sys.argv[3].split()], [float(x) for x in sys.argv[4].split()]
print(json.dumps({"mode": "ceiling", "seconds": report["seconds"], "events": report["events"], "rows": rows,
    "worker_cpu_s": 0.0, "batch_ms": 1000 * report["seconds"] / max(report["batches"], 1),
    "pg_cpu_s": b[0] - a[0], "wal_bytes": b[1] - a[1], "batches": report["batches"], "batch_events": report["events"] / max(report["batches"], 1)}))
PY
}

results=()
for round in $(seq 1 "$ROUNDS"); do
    pair="untraced traced"
    [ $((round % 2)) -eq 0 ] && pair="traced untraced"
    for mode in before after ceiling $pair; do
        echo "== round $round: $mode" >&2
        case "$mode" in
            ceiling) result="$(measure_ceiling "$round")" ;;
            traced | untraced) result="$(measure_worker after "$round" "$mode")" ;;
            *) result="$(measure_worker "$mode" "$round")" ;;
        esac
        python3 - "$result" >&2 <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print(f"   {r['mode']}: {r['events']} events in {r['seconds']:.3f} s ({r['events'] / r['seconds']:.0f} events/s), "
      f"ledger rows {r['rows']}, {r['batches']} batches of {r['batch_events']:.0f} events, "
      f"mean batch transaction {r['batch_ms']:.2f} ms, PostgreSQL CPU {r['pg_cpu_s']:.2f} s")
PY
        results+=("$result")
    done
done

python3 - "$EVENTS" "$BATCH" "$durability" "$(load_average)" "$sampled_events" "${results[@]}" <<'PY'
import json, sys
total, batch, durability, load = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
sampled = int(sys.argv[5])
runs = [json.loads(r) for r in sys.argv[6:]]
def of(mode): return [r for r in runs if r["mode"] == mode]
def rate(mode):
    rs = [r["events"] / r["seconds"] for r in of(mode)]
    return sum(rs) / len(rs), rs
def mean(mode, key): return sum(r[key] for r in of(mode)) / len(of(mode))
def per_event_us(mode, key): return round(1e6 * sum(r[key] for r in of(mode)) / sum(r["events"] for r in of(mode)), 1)
before, before_all = rate("before")
after, after_all = rate("after")
ceiling, ceiling_all = rate("ceiling")
rows_ok = all(r["rows"] == total for r in runs)
to_before = after / before if before else 0.0
to_ceiling = after / ceiling if ceiling else 0.0
print(f"PostgreSQL durability: {durability} (fsync, synchronous_commit, full_page_writes); load average at the end {load}")
for name, value, every in (("before", before, before_all), ("after", after, after_all), ("ceiling", ceiling, ceiling_all)):
    print(f"worker {name + ':':9}{value:10.0f} events/s  (rounds: {', '.join(f'{r:.0f}' for r in every)})"
          f"   PostgreSQL CPU {per_event_us(name, 'pg_cpu_s'):.1f} us/event, WAL {per_event_us(name, 'wal_bytes') / 1e6:.0f} B/event")
print(f"after / before:  {to_before:8.2f}   after / ceiling: {to_ceiling:.2f}   ledger rows == events in every run: {rows_ok}")
print(f"after batches: {mean('after', 'batches'):.0f} of {mean('after', 'batch_events'):.0f} events, "
      f"{mean('after', 'batch_accounts'):.0f} accounts, {mean('after', 'batch_partitions'):.1f} partitions on average; "
      f"worker CPU {per_event_us('after', 'worker_cpu_s'):.1f} us/event (before {per_event_us('before', 'worker_cpu_s'):.1f})")
traced, traced_all = rate("traced")
untraced, untraced_all = rate("untraced")
traced_ratio = traced / untraced if untraced else 0.0
traced_per_round = [round(t / a, 3) for t, a in zip(traced_all, untraced_all)]
# The receiver's counts are cumulative over the run; only traced workers export.
spans = [0, 0]
for r in runs:
    if "worker_spans_so_far" in r:
        r["spans"], r["applies"] = r["worker_spans_so_far"] - spans[0], r["apply_spans_so_far"] - spans[1]
        spans = [r["worker_spans_so_far"], r["apply_spans_so_far"]]
if spans[0] == 0:
    sys.exit("the traced workers' spans never reached the receiver: see out/bench-worker/worker-traced-*.log")
print(f"api-produced topic, after untraced: {untraced:.0f} events/s (rounds: {', '.join(f'{r:.0f}' for r in untraced_all)}), "
      f"worker CPU {per_event_us('untraced', 'worker_cpu_s'):.1f} us/event")
print(f"api-produced topic, after traced:   {traced:.0f} events/s (rounds: {', '.join(f'{r:.0f}' for r in traced_all)}), "
      f"worker CPU {per_event_us('traced', 'worker_cpu_s'):.1f} us/event")
print(f"traced / untraced: {traced_ratio:.2f} (rounds: {', '.join(f'{r:.2f}' for r in traced_per_round)})")
print(f"  {sampled} of {total} messages sampled ({sampled / total:.2%}); spans received per traced run: "
      f"{', '.join(str(r['spans']) for r in of('traced'))}, of which ledger apply: {', '.join(str(r['applies']) for r in of('traced'))}")
print(json.dumps({
    "bench": "worker", "events": total, "batch_max_events": batch, "rounds": len(before_all), "durability": durability,
    "before_per_s": round(before), "after_per_s": round(after), "ceiling_per_s": round(ceiling),
    "after_to_before": round(to_before, 3), "after_to_ceiling": round(to_ceiling, 3),
    "before_rounds_per_s": [round(r) for r in before_all], "after_rounds_per_s": [round(r) for r in after_all],
    "ceiling_rounds_per_s": [round(r) for r in ceiling_all],
    "ledger_rows_exact": rows_ok,
    "before_batch_ms": round(mean("before", "batch_ms"), 2), "after_batch_ms": round(mean("after", "batch_ms"), 2),
    "ceiling_batch_ms": round(mean("ceiling", "batch_ms"), 2),
    "after_batches": round(mean("after", "batches")), "after_batch_events": round(mean("after", "batch_events"), 1),
    "before_worker_cpu_us_per_event": per_event_us("before", "worker_cpu_s"),
    "after_worker_cpu_us_per_event": per_event_us("after", "worker_cpu_s"),
    "before_pg_cpu_us_per_event": per_event_us("before", "pg_cpu_s"),
    "after_pg_cpu_us_per_event": per_event_us("after", "pg_cpu_s"),
    "ceiling_pg_cpu_us_per_event": per_event_us("ceiling", "pg_cpu_s"),
    "after_wal_bytes_per_event": round(per_event_us("after", "wal_bytes") / 1e6),
    "ceiling_wal_bytes_per_event": round(per_event_us("ceiling", "wal_bytes") / 1e6),
    "after_traced_per_s": round(traced), "traced_ratio": round(traced_ratio, 3), "traced_ratio_per_round": traced_per_round,
    "after_traced_rounds_per_s": [round(r) for r in traced_all],
    "after_traced_worker_cpu_us_per_event": per_event_us("traced", "worker_cpu_s"),
    "after_untraced_api_topic_per_s": round(untraced), "after_untraced_api_topic_rounds_per_s": [round(r) for r in untraced_all],
    "after_untraced_api_topic_worker_cpu_us_per_event": per_event_us("untraced", "worker_cpu_s"),
    "traced_sampled_events": sampled, "traced_spans_received": spans[0], "traced_apply_spans_received": spans[1],
    "load_average": load,
    "targets_met": after >= 10000 and to_before >= 0.9 and to_ceiling >= 0.6 and rows_ok,
}))
PY
