#!/usr/bin/env python3
"""Data side of the backup drill: the produced events, the SQL an after-mode worker would run for
them, and the verification of a restored database against those events.

Why a generator instead of the real worker: the drill must run before (and independently of) the
live binaries, and its ground truth must not come from the database under test. The SQL below is
the after-mode effect as specified in docs/interfaces.md: one transaction per batch, the
processed_events guard, the ledger row and the balance only for new events, and the offsets
stored in the same transaction.

Subcommands (all output goes to files or stdout; errors exit non-zero with a message):
  produce   write the produced events (the Kafka topic's content) as CSV
  batches   write a psql script applying a range of events in batches, logging commit timestamps
  replay    write a psql script re-applying every event at or after the restored offsets
  expected  list the event indexes committed at or before a restore target, from the commit log
  prefix    after a restore to the end of the WAL archive: the committed batches the database holds
  verify    compare the live database with an expected set; print a JSON report
"""

import argparse
import csv
import json
import random
import subprocess
import sys
import uuid
import zlib
from datetime import UTC, datetime, timedelta

GROUP = "ledger-worker"
TOPIC = "events"
WORKER_ID = "drill-worker-1"


def fail(message):
    print(f"drill_data: {message}", file=sys.stderr)
    sys.exit(2)


# ---------------------------------------------------------------- produced events


def produce(args):
    rng = random.Random(args.seed)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    next_offset = [0] * args.partitions
    with open(args.out, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["index", "event_id", "account_id", "amount_cents", "partition", "offset", "occurred_at"])
        for index in range(args.events):
            event_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            account = f"acct-{rng.randrange(args.accounts):03d}"
            amount = rng.randint(-50_000, 100_000) or 1
            # Keyed by account: one account's events keep their order within one partition.
            partition = zlib.crc32(account.encode()) % args.partitions
            offset = next_offset[partition]
            next_offset[partition] += 1
            occurred = (base + timedelta(milliseconds=index)).isoformat().replace("+00:00", "Z")
            writer.writerow([index, event_id, account, amount, partition, offset, occurred])


def load_events(path):
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    events = []
    for row in rows:
        events.append(
            {
                "index": int(row["index"]),
                "event_id": row["event_id"],
                "account_id": row["account_id"],
                "amount_cents": int(row["amount_cents"]),
                "partition": int(row["partition"]),
                "offset": int(row["offset"]),
            }
        )
    if not events:
        fail(f"{path} holds no events")
    return events


# ---------------------------------------------------------------- worker SQL


def batch_sql(batch_no, batch, first, last):
    """One after-mode batch transaction, then a log line with its exact commit timestamp
    (track_commit_timestamp is on, so this is the timestamp recovery_target_time compares)."""
    values = ",\n    ".join(
        f"('{e['event_id']}'::uuid, '{e['account_id']}', {e['amount_cents']}::bigint, {e['partition']}, {e['offset']}::bigint)"
        for e in batch
    )
    offsets = {}
    for e in batch:
        offsets[e["partition"]] = max(offsets.get(e["partition"], -1), e["offset"] + 1)
    offset_rows = ", ".join(f"('{GROUP}', '{TOPIC}', {p}, {o})" for p, o in sorted(offsets.items()))
    return f"""BEGIN;
SELECT txid_current() AS xid \\gset
WITH batch(event_id, account_id, amount_cents, kafka_partition, kafka_offset) AS (VALUES
    {values}),
new AS (
  INSERT INTO processed_events (event_id, outcome, kafka_partition, kafka_offset)
  SELECT event_id, 'applied', kafka_partition, kafka_offset FROM batch
  ON CONFLICT (event_id) DO NOTHING
  RETURNING event_id),
applied AS (
  INSERT INTO ledger (event_id, account_id, amount_cents, kafka_partition, kafka_offset, applied_by)
  SELECT b.event_id, b.account_id, b.amount_cents, b.kafka_partition, b.kafka_offset, '{WORKER_ID}'
  FROM batch b JOIN new USING (event_id)
  RETURNING account_id, amount_cents)
INSERT INTO accounts (account_id, balance_cents)
SELECT account_id, sum(amount_cents) FROM applied GROUP BY account_id
ON CONFLICT (account_id) DO UPDATE
  SET balance_cents = accounts.balance_cents + EXCLUDED.balance_cents, updated_at = now();
INSERT INTO consumer_offsets (consumer_group, topic, kafka_partition, next_offset) VALUES {offset_rows}
ON CONFLICT (consumer_group, topic, kafka_partition) DO UPDATE
  SET next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset), updated_at = now();
COMMIT;
SELECT 'commit', {batch_no}, {first}, {last}, pg_xact_commit_timestamp(:'xid'::text::xid);
"""


