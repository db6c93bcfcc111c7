"""drill_data verify: the restored database against an expected set of events (ledger rows, the
processed_events guard, balances, stored offsets), reported as one JSON object."""

import json
import sys

from scripts.drill.drill_events import GROUP, load_events, psql_rows


def verify(args):
    events = load_events(args.events)
    if args.all:
        want = {e["event_id"]: e for e in events}
    else:
        with open(args.expected) as handle:
            indexes = json.load(handle)["indexes"]
        want = {events[i]["event_id"]: events[i] for i in indexes}
    psql = json.loads(args.psql)
    problems = []

    ledger = psql_rows(psql, "SELECT event_id, account_id, amount_cents, kafka_partition, kafka_offset FROM ledger")
    seen = {}
    for event_id, account, amount, partition, offset in ledger:
        seen[event_id] = seen.get(event_id, 0) + 1
        e = want.get(event_id)
        if e is None:
            problems.append(f"ledger holds event {event_id} that should not be there")
        elif (account, int(amount), int(partition), int(offset)) != (
            e["account_id"],
            e["amount_cents"],
            e["partition"],
            e["offset"],
        ):
            problems.append(f"ledger row for {event_id} differs from the produced event")
    duplicates = sum(n - 1 for n in seen.values())
    if duplicates:
        problems.append(f"{duplicates} duplicate ledger rows")
    missing = [i for i in want if i not in seen]
    if missing:
        problems.append(f"{len(missing)} expected events missing from the ledger (e.g. {missing[0]})")

    processed = psql_rows(psql, "SELECT event_id, outcome FROM processed_events")
    processed_ids = {event_id for event_id, _ in processed}
    if processed_ids != set(want) or any(outcome != "applied" for _, outcome in processed):
        problems.append(f"processed_events holds {len(processed_ids)} events, expected {len(want)}")

    balances = {
        account: int(balance) for account, balance in psql_rows(psql, "SELECT account_id, balance_cents FROM accounts")
    }
    expected_balances = {}
    for e in want.values():
        expected_balances[e["account_id"]] = expected_balances.get(e["account_id"], 0) + e["amount_cents"]
    wrong = [
        a for a in sorted(set(balances) | set(expected_balances)) if balances.get(a, 0) != expected_balances.get(a, 0)
    ]
    if wrong:
        a = wrong[0]
        problems.append(
            f"{len(wrong)} account balances wrong (e.g. {a}: {balances.get(a, 0)} != {expected_balances.get(a, 0)})"
        )

    offsets = {
        int(p): int(o)
        for p, o in psql_rows(
            psql, (f"SELECT kafka_partition, next_offset FROM consumer_offsets WHERE consumer_group = '{GROUP}'")
        )
    }
    want_offsets = {}
    for e in want.values():
        want_offsets[e["partition"]] = max(want_offsets.get(e["partition"], 0), e["offset"] + 1)
    if offsets != want_offsets:
        problems.append(f"stored offsets {offsets} differ from the expected {want_offsets}")

    report = {
        "rows_expected": len(want),
        "rows_restored": len(ledger),
        "duplicates": duplicates,
        "balances_checked": len(expected_balances),
        "balances_wrong": len(wrong),
        "verified": not problems,
        "problems": problems,
    }
    for problem in problems:
        print(f"VERIFY FAILED: {problem}", file=sys.stderr)
    print(json.dumps(report))
    return 0 if not problems else 1
