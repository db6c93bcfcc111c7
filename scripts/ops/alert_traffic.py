"""The steady api traffic `make alerts-e2e` sends while it applies faults (scripts/ops/alert_faults.py)."""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid


class Traffic:
    """Valid POST /v1/events at `rate` per second from `threads` keep-alive connections, without an
    Idempotency-Key (an un-keyed client never touches the api's database, so a database fault does not turn
    into 5xx here). With `duplicate_share` > 0 that share of requests re-sends an earlier event unchanged, the
    way a client retrying without a key would: same event_id, a second Kafka message."""

    def __init__(self, port: int, api_key: str, rate: float, threads: int = 48, timeout: float = 40.0):
        self.port, self.rate, self.threads_n, self.timeout = port, rate, threads, timeout
        self.headers = {"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"}
        self.duplicate_share = 0.0
        self.lock = threading.Lock()
        self.next_slot = time.monotonic()
        self.stop_event = threading.Event()
        self.status: dict[str, int] = {}
        self.latency_sum = 0.0
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        for index in range(self.threads_n):
            thread = threading.Thread(target=self.run, args=(index,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=self.timeout + 5)

    def counts(self) -> dict[str, int]:
        with self.lock:
            return dict(self.status)

    def take_slot(self) -> float:
        with self.lock:
            t = time.monotonic()
            # A stalled api must not turn into a burst afterwards: at most one second of backlog.
            self.next_slot = max(self.next_slot, t - 1.0)
            slot = self.next_slot
            self.next_slot += 1.0 / self.rate
        return slot

    def run(self, index: int) -> None:
        rng = random.Random(index)
        connection = None
        previous: bytes | None = None
        while not self.stop_event.is_set():
            slot = self.take_slot()
            delay = slot - time.monotonic()
            if delay > 0 and self.stop_event.wait(delay):
                break
            if previous is not None and rng.random() < self.duplicate_share:
                body = previous
            else:
                body = json.dumps(
                    {
                        "event_id": str(uuid.uuid4()),
                        "account_id": f"acct-{rng.randrange(500)}",
                        "amount_cents": rng.randrange(-5000, 5000) or 1,
                    }
                ).encode()
                previous = body
            started = time.monotonic()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                connection.request("POST", "/v1/events", body=body, headers=self.headers)
                response = connection.getresponse()
                response.read()
                key = str(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as error:
                key = f"client:{type(error).__name__}"
                if connection is not None:
                    connection.close()
                connection = None
                self.stop_event.wait(0.2)
            with self.lock:
                self.status[key] = self.status.get(key, 0) + 1
                self.latency_sum += time.monotonic() - started
        if connection is not None:
            connection.close()
