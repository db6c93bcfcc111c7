"""One event, one trace across both processes. The api and the worker are restarted with OTLP export on (to the
receiver below) for this module and restarted without it afterwards. A request carrying a sampled W3C traceparent
yields the api's server and `events produce` spans and the worker's `ledger apply` span in that trace (the context
crossed Kafka in the message headers); the worker's `ledger batch` span links to the produce span, and the database
transaction is the batch's child. An unsampled request yields no worker span and no link: the worker follows the
api's sampling decision."""

from __future__ import annotations

import json
import os

import pytest

from checks.api import apistack
from checks.api.otlp_receiver import OTLPReceiver

RECEIVER_PORT = 18431
SPAN_KIND_SERVER, SPAN_KIND_PRODUCER, SPAN_KIND_CONSUMER = 2, 4, 5
STATUS_ERROR = 2
# A short export delay so the spans arrive within the tests' waits (the default is 5 s).
EXPORT_DELAY_MS = "200"


def restart(api: apistack.ApiStack, env: dict[str, str]) -> None:
    stack = api.stack
    stack.stop(stack.worker_name(1))
    stack.stop("api")
    for variables in (stack.api_env, stack.worker_env):
        for key in [k for k in variables if k.startswith("OTEL_")]:
            del variables[key]
        variables.update(env)
    stack.start_api()
    stack.start_worker(1, "after")
    api.wait_ready()
    api.wait_assigned()


@pytest.fixture(scope="module")
def otlp(api):
    receiver = OTLPReceiver(RECEIVER_PORT).start()
    restart(api, export_env(receiver))
    try:
        yield receiver
    finally:
        restart(api, {})
        receiver.stop()


