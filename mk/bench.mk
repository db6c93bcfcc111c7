# Benchmarks in one run: `make bench` runs bench-sim, bench-worker and bench-api and writes bench-results/STAMP.json
# and STAMP.md (git-ignored). Each binds fixed ports and wants a quiet machine.
.PHONY: bench

bench: ## bench-sim, bench-worker and bench-api in one run; results and a summary with the goals in bench-results/
	scripts/bench/run-all.sh
