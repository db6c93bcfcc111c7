#!/usr/bin/env bash
# Samples the CPU time of every thread of the given processes every INTERVAL seconds (default 0.5) until
# interrupted, one line per thread and sample: "<unix time> <pid> <tid> <thread name> <utime+stime in ticks>"
# (1 tick = 10 ms). Differences between two samples of a thread, divided by the requests served in between, give
# the CPU each thread spends per request (docs/bench-api-log.md, "Where an unkeyed event's CPU goes").
#
#   scripts/bench/thread-ticks.sh "$(pgrep -f 'release/api --http-port 18080')" > ticks.log &
set -euo pipefail
[ "$#" -ge 1 ] || { echo "usage: $0 PID... (INTERVAL=0.5)" >&2; exit 2; }
interval="${INTERVAL:-0.5}"
while true; do
    now="$(date +%s.%N)"
    for pid in "$@"; do
        for task in /proc/"$pid"/task/*; do
            stat="$(cat "$task/stat" 2>/dev/null)" || continue
            name="$(cat "$task/comm" 2>/dev/null)" || continue
            # Fields after the parenthesised name: state is the 1st, utime the 12th, stime the 13th.
            read -r -a fields <<<"${stat##*) }"
            echo "$now $pid ${task##*/} ${name// /_} $((fields[11] + fields[12]))"
        done
    done
    sleep "$interval"
done
