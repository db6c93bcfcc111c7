-- ReplicaSafe schema, version 5. Idempotent: every statement may run again on an existing database, and a
-- version-1, -2, -3 or -4 database becomes version 5 (the blocks at the end). LivePostgres embeds these exact bytes (a test
-- checks); the worker applies them at start-up.
CREATE TABLE IF NOT EXISTS accounts (
  account_id    text PRIMARY KEY,
  balance_cents bigint NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ledger (              -- one row per application of an event (duplicates are visible here)
  id              bigserial PRIMARY KEY,
  event_id        uuid   NOT NULL,
  account_id      text   NOT NULL,
  amount_cents    bigint NOT NULL CHECK (amount_cents BETWEEN -1000000000000 AND 1000000000000),
  kafka_partition int    NOT NULL,
  kafka_offset    bigint NOT NULL,
  applied_by      text   NOT NULL,
  applied_at      timestamptz NOT NULL DEFAULT now(),
  batch_id        bigint                        -- after mode: the ledger_batches row of the transaction
);
CREATE INDEX IF NOT EXISTS ledger_event_id ON ledger (event_id);
CREATE TABLE IF NOT EXISTS ledger_batches (      -- after mode: one row per batch transaction that applied events
  id             bigserial PRIMARY KEY,
  applied_by     text        NOT NULL,
  applied_at     timestamptz NOT NULL DEFAULT now(),  -- start of the applying transaction, as ledger.applied_at
  entries        int         NOT NULL,
  total_cents    bigint      NOT NULL,
  settled_period bigint                               -- the one settlement period that counted it; NULL until then
);
CREATE INDEX IF NOT EXISTS ledger_batches_unsettled ON ledger_batches (applied_at) WHERE settled_period IS NULL;
CREATE TABLE IF NOT EXISTS processed_events (    -- after mode: the idempotency guard
  event_id        uuid PRIMARY KEY,
  outcome         text NOT NULL CHECK (outcome IN ('applied', 'dead_lettered')),
  kafka_partition int  NOT NULL,
  kafka_offset    bigint NOT NULL,
  processed_at    timestamptz NOT NULL DEFAULT now(),
  account_id      text,                          -- the applied event's content, to tell a duplicate from a
  amount_cents    bigint                         -- conflicting reuse of its id; NULL for dead-lettered events
);
CREATE TABLE IF NOT EXISTS consumer_offsets (    -- after mode: offsets stored with the effects
  consumer_group  text NOT NULL,
  topic           text NOT NULL,
  kafka_partition int  NOT NULL,
  next_offset     bigint NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, topic, kafka_partition)
);
CREATE TABLE IF NOT EXISTS event_attempts (      -- after mode: durable retry counter
  event_id   uuid PRIMARY KEY,
  attempts   int  NOT NULL,
  last_error text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS settlement_fence (    -- after mode: one row per (job, period) is the fence
  job    text   NOT NULL,
  period bigint NOT NULL,
  PRIMARY KEY (job, period)
);
CREATE TABLE IF NOT EXISTS settlements (         -- one row per run of the singleton job (doubles are visible here)
  id          bigserial PRIMARY KEY,
  job         text   NOT NULL,
  period      bigint NOT NULL,
  total_cents bigint NOT NULL,
  settled_by  text   NOT NULL,
  settled_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS idempotency_keys (    -- api: (API key, Idempotency-Key) -> event
  idempotency_key text NOT NULL,
  request_hash    text NOT NULL,
  event_id        uuid NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  key_scope       text NOT NULL,                 -- api_keys.key_id of the client that sent the key; '' for a
  PRIMARY KEY (key_scope, idempotency_key)       -- version-4 claim, made before keys were scoped (any client's)
);
CREATE TABLE IF NOT EXISTS api_keys (            -- api: client credentials; only the secret's SHA-256 is kept
  key_id          text PRIMARY KEY,
  secret_sha256   text NOT NULL,
  name            text NOT NULL,
  accounts        text[] NOT NULL,               -- account ids, or prefixes ending in '*' ('*' = every account)
  rate_per_second int  NOT NULL CHECK (rate_per_second > 0),
  burst           int  NOT NULL CHECK (burst > 0),
  created_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz
);
-- Version 1 -> 2: ledger.batch_id. Checked first, so a migrated database takes no ACCESS EXCLUSIVE lock on the
-- ledger at every start-up. Rows applied after the last settlement run (not counted by any) get one batch per
-- applying transaction (same applied_by and applied_at), so the next fenced settlement counts them; older rows
-- stay outside the marking (settled by applied_at windows; without the period length the schema cannot tell the
-- rows applied between the last boundary and that run, docs/live-worker.md "Upgrading").
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_attribute
                 WHERE attrelid = 'ledger'::regclass AND attname = 'batch_id' AND NOT attisdropped) THEN
    ALTER TABLE ledger ADD COLUMN batch_id bigint;
    WITH legacy AS (
      SELECT applied_by, applied_at, count(*) AS entries, sum(amount_cents) AS total FROM ledger
      WHERE applied_at >= coalesce((SELECT max(settled_at) FROM settlements), '-infinity')
      GROUP BY applied_by, applied_at
    ), batches AS (
      INSERT INTO ledger_batches (applied_by, applied_at, entries, total_cents)
      SELECT applied_by, applied_at, entries, total FROM legacy
      RETURNING id, applied_by, applied_at
    )
    UPDATE ledger l SET batch_id = b.id FROM batches b
    WHERE l.applied_by = b.applied_by AND l.applied_at = b.applied_at;
  END IF;
END
$$;
-- Version 2 -> 3: the guard keeps the applied event's account and amount (older rows keep NULL: they cannot be
-- compared, and a later message with their id stays a duplicate). Checked first, as above.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_attribute
                 WHERE attrelid = 'processed_events'::regclass AND attname = 'account_id' AND NOT attisdropped) THEN
    ALTER TABLE processed_events ADD COLUMN account_id text, ADD COLUMN amount_cents bigint;
  END IF;
END
$$;
-- Version 3 -> 4: one claim per event id, so the api answers a body naming an id claimed under another key from
-- that claim (the same event, or 409). Claims that already share an id keep the earliest; a retry under a removed
-- key is then answered from it. Checked first, as above: CREATE INDEX would lock the table at every start-up.
DO $$
BEGIN
  IF to_regclass('idempotency_keys_event_id') IS NULL THEN
    DELETE FROM idempotency_keys later USING idempotency_keys earlier
    WHERE earlier.event_id = later.event_id
      AND (earlier.created_at, earlier.idempotency_key) < (later.created_at, later.idempotency_key);
    CREATE UNIQUE INDEX idempotency_keys_event_id ON idempotency_keys (event_id);
  END IF;
END
$$;
-- Version 4 -> 5: a key belongs to the API key that sent it (two clients may both send `order-1`). Claims made
-- before have no known sender and keep '' (the api still finds them for any client, as before). No default: a
-- claim always names its scope. Checked first, as above: the new primary key rebuilds the index.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_attribute
                 WHERE attrelid = 'idempotency_keys'::regclass AND attname = 'key_scope' AND NOT attisdropped) THEN
    ALTER TABLE idempotency_keys ADD COLUMN key_scope text NOT NULL DEFAULT '';
    ALTER TABLE idempotency_keys ALTER COLUMN key_scope DROP DEFAULT,
      DROP CONSTRAINT idempotency_keys_pkey, ADD PRIMARY KEY (key_scope, idempotency_key);
  END IF;
END
$$;
