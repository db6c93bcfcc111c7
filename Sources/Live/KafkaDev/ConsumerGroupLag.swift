/// What Kafka Exporter (danielqsj/kafka_exporter, which Strimzi runs on EKS) reports for one consumer group on
/// one topic, as one scrape saw it, and its Prometheus text under Kafka Exporter's names, labels and semantics:
///
///     kafka_topic_partition_current_offset{topic,partition}               high watermark
///     kafka_topic_partition_oldest_offset{topic,partition}                low watermark
///     kafka_consumergroup_current_offset{consumergroup,topic,partition}   committed offset, -1 if none
///     kafka_consumergroup_current_offset_sum{consumergroup,topic}         sum of the above, the -1s included
///     kafka_consumergroup_lag{consumergroup,topic,partition}              high watermark - committed; -1 if none
///     kafka_consumergroup_lag_sum{consumergroup,topic}                    sum of the lags that have a commit
///
/// As upstream, a topic the group never committed on has no consumer-group series, and a partition whose
/// leader did not answer has no watermark series (and no lag: there is nothing to subtract from).
public struct ConsumerGroupLag: Sendable, Equatable {
    public struct Partition: Sendable, Equatable {
        public var partition: Int32
        /// Low and high watermarks; nil when the leader did not answer.
        public var watermarks: (low: Int64, high: Int64)?
        /// The group's committed offset; nil when it has none.
        public var committed: Int64?

        public init(partition: Int32, watermarks: (low: Int64, high: Int64)?, committed: Int64?) {
            self.partition = partition
            self.watermarks = watermarks
            self.committed = committed
        }

        public static func == (lhs: Partition, rhs: Partition) -> Bool {
            lhs.partition == rhs.partition && lhs.watermarks?.low == rhs.watermarks?.low
                && lhs.watermarks?.high == rhs.watermarks?.high && lhs.committed == rhs.committed
        }
    }

    public var group: String
    public var topic: String
    public var partitions: [Partition]

    public init(group: String, topic: String, partitions: [Partition]) {
        self.group = group
        self.topic = topic
        self.partitions = partitions.sorted { $0.partition < $1.partition }
    }

    public var prometheusText: String {
        var out = PrometheusText()
        let topicLabel = "topic=\"\(topic)\""
        out.family("kafka_topic_partition_current_offset", "Current Offset of a Broker at Topic/Partition")
        for p in partitions { if let marks = p.watermarks { out.sample(["\(topicLabel),partition=\"\(p.partition)\"": marks.high]) } }
        out.family("kafka_topic_partition_oldest_offset", "Oldest Offset of a Broker at Topic/Partition")
        for p in partitions { if let marks = p.watermarks { out.sample(["\(topicLabel),partition=\"\(p.partition)\"": marks.low]) } }
        guard partitions.contains(where: { $0.committed != nil }) else { return out.text }
        let groupLabels = "consumergroup=\"\(group)\",\(topicLabel)"
        out.family("kafka_consumergroup_current_offset", "Current Offset of a ConsumerGroup at Topic/Partition")
        for p in partitions { out.sample(["\(groupLabels),partition=\"\(p.partition)\"": p.committed ?? -1]) }
        out.family("kafka_consumergroup_current_offset_sum", "Current Offset of a ConsumerGroup at Topic for all partitions")
        out.sample([groupLabels: partitions.reduce(0) { $0 + ($1.committed ?? -1) }])
        out.family("kafka_consumergroup_lag", "Current Approximate Lag of a ConsumerGroup at Topic/Partition")
        for p in partitions {
            guard let marks = p.watermarks else { continue }
            out.sample(["\(groupLabels),partition=\"\(p.partition)\"": p.committed.map { marks.high - $0 } ?? -1])
        }
        out.family("kafka_consumergroup_lag_sum", "Current Approximate Lag of a ConsumerGroup at Topic for all partitions")
        let lags = partitions.compactMap { p in p.watermarks.flatMap { marks in p.committed.map { marks.high - $0 } } }
        out.sample([groupLabels: lags.reduce(0, +)])
        return out.text
    }
}

/// Prometheus' text exposition format (version 0.0.4), gauges only.
private struct PrometheusText {
    private(set) var text = ""
    private var name = ""

    mutating func family(_ name: String, _ help: String) {
        self.name = name
        text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
    }

    mutating func sample(_ sample: KeyValuePairs<String, Int64>) {
        for (labels, value) in sample { text += "\(name){\(labels)} \(value)\n" }
    }
}
