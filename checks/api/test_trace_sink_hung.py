"""A trace store that hangs costs spans, never requests. The api and the worker are restarted with their OTLP endpoint
on a listener that accepts connections, reads the export and never answers (Tempo overloaded or black-holed, the worst
case: a refused connection fails at once). Requests that complete while an export is held open show that the request
path does not wait for the exporter; every accepted event still reaches the ledger, and the exporter's failure is in
the api's log. Then both processes are restarted without tracing."""

from __future__ import annotations

import json
import os
import socket
import threading
import time

import pytest

from checks.api import apistack
from checks.api.test_trace import restart

SINK_PORT = 18432
# The exporter gives up on a batch after this long (OTEL_BSP_EXPORT_TIMEOUT); a request path that waited for an
# export would take about as long.
EXPORT_TIMEOUT_MS = 4000
REQUESTS = 30


class HungSink:
    """Accepts connections and reads from them; never writes a byte. Remembers when each one was open."""

    def __init__(self, port: int):
        self.server = socket.create_server(("127.0.0.1", port))
        self.endpoint = f"http://127.0.0.1:{port}"
        self.lock = threading.Lock()
        self.opened: list[tuple[float, bytes]] = []
        self.connections: list[socket.socket] = []

    def start(self) -> HungSink:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            conn.settimeout(1.0)
            try:
                head = conn.recv(64)
            except OSError:
                head = b""
            with self.lock:
                self.opened.append((time.monotonic(), head))
                self.connections.append(conn)

    def exports(self) -> list[tuple[float, bytes]]:
        with self.lock:
            return [(t, head) for t, head in self.opened if head.startswith(b"POST")]

    def stop(self) -> None:
        self.server.close()
        with self.lock:
            for conn in self.connections:
                conn.close()


@pytest.fixture(scope="module")
def hung(api):
    sink = HungSink(SINK_PORT).start()
    restart(
        api,
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT": sink.endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "200",
            "OTEL_BSP_EXPORT_TIMEOUT": str(EXPORT_TIMEOUT_MS),
        },
    )
    try:
        yield sink
    finally:
        restart(api, {})
        sink.stop()


def post_events(api, account: str, count: int) -> list[tuple[float, float]]:
    """Sends `count` sampled events; returns when each was sent and answered (all 202)."""
    times = []
    for _ in range(count):
        traceparent = f"00-{os.urandom(16).hex()}-{os.urandom(8).hex()}-01"
        body = json.dumps({"account_id": account, "amount_cents": 5})
        started = time.monotonic()
        reply = api.send("POST", "/v1/events", body, {"Content-Type": "application/json", "traceparent": traceparent})
        assert reply.status == 202, reply
        times.append((started, time.monotonic()))
    return times


def test_requests_do_not_wait_for_a_hung_exporter(api, hung):
    account = f"acct-hung-{os.urandom(4).hex()}"
    post_events(api, account, REQUESTS // 2)
    # The exporter's first POST is now held open by the sink; the second half of the requests runs behind it.
    apistack.wait_for(lambda: hung.exports(), 30, "an OTLP export reaching the hung sink")
    first_export = min(t for t, _ in hung.exports())
    during = post_events(api, account, REQUESTS - REQUESTS // 2)
    assert all(s >= first_export for s, _ in during)
    slowest = max(e - s for s, e in during)
    print(
        f"hung exporter: {len(hung.exports())} exports held open, slowest of {len(during)} requests {slowest * 1000:.0f} ms"
    )
    assert slowest < EXPORT_TIMEOUT_MS / 1000 / 2, (
        f"a request took {slowest:.2f} s while an export hung (export timeout {EXPORT_TIMEOUT_MS} ms)"
    )

    def applied():
        rows = api.psql(f"SELECT count(*) FROM ledger WHERE account_id = '{account}'").strip()
        return rows == str(REQUESTS)

    apistack.wait_for(applied, 60, f"{REQUESTS} events of {account} in the ledger although the worker's exports hang")
    log = api.stack.root / "api.log"
    apistack.wait_for(
        lambda: "Failed to export batch" in log.read_text(errors="replace"),
        EXPORT_TIMEOUT_MS / 1000 + 30,
        "the api logs the export that timed out",
    )
