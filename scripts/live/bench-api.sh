#!/usr/bin/env bash
# API benchmark on loopback: POST /v1/events (validate, produce, wait for the broker's ack) against the bare
# 202 route of the same server and POST /v1/events with a unique Idempotency-Key per request (adds the
# Postgres claim), in the same run (alternating in ROUNDS rounds, DURATION seconds per route in all). Release
# build, the benchmarks' own PostgreSQL (durable unless BENCH_PG_DURABILITY=off, scripts/bench/common.sh; the api
# connects as the least-privilege role `api`), kafka-dev with 3 brokers. Prints figures and, last, one JSON line. Traffic goes to
# 127.0.0.1 only, bounded by DURATION.
#   DURATION=15 ROUNDS=3 CONNECTIONS=64 WRK_THREADS=1 API_ARGS="--kafka-property linger.ms=5" scripts/live/bench-api.sh
# BENCH_API_BIN=path runs another api binary (e.g. one built from an earlier commit) on the same setup.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${DURATION:-15}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-64}"
WRK_THREADS="${WRK_THREADS:-1}"
API_PORT="${BENCH_API_PORT:-18080}"
BROKER_PORTS="${BENCH_BROKER_PORTS:-19292,19293,19294}"
SWIFT="${SWIFT:-swift}"
scratch=()
[ -n "${SWIFT_SCRATCH:-}" ] && scratch=(--scratch-path "$SWIFT_SCRATCH")
out="out/bench-api"
mkdir -p "$out"

echo "== building release api and kafka-dev" >&2
"$SWIFT" build -c release "${scratch[@]}" --product api >&2
"$SWIFT" build -c release "${scratch[@]}" --product kafka-dev >&2
bin="$("$SWIFT" build -c release "${scratch[@]}" --show-bin-path)"

# shellcheck source=scripts/bench/common.sh
source scripts/bench/common.sh
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    bench_pg_stop
}
trap cleanup EXIT

bench_pg_start
durability="$(scripts/local-postgres.sh durability)"
scripts/local-postgres.sh schema replicasafe
database_url="$(scripts/local-postgres.sh url api)"
# One client key for every request (authentication is part of the measured path); created as the owner, like an
# operator (the api's role may only read api_keys).
API_KEY="$("$bin/api" keys create --name bench-api --account '*' --rate-per-second 100000000 --burst 100000000 \
    --database-url "$(scripts/local-postgres.sh url)" 2>/dev/null | tail -1)"
export API_KEY

"$bin/kafka-dev" --ports "$BROKER_PORTS" --control-port 0 >"$out/kafka-dev.out" 2>"$out/kafka-dev.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$out/kafka-dev.out" ] && break; sleep 0.1; done
bootstrap="$(head -1 "$out/kafka-dev.out")"
[ -n "$bootstrap" ] || { echo "kafka-dev did not start; see $out/kafka-dev.log" >&2; exit 1; }

# shellcheck disable=SC2086 # API_ARGS is a list of extra flags
LOG_LEVEL=warning "${BENCH_API_BIN:-$bin/api}" --http-port "$API_PORT" --enable-bare-route ${API_ARGS:-} \
    --kafka-bootstrap-servers "$bootstrap" --database-url "$database_url" >"$out/api.log" 2>&1 &
pids+=($!)
base="http://127.0.0.1:$API_PORT"
for _ in $(seq 1 100); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "$base/readyz" >/dev/null || { echo "api not ready; see $out/api.log" >&2; exit 1; }

kafka_pid="${pids[0]}"
api_pid="${pids[1]}"

accepted_total() { curl -fsS "$base/metrics" | awk '/^replicasafe_api_events_accepted_total /{print $2}'; }
# The claim writer's counters "claims, statements, statement seconds" (zeros for an api binary without them).
claim_counters() {
    curl -fsS "$base/metrics" | awk '/^replicasafe_api_claims_written_total /{c=$2} /^replicasafe_api_claim_statements_total /{s=$2}
        /^replicasafe_api_claim_statement_seconds_sum /{t=$2} END {printf "%d, %d, %.6f", c, s, t}'
}

