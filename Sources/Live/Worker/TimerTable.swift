import Core
import Foundation

/// Core's timers on the wall clock. At most one of each `TimerID` is pending; scheduling it again replaces it.
/// A fired timer reaches the driver as `.timer(id, token)` and counts only if its token is still current, so a
/// timer cancelled after its task woke up cannot fire late.
struct TimerTable {
    private var pending: [TimerID: (token: UInt64, task: Task<Void, Never>)] = [:]
    private var nextToken: UInt64 = 1

    mutating func schedule(_ id: TimerID, at deadline: Timestamp, now: Timestamp, mailbox: Mailbox) {
        cancel(id)
        let token = nextToken
        nextToken += 1
        let delay = max(0, deadline - now)
        let task = Task {
            try? await Task.sleep(for: .milliseconds(delay))
            guard !Task.isCancelled else { return }
            mailbox.post(.timer(id, token: token))
        }
        pending[id] = (token, task)
    }

    mutating func cancel(_ id: TimerID) {
        pending.removeValue(forKey: id)?.task.cancel()
    }

    /// True (and forgets it) when `token` is the pending one for `id`.
    mutating func fire(_ id: TimerID, token: UInt64) -> Bool {
        guard pending[id]?.token == token else { return false }
        pending[id] = nil
        return true
    }

    mutating func cancelAll() {
        for (_, entry) in pending { entry.task.cancel() }
        pending.removeAll()
    }
}

/// Unix time in milliseconds: Core's `now` in the live runtime (settlement periods are wall-clock periods).
enum WallClock {
    static func now() -> Timestamp {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
