"""The live run's worker histories through the simulator's checkers (`sim check-history`), and whether their
verdict agrees with the e2e's own SQL checks.

Every worker of the e2e appends its history (HISTORY_FILE, docs/live-history.md) to <out>/history/w<N>.jsonl;
the events the api acknowledged go to <out>/history/produced.jsonl. `sim check-history --json` reads both and
runs the simulator's invariant checkers on them. The two verdicts must agree: the same number of duplicated
effects, lost events and double settlements, and (`after`) no violation at all; a disagreement fails the e2e,
because one of the two checkers is wrong.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path


def write_produced(path: Path, accepted) -> None:
    with path.open("w") as out:
        for event in accepted:
            out.write(
                json.dumps({"event_id": event.event_id, "account_id": event.account, "amount_cents": event.amount})
                + "\n"
            )


def run(sim: str, produced: Path, histories: list[Path]) -> dict:
    """`sim check-history --json`: its report (exit 0 and 1 both report; 2 means it could not read a file)."""
    command = [sim, "check-history", "--produced", str(produced), "--json", *map(str, histories)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    lines = done.stdout.strip().splitlines()
    if done.returncode not in (0, 1) or not lines:
        raise RuntimeError(f"sim check-history failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    report = json.loads(lines[-1])
    report["command"] = " ".join(command)
    return report


def disagreements(result: dict, history: dict) -> list[str]:
    """Where the history's verdict and the SQL's differ (empty: they agree)."""
    problems = []
    for sql_key, history_key in (
        ("duplicates", "duplicates"),
        ("lost", "lost"),
        ("double_settlements", "double_settlements"),
    ):
        if result[sql_key] != history[history_key]:
            problems.append(f"history {history_key} = {history[history_key]} but SQL {sql_key} = {result[sql_key]}")
    if result["mode"] == "after" and history["violations"]:
        problems.append(f"history violations in after mode: {history['violations_by_kind']}")
    if (
        result["mode"] == "before"
        and result["duplicates"]
        and not all(v["explanation"] for v in history["violations"] if v["kind"] == "duplicate-effect")
    ):
        problems.append("a duplicate in the history without an explanation")
    return problems