# run NAME PATH [KEYED]: prints the wrk JSON line (and keeps wrk's full output in out/bench-api/NAME.txt)
run() {
    local name="$1" path="$2" keyed="${3:-0}"
    KEYED="$keyed" RUN_ID="$name-$$" API_KEY="$API_KEY" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
        -s checks/load/bench-api.lua "$base$path" >"$out/$name.txt" 2>&1
    grep '^WRK ' "$out/$name.txt" | sed 's/^WRK //'
}

# Tracing cost: POST /v1/events on a second api, the same binary with tracing on at the default sampling (OTLP/HTTP
# to a local receiver that counts the spans it decodes), one run per round right after the untraced api's, so drift
# weighs on both; `traced_report` writes the traced_* keys of the JSON line.
# shellcheck source=scripts/bench/tracing.sh
source scripts/bench/tracing.sh
TRACED_API_PORT="${BENCH_TRACED_API_PORT:-18081}"
OTLP_PORT="${BENCH_OTLP_PORT:-18432}"
traced_base="http://127.0.0.1:$TRACED_API_PORT"
traced_runs=()
traced_counters=()
traced_start() {
    otlp_receiver_start "$OTLP_PORT" "$out/otlp-receiver.log"
    # shellcheck disable=SC2086 # API_ARGS is a list of extra flags
    OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$OTLP_PORT" LOG_LEVEL=warning "${BENCH_API_BIN:-$bin/api}" \
        --http-port "$TRACED_API_PORT" ${API_ARGS:-} --kafka-bootstrap-servers "$bootstrap" --database-url "$database_url" \
        >"$out/api-traced.log" 2>&1 &
    traced_pid=$!
    pids+=("$traced_pid")
    for _ in $(seq 1 100); do curl -fsS "$traced_base/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
    curl -fsS "$traced_base/readyz" >/dev/null || { echo "traced api not ready; see $out/api-traced.log" >&2; exit 1; }
    base="$traced_base" DURATION=3 run warmup-traced /v1/events >/dev/null
}
traced_measure() {
    echo "[$(base="$traced_base" accepted_total), $(cpu_seconds "$traced_pid"), $(cpu_seconds "$kafka_pid"), $(pg_cpu_seconds)]"
}
# traced_round ROUND: one run of POST /v1/events on the traced api, as long as the untraced api's.
traced_round() {
    local start
    start="$(traced_measure)"
    traced_runs+=("$(base="$traced_base" DURATION=$round_seconds run "traced-$1" /v1/events)")
    traced_counters+=("[$start, $(traced_measure)]")
}
# traced_report: stops the traced api (its exporter flushes), prints the traced figures against the untraced
# api's runs of the same rounds and writes their JSON keys to out/bench-api/traced.json.
traced_report() {
    kill "$traced_pid"; wait "$traced_pid" 2>/dev/null || true
    python3 - "$(join_json "${traced_runs[@]}")" "$(join_json "${traced_counters[@]}")" "$(join_json "${event_runs[@]}")" \
        "$(join_json "${counters[@]}")" "$(spans_received "$out/otlp-receiver.log" api)" "$out/traced.json" <<'PY'
import json, statistics, sys
runs, counters, event_runs, event_counters = (json.loads(a) for a in sys.argv[1:5])
spans, path = int(sys.argv[5]), sys.argv[6]
if spans == 0:
    sys.exit("the traced api's spans never reached the receiver: see out/bench-api/api-traced.log")
def seconds(r): return r["duration_us"] / 1e6
def accepted(c): return [end[0] - start[0] for start, end in c]
traced, untraced = accepted(counters), accepted(event_counters)
rate = sum(traced) / sum(seconds(r) for r in runs)
untraced_rate = sum(untraced) / sum(seconds(r) for r in event_runs)
ratio = rate / untraced_rate if untraced_rate else 0.0
per_round = [round((t / seconds(tr)) / (u / seconds(e)), 3) if u else 0.0
             for tr, e, t, u in zip(runs, event_runs, traced, untraced)]
p99, p50 = max(r["p99_ms"] for r in runs), statistics.median(r["p50_ms"] for r in runs)
non2xx = sum(r["non2xx"] for r in runs)
cpu_us = 1e6 * sum(end[1] - start[1] for start, end in counters) / max(sum(traced), 1)
print(f"  traced (1% sampled):     {rate:10.0f} events/s p50 {p50:.2f} ms  p99 {p99:.2f} ms  (non-2xx {non2xx}); "
      f"api CPU {cpu_us:.0f} us/event")
print(f"traced / events:           {ratio:10.2f}   (rounds: {', '.join(f'{r:.2f}' for r in per_round)}); "
      f"{spans} spans received from {sum(traced)} traced events")
with open(path, "w") as f:
    json.dump({"traced_accepted_per_s": round(rate), "traced_p50_ms": p50, "traced_p99_ms": p99,
               "traced_ratio": round(ratio, 3), "traced_ratio_per_round": per_round, "traced_non2xx": non2xx,
               "traced_api_cpu_us_per_event": round(cpu_us), "traced_events": sum(traced),
               "traced_spans_received": spans}, f)
PY
}
traced_start

