-- Least privilege for the two workloads, applied by the schema's owner right after db/schema.sql (locally by
-- scripts/local-postgres.sh and the test support, on EKS by the ledger-schema Job in apps/base/postgres). The
-- roles exist already: scripts/local-postgres.sh creates them locally, Crunchy PGO from PostgresCluster
-- spec.users on EKS (their passwords are in PGO's generated Secrets). Idempotent: revokes everything first,
-- then grants exactly what each workload's statements use (scripts/lint/check_db_privileges.py derives that from
-- the SQL in Sources/Live and fails when a grant here goes beyond it).
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM api, worker;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM api, worker;
GRANT USAGE ON SCHEMA public TO api, worker;

-- api: Idempotency-Key -> event (claim with INSERT ... RETURNING, read an earlier claim). Nothing of the ledger.
GRANT SELECT, INSERT ON idempotency_keys TO api;
-- api: reads API keys to authenticate clients; only the owner writes them (`api keys create|revoke`).
GRANT SELECT ON api_keys TO api;

-- worker: applies events, guards and offsets in one transaction, counts retries, runs the fenced settlement.
GRANT SELECT, INSERT, UPDATE ON accounts TO worker;
GRANT SELECT, INSERT ON ledger TO worker;
GRANT USAGE ON SEQUENCE ledger_id_seq TO worker;
GRANT SELECT, INSERT, UPDATE ON ledger_batches TO worker;
GRANT USAGE ON SEQUENCE ledger_batches_id_seq TO worker;
GRANT SELECT, INSERT ON processed_events TO worker;
GRANT SELECT, INSERT, UPDATE ON consumer_offsets TO worker;
GRANT SELECT, INSERT, UPDATE ON event_attempts TO worker;
GRANT SELECT, INSERT ON settlement_fence TO worker;
GRANT SELECT, INSERT ON settlements TO worker;
GRANT USAGE ON SEQUENCE settlements_id_seq TO worker;
