# ReplicaSafe: one entry point for people and CI. Areas add their own targets in mk/*.mk;
# a target named by several fragments (test, lint) runs every fragment's prerequisites.
SHELL := /bin/bash
.DEFAULT_GOAL := help
SWIFT ?= swift
SIM_RELEASE := .build/release/sim

.PHONY: help deps test test-swift test-sim-canary test-docs lint lint-imports bench-sim sim-release
help: ## list targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN{FS=":.*## "}{printf "  %-18s %s\n", $$1, $$2}'

deps: ## install everything the tests need (apt, pip); idempotent
	scripts/install-deps.sh

test: deps test-swift test-sim-canary test-docs ## run every test (installs what it needs)

test-swift: ## unit tests of Core and Sim
	$(SWIFT) build --product sim
	$(SWIFT) test --filter 'CoreTests|SimTests'

sim-release:
	$(SWIFT) build -c release --product sim

test-sim-canary: sim-release ## after-mode sweep must be clean, before-mode sweep must fail
	scripts/sim-canary.sh

test-docs: sim-release ## simulator output quoted in the docs (<!-- sim-output: ... --> blocks) is what the sim prints now
	checks/docs/check-sim-outputs.sh

lint: lint-imports

lint-imports: ## every Swift target imports exactly what Package.swift declares; docs/architecture.md's module graph is the manifest's
	python3 scripts/swiftpm/check_imports.py --doc docs/architecture.md
	python3 -m unittest checks/swiftpm/test_check_imports.py

bench-sim: sim-release ## simulator throughput and bug-finding figures
	scripts/bench-sim.sh

-include mk/*.mk
