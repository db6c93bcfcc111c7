# Live runtime: C edges, local Kafka (kafka-dev), Postgres wrapper, api. The integration tests run against a
# throwaway local PostgreSQL and in-process mock Kafka clusters.
.PHONY: test-integration bench-api pg-start pg-stop

test-integration: deps ## LiveIntegrationTests against local Postgres (started and stopped here) and mock Kafka
	scripts/live/test-integration.sh

bench-api: deps ## api throughput and latency (POST /v1/events vs a bare 202 route) on loopback; prints a JSON line
	scripts/live/bench-api.sh

pg-start: deps ## start the local PostgreSQL on 127.0.0.1:15432 (as the postgres user)
	scripts/local-postgres.sh start

pg-stop: ## stop the local PostgreSQL
	scripts/local-postgres.sh stop