def export_env(receiver: OTLPReceiver) -> dict[str, str]:
    return {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_BSP_SCHEDULE_DELAY": EXPORT_DELAY_MS}


def post_untraced(api, account: str, count: int) -> set[str]:
    """`count` accepted events without a traceparent; their event ids."""
    body = json.dumps({"account_id": account, "amount_cents": 5})
    ids = set()
    for _ in range(count):
        reply = api.send("POST", "/v1/events", body, {"Content-Type": "application/json"})
        assert reply.status == 202, reply
        ids.add(reply.json()["event_id"])
    return ids


def post_event(api, account: str, traceparent: str) -> str:
    body = json.dumps({"account_id": account, "amount_cents": 77})
    reply = api.send("POST", "/v1/events", body, {"Content-Type": "application/json", "traceparent": traceparent})
    assert reply.status == 202, reply
    return reply.json()["event_id"]


def test_one_trace_from_request_to_ledger_row(api, otlp):
    trace_id, client_span = os.urandom(16).hex(), os.urandom(8).hex()
    event_id = post_event(api, "acct-traced", f"00-{trace_id}-{client_span}-01")

    def committed(spans):
        # A batch that fails (another event in it is rejected) is retried: each attempt has its spans, and the
        # event's one committed apply is the one without an error status.
        return [
            s for s in spans if s.trace_id == trace_id and s.name == "ledger apply" and s.status_code != STATUS_ERROR
        ]

    def complete():
        spans = otlp.snapshot()
        mine = [s for s in spans if s.trace_id == trace_id]
        applied = committed(spans)
        linked = applied and any(
            s.name == "ledger batch" and s.span_id in {b for _, b in applied[0].links} for s in spans
        )
        return bool(linked) and {s.service for s in mine} >= {"api", "worker"}

    def seen():
        spans = otlp.snapshot()
        mine = sorted((s.service, s.name, s.status_code) for s in spans if s.trace_id == trace_id)
        lags = api.worker_series("replicasafe_worker_consumer_lag{")
        return f"spans of the trace {mine}, {len(spans)} spans in all, worker lag {lags}"

    apistack.wait_for(
        complete, 60, f"spans of trace {trace_id} from the api and the worker, and the batch's link", seen=seen
    )
    spans = otlp.snapshot()
    mine = [s for s in spans if s.trace_id == trace_id]
    server = [s for s in mine if s.service == "api" and s.kind == SPAN_KIND_SERVER]
    assert len(server) == 1 and server[0].parent_span_id == client_span, "the api continued the caller's trace"
    produce = [s for s in mine if s.name == "events produce"]
    assert len(produce) == 1, mine
    produce = produce[0]
    assert produce.service == "api" and produce.kind == SPAN_KIND_PRODUCER
    assert produce.parent_span_id == server[0].span_id
    assert produce.attributes.get("replicasafe.event_id") == event_id
    attempts = [s for s in mine if s.name == "ledger apply"]
    assert all(s.service == "worker" and s.parent_span_id == produce.span_id for s in attempts), (
        "the worker continued the produce span from the Kafka headers"
    )
    assert all(s.attributes.get("replicasafe.event_id") == event_id for s in attempts)
    applied = committed(spans)
    assert len(applied) == 1, attempts
    batches = [s for s in spans if s.name == "ledger batch" and (trace_id, produce.span_id) in s.links]
    batch = [s for s in batches if (s.trace_id, s.span_id) in applied[0].links]
    assert len(batch) == 1, "the committed apply links to its batch, and that batch links to the produce span"
    batch = batch[0]
    assert batch.service == "worker" and batch.kind == SPAN_KIND_CONSUMER and batch.trace_id != trace_id
    assert batch.status_code != STATUS_ERROR
    transactions = [s for s in spans if s.name == "ledger transaction" and s.parent_span_id == batch.span_id]
    assert len(transactions) == 1 and transactions[0].trace_id == batch.trace_id
    assert transactions[0].attributes.get("db.system") == "postgresql"
    log = (api.stack.root / "worker-1.log").read_text(errors="replace")
    assert f"trace_id={trace_id}" in log and event_id in log, "the worker's log line names the event's trace"


def test_unsampled_event_costs_the_worker_no_span(api, otlp):
    trace_id = os.urandom(16).hex()
    post_event(api, "acct-untraced", f"00-{trace_id}-{os.urandom(8).hex()}-00")
    # Then a sampled one behind it on the same partition (same account key): once its worker span is in, the
    # unsampled event's batch has been applied and exported too.
    marker = os.urandom(16).hex()
    post_event(api, "acct-untraced", f"00-{marker}-{os.urandom(8).hex()}-01")
    apistack.wait_for(
        lambda: any(s.trace_id == marker and s.name == "ledger apply" for s in otlp.snapshot()), 60, "the marker's span"
    )
    spans = otlp.snapshot()
    assert not [s for s in spans if s.trace_id == trace_id], "an unsampled trace exported a span"
    assert not [s for s in spans if any(link[0] == trace_id for link in s.links)], "a span links to an unsampled event"


def test_receiver_decodes_what_an_exporter_sends():
    """The receiver itself, on an export built with opentelemetry-proto: a field it misread would pass the checks
    above vacuously (an empty link set, a missing service) or fail them for the wrong reason."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    from opentelemetry.proto.trace.v1.trace_pb2 import Span

    from checks.api.otlp_receiver import decode

    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    resource_spans.resource.attributes.append(KeyValue(key="service.name", value=AnyValue(string_value="worker")))
    span = resource_spans.scope_spans.add().spans.add()
    span.trace_id, span.span_id, span.parent_span_id = bytes(range(16)), bytes(range(8)), bytes(range(8, 16))
    span.name, span.kind = "ledger batch", Span.SPAN_KIND_CONSUMER
    span.links.append(Span.Link(trace_id=b"\x01" * 16, span_id=b"\x02" * 8))
    span.attributes.append(KeyValue(key="messaging.kafka.offset", value=AnyValue(int_value=7)))
    (received,) = decode(request.SerializeToString())
    assert (received.service, received.name, received.kind) == ("worker", "ledger batch", SPAN_KIND_CONSUMER)
    assert received.trace_id == bytes(range(16)).hex() and received.parent_span_id == bytes(range(8, 16)).hex()
    assert received.links == {("01" * 16, "02" * 8)} and received.attributes == {"messaging.kafka.offset": 7}


def test_requests_without_traceparent_are_sampled_at_the_ratio(api, otlp):
    # The api's middleware draws the 1 % itself and the tracer keeps every root it is asked to start: a request
    # without a traceparent that loses the draw must start no span at all (no produce span as a root of its own).
    ids = post_untraced(api, "acct-rootdraw", 40)
    marker = os.urandom(16).hex()
    post_event(api, "acct-rootdraw", f"00-{marker}-{os.urandom(8).hex()}-01")
    apistack.wait_for(
        lambda: any(s.trace_id == marker and s.name == "ledger apply" for s in otlp.snapshot()), 60, "the marker's span"
    )
    produced = [
        s for s in otlp.snapshot() if s.name == "events produce" and s.attributes.get("replicasafe.event_id") in ids
    ]
    # At 1 %, 4 or more of 40 is about 1 in 12,000.
    assert len(produced) < 4, f"{len(produced)} of 40 requests without traceparent were sampled"


def test_the_api_ratio_comes_from_the_sampler_variables(api, otlp):
    # The manifests set the api's ratio with OTEL_TRACES_SAMPLER/OTEL_TRACES_SAMPLER_ARG; the middleware draws it.
    # At a ratio of 1 every request without traceparent is sampled: a middleware that ignored the variables would
    # draw its default 1 % and sample about none of them.
    ratio_env = {"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1"}
    restart(api, {**export_env(otlp), **ratio_env})
    try:
        ids = post_untraced(api, "acct-ratio", 10)

        def produced():
            return {
                s.attributes.get("replicasafe.event_id") for s in otlp.snapshot() if s.name == "events produce"
            } & ids

        apistack.wait_for(lambda: produced() == ids, 60, "a produce span for each of the 10 requests")
    finally:
        restart(api, export_env(otlp))
