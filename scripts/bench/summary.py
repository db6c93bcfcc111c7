"""The report of one `make bench` run (scripts/bench/run-all.sh): reads each benchmark's output, whose last line is
its JSON report, writes RESULTS/STAMP.json and RESULTS/STAMP.md, prints the markdown and, last, one JSON line.

    python3 -m scripts.bench.summary --results bench-results --stamp 20261206T220000Z --load-at-start "0.10 0.20 0.30"
"""

import argparse
import json
import operator
import os
import platform
import subprocess
import sys

BENCHES = ("sim", "worker", "api")

# (benchmark, what, JSON key, comparison, goal): the goals of the benchmarks, each checked in the same run as
# its baseline.
GOALS = (
    (
        "sim",
        "simulator targets (sweep rate >= 0.85 of the previous release, 0 failing after seeds, before fails >= 95%)",
        "targets_met",
        "==",
        True,
    ),
    ("worker", "worker benchmark: PostgreSQL durability", "durability", "==", "on"),
    ("worker", "worker after / before", "after_to_before", ">=", 0.9),
    ("worker", "worker after / ceiling", "after_to_ceiling", ">=", 0.6),
    ("worker", "ledger rows == events in every run", "ledger_rows_exact", "==", True),
    ("worker", "worker after, tracing on (default sampling) / off", "traced_ratio", ">=", 0.9),
    ("api", "api benchmark: PostgreSQL durability", "durability", "==", "on"),
    ("api", "api unkeyed / bare 202 route", "ratio_to_bare", ">=", 0.7),
    ("api", "api keyed / unkeyed", "keyed_to_unkeyed", ">=", 0.8),
    ("api", "api unkeyed p99 (ms)", "p99_ms", "<=", 25),
    ("api", "api keyed p99 (ms)", "keyed_p99_ms", "<=", 25),
    ("api", "api unkeyed, tracing on (default sampling) / off", "traced_ratio", ">=", 0.9),
)
COMPARE = {">=": operator.ge, "<=": operator.le, "==": operator.eq}


def last_json(path):
    """The benchmark's report: the last line of its output, or None when it did not finish."""
    try:
        with open(path) as f:
            lines = [line for line in f.read().splitlines() if line.strip()]
        return json.loads(lines[-1]) if lines else None
    except (OSError, json.JSONDecodeError):
        return None


def check(reports):
    rows = []
    for bench, what, key, op, goal in GOALS:
        value = (reports.get(bench) or {}).get(key)
        met = value is not None and COMPARE[op](value, goal)
        rows.append({"bench": bench, "what": what, "key": key, "goal": f"{op} {goal}", "value": value, "met": met})
    return rows


def git_commit():
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def figures(reports):
    """The headline figures of each benchmark, as markdown table rows (figure, value, command)."""
    sim, worker, api = (reports.get(name) or {} for name in BENCHES)
    return (
        (sim_figures(sim) if sim else [])
        + (worker_figures(worker) if worker else [])
        + (api_figures(api) if api else [])
    )


def sim_figures(sim):
    """make bench-sim's rows."""
    rows = []
    rows.append(
        (
            "simulator, `after` sweep",
            f"{sim['after_seeds']} seeds in {sim['after_seconds']} s, "
            f"{sim['after_seeds_per_second']} seeds/s, {sim.get('after_cpu_ms_per_seed', '?')} ms CPU/seed, "
            f"{sim.get('instructions_seed_42_after', 0):,} instructions (seed 42)",
            "make bench-sim",
        )
    )
    rows.append(
        (
            "simulator, `before` with faults",
            f"duplicates in {sim['before_share_with_duplicates']:.1%} "
            f"of seeds; 1 replica without faults: {sim['before_single_replica_no_faults_duplicates']}",
            "make bench-sim",
        )
    )
    return rows


def worker_figures(worker):
    """make bench-worker's rows."""
    rows = []
    rows.append(
        (
            f"worker, durability {worker.get('durability')}",
            f"after {worker['after_per_s']:,}/s, before {worker['before_per_s']:,}/s, ceiling "
            f"{worker.get('ceiling_per_s', 0):,}/s; after/before {worker['after_to_before']}, "
            f"after/ceiling {worker.get('after_to_ceiling')}",
            "make bench-worker",
        )
    )
    rows.append(
        (
            "worker CPU per event",
            f"worker {worker['after_worker_cpu_us_per_event']} us, PostgreSQL "
            f"{worker.get('after_pg_cpu_us_per_event')} us (ceiling {worker.get('ceiling_pg_cpu_us_per_event')}"
            " us)",
            "make bench-worker",
        )
    )
    if "traced_ratio" in worker:
        rows.append(
            (
                "worker after, tracing on",
                f"{worker['after_traced_per_s']:,}/s, traced/untraced {worker['traced_ratio']}; "
                f"{worker['traced_sampled_events']} sampled events, {worker['traced_spans_received']} spans received",
                "make bench-worker",
            )
        )
    return rows


