#!/usr/bin/env bash
# run-steps.sh NAME STEP...: runs each make target in order, stopping at the first that fails, and prints the
# wall time each took. `make test` runs its steps through it, so a run (in CI too) says where its minutes went and
# which step failed. `deps` runs once, first; the later steps are told it is made (`make -o deps`).
set -uo pipefail
name="$1"
shift
read -ra make_cmd <<<"${MAKE:-make}"
started=$(date +%s)
times=()
report() {
    local status="$1"
    echo "== $name: time per step (wall seconds)"
    for line in "${times[@]}"; do echo "   $line"; done
    echo "== $name: $status after $(( $(date +%s) - started )) s"
}
for step in "$@"; do
    step_started=$(date +%s)
    if [ "$step" = deps ]; then
        "${make_cmd[@]}" --no-print-directory deps
    else
        "${make_cmd[@]}" --no-print-directory -o deps "$step"
    fi
    rc=$?
    times+=("$(printf '%-24s %6d' "$step" $(( $(date +%s) - step_started )))")
    if [ "$rc" -ne 0 ]; then
        report "FAILED at $step (exit $rc)"
        exit "$rc"
    fi
done
report passed
