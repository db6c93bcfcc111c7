# ReplicaSafe: one entry point for people and CI. `make test` and `make lint` list their steps here, in the order
# they start (`make test` through scripts/run-steps.sh, which times each); each step is a target of this file or of
# an area's fragment in mk/*.mk, which defines its own targets only. Python runs as modules from the repository
# root (`python3 -m scripts.stack.localstack`, pyproject.toml).
SHELL := /bin/bash
.DEFAULT_GOAL := help
SWIFT ?= swift
SIM_RELEASE := .build/release/sim
VENVS := .local/venvs

# The steps marked & need no Swift build and mostly wait (Terraform against the emulator) or use one core: they run
# in the background, one after another, while the build and the simulator's steps take the cores; `wait` joins them
# before the live steps, whose bounded waits should not share the machine.
TEST_STEPS := deps test-infra\& lint\& test-platform\& test-swift test-sim-canary test-ablation test-docs wait \
	test-integration test-group-conformance drill-test e2e-small test-api test-timeline test-twin test-fuzz test-tune
LINT_STEPS := lint-imports lint-python lint-alerts lint-platform lint-api

.PHONY: help deps test lint test-swift test-sim-canary test-docs lint-imports lint-python bench-sim bench-live sim-release
help: ## list targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN{FS=":.*## "}{printf "  %-18s %s\n", $$1, $$2}'

deps: ## install what the tests and tools need (apt, pip; pins in pyproject.toml); skips what is present
	scripts/deps/install.sh

test: ## run every test (installs what it needs); ends with the wall time of each step
	@MAKE="$(MAKE)" scripts/run-steps.sh test $(TEST_STEPS)

lint: $(LINT_STEPS) ## every static check: Swift imports, Python, alert rules, manifests and Terraform

bench-live: bench-api bench-worker ## bench-api and bench-worker

test-swift: ## unit tests of Core, Sim and EventWire (no C library needed)
	$(SWIFT) build --product sim
	$(SWIFT) test --filter 'CoreTests|SimTests|EventWireTests'

sim-release:
	$(SWIFT) build -c release --product sim

test-sim-canary: sim-release ## after-mode sweep must be clean, before-mode sweep must fail
	scripts/sim-canary.sh

test-docs: sim-release ## simulator output quoted in the docs (<!-- sim-output: ... --> blocks) is what the sim prints
	checks/docs/check-sim-outputs.sh

lint-imports: ## every Swift target imports exactly what Package.swift declares; docs/architecture.md's module graph is the manifest's
	python3 -m scripts.swiftpm.check_imports --doc docs/architecture.md
	python3 -m unittest -q checks.swiftpm.test_check_imports

lint-python: deps ## ruff check and ruff format --check over scripts/ and checks/; the package's entry points resolve; README maps every folder
	$(VENVS)/lint/bin/ruff check scripts checks
	$(VENVS)/lint/bin/ruff format --check scripts checks
	$(VENVS)/lint/bin/python -m unittest -q checks.python.test_package checks.docs.test_readme_map checks.e2e.test_history_check checks.e2e.test_mock_only checks.e2e.test_scenario_export checks.make.test_run_steps

bench-sim: sim-release ## simulator throughput and bug-finding figures
	scripts/bench-sim.sh

-include mk/*.mk
