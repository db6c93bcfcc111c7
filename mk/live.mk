# Live runtime (issue 3): C edges, local Kafka (kafka-dev), Postgres wrapper, api. `make test` runs the
# integration tests against a throwaway local PostgreSQL and in-process mock Kafka clusters.
.PHONY: deps-live test-integration bench-api bench-live pg-start pg-stop

deps-live: ## install librdkafka-dev, libpq-dev, postgresql, kcat, wrk when missing
	bash scripts/deps/live.sh

test: test-integration

test-integration: deps-live ## LiveIntegrationTests against local Postgres (started and stopped here) and mock Kafka
	scripts/live/test-integration.sh

bench-live: bench-api

bench-api: deps-live ## api throughput and latency (POST /v1/events vs a bare 202 route) on loopback; prints a JSON line
	scripts/live/bench-api.sh

pg-start: deps-live ## start the local PostgreSQL on 127.0.0.1:15432 (as the postgres user)
	scripts/local-postgres.sh start

pg-stop: ## stop the local PostgreSQL
	scripts/local-postgres.sh stop
