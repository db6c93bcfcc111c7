/// The discrete-event scheduler's queue: a binary min-heap ordered by (virtual time, sequence number).
/// The sequence number makes the order total, so simultaneous events run in the order they were scheduled,
/// the same way on every run.
///
/// The heap holds only plain keys; payloads (enums with arrays inside) live in a slot table, so sifting moves
/// 24-byte values instead of copying and retaining payloads: most of a run's time is spent here.
struct EventQueue<Payload> {
    struct Entry {
        var time: Int64
        var sequence: UInt64
        var payload: Payload
    }

    private struct Key {
        var time: Int64
        var sequence: UInt64
        var slot: Int32
    }

    private var heap: [Key] = []
    private var payloads: [Payload?] = []
    private var freeSlots: [Int32] = []
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    init() {
        heap.reserveCapacity(256)
        payloads.reserveCapacity(256)
    }

    mutating func schedule(_ payload: Payload, at time: Int64) {
        let slot: Int32
        if let reused = freeSlots.popLast() {
            slot = reused
            payloads[Int(slot)] = payload
        } else {
            slot = Int32(payloads.count)
            payloads.append(payload)
        }
        heap.append(Key(time: time, sequence: nextSequence, slot: slot))
        nextSequence &+= 1
        siftUp(heap.count - 1)
    }

    mutating func pop() -> Entry? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        var payload: Payload? = nil
        swap(&payload, &payloads[Int(top.slot)])
        freeSlots.append(top.slot)
        return Entry(time: top.time, sequence: top.sequence, payload: payload!)
    }

    @inline(__always)
    private static func less(_ a: Key, _ b: Key) -> Bool {
        a.time != b.time ? a.time < b.time : a.sequence < b.sequence
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        let key = heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard EventQueue.less(key, heap[parent]) else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = key
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let key = heap[parent]
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            var smallest = left
            if left + 1 < count, EventQueue.less(heap[left + 1], heap[left]) { smallest = left + 1 }
            guard EventQueue.less(heap[smallest], key) else { break }
            heap[parent] = heap[smallest]
            parent = smallest
        }
        heap[parent] = key
    }
}
