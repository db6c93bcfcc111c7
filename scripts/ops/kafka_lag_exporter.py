#!/usr/bin/env python3
"""A local stand-in for Kafka Exporter (danielqsj/kafka_exporter, which Strimzi runs on EKS) for the alerts
end-to-end run: the outside view of a consumer group's lag, asked of the brokers, so it keeps reporting while
the workers are stopped, paused or dead (the workers' own `replicasafe_worker_consumer_lag` vanishes with
them). Kafka Exporter cannot be installed here (no Debian or PyPI package), so this speaks to the brokers
through the system librdkafka (Debian librdkafka1 2.0.2, already a dependency of the live binaries) via
ctypes, and writes the series under Kafka Exporter's names and labels, with its semantics:

  kafka_topic_partition_current_offset{topic,partition}        high watermark (ListOffsets latest)
  kafka_topic_partition_oldest_offset{topic,partition}         low watermark
  kafka_consumergroup_current_offset{consumergroup,topic,partition}   committed offset (OffsetFetch), -1 if none
  kafka_consumergroup_current_offset_sum{consumergroup,topic}  sum of the above (including the -1s, as upstream)
  kafka_consumergroup_lag{consumergroup,topic,partition}       high watermark - committed; -1 without a commit
  kafka_consumergroup_lag_sum{consumergroup,topic}             sum of the lags that have a commit
  kafka_exporter_scrape_ok                                     1 if every broker request of this scrape answered

As upstream, a topic the group never committed on is left out. The OffsetFetch does not join the group
(rd_kafka_committed on a consumer handle that never subscribes), so it does not disturb the workers.

Usage: kafka_lag_exporter.py [--bootstrap 127.0.0.1:19092] [--group ledger-worker] [--topic events]
                             [--partitions 12] [--listen 127.0.0.1:19308]
Serves GET /metrics and /healthz on the listen address (127.0.0.1 only) until SIGTERM.
"""

import argparse
import ctypes
import http.server
import signal
import sys
import threading
import time

RD_KAFKA_CONSUMER = 1
TIMEOUT_MS = 1500


class TopicPartition(ctypes.Structure):
    _fields_ = [
        ("topic", ctypes.c_char_p),
        ("partition", ctypes.c_int32),
        ("offset", ctypes.c_int64),
        ("metadata", ctypes.c_void_p),
        ("metadata_size", ctypes.c_size_t),
        ("opaque", ctypes.c_void_p),
        ("err", ctypes.c_int),
        ("_private", ctypes.c_void_p),
    ]


class TopicPartitionList(ctypes.Structure):
    _fields_ = [("cnt", ctypes.c_int), ("size", ctypes.c_int), ("elems", ctypes.POINTER(TopicPartition))]


class KafkaClientError(RuntimeError):
    pass


