#!/usr/bin/env python3
"""The local stack on 127.0.0.1: PostgreSQL (scripts/local-postgres.sh, as the postgres user), kafka-dev
(librdkafka's mock cluster), the api and N workers, each a real process with a pid file and a log.

    python3 -m scripts.stack.localstack up [--mode after] [--workers 2]   # idempotent; scales workers to N
    python3 -m scripts.stack.localstack down                              # SIGTERM everything it started
    python3 -m scripts.stack.localstack status

`make up` / `make down` call this; checks/e2e/scale_and_kill.py imports it to run the same processes on its own
ports and database. Standard library only. Ports: docs/interfaces.md (api 8080, workers 9101.., brokers
19092-19094, kafka-dev control 19099, PostgreSQL 15432).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from scripts.stack.probes import StackError, holds, log, wait_until
from scripts.stack.stack import REPO, Ports, Stack

# What the e2e, api and alert checks import from here, besides the command line.
__all__ = ["Ports", "Stack", "StackError", "holds", "log", "wait_until", "main"]


# ----- CLI (make up / make down) -------------------------------------------------------------------------


def default_stack() -> Stack:
    return Stack(root=REPO / ".local" / "stack")


def up(mode: str, workers: int) -> None:
    stack = default_stack()
    stack.root.mkdir(parents=True, exist_ok=True)
    stack.build()
    if stack.start_postgres():
        (stack.root / "postgres.started").write_text("1\n")
    # kafka-dev keeps its log in memory: a new one starts every partition at offset 0, and the offsets an earlier
    # run stored in the database would make after-mode workers skip that many new events. A new log, a new ledger.
    fresh = stack.pid("kafka-dev") is None
    if fresh:
        log(f"kafka-dev is not running: starting it with an empty log and database {stack.database} afresh")
    stack.ensure_database(fresh=fresh)
    subprocess.run(
        [stack.binary("worker"), "migrate", "--database-url", stack.database_url], check=True, stdout=sys.stderr
    )
    stack.api_key()
    stack.start_kafka()
    stack.start_api()
    for index in range(1, workers + 1):
        stack.start_worker(index, mode)
    for index in stack.running_workers():
        if index > workers:
            log(f"scaling down: SIGTERM worker-{index}")
            stack.stop(stack.worker_name(index))
    summary = {
        "api": f"http://127.0.0.1:{stack.ports.api}",
        "api_key_file": str(stack.root / "api-key"),
        "bootstrap": stack.ports.bootstrap,
        "kafka_control": stack.control_url(""),
        "database_url": stack.database_url,
        "mode": mode,
        "workers": [f"http://127.0.0.1:{stack.ports.worker(i)}" for i in stack.running_workers()],
        "logs": str(stack.root),
    }
    print(json.dumps(summary, indent=2))


def down() -> None:
    stack = default_stack()
    for index in stack.running_workers():
        stack.stop(stack.worker_name(index))
    stack.stop("api")
    stack.stop("kafka-dev")
    marker = stack.root / "postgres.started"
    if marker.exists():
        subprocess.run([str(REPO / "scripts/local-postgres.sh"), "stop"], check=True)
        marker.unlink()
    log("stack down")


def status() -> int:
    stack = default_stack()
    names = ["kafka-dev", "api"] + [p.stem for p in sorted(stack.root.glob("worker-*.pid"))]
    running = 0
    for name in names:
        pid = stack.pid(name)
        running += pid is not None
        print(f"{name:12} {'running pid ' + str(pid) if pid else 'stopped'}")
    return 0 if running else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    up_parser = sub.add_parser("up")
    up_parser.add_argument("--mode", choices=["before", "after"], default=os.environ.get("MODE") or "after")
    up_parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS") or 2))
    sub.add_parser("down")
    sub.add_parser("status")
    args = parser.parse_args()
    try:
        if args.command == "up":
            if not 0 <= args.workers <= 12:
                parser.error("--workers must be 0..12 (12 partitions)")
            up(args.mode, args.workers)
        elif args.command == "down":
            down()
        else:
            return status()
    except (StackError, subprocess.CalledProcessError) as error:
        log(f"error: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