echo "== warm-up (3 s)" >&2
DURATION=3 run warmup /v1/events >/dev/null
# The two routes alternate in ROUNDS short rounds, so a change in machine speed during the run (other VMs, a
# build finishing) weighs on both sides of the ratio alike instead of on whichever route ran second.
round_seconds=$(( DURATION / ROUNDS ))
[ "$round_seconds" -ge 1 ] || { echo "DURATION must be at least ROUNDS seconds" >&2; exit 2; }
bare_runs=()
event_runs=()
keyed_runs=()
# Per round and route: the accepted counter, the api's, kafka-dev's and PostgreSQL's CPU seconds and the claim
# writer's counters before and after the run.
counters=()
keyed_counters=()
measure() {
    echo "[$(accepted_total), $(cpu_seconds "$api_pid"), $(cpu_seconds "$kafka_pid"), $(pg_cpu_seconds), $(claim_counters), $(machine_ticks)]"
}
bare_counters=()
for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round/$ROUNDS: bare 202 route, POST /v1/events, then with Idempotency-Key, ${round_seconds}s each, $CONNECTIONS connections" >&2
    start="$(measure)"
    bare_runs+=("$(DURATION=$round_seconds run "bare-$round" /bench/bare-202)")
    bare_counters+=("[$start, $(measure)]")
    start="$(measure)"
    event_runs+=("$(DURATION=$round_seconds run "events-$round" /v1/events)")
    counters+=("[$start, $(measure)]")
    traced_round "$round"
    start="$(measure)"
    keyed_runs+=("$(DURATION=$round_seconds run "keyed-$round" /v1/events 1)")
    keyed_counters+=("[$start, $(measure)]")
done

join_json() { local IFS=,; echo "[$*]"; }
traced_report
python3 - "$(join_json "${bare_runs[@]}")" "$(join_json "${event_runs[@]}")" "$(join_json "${keyed_runs[@]}")" \
    "$(join_json "${counters[@]}")" "$(join_json "${keyed_counters[@]}")" \
    "$DURATION" "$CONNECTIONS" "$(load_average)" "$durability" "$out/traced.json" "$(join_json "${bare_counters[@]}")" <<'PY'
