import Testing
@testable import Sim

@Suite("scheduler queue")
struct EventQueueTests {
    @Test func popsByTimeThenBySchedulingOrder() {
        var queue = EventQueue<String>()
        queue.schedule("b@5", at: 5)
        queue.schedule("a@1", at: 1)
        queue.schedule("c@5", at: 5)
        queue.schedule("d@3", at: 3)
        var order: [String] = []
        while let entry = queue.pop() { order.append(entry.payload) }
        #expect(order == ["a@1", "d@3", "b@5", "c@5"])
    }

    @Test func manyRandomEventsComeOutSortedAndStable() {
        var random = Xoshiro256(seed: 11)
        var queue = EventQueue<Int>()
        var expected: [(Int64, Int)] = []
        for index in 0..<5_000 {
            let time = random.int(Int64(0)...200)
            queue.schedule(index, at: time)
            expected.append((time, index))
            if index % 7 == 0, let entry = queue.pop() {
                let first = expected.enumerated().min { ($0.element.0, $0.element.1) < ($1.element.0, $1.element.1) }!
                #expect(entry.payload == first.element.1)
                expected.remove(at: first.offset)
            }
        }
        var popped: [Int] = []
        while let entry = queue.pop() { popped.append(entry.payload) }
        #expect(popped == expected.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.1))
    }
}
