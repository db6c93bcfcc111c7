# shellcheck shell=bash
# Sourced by the live benchmarks (scripts/live/bench-api.sh, scripts/stack/bench-worker.sh), from the repository
# root, for their rounds with tracing on: a local OTLP/HTTP receiver (checks/api/otlp_receiver.py, the one the
# trace check uses) that logs one line per span it decodes, so a benchmark counts the spans that really arrived
# (an exporter that fails fast would cost nothing and prove nothing).

# otlp_receiver_start PORT LOG: starts the receiver in the background (its pid appended to the caller's `pids`)
# and waits, at most 10 s, until it listens.
otlp_receiver_start() {
    local port="$1" log="$2"
    .local/venvs/api/bin/python -m checks.api.otlp_receiver --port "$port" >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do grep -q '^receiving OTLP' "$log" 2>/dev/null && return 0; sleep 0.1; done
    echo "OTLP receiver did not start; see $log" >&2
    return 1
}

# spans_received LOG SERVICE [NAME]: how many spans of SERVICE (named NAME) the receiver has decoded so far.
spans_received() { grep -c " $2: ${3:-}" "$1" || true; }