def api_figures(api):
    """make bench-api's rows."""
    rows = []
    rows.append(
        (
            f"api, durability {api.get('durability')}",
            f"unkeyed {api['accepted_per_s']:,}/s p99 {api['p99_ms']:.1f} ms, keyed "
            f"{api['keyed_accepted_per_s']:,}/s p99 {api['keyed_p99_ms']:.1f} ms, bare {api['bare_per_s']:,}/s;"
            f" unkeyed/bare {api['ratio_to_bare']}, keyed/unkeyed {api.get('keyed_to_unkeyed')}",
            "make bench-api",
        )
    )
    rows.append(
        (
            "api CPU per accepted event",
            f"api {api['api_cpu_us_per_event']} us, kafka-dev "
            f"{api['kafka_dev_cpu_us_per_event']} us (keyed: api {api.get('keyed_api_cpu_us_per_event')} us, "
            f"PostgreSQL {api.get('keyed_pg_cpu_us_per_event')} us)",
            "make bench-api",
        )
    )
    if "claims_per_statement" in api:
        rows.append(
            (
                "api Idempotency-Key claim writer",
                f"{api['claims_per_statement']} claims per statement, {api.get('claim_statement_ms')} ms per statement"
                " (a keyed request waits about 1.5 statements for its claim)",
                "make bench-api",
            )
        )
    if "machine_busy_keyed" in api:
        rows.append(
            (
                "api machine CPU busy (all cores, every process)",
                f"bare {api['machine_busy_bare']}, unkeyed {api['machine_busy_unkeyed']}, keyed "
                f"{api['machine_busy_keyed']} (well under 1: the route waits rather than runs short of CPU)",
                "make bench-api",
            )
        )
    if "keyed_to_unkeyed_cpu_bound" in api:
        rows.append(
            (
                "api machine CPU per event (every process)",
                f"bare {api['machine_cpu_us_per_bare_request']} us, unkeyed {api['machine_cpu_us_per_unkeyed_event']} us,"
                f" keyed {api['machine_cpu_us_per_keyed_event']} us: the CPU allows unkeyed/bare"
                f" {api['unkeyed_to_bare_cpu_bound']} (measured {api['ratio_to_bare']}),"
                f" keyed/unkeyed {api['keyed_to_unkeyed_cpu_bound']} (measured {api['keyed_to_unkeyed']})",
                "make bench-api",
            )
        )
    if "traced_ratio" in api:
        rows.append(
            (
                "api unkeyed, tracing on",
                f"{api['traced_accepted_per_s']:,}/s p99 {api['traced_p99_ms']:.1f} ms, traced/untraced "
                f"{api['traced_ratio']}; {api['traced_spans_received']} spans received",
                "make bench-api",
            )
        )
    return rows


def markdown(stamp, meta, reports, goals):
    lines = [
        f"# make bench, {stamp}",
        "",
        f"commit {meta['commit']}, {meta['cores']} cores, load average {meta['load_at_start']} at the start, "
        f"{meta['load_at_end']} at the end",
        "",
        "| figure | measured | command |",
        "|---|---|---|",
    ]
    lines += [f"| {a} | {b} | `{c}` |" for a, b, c in figures(reports)]
    lines += ["", "| goal | measured | met |", "|---|---|---|"]
    for g in goals:
        lines.append(f"| {g['what']} {g['goal']} | {g['value']} | {'yes' if g['met'] else '**no**'} |")
    missing = [name for name in BENCHES if reports.get(name) is None]
    if missing:
        lines += ["", f"Did not finish: {', '.join(missing)} (see {stamp}-NAME.txt)."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", required=True)
    parser.add_argument("--stamp", required=True)
    parser.add_argument("--load-at-start", default="")
    args = parser.parse_args(argv)
    reports = {name: last_json(os.path.join(args.results, f"{args.stamp}-{name}.txt")) for name in BENCHES}
    goals = check(reports)
    with open("/proc/loadavg") as f:
        load_at_end = " ".join(f.read().split()[:3])
    meta = {
        "commit": git_commit(),
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "load_at_start": args.load_at_start,
        "load_at_end": load_at_end,
    }
    met = all(g["met"] for g in goals)
    report = {"bench": "all", "stamp": args.stamp, **meta, "reports": reports, "goals": goals, "targets_met": met}
    base = os.path.join(args.results, args.stamp)
    with open(base + ".json", "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    text = markdown(args.stamp, meta, reports, goals)
    with open(base + ".md", "w") as f:
        f.write(text)
    print(text)
    print(
        json.dumps(
            {
                "bench": "all",
                "results": base + ".json",
                "summary": base + ".md",
                "targets_met": met,
                "goals_met": sum(g["met"] for g in goals),
                "goals": len(goals),
            }
        )
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