class LagClient:
    """One librdkafka consumer handle, used only for OffsetFetch and ListOffsets; calls are serialised."""

    def __init__(self, bootstrap, group):
        lib = ctypes.CDLL("librdkafka.so.1")
        lib.rd_kafka_conf_new.restype = ctypes.c_void_p
        lib.rd_kafka_conf_set.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_size_t,
        ]
        lib.rd_kafka_new.restype = ctypes.c_void_p
        lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.rd_kafka_destroy.argtypes = [ctypes.c_void_p]
        lib.rd_kafka_topic_partition_list_new.restype = ctypes.POINTER(TopicPartitionList)
        lib.rd_kafka_topic_partition_list_new.argtypes = [ctypes.c_int]
        lib.rd_kafka_topic_partition_list_add.restype = ctypes.POINTER(TopicPartition)
        lib.rd_kafka_topic_partition_list_add.argtypes = [
            ctypes.POINTER(TopicPartitionList),
            ctypes.c_char_p,
            ctypes.c_int32,
        ]
        lib.rd_kafka_topic_partition_list_destroy.argtypes = [ctypes.POINTER(TopicPartitionList)]
        lib.rd_kafka_committed.argtypes = [ctypes.c_void_p, ctypes.POINTER(TopicPartitionList), ctypes.c_int]
        lib.rd_kafka_query_watermark_offsets.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_int32,
            ctypes.POINTER(ctypes.c_int64),
            ctypes.POINTER(ctypes.c_int64),
            ctypes.c_int,
        ]
        lib.rd_kafka_err2name.restype = ctypes.c_char_p
        self.lib = lib
        conf = lib.rd_kafka_conf_new()
        errstr = ctypes.create_string_buffer(512)
        settings = {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "enable.auto.commit": "false",
            "client.id": "replicasafe-lag-exporter",
            "log_level": "3",
        }
        for name, value in settings.items():
            if lib.rd_kafka_conf_set(conf, name.encode(), value.encode(), errstr, len(errstr)) != 0:
                raise KafkaClientError(f"{name}: {errstr.value.decode()}")
        self.rk = lib.rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, len(errstr))
        if not self.rk:
            raise KafkaClientError(f"rd_kafka_new: {errstr.value.decode()}")
        self.lock = threading.Lock()

    def error_name(self, err):
        return self.lib.rd_kafka_err2name(err).decode()

    def watermarks(self, topic, partition):
        low, high = ctypes.c_int64(), ctypes.c_int64()
        err = self.lib.rd_kafka_query_watermark_offsets(
            self.rk, topic.encode(), partition, ctypes.byref(low), ctypes.byref(high), TIMEOUT_MS
        )
        if err:
            raise KafkaClientError(f"watermarks {topic}[{partition}]: {self.error_name(err)}")
        return low.value, high.value

    def committed(self, topic, partitions):
        tpl = self.lib.rd_kafka_topic_partition_list_new(len(partitions))
        try:
            for partition in partitions:
                self.lib.rd_kafka_topic_partition_list_add(tpl, topic.encode(), partition)
            err = self.lib.rd_kafka_committed(self.rk, tpl, TIMEOUT_MS)
            if err:
                raise KafkaClientError(f"committed {topic}: {self.error_name(err)}")
            out = {}
            for i in range(tpl.contents.cnt):
                element = tpl.contents.elems[i]
                if element.err:
                    raise KafkaClientError(f"committed {topic}[{element.partition}]: {self.error_name(element.err)}")
                # librdkafka reports "no committed offset" as RD_KAFKA_OFFSET_INVALID (-1001); Kafka says -1.
                out[element.partition] = element.offset if element.offset >= 0 else -1
            return out
        finally:
            self.lib.rd_kafka_topic_partition_list_destroy(tpl)

    def render(self, group, topic, partitions):
        with self.lock:
            lines, ok = [], 1
            high = {}
            for partition in partitions:
                try:
                    low, high[partition] = self.watermarks(topic, partition)
                except KafkaClientError as error:
                    print(f"lag-exporter: {error}", file=sys.stderr, flush=True)
                    ok = 0
                    continue
                labels = f'topic="{topic}",partition="{partition}"'
                lines.append(f"kafka_topic_partition_current_offset{{{labels}}} {high[partition]}")
                lines.append(f"kafka_topic_partition_oldest_offset{{{labels}}} {low}")
            try:
                committed = self.committed(topic, partitions)
            except KafkaClientError as error:
                print(f"lag-exporter: {error}", file=sys.stderr, flush=True)
                committed, ok = {}, 0
            if any(offset != -1 for offset in committed.values()):
                offset_sum, lag_sum = 0, 0
                for partition, offset in sorted(committed.items()):
                    labels = f'consumergroup="{group}",topic="{topic}",partition="{partition}"'
                    offset_sum += offset
                    lines.append(f"kafka_consumergroup_current_offset{{{labels}}} {offset}")
                    if partition not in high:
                        continue
                    lag = -1 if offset == -1 else high[partition] - offset
                    if offset != -1:
                        lag_sum += lag
                    lines.append(f"kafka_consumergroup_lag{{{labels}}} {lag}")
                labels = f'consumergroup="{group}",topic="{topic}"'
                lines.append(f"kafka_consumergroup_current_offset_sum{{{labels}}} {offset_sum}")
                lines.append(f"kafka_consumergroup_lag_sum{{{labels}}} {lag_sum}")
            lines.append(f"kafka_exporter_scrape_ok {ok}")
            return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", default="127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094")
    parser.add_argument("--group", default="ledger-worker")
    parser.add_argument("--topic", default="events")
    parser.add_argument("--partitions", type=int, default=12)
    parser.add_argument("--listen", default="127.0.0.1:19308")
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    if host not in ("127.0.0.1", "localhost"):
        parser.error("--listen must be on 127.0.0.1")
    client = LagClient(args.bootstrap, args.group)
    partitions = list(range(args.partitions))
    # Broker requests run in one background loop, once a second; a scrape reads the newest snapshot, so
    # Prometheus' scrape timeout never races a slow broker. A snapshot older than 5 s is not served (the
    # series then go stale in Prometheus, as they would with an exporter that cannot reach Kafka).
    latest = {"text": "kafka_exporter_scrape_ok 0\n", "at": 0.0}

    def refresh() -> None:
        while True:
            text = client.render(args.group, args.topic, partitions)
            latest.update(text=text, at=time.monotonic())
            time.sleep(1.0)

    threading.Thread(target=refresh, daemon=True).start()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/metrics":
                fresh = time.monotonic() - latest["at"] <= 5.0
                body = (latest["text"] if fresh else "kafka_exporter_scrape_ok 0\n").encode()
                content_type = "text/plain; version=0.0.4"
            elif self.path == "/healthz":
                body, content_type = b"ok\n", "text/plain"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_):
            pass

    server = http.server.ThreadingHTTPServer((host, int(port)), Handler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(
        f"lag-exporter: serving http://{args.listen}/metrics for group {args.group} on {args.topic}",
        file=sys.stderr,
        flush=True,
    )
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
