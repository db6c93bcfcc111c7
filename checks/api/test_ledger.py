"""Runs last: once the worker has drained the topic, the ledger holds exactly one row for each event the api answered
202 in this session (examples, fuzzing, access checks) and none for anything it refused. An event id accepted twice
with different bodies is applied once and dead-lettered as a conflict."""

from __future__ import annotations

import json
from collections import defaultdict

from scripts.stack.localstack import holds


def ledger_rows(api) -> str:
    return api.psql("SELECT event_id, account_id, amount_cents, count(*) OVER (PARTITION BY event_id) FROM ledger")


def test_one_ledger_row_per_accepted_event(api):
    assert api.accepted, "nothing was accepted in this session"
    api.wait_drained()
    # The lag gauges are sampled, so a drained worker can still be applying the last events it fetched: wait, with a
    # bound, until every accepted id is in the ledger; the comparison below names any that never arrive.
    expected = {a.event_id for a in api.accepted}
    holds(lambda: expected <= {line.split("\t")[0] for line in ledger_rows(api).splitlines()}, 60)
    rows = ledger_rows(api)
    ledger = defaultdict(list)
    for line in filter(None, rows.splitlines()):
        event_id, account, amount, _ = line.split("\t")
        ledger[event_id].append((account, int(amount)))
    bodies = defaultdict(set)
    for accepted in api.accepted:
        try:
            sent = json.loads(accepted.body)
        except ValueError:
            sent = None
        if isinstance(sent, dict):
            bodies[accepted.event_id].add((sent.get("account_id"), sent.get("amount_cents")))
    problems = []
    for event_id in sorted(set(ledger) - set(bodies)):
        problems.append(f"ledger has {event_id}, which the api never accepted")
    for event_id in sorted(set(bodies) - set(ledger)):
        problems.append(f"accepted {event_id} {sorted(bodies[event_id], key=str)} is not in the ledger")
    for event_id, applied in ledger.items():
        if len(applied) != 1:
            problems.append(f"{event_id} applied {len(applied)} times")
        elif event_id in bodies and applied[0] not in bodies[event_id]:
            problems.append(f"{event_id} applied as {applied[0]}, accepted as {sorted(bodies[event_id], key=str)}")
    assert not problems, "\n".join(problems[:50])
