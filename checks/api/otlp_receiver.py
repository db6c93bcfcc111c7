"""A small OTLP/HTTP trace receiver for the trace check (and, run as a module, a way to watch a local stack's spans:
`.local/venvs/api/bin/python -m checks.api.otlp_receiver --port 4318` prints one line per span): `POST /v1/traces` with an `ExportTraceServiceRequest` in
protobuf (gzip or not), decoded with opentelemetry-proto and kept as `ReceivedSpan`s. It answers like a collector
(200 with an empty `ExportTraceServiceResponse`), so the exporters under test run their real code path."""

from __future__ import annotations

import argparse
import gzip
import signal
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_span_id: str
    links: frozenset[tuple[str, str]]
    attributes: dict = field(hash=False, compare=False)
    status_code: int = 0


def _value(any_value):
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


def decode(body: bytes) -> list[ReceivedSpan]:
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    spans = []
    for resource_spans in request.resource_spans:
        resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                spans.append(
                    ReceivedSpan(
                        service=str(resource.get("service.name", "")),
                        name=span.name,
                        kind=span.kind,
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        links=frozenset((link.trace_id.hex(), link.span_id.hex()) for link in span.links),
                        attributes={a.key: _value(a.value) for a in span.attributes},
                        status_code=span.status.code,
                    )
                )
    return spans


class OTLPReceiver:
    def __init__(self, port: int, on_span=None):
        self._spans: list[ReceivedSpan] = []
        self._on_span = on_span
        self._lock = threading.Lock()
        self.requests = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding", "") == "gzip":
                    body = gzip.decompress(body)
                if self.path != "/v1/traces":
                    self.send_error(404, "only /v1/traces")
                    return
                try:
                    spans = decode(body)
                except Exception as error:  # a malformed export is the exporter's bug: answer 400 and remember it
                    self.send_error(400, f"undecodable ExportTraceServiceRequest: {error}")
                    return
                with receiver._lock:
                    receiver._spans.extend(spans)
                    receiver.requests += 1
                    for span in spans if receiver._on_span else []:
                        receiver._on_span(span)
                reply = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="otlp-receiver", daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> OTLPReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def snapshot(self) -> list[ReceivedSpan]:
        with self._lock:
            return list(self._spans)


def describe(span: ReceivedSpan) -> str:
    links = " ".join(f"link={trace}/{span_id}" for trace, span_id in sorted(span.links))
    event = span.attributes.get("replicasafe.event_id")
    return (
        f"trace={span.trace_id} span={span.span_id} parent={span.parent_span_id or '-'} {span.service}: {span.name}"
        + (f" event_id={event}" if event else "")
        + (f" {links}" if links else "")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="print the spans OTLP/HTTP exporters send to 127.0.0.1:PORT")
    parser.add_argument("--port", type=int, default=4318)
    parser.add_argument("--quiet", action="store_true", help="print nothing per span (a benchmark's sink)")
    args = parser.parse_args(argv)
    on_span = None if args.quiet else (lambda span: print(describe(span), flush=True))
    receiver = OTLPReceiver(args.port, on_span=on_span).start()
    print(f"receiving OTLP/HTTP traces on {receiver.endpoint}/v1/traces (Ctrl-C stops)", flush=True)

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        while True:
            signal.pause()  # until SIGINT or SIGTERM raises KeyboardInterrupt
    except KeyboardInterrupt:
        receiver.stop()
    finally:
        print(f"received {len(receiver.snapshot())} spans in {receiver.requests} exports", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
