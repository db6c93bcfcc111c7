"""The SQL an after-mode worker would run for the produced events (drill_data batches and replay): one
transaction per batch with the processed_events guard, the ledger row and balance only for new events, and the
offsets stored in the same transaction."""

import json

from scripts.drill.drill_events import GROUP, TOPIC, WORKER_ID, fail, load_events, psql_rows


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
