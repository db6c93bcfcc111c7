# Operations: alerts, dashboards, runbooks, backup drill, load tests.
.PHONY: lint-alerts drill drill-test load alerts-e2e

lint-alerts: deps ## promtool tests of every alert, dashboard/query checks, CR validation, mutation proofs
	scripts/ops/lint-ops.sh

drill: deps ## backup drill: pgBackRest full backup to S3 (moto), writes, DROP TABLE, PITR, verify; prints RPO/RTO JSON
	scripts/drill/pgbackrest-drill.sh $(DRILL_ARGS)

drill-test: deps ## the drill verifies a correct restore and fails loudly on a wrong target or a corrupted restore
	checks/drill/test-drill.sh

load: deps ## k6 api-load.js and lag-burst.js against the local stack (make up first); summaries in out/load/
	scripts/ops/run-load.sh

# Not part of `make test` (about 10 minutes of faults on real processes). Uses a PostgreSQL cluster of its own
# on 127.0.0.1:15433 because it stops and starts the database; refuses to run while `make up` is running.
alerts-e2e: deps ## the alert rules against the running stack: faults, real Prometheus on 127.0.0.1:19090, pending -> firing -> resolved; last line JSON
	scripts/ops/alerts-e2e.sh