def script_header():
    return "\\set ON_ERROR_STOP 0\nSET TIME ZONE 'UTC';\n"


def batches(args):
    events = load_events(args.events)
    chosen = events[args.start : args.end]
    if not chosen:
        fail(f"no events in [{args.start}, {args.end})")
    out = [script_header()]
    for number, at in enumerate(range(0, len(chosen), args.batch_size)):
        batch = chosen[at : at + args.batch_size]
        first, last = batch[0]["index"], batch[-1]["index"]
        # Every n-th batch also carries events of the previous one again, as a consumer does
        # after a rebalance from an older committed offset; the guard must skip them.
        if args.redeliver_every and number and number % args.redeliver_every == 0:
            batch = events[max(args.start, first - args.redeliver) : first] + batch
        out.append(batch_sql(args.batch_no_base + number, batch, first, last))
        if args.sleep > 0:
            out.append(f"SELECT pg_sleep({args.sleep});\n")
    with open(args.out, "w") as handle:
        handle.write("".join(out))


def psql_rows(psql, sql):
    result = subprocess.run(psql + ["-c", sql], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed ({result.returncode}): {result.stderr.strip()}")
    return [line.split("|") for line in result.stdout.splitlines() if line]


def replay(args):
    """The worker after a restore: resume every partition at the offset stored with the effects,
    minus a rewind (as if the Kafka-committed offset were older) to exercise the guard."""
    events = load_events(args.events)
    psql = json.loads(args.psql)
    stored = {
        int(p): int(o)
        for p, o in psql_rows(
            psql,
            (
                f"SELECT kafka_partition, next_offset FROM consumer_offsets "
                f"WHERE consumer_group = '{GROUP}' AND topic = '{TOPIC}'"
            ),
        )
    }
    todo = [e for e in events if e["offset"] >= max(0, stored.get(e["partition"], 0) - args.rewind)]
    out = [script_header()]
    for number, at in enumerate(range(0, len(todo), args.batch_size)):
        batch = todo[at : at + args.batch_size]
        out.append(batch_sql(100000 + number, batch, batch[0]["index"], batch[-1]["index"]))
    with open(args.out, "w") as handle:
        handle.write("".join(out))
    print(len(todo))


# ---------------------------------------------------------------- expected sets


def parse_ts(text):
    text = text.strip()
    if text.endswith("+00"):
        text += ":00"
    return datetime.fromisoformat(text.replace(" UTC", "+00:00"))


def read_commit_log(paths):
    """Lines `commit|batch|first|last|timestamp`; an empty timestamp is a batch that did not commit."""
    commits = []
    for path in paths:
        with open(path) as handle:
            for line in handle:
                parts = line.strip().split("|")
                if len(parts) != 5 or parts[0] != "commit":
                    continue
                if parts[4]:
                    commits.append((int(parts[2]), int(parts[3]), parse_ts(parts[4])))
    return commits


def loss(kept, lost):
    """RPO as the age of the recovery point when the accident happened: newest lost commit minus newest
    restored commit (0 when nothing committed was lost), and the span of the lost writes themselves."""
    if not lost:
        return 0.0, 0.0
    newest_lost = max(ts for _, _, ts in lost)
    newest_kept = max((ts for _, _, ts in kept), default=None)
    rpo = (newest_lost - newest_kept).total_seconds() if newest_kept else None
    span = (newest_lost - min(ts for _, _, ts in lost)).total_seconds()
    return (round(rpo, 6) if rpo is not None else None), round(span, 6)


def summary(commits, kept, lost, out):
    rpo, span = loss(kept, lost)
    with open(out, "w") as handle:
        json.dump(
            {
                "indexes": sorted({i for first, last, _ in kept for i in range(first, last + 1)}),
                "lost_rows": sum(last - first + 1 for first, last, _ in lost),
                "rpo_seconds": rpo,
                "lost_write_span_seconds": span,
                "committed_rows": sum(last - first + 1 for first, last, _ in commits),
                "restored_to": max(ts for _, _, ts in kept).isoformat() if kept else None,
            },
            handle,
        )


def expected(args):
    commits = read_commit_log(args.commit_log)
    if not commits:
        fail("the commit log holds no committed batch")
    target = parse_ts(args.target)
    kept = [c for c in commits if c[2] <= target]
    lost = [c for c in commits if c[2] > target]
    summary(commits, kept, lost, args.out)


def prefix(args):
    """Volume loss: recovery replays the archived WAL to its end, so the restored ledger must be exactly
    the batches committed up to some batch k, in commit order (transactions replay whole). Finds k from
    the restored event ids; verify then checks the prefix is exact (no partial batch, nothing later)."""
    events = load_events(args.events)
    commits = sorted(read_commit_log(args.commit_log), key=lambda c: c[2])
    if not commits:
        fail("the commit log holds no committed batch")
    psql = json.loads(args.psql)
    present = {row[0] for row in psql_rows(psql, "SELECT event_id FROM ledger")}
    kept = []
    for first, last, ts in commits:
        if not all(events[i]["event_id"] in present for i in range(first, last + 1)):
            break
        kept.append((first, last, ts))
    summary(commits, kept, commits[len(kept) :], args.out)


# ---------------------------------------------------------------- verification


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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("produce")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--events", type=int, required=True)
    p.add_argument("--accounts", type=int, default=200)
    p.add_argument("--partitions", type=int, default=12)
    p.add_argument("--out", required=True)

    p = sub.add_parser("batches")
    p.add_argument("--events", required=True)
    p.add_argument("--start", type=int, required=True)
    p.add_argument("--end", type=int, required=True)
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--batch-no-base", type=int, default=0)
    p.add_argument("--sleep", type=float, default=0.0)
    p.add_argument("--redeliver-every", type=int, default=0)
    p.add_argument("--redeliver", type=int, default=5)
    p.add_argument("--out", required=True)

    p = sub.add_parser("replay")
    p.add_argument("--events", required=True)
    p.add_argument("--psql", required=True, help="JSON list: the psql command line")
    p.add_argument("--rewind", type=int, default=50)
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--out", required=True)

    p = sub.add_parser("expected")
    p.add_argument("--commit-log", nargs="+", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--out", required=True)

    p = sub.add_parser("prefix")
    p.add_argument("--events", required=True)
    p.add_argument("--commit-log", nargs="+", required=True)
    p.add_argument("--psql", required=True)
    p.add_argument("--out", required=True)

    p = sub.add_parser("verify")
    p.add_argument("--events", required=True)
    p.add_argument("--expected")
    p.add_argument("--all", action="store_true", help="expect every produced event exactly once")
    p.add_argument("--psql", required=True)

    args = parser.parse_args()
    if args.command == "verify" and not (args.all or args.expected):
        fail("verify needs --expected FILE or --all")
    handlers = {
        "produce": produce,
        "batches": batches,
        "replay": replay,
        "expected": expected,
        "prefix": prefix,
        "verify": verify,
    }
    try:
        sys.exit(handlers[args.command](args) or 0)
    except (OSError, RuntimeError, ValueError, KeyError) as error:
        fail(str(error))


if __name__ == "__main__":
    main()