import json, statistics, sys
bare_runs, event_runs, keyed_runs, counters, keyed_counters = (json.loads(a) for a in sys.argv[1:6])
duration, connections = float(sys.argv[6]), int(sys.argv[7])
load, durability = sys.argv[8], sys.argv[9]
bare_counters = json.loads(sys.argv[11])
ACCEPTED, API, KAFKA, PG, CLAIMS, STATEMENTS, STATEMENT_SECONDS, MACHINE_BUSY, MACHINE_ALL = range(9)
def delta(which, field): return [end[field] - start[field] for start, end in which]
# The machine's busy share during a route's rounds (2 cores: 1.0 is both cores busy the whole time).
def busy(which): return round(sum(delta(which, MACHINE_BUSY)) / max(sum(delta(which, MACHINE_ALL)), 1), 3)
# The whole machine's CPU (every process, wrk included; /proc/stat counts in 1/100 s) per event of a route. With
# the machine busy, rates go as the inverse of this cost, so unkeyed's cost over keyed's is the keyed / unkeyed
# ratio the CPU alone allows; the measured ratio falls below it by what the keyed route spends waiting.
def machine_us_per_event(which, events): return sum(delta(which, MACHINE_BUSY)) * 1e4 / max(events, 1)
accepted_deltas = delta(counters, ACCEPTED)
cpu_api, cpu_kafka = sum(delta(counters, API)), sum(delta(counters, KAFKA))
keyed_deltas = delta(keyed_counters, ACCEPTED)
keyed_cpu_api, keyed_cpu_pg = sum(delta(keyed_counters, API)), sum(delta(keyed_counters, PG))
claims_per_statement = sum(delta(keyed_counters, CLAIMS)) / max(sum(delta(keyed_counters, STATEMENTS)), 1)
statement_ms = sum(delta(keyed_counters, STATEMENT_SECONDS)) * 1000 / max(sum(delta(keyed_counters, STATEMENTS)), 1)
def seconds(r): return r["duration_us"] / 1e6
def ok(r): return r["requests"] - r["non2xx"] - r["socket_errors"]
bare_requests = sum(ok(r) for r in bare_runs)
bare_rate = bare_requests / sum(seconds(r) for r in bare_runs)
accepted = sum(accepted_deltas)
accepted_rate = accepted / sum(seconds(r) for r in event_runs)
ratio = accepted_rate / bare_rate if bare_rate else 0.0
per_round = [round((d / seconds(e)) / (ok(b) / seconds(b)), 3) for b, e, d in zip(bare_runs, event_runs, accepted_deltas)]
# Latency: the worst round's percentile, not an average of rounds.
p99 = max(r["p99_ms"] for r in event_runs)
p50 = statistics.median(r["p50_ms"] for r in event_runs)
bare_p99 = max(r["p99_ms"] for r in bare_runs)
bare_p50 = statistics.median(r["p50_ms"] for r in bare_runs)
non2xx = sum(r["non2xx"] for r in event_runs)
keyed_rate = sum(keyed_deltas) / sum(seconds(r) for r in keyed_runs)
keyed_ratio = keyed_rate / accepted_rate if accepted_rate else 0.0
keyed_per_round = [round((k / seconds(kr)) / (d / seconds(e)), 3) if d else 0.0
                   for e, kr, d, k in zip(event_runs, keyed_runs, accepted_deltas, keyed_deltas)]
