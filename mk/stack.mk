# Local stack and end-to-end scenario on real processes: make up/down, e2e, bench-worker.
#   make up [MODE=after|before] [WORKERS=2]   Postgres, kafka-dev, api and N workers on 127.0.0.1 (idempotent;
#                                             run again with another WORKERS to scale)
#   make down                                 stop everything `make up` started
#   make e2e MODE=before|after                the scale-and-kill scenario; last stdout line is its JSON
MODE ?= after
WORKERS ?= 2
.PHONY: up down stack-status e2e e2e-small bench-worker

up: deps ## start the local stack (MODE=after|before, WORKERS=N); idempotent
	MODE=$(MODE) WORKERS=$(WORKERS) python3 -m scripts.stack.localstack up

down: ## stop the local stack
	python3 -m scripts.stack.localstack down

stack-status: ## which local stack processes are running
	python3 -m scripts.stack.localstack status

e2e: deps ## scale-and-kill on real processes: >= 20,000 events, 1->2->5->1 workers, kills, broker fault (MODE=before|after)
	python3 -m checks.e2e.scale_and_kill --mode $(MODE)

# CI size, debug build (the integration tests already built it): after mode must come out clean.
e2e-small: deps ## the after-mode scale-and-kill at CI size (3,000 events, up to 3 workers)
	BUILD_CONFIG=$${BUILD_CONFIG:-debug} python3 -m checks.e2e.scale_and_kill --mode after --small

bench-worker: deps ## one worker's throughput, before vs after, same run; prints a JSON line
	scripts/stack/bench-worker.sh
