/// The worker's statements, one per `DatabaseWork` case (Core's `DatabaseWork` documents the semantics these
/// implement; the simulator's `DatabaseModel+Apply.swift` is the reference model). Each batch is one statement
/// over `unnest`ed arrays, so a transaction of 500 events costs three round trips (BEGIN, the statement,
/// COMMIT) whatever its size.
enum LedgerSQL {
    /// `after`: the idempotency guard, the effect only for new events, the offsets stored with them.
    /// `ON CONFLICT DO NOTHING` also keeps a Kafka-level duplicate inside one batch to one guard row, and the
    /// effect joins on the guard rows actually inserted (by partition and offset, which identify a message), so
    /// it happens once. Guard rows and accounts are locked in key order, so two workers writing overlapping
    /// batches (a zombie and the new owner) wait for each other instead of deadlocking. The new events also get
    /// one `ledger_batches` row (their count and total; none when every event was a duplicate), which the
    /// ledger rows name and the fenced settlement marks. The guard row keeps the event's account and amount, and
    /// of two entries of one batch with the same event id the earlier one inserts it (`ORDER BY event_id, ord`),
    /// so `guardConflicts` can tell a duplicate from a conflicting reuse of the id.
    static let guardedBatch = (name: "rs_guarded_batch", sql: guardedBatchSQL(onConflict: "ON CONFLICT (event_id) DO NOTHING"))

    /// The same with a plain guard INSERT: fails with 23505 (unique_violation) when any event of the batch was
    /// processed before, and then `LedgerStore` runs `guardedBatch` instead. Cheaper in the normal case.
    static let optimisticGuardedBatch = (name: "rs_optimistic_guarded_batch", sql: guardedBatchSQL(onConflict: ""))

    private static func guardedBatchSQL(onConflict: String) -> String {
        """
        WITH input AS (
          SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::int[], $5::bigint[])
            WITH ORDINALITY AS t(event_id, account_id, amount_cents, kafka_partition, kafka_offset, ord)
        ), guard AS (
          INSERT INTO processed_events (event_id, outcome, kafka_partition, kafka_offset, account_id, amount_cents)
          SELECT event_id, 'applied', kafka_partition, kafka_offset, account_id, amount_cents FROM input ORDER BY event_id, ord
          \(onConflict)
          RETURNING kafka_partition, kafka_offset
        ), fresh AS (
          SELECT i.* FROM input i JOIN guard g ON g.kafka_partition = i.kafka_partition AND g.kafka_offset = i.kafka_offset
        ), batch AS (
          INSERT INTO ledger_batches (applied_by, entries, total_cents)
          SELECT $6, count(*), sum(amount_cents) FROM fresh HAVING count(*) > 0
          RETURNING id
        ), ledger_rows AS (
          INSERT INTO ledger (event_id, account_id, amount_cents, kafka_partition, kafka_offset, applied_by, batch_id)
          SELECT f.event_id, f.account_id, f.amount_cents, f.kafka_partition, f.kafka_offset, $6, b.id
          FROM fresh f CROSS JOIN batch b
          RETURNING account_id, amount_cents
        ), balances AS (
          INSERT INTO accounts AS a (account_id, balance_cents)
          SELECT account_id, sum(amount_cents) FROM ledger_rows GROUP BY account_id ORDER BY account_id
          ON CONFLICT (account_id) DO UPDATE SET balance_cents = a.balance_cents + EXCLUDED.balance_cents, updated_at = now()
          RETURNING 1
        ), stored AS (
          INSERT INTO consumer_offsets AS o (consumer_group, topic, kafka_partition, next_offset)
          SELECT $7, $8, p, n FROM unnest($9::int[], $10::bigint[]) AS s(p, n) ORDER BY p
          ON CONFLICT (consumer_group, topic, kafka_partition)
          DO UPDATE SET next_offset = GREATEST(o.next_offset, EXCLUDED.next_offset), updated_at = now()
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM ledger_rows) AS applied, (SELECT count(*) FROM balances) AS accounts,
               (SELECT count(*) FROM stored) AS stored
        """
    }

