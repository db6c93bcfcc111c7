import CListenPorts
import Foundation
public import LiveKafka

/// Starts librdkafka's mock cluster with brokers on fixed loopback ports (librdkafka 2.0.2 has no API for
/// that; `CListenPorts` interposes `bind` during start-up only) and checks that the brokers really got them.
public enum FixedPortMockCluster {
    /// Why a fixed-port start failed.
    public enum StartError: Error, CustomStringConvertible {
        case kafka(KafkaError)
        case portsNotApplied(expected: String, actual: String)
        case portInUse(UInt16)

        public var description: String {
            switch self {
            case .kafka(let error): "mock cluster: \(error)"
            case .portInUse(let port): "127.0.0.1:\(port) is already in use"
            case .portsNotApplied(let expected, let actual):
                "mock brokers listen on \(actual), not the requested \(expected) (port in use, or bind not interposed)"
            }
        }
    }

    private static let lock = NSLock()

    /// Starts `ports.count` brokers on `127.0.0.1:ports[i]` (broker id i+1); `ports` empty means kernel-chosen.
    public static func start(ports: [UInt16]) throws(StartError) -> KafkaMockCluster {
        guard !ports.isEmpty else { throw .kafka(KafkaError(code: -186, name: "_INVALID_ARG", message: "no ports", operation: "mock_cluster_new")) }
        // librdkafka 2.0.2 aborts (an assertion in its cleanup path) when a mock broker cannot bind, so a
        // taken port must be found before starting.
        for port in ports where !isFree(port) { throw .portInUse(port) }
        lock.lock()
        ports.withUnsafeBufferPointer { replicasafe_listen_ports_arm($0.baseAddress, Int32($0.count)) }
        let started = Result { () throws(KafkaError) in try KafkaMockCluster.start(brokers: ports.count) }
        _ = replicasafe_listen_ports_disarm()
        lock.unlock()
        let cluster: KafkaMockCluster
        switch started {
        case .success(let value): cluster = value
        case .failure(let error): throw .kafka(error)
        }
        let expected = ports.map { "127.0.0.1:\($0)" }.joined(separator: ",")
        guard cluster.bootstrapServers == expected else {
            throw .portsNotApplied(expected: expected, actual: cluster.bootstrapServers)
        }
        return cluster
    }

    /// Whether 127.0.0.1:`port` can be bound right now (with SO_REUSEADDR, as the mock broker binds).
    static func isFree(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }
}
