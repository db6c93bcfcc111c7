"""Keyed requests survive the api being killed: clients send `POST /v1/events` with an `Idempotency-Key` while the
real api process is killed with SIGKILL (no shutdown hook runs) and started again, several times. Each client retries
a request with the same key and body until it is answered 202, as a careful client does after a reset connection or
a 503. Every answer for one key must carry the same `event_id`; the ledger check that runs after this file then finds
exactly one ledger row for each of those events (a key and its event never separate, whatever step the kill hit)."""

from __future__ import annotations

import http.client
import json
import signal
import threading
import time
import uuid
from dataclasses import dataclass, field

from checks.api import apistack
from scripts.stack.localstack import holds

CLIENTS = 8
KEYS_PER_CLIENT = 60
KILLS = 3
# A kill lands after this many more requests were accepted, so each falls in the middle of the load.
ACCEPTED_BETWEEN_KILLS = 50
BOUND_SECONDS = 180


@dataclass
class KeyOutcome:
    key: str
    body: str
    event_ids: set[str] = field(default_factory=set)
    attempts: int = 0
    failures: list[str] = field(default_factory=list)


def post_once(api, outcome: KeyOutcome) -> tuple[int, dict[str, str], bytes] | None:
    """One attempt; None when the connection failed (the api was being killed or was not listening yet)."""
    connection = http.client.HTTPConnection("127.0.0.1", api.stack.ports.api, timeout=10)
    try:
        connection.request(
            "POST",
            "/v1/events",
            body=outcome.body,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {api.keys['main']}",
                "Idempotency-Key": outcome.key,
            },
        )
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def send_until_accepted(api, outcome: KeyOutcome, deadline: float, accepted: list[int], lock: threading.Lock) -> None:
    """Retries, as the shared bounded poll asks, until the api answers: a 202 (recorded) or another refusal
    (a failure); a reset connection, 429 or 503 asks again."""
    answer: list[tuple[int, dict[str, str], bytes]] = []

    def answered() -> bool:
        outcome.attempts += 1
        reply = post_once(api, outcome)
        if reply is None or reply[0] in (429, 503):
            return False
        answer.append(reply)
        return True

    if not holds(answered, max(0.0, deadline - time.monotonic()), interval=0.05):
        outcome.failures.append(f"not accepted within {BOUND_SECONDS} s after {outcome.attempts} attempts")
        return
    status, headers, body = answer[0]
    if status != 202:
        outcome.failures.append(f"{status} {body[:200]!r}")
        return
    outcome.event_ids.add(json.loads(body)["event_id"])
    with lock:
        accepted[0] += 1
    api.accepted.append(
        apistack.Accepted(
            json.loads(body)["event_id"], outcome.body.encode(), headers.get("idempotent-replayed") == "true"
        )
    )
    # Ask once more with the same key: an answer after a kill must name the same event.
    again = post_once(api, outcome)
    if again is not None and again[0] == 202:
        outcome.event_ids.add(json.loads(again[2])["event_id"])


def test_keyed_requests_survive_sigkill_of_the_api(api):
    outcomes = [
        KeyOutcome(f"kill-{uuid.uuid4()}", json.dumps({"account_id": f"kill-{n % 17}", "amount_cents": 100 + n}))
        for n in range(CLIENTS * KEYS_PER_CLIENT)
    ]
    deadline = time.monotonic() + BOUND_SECONDS
    accepted, lock = [0], threading.Lock()

    def client(index: int) -> None:
        for outcome in outcomes[index::CLIENTS]:
            send_until_accepted(api, outcome, deadline, accepted, lock)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    kills = 0
    for kill in range(KILLS):
        target = (kill + 1) * ACCEPTED_BETWEEN_KILLS
        apistack.wait_for(
            lambda target=target: accepted[0] >= target, 60, f"{target} keyed requests accepted before kill {kill + 1}"
        )
        api.stack.stop("api", sig=signal.SIGKILL)
        kills += 1
        api.stack.start_api()
    for thread in threads:
        thread.join(max(1.0, deadline - time.monotonic()))
    api.wait_ready()
    api.wait_accepting()

    assert kills == KILLS
    problems = [f"{o.key}: {f}" for o in outcomes for f in o.failures]
    problems += [f"{o.key}: answered with {sorted(o.event_ids)}" for o in outcomes if len(o.event_ids) > 1]
    problems += [f"{o.key}: never accepted" for o in outcomes if not o.event_ids and not o.failures]
    assert not problems, "\n".join(problems[:30])
    retried = sum(1 for o in outcomes if o.attempts > 1)
    assert retried > 0, "no request needed a retry: the kills missed the load, so nothing was tested"
