"""The scale-and-kill run's traffic (checks/e2e/scale_and_kill.py): the planned events, sent through the api with
an Idempotency-Key until each is accepted, and the timeline of what happened."""

from __future__ import annotations

import http.client
import json
import queue
import threading
import time
from dataclasses import dataclass, field

from scripts.stack.localstack import log


@dataclass
class Produced:
    event_id: str
    account: str
    amount: int
    attempts: int = 0


@dataclass
class Timeline:
    """What happened, with seconds since the traffic started, for the report and the postmortem."""

    start: float = field(default_factory=time.monotonic)
    entries: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, what: str, **details) -> None:
        with self.lock:
            entry = {
                "t": round(time.monotonic() - self.start, 2),
                "wall": round(time.time(), 3),
                "what": what,
                **details,
            }
            self.entries.append(entry)
        log(f"t={entry['t']:6.2f}s {what} {json.dumps(details) if details else ''}")


class Traffic:
    """Sends the planned events through the api at a steady rate from a few keep-alive connections."""

    def __init__(
        self, port: int, api_key: str, events: list[Produced], rate: float, connections: int, timeline: Timeline
    ):
        self.port = port
        self.api_key = api_key
        self.events = events
        self.rate = rate
        self.connections = connections
        self.timeline = timeline
        self.accepted: list[Produced] = []
        self.failed: list[Produced] = []
        self.retries = 0
        self.lock = threading.Lock()
        self.work: queue.Queue[tuple[int, Produced] | None] = queue.Queue()
        self.threads: list[threading.Thread] = []
        self.done = threading.Event()

    def start(self) -> None:
        self.begin = time.monotonic()
        for index, event in enumerate(self.events):
            self.work.put((index, event))
        for _ in range(self.connections):
            self.work.put(None)
        for n in range(self.connections):
            thread = threading.Thread(target=self.run, name=f"traffic-{n}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def wait(self) -> None:
        for thread in self.threads:
            thread.join()
        self.done.set()

    def run(self) -> None:
        connection = None
        while True:
            item = self.work.get()
            if item is None:
                return
            index, event = item
            due = self.begin + index / self.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            body = json.dumps(
                {"event_id": event.event_id, "account_id": event.account, "amount_cents": event.amount}
            ).encode()
            headers = {
                "Content-Type": "application/json",
                "Idempotency-Key": event.event_id,
                "Authorization": f"Bearer {self.api_key}",
            }
            deadline = time.monotonic() + 90
            while True:
                event.attempts += 1
                try:
                    if connection is None:
                        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=40)
                    connection.request("POST", "/v1/events", body=body, headers=headers)
                    response = connection.getresponse()
                    payload = response.read()
                    if response.status == 202:
                        assert json.loads(payload)["event_id"] == event.event_id
                        with self.lock:
                            self.accepted.append(event)
                        break
                    status = response.status
                except (OSError, http.client.HTTPException) as error:
                    status = type(error).__name__
                    if connection is not None:
                        connection.close()
                    connection = None
                with self.lock:
                    self.retries += 1
                if time.monotonic() > deadline:
                    with self.lock:
                        self.failed.append(event)
                    self.timeline.note("event not accepted within 90 s", event_id=event.event_id, last=str(status))
                    break
                time.sleep(0.2)
