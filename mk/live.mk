# Live runtime: C edges, local Kafka (kafka-dev), Postgres wrapper, api. The integration tests run against a
# throwaway local PostgreSQL and in-process mock Kafka clusters.
.PHONY: test-integration bench-api bench-wire pg-start pg-stop

test-integration: deps ## LiveIntegrationTests against local Postgres (started and stopped here) and mock Kafka
	scripts/live/test-integration.sh

bench-api: deps ## api throughput and latency (POST /v1/events vs a bare 202 route) on loopback; prints a JSON line
	scripts/live/bench-api.sh

bench-wire: ## EventWire's JSON codec vs Foundation's on the same event, same run (release build); prints a JSON line
	$(SWIFT) build -c release --product wire-bench
	.build/release/wire-bench

pg-start: deps ## start the local PostgreSQL on 127.0.0.1:15432 (as the postgres user)
	scripts/local-postgres.sh start

pg-stop: ## stop the local PostgreSQL
	scripts/local-postgres.sh stop