keyed_p99 = max(r["p99_ms"] for r in keyed_runs)
keyed_p50 = statistics.median(r["p50_ms"] for r in keyed_runs)
keyed_non2xx = sum(r["non2xx"] for r in keyed_runs)
keyed_events = max(sum(keyed_deltas), 1)
machine_bare_us = machine_us_per_event(bare_counters, bare_requests)
machine_unkeyed_us = machine_us_per_event(counters, accepted)
machine_keyed_us = machine_us_per_event(keyed_counters, keyed_events)
unkeyed_cpu_bound = machine_bare_us / machine_unkeyed_us if machine_unkeyed_us else 0.0
keyed_cpu_bound = machine_unkeyed_us / machine_keyed_us if machine_keyed_us else 0.0
print(f"PostgreSQL durability: {durability} (fsync, synchronous_commit, full_page_writes)")
print(f"bare 202 route:            {bare_rate:10.0f} req/s    p50 {bare_p50:.2f} ms  p99 {bare_p99:.2f} ms")
print(f"POST /v1/events accepted:  {accepted_rate:10.0f} events/s p50 {p50:.2f} ms  p99 {p99:.2f} ms  (non-2xx {non2xx})")
print(f"  with Idempotency-Key:    {keyed_rate:10.0f} events/s p50 {keyed_p50:.2f} ms  p99 {keyed_p99:.2f} ms  (non-2xx {keyed_non2xx})")
print(f"events / bare:             {ratio:10.2f}   (rounds: {', '.join(f'{r:.2f}' for r in per_round)})")
print(f"keyed / events:            {keyed_ratio:10.2f}   (rounds: {', '.join(f'{r:.2f}' for r in keyed_per_round)})")
accepted = max(accepted, 1)
print(f"CPU per accepted event:    api {cpu_api / accepted * 1e6:.0f} us, kafka-dev {cpu_kafka / accepted * 1e6:.0f} us"
      f"   (machine load average {load})")
print(f"machine CPU busy:          bare {busy(bare_counters):.2f}, unkeyed {busy(counters):.2f}, keyed {busy(keyed_counters):.2f}"
      "   (share of all cores, every process; well under 1 means waiting, not short of CPU)")
print(f"CPU per keyed event:       api {keyed_cpu_api / keyed_events * 1e6:.0f} us, PostgreSQL {keyed_cpu_pg / keyed_events * 1e6:.0f} us"
      f"   (claims per statement {claims_per_statement:.1f}, {statement_ms:.2f} ms each)")
print(f"machine CPU per event:     bare {machine_bare_us:.0f} us, unkeyed {machine_unkeyed_us:.0f} us, keyed {machine_keyed_us:.0f} us"
      f"   (the CPU allows unkeyed / bare {unkeyed_cpu_bound:.2f}, keyed / unkeyed {keyed_cpu_bound:.2f})")
met = accepted_rate >= 10000 and p99 <= 25 and ratio >= 0.5
print(json.dumps({
    "bench": "api", "duration_s": duration, "connections": connections, "rounds": len(event_runs),
    "accepted_per_s": round(accepted_rate), "p50_ms": p50, "p99_ms": p99,
    "bare_per_s": round(bare_rate), "bare_p99_ms": bare_p99, "ratio_to_bare": round(ratio, 3), "ratio_per_round": per_round,
    "keyed_accepted_per_s": round(keyed_rate), "keyed_p50_ms": keyed_p50, "keyed_p99_ms": keyed_p99,
    "keyed_to_unkeyed": round(keyed_ratio, 3), "keyed_ratio_per_round": keyed_per_round,
    "keyed_api_cpu_us_per_event": round(keyed_cpu_api / keyed_events * 1e6),
    "keyed_pg_cpu_us_per_event": round(keyed_cpu_pg / keyed_events * 1e6),
    "claims_per_statement": round(claims_per_statement, 1), "claim_statement_ms": round(statement_ms, 2),
    "non2xx": non2xx + keyed_non2xx, "targets_met": met,
    "api_cpu_us_per_event": round(cpu_api / accepted * 1e6), "kafka_dev_cpu_us_per_event": round(cpu_kafka / accepted * 1e6),
    "load_average": load, "durability": durability,
    "machine_busy_bare": busy(bare_counters), "machine_busy_unkeyed": busy(counters), "machine_busy_keyed": busy(keyed_counters),
    "machine_cpu_us_per_bare_request": round(machine_bare_us),
    "machine_cpu_us_per_unkeyed_event": round(machine_unkeyed_us), "machine_cpu_us_per_keyed_event": round(machine_keyed_us),
    "unkeyed_to_bare_cpu_bound": round(unkeyed_cpu_bound, 3), "keyed_to_unkeyed_cpu_bound": round(keyed_cpu_bound, 3),
    **json.load(open(sys.argv[10])),
}))
PY
