#!/usr/bin/env bash
# run-steps.sh NAME STEP...: runs each make target in order, stopping at the first that fails, and prints the
# wall time each took. `make test` runs its steps through it, so a run (in CI too) says where its minutes went and
# which step failed. `deps` runs once, first; the later steps are told it is made (`make -o deps`).
#
# A step written `STEP&` runs in the background: consecutive ones form a chain that runs one step after another,
# beside the foreground steps that follow. The word `wait` in the list, and the end of the list, joins the chain:
# its steps' output is printed then, and a failure in it stops the run as a foreground failure does. A foreground
# failure stops the chain. Steps that mostly wait (Terraform against the emulator) or use one core overlap a
# compile this way; nothing timing-sensitive should run beside them, hence the `wait` before the live steps.
set -uo pipefail
name="$1"
shift
read -ra make_cmd <<<"${MAKE:-make}"
started=$(date +%s)
times=()
logs=$(mktemp -d)
chain_pid=""
chain_steps=()

# add_time STEP SECONDS [NOTE]: a line of the report's table.
add_time() {
    times+=("$(printf '%-24s %6d%s' "$1" "$2" "${3:+  $3}")")
}

report() {
    local status="$1"
    echo "== $name: time per step (wall seconds)"
    for line in "${times[@]}"; do echo "   $line"; done
    echo "== $name: $status after $(( $(date +%s) - started )) s"
}

stop_chain() {
    if [ -n "$chain_pid" ]; then
        kill -TERM -- "-$chain_pid" 2>/dev/null
        wait "$chain_pid" 2>/dev/null
        echo "== $name: stopped the background steps (${chain_steps[*]})"
        chain_pid=""
    fi
}
trap 'stop_chain; rm -rf "$logs"' EXIT
trap 'exit 130' INT TERM

run_step() {
    if [ "$1" = deps ]; then
        "${make_cmd[@]}" --no-print-directory deps
    else
        "${make_cmd[@]}" --no-print-directory -o deps "$1"
    fi
}

start_chain() {
    chain_steps=("$@")
    : >"$logs/chain"
    # Job control gives the chain a process group of its own, so stopping it stops the make it is running.
    set -m
    (
        for step in "$@"; do
            step_started=$(date +%s)
            run_step "$step" >"$logs/$step.log" 2>&1
            rc=$?
            echo "$step $rc $(( $(date +%s) - step_started ))" >>"$logs/chain"
            [ "$rc" -eq 0 ] || exit "$rc"
        done
    ) &
    chain_pid=$!
    set +m
}

join_chain() {
    [ -n "$chain_pid" ] || return 0
    wait "$chain_pid"
    chain_pid=""
    local step rc seconds failed="" failed_rc=0 finished=0
    for step in "${chain_steps[@]}"; do
        if [ -f "$logs/$step.log" ]; then
            echo "== $name: output of $step (ran in the background)"
            cat "$logs/$step.log"
        fi
    done
    while read -r step rc seconds; do
        finished=$((finished + 1))
        add_time "$step" "$seconds" "(background)"
        [ "$rc" -eq 0 ] || { failed=$step; failed_rc=$rc; }
    done <"$logs/chain"
    if [ -n "$failed" ]; then
        report "FAILED at $failed (exit $failed_rc)"
        exit "$failed_rc"
    fi
    if [ "$finished" -ne "${#chain_steps[@]}" ]; then
        report "FAILED: the background steps (${chain_steps[*]}) ended after $finished of ${#chain_steps[@]}"
        exit 1
    fi
}

queued=()
for step in "$@" wait; do
    if [ "${step%&}" != "$step" ]; then
        queued+=("${step%&}")
        continue
    fi
    if [ ${#queued[@]} -gt 0 ]; then
        join_chain
        start_chain "${queued[@]}"
        queued=()
    fi
    if [ "$step" = wait ]; then
        join_chain
        continue
    fi
    step_started=$(date +%s)
    run_step "$step"
    rc=$?
    add_time "$step" $(( $(date +%s) - step_started ))
    if [ "$rc" -ne 0 ]; then
        stop_chain
        report "FAILED at $step (exit $rc)"
        exit "$rc"
    fi
done
report passed