    /// `after`, after a guarded batch that skipped an entry, in its transaction: the first entry (0-based, in
    /// batch order) whose event id has an `applied` guard row with another account or amount: a conflicting
    /// reuse of the id, which the batch skipped as a duplicate. A new statement, so under READ COMMITTED it
    /// also sees a guard row the batch waited for (committed by a concurrent transaction after the batch's
    /// snapshot) and the batch's own rows (an earlier entry with the same id). A plain SELECT: never waits.
    static let guardConflicts = (name: "rs_guard_conflicts", sql: """
        SELECT t.ord - 1 AS entry, p.account_id, p.amount_cents
        FROM unnest($1::uuid[], $2::text[], $3::bigint[]) WITH ORDINALITY AS t(event_id, account_id, amount_cents, ord)
        JOIN processed_events p ON p.event_id = t.event_id
        WHERE p.outcome = 'applied' AND p.account_id IS NOT NULL
          AND (p.account_id <> t.account_id OR p.amount_cents <> t.amount_cents)
        ORDER BY t.ord LIMIT 1
        """)

    /// `before`, first statement: make sure every touched account has a row, so the update below sees it
    /// (statements in one `WITH` share a snapshot and cannot see each other's inserts).
    static let ensureAccounts = (name: "rs_ensure_accounts", sql: """
        INSERT INTO accounts (account_id)
        SELECT DISTINCT account_id FROM unnest($1::text[]) AS t(account_id) ORDER BY account_id
        ON CONFLICT (account_id) DO NOTHING
        """)

    /// `before`, second statement: a ledger row for every entry (no guard), then each account's balance as
    /// Core asked: the last `overwrite` value (the in-memory total) plus the `increment`s after it, or the
    /// stored balance plus the increments (cache-aside for accounts the process has not cached yet). Returns
    /// the balances for Core's cache.
    static let plainBatch = (name: "rs_plain_batch", sql: """
        WITH input AS (
          SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::int[], $5::bigint[], $6::bool[], $7::bigint[])
            WITH ORDINALITY AS t(event_id, account_id, amount_cents, kafka_partition, kafka_offset, overwrite, value, ord)
        ), ledger_rows AS (
          INSERT INTO ledger (event_id, account_id, amount_cents, kafka_partition, kafka_offset, applied_by)
          SELECT event_id, account_id, amount_cents, kafka_partition, kafka_offset, $8 FROM input ORDER BY ord
          RETURNING 1
        ), last_set AS (
          SELECT DISTINCT ON (account_id) account_id, ord, value FROM input WHERE overwrite ORDER BY account_id, ord DESC
        ), delta AS (
          SELECT i.account_id, max(l.value) AS base,
                 coalesce(sum(i.amount_cents) FILTER (WHERE NOT i.overwrite AND i.ord > coalesce(l.ord, 0)), 0) AS inc
          FROM input i LEFT JOIN last_set l USING (account_id) GROUP BY i.account_id
        ), updated AS (
          UPDATE accounts a SET balance_cents = coalesce(d.base, a.balance_cents) + d.inc, updated_at = now()
          FROM delta d WHERE a.account_id = d.account_id
          RETURNING a.account_id, a.balance_cents
        )
        SELECT account_id, balance_cents, (SELECT count(*) FROM ledger_rows) AS applied FROM updated
        """)

    /// `after`: the durable attempt counter of a poison event.
    static let recordFailure = (name: "rs_record_failure", sql: """
        INSERT INTO event_attempts AS e (event_id, attempts, last_error) VALUES ($1::uuid, 1, $2)
        ON CONFLICT (event_id) DO UPDATE SET attempts = e.attempts + 1, last_error = EXCLUDED.last_error, updated_at = now()
        RETURNING attempts
        """)

    /// `after`: the event is handled by the dead-letter topic; store the offset after it (never backwards).
    static let markDeadLettered = (name: "rs_mark_dead_lettered", sql: """
        WITH mark AS (
          INSERT INTO processed_events (event_id, outcome, kafka_partition, kafka_offset)
          SELECT $1::uuid, 'dead_lettered', $2::int, $3::bigint WHERE $1::uuid IS NOT NULL
          ON CONFLICT (event_id) DO NOTHING
          RETURNING 1
        ), stored AS (
          INSERT INTO consumer_offsets AS o (consumer_group, topic, kafka_partition, next_offset)
          VALUES ($4, $5, $2::int, $3::bigint + 1)
          ON CONFLICT (consumer_group, topic, kafka_partition)
          DO UPDATE SET next_offset = GREATEST(o.next_offset, EXCLUDED.next_offset), updated_at = now()
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM mark) AS marked
        """)

