/// Nodes in availability zones, for the twin: where worker pods fit, where they wait (Pending) when nothing
/// fits, and a Cluster-Autoscaler-like controller that adds a node for pending pods after a delay.
struct Cluster {
    struct Node {
        var zone: Int
        var readyAt: Int64
        var pods = 0
    }

    let zones: Int
    let podsPerNode: Int
    private(set) var nodes: [Node] = []
    private(set) var zoneDownUntil: [Int64]

    init(zones: Int, podsPerNode: Int, nodesPerZone: Int) {
        self.zones = zones
        self.podsPerNode = podsPerNode
        self.zoneDownUntil = Array(repeating: -1, count: zones)
        for zone in 0..<zones {
            for _ in 0..<nodesPerZone { nodes.append(Node(zone: zone, readyAt: 0)) }
        }
    }

    func zoneIsUp(_ zone: Int, at now: Int64) -> Bool { now >= zoneDownUntil[zone] }

    /// Topology spread (maxSkew 1 across zones, as the worker Deployment asks): the up zone with the fewest of
    /// our pods that has a ready node with room; first fit inside it.
    mutating func place(now: Int64, podsPerZone: [Int]) -> (node: Int, zone: Int)? {
        let candidates = (0..<zones).filter { zone in
            zoneIsUp(zone, at: now) && nodes.contains { $0.zone == zone && $0.readyAt <= now && $0.pods < podsPerNode }
        }
        guard let zone = candidates.min(by: { (podsPerZone[$0], $0) < (podsPerZone[$1], $1) }) else { return nil }
        let node = nodes.indices.first { nodes[$0].zone == zone && nodes[$0].readyAt <= now && nodes[$0].pods < podsPerNode }!
        nodes[node].pods += 1
        return (node, zone)
    }

    mutating func release(node: Int) {
        nodes[node].pods = max(0, nodes[node].pods - 1)
    }

    /// Adds a node in the up zone with the fewest nodes (the node group per AZ the autoscaler balances).
    mutating func addNode(now: Int64, readyAt: Int64) -> Int? {
        let up = (0..<zones).filter { zoneIsUp($0, at: now) }
        guard let zone = up.min(by: { (nodeCount($0), $0) < (nodeCount($1), $1) }) else { return nil }
        nodes.append(Node(zone: zone, readyAt: readyAt))
        return nodes.count - 1
    }

    /// Nodes added but not ready yet (the autoscaler does not add more for pods they will hold).
    func slotsComing(now: Int64) -> Int {
        nodes.filter { $0.readyAt > now && zoneIsUp($0.zone, at: now) }.count * podsPerNode
    }

    private func nodeCount(_ zone: Int) -> Int { nodes.filter { $0.zone == zone }.count }

    /// The zone's nodes are gone until `until`; they come back empty.
    mutating func loseZone(_ zone: Int, until: Int64) {
        zoneDownUntil[zone] = until
        for index in nodes.indices where nodes[index].zone == zone { nodes[index].pods = 0 }
    }
}
