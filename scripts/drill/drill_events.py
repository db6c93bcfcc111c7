"""The backup drill's ground truth: the produced events (the Kafka topic's content) as CSV, written and read back;
the consumer group, topic and worker id the drill's SQL stores its effects under; and the two helpers every
subcommand uses (fail with a message, rows of a psql query)."""

import csv
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


def psql_rows(psql, sql):
    result = subprocess.run(psql + ["-c", sql], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed ({result.returncode}): {result.stderr.strip()}")
    return [line.split("|") for line in result.stdout.splitlines() if line]


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