    static let loadOffsets = (name: "rs_load_offsets", sql: """
        SELECT kafka_partition, next_offset FROM consumer_offsets
        WHERE consumer_group = $1 AND topic = $2 AND kafka_partition = ANY($3::int[])
        """)

    /// `after`: one fence row per period; a settlement row only where the fence row is new, with the total of
    /// the batches this run marks ($4 = period length in seconds). Returns per settled period its total, the
    /// batches marked and, when $6 asks (a worker writing a history), their ledger rows' event ids: what a
    /// history needs to check the total. Off, the statement reads no ledger row (ledger has no batch_id index). A batch is marked by the earliest newly fenced
    /// period at or after its own, whenever it committed: one that committed after the run for its own period
    /// took its snapshot is still unmarked and the next run counts it. Concurrent runs cannot count a batch
    /// twice: the second waits on the row the first marked and, under READ COMMITTED, re-checks
    /// `settled_period IS NULL` on the committed version before updating it.
    static let fencedSettlement = (name: "rs_fenced_settlement", sql: """
        WITH fence AS (
          INSERT INTO settlement_fence (job, period)
          SELECT $1, p FROM generate_series($2::bigint, $3::bigint) AS p
          ON CONFLICT (job, period) DO NOTHING
          RETURNING period
        ), marked AS (
          UPDATE ledger_batches b SET settled_period = (
            SELECT min(f.period) FROM fence f WHERE f.period >= floor(extract(epoch FROM b.applied_at) / $4::bigint)::bigint)
          WHERE b.settled_period IS NULL
            AND b.applied_at < to_timestamp(((SELECT max(period) FROM fence) + 1) * $4::bigint)
          RETURNING b.id, b.settled_period, b.total_cents
        ), rows AS (
          INSERT INTO settlements (job, period, total_cents, settled_by)
          SELECT $1, f.period, coalesce((SELECT sum(m.total_cents) FROM marked m WHERE m.settled_period = f.period), 0), $5
          FROM fence f ORDER BY f.period
          RETURNING period, total_cents
        )
        SELECT r.period, r.total_cents, (SELECT count(*) FROM marked m WHERE m.settled_period = r.period) AS batches,
               CASE WHEN $6::bool THEN (SELECT string_agg(l.event_id::text, ',' ORDER BY l.event_id)
                 FROM ledger l JOIN marked m ON m.id = l.batch_id WHERE m.settled_period = r.period) END AS events
        FROM rows r ORDER BY r.period
        """)

    /// `before`: every replica inserts its own settlement row for the period, with the total of the ledger rows
    /// its snapshot shows in the period's `applied_at` window, and (when $5 asks) their event ids.
    static let plainSettlement = (name: "rs_plain_settlement", sql: """
        WITH counted AS (
          SELECT event_id, amount_cents FROM ledger
          WHERE applied_at >= to_timestamp($2::bigint * $3::bigint) AND applied_at < to_timestamp(($2::bigint + 1) * $3::bigint)
        ), settled AS (
          INSERT INTO settlements (job, period, total_cents, settled_by)
          SELECT $1, $2::bigint, coalesce(sum(amount_cents), 0), $4 FROM counted
          RETURNING period, total_cents
        )
        SELECT period, total_cents, 0 AS batches,
               CASE WHEN $5::bool THEN (SELECT string_agg(event_id::text, ',' ORDER BY event_id) FROM counted) END AS events
        FROM settled
        """)

    static let all: [(name: String, sql: String)] = [
        guardedBatch, optimisticGuardedBatch, guardConflicts, ensureAccounts, plainBatch, recordFailure, markDeadLettered, loadOffsets, fencedSettlement,
        plainSettlement,
    ]
}
