"""The faults `make alerts-e2e` applies to the real processes and undoes: brokers down or slow, the database
stopped, workers paused, duplicate and poison traffic."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from scripts.ops.alert_traffic import Traffic
from scripts.ops.alert_watcher import http_post
from scripts.stack.localstack import Stack, log


class Faults:
    def __init__(self, stack: Stack, traffic: Traffic, prometheus: str, pg_script: Path):
        self.stack, self.traffic, self.prometheus, self.pg_script = stack, traffic, prometheus, pg_script
        self.stopped_workers: list[int] = []
        self.poison_stop = threading.Event()
        self.poison_thread: threading.Thread | None = None
        self.poison_sent = 0
        self.active: set[str] = set()

    def control(self, path: str) -> None:
        result = http_post(self.stack.control_url(path))
        log(f"kafka-dev {path}: {result}")

    # brokers
    def brokers_down(self) -> None:
        self.active.add("brokers")
        self.control("/brokers/all/down")

    def brokers_up(self) -> None:
        self.control("/brokers/all/up")
        self.active.discard("brokers")

    def slow_brokers(self, ms: int):
        def apply() -> None:
            self.active.add("rtt")
            self.control(f"/brokers/all/rtt?ms={ms}")

        return apply

    def fast_brokers(self) -> None:
        self.control("/brokers/all/rtt?ms=0")
        self.active.discard("rtt")

    # database
    def database_stop(self) -> None:
        self.active.add("database")
        subprocess.run([str(self.pg_script), "stop"], check=True, stdout=sys.stderr)

    def database_start(self) -> None:
        subprocess.run([str(self.pg_script), "start"], check=True, stdout=sys.stderr)
        self.active.discard("database")

    # workers
    def workers_pause(self) -> None:
        self.active.add("workers")
        self.stopped_workers = []
        for index in self.stack.running_workers():
            pid = self.stack.pid(self.stack.worker_name(index))
            if pid is not None:
                os.kill(pid, signal.SIGSTOP)
                self.stopped_workers.append(pid)
        log(f"SIGSTOP workers {self.stopped_workers}")
        if not self.stopped_workers:
            raise RuntimeError("no running worker to pause")

    def workers_resume(self) -> None:
        for pid in self.stopped_workers:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        log(f"SIGCONT workers {self.stopped_workers}")
        self.stopped_workers = []
        self.active.discard("workers")

    # traffic shape
    def duplicates_on(self) -> None:
        self.active.add("duplicates")
        self.traffic.duplicate_share = 0.5

    def duplicates_off(self) -> None:
        self.traffic.duplicate_share = 0.0
        self.active.discard("duplicates")

    # poison messages straight into the topic, as a foreign producer would write them
    def poison_on(self, per_second: int):
        def apply() -> None:
            self.active.add("poison")
            self.poison_stop.clear()
            self.poison_thread = threading.Thread(target=self.poison_loop, args=(per_second,), daemon=True)
            self.poison_thread.start()

        return apply

    def poison_loop(self, per_second: int) -> None:
        """Each second: `per_second` undecodable values (truncated JSON) and as many events that decode but
        that the ledger's CHECK rejects (amount 2e12 cents, beyond the api's validation, which a foreign
        producer does not go through): rejected input, which fails its batch (class `rejected`) and is
        dead-lettered after that one attempt (reason `rejected_input`)."""
        while not self.poison_stop.is_set():
            occurred = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            lines = "".join(
                f'poison-{uuid.uuid4().hex[:8]}|{{"event_id": "not-a-uuid", truncated\n'
                f'poison-{uuid.uuid4().hex[:8]}|{{"event_id":"{uuid.uuid4()}","account_id":"acct-rejected",'
                f'"amount_cents":2000000000000,"occurred_at":"{occurred}"}}\n'
                for _ in range(per_second)
            )
            done = subprocess.run(
                [
                    "kcat",
                    "-P",
                    "-b",
                    self.stack.ports.bootstrap,
                    "-t",
                    "events",
                    "-K",
                    "|",
                    "-X",
                    "message.timeout.ms=5000",
                ],
                input=lines,
                text=True,
                capture_output=True,
                timeout=15,
            )
            if done.returncode == 0:
                self.poison_sent += 2 * per_second
            else:
                log(f"kcat failed: {done.stderr.strip()}")
            self.poison_stop.wait(1.0)

    def poison_off(self) -> None:
        self.poison_stop.set()
        if self.poison_thread is not None:
            self.poison_thread.join(timeout=20)
        self.active.discard("poison")

    def undo_everything(self) -> None:
        """Best effort, for the cleanup path: leave nothing broken behind."""
        for name, undo in (
            ("workers", self.workers_resume),
            ("poison", self.poison_off),
            ("duplicates", self.duplicates_off),
            ("rtt", self.fast_brokers),
            ("brokers", self.brokers_up),
            ("database", self.database_start),
        ):
            if name in self.active:
                try:
                    undo()
                except Exception as error:  # noqa: BLE001 - cleanup must go on
                    log(f"cleanup: undoing {name} failed: {error}")
