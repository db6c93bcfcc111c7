-- ReplicaSafe schema, version 1. Idempotent: every statement may run again on an existing database.
-- LivePostgres embeds these exact bytes (a test checks); the worker applies them at start-up.
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
  applied_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ledger_event_id ON ledger (event_id);
CREATE TABLE IF NOT EXISTS processed_events (    -- after mode: the idempotency guard
  event_id        uuid PRIMARY KEY,
  outcome         text NOT NULL CHECK (outcome IN ('applied', 'dead_lettered')),
  kafka_partition int  NOT NULL,
  kafka_offset    bigint NOT NULL,
  processed_at    timestamptz NOT NULL DEFAULT now()
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
CREATE TABLE IF NOT EXISTS idempotency_keys (    -- api: Idempotency-Key -> event
  idempotency_key text PRIMARY KEY,
  request_hash    text NOT NULL,
  event_id        uuid NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
