import Core

/// A key with a fixed hash (no per-process seed), for `SlotIndex`.
protocol SlotKey: Equatable {
    var slotHash: UInt64 { get }
}

extension EventID: SlotKey {
    /// Event ids are random UUIDs: their bits are already uniform; the multiply spreads them over the table.
    var slotHash: UInt64 { (high ^ low &* 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9 }
}

extension AccountID: SlotKey {
    /// FNV-1a over the UTF-8 bytes.
    var slotHash: UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var text = rawValue
        text.withUTF8 { bytes in
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        return hash ^ hash >> 29
    }
}

/// Numbers keys densely (0, 1, 2, ... in the order first seen) through an open-addressing table: the database
/// model's primary-key indexes. Keys are never removed (a row deleted by a rollback keeps its number and is
/// marked absent by the table that owns it), and nothing iterates the table, so no hash order can leak. It
/// exists because the model looks keys up several times per event and `Dictionary`'s seeded hashing was the
/// larger part of its cost.
struct SlotIndex<Key: SlotKey> {
    private var table: [Int32]
    private(set) var keys: [Key] = []
    private var mask: Int

    init(capacity: Int = 0) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        table = Array(repeating: -1, count: size)
        mask = size - 1
        keys.reserveCapacity(capacity)
    }

    func find(_ key: Key) -> Int32? {
        var index = Int(truncatingIfNeeded: key.slotHash) & mask
        while true {
            let slot = table[index]
            if slot < 0 { return nil }
            if keys[Int(slot)] == key { return slot }
            index = (index + 1) & mask
        }
    }

    /// The key's number, numbering it if it is new.
    mutating func slot(for key: Key) -> (slot: Int32, new: Bool) {
        var index = Int(truncatingIfNeeded: key.slotHash) & mask
        while true {
            let slot = table[index]
            if slot < 0 { break }
            if keys[Int(slot)] == key { return (slot, false) }
            index = (index + 1) & mask
        }
        let slot = Int32(keys.count)
        keys.append(key)
        table[index] = slot
        if keys.count * 2 > table.count { grow() }
        return (slot, true)
    }

    private mutating func grow() {
        table = Array(repeating: -1, count: table.count * 2)
        mask = table.count - 1
        for (slot, key) in keys.enumerated() {
            var index = Int(truncatingIfNeeded: key.slotHash) & mask
            while table[index] >= 0 { index = (index + 1) & mask }
            table[index] = Int32(slot)
        }
    }
}

/// `processed_events`: an open-addressing table keyed by event id, with each row inline and a 2-byte tag per
/// bucket (0: empty; else bits of the key's hash) probed first, so most checks, and every insert of a new key,
/// touch only the small tag array. A key, once in the table, stays (a row removed by a rollback is marked
/// absent). `reserve` before a statement keeps bucket numbers stable while it runs.
struct GuardTable {
    struct Bucket {
        var key: EventID
        /// The row's inserting transaction; -1: no row.
        var inserter: Int32
        /// `processed_events.outcome`: 1 applied, 2 dead-lettered.
        var outcome: UInt8
        /// `processed_events.account_id` as the model's account number (-1: NULL) and `amount_cents`.
        var account: Int32 = -1
        var amount: Int64 = 0
    }

    private var tags: [UInt16]
    private(set) var buckets: [Bucket]
    private var mask: Int
    private var count = 0

    init(capacity: Int = 0) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        tags = Array(repeating: 0, count: size)
        buckets = Array(repeating: Bucket(key: EventID(high: 0, low: 0), inserter: -1, outcome: 0), count: size)
        mask = size - 1
    }

    private static func tag(_ hash: UInt64) -> UInt16 { UInt16(truncatingIfNeeded: hash >> 48) | 1 }

    /// The bucket holding `id`, or the empty bucket where it would go.
    func bucket(of id: EventID) -> Int {
        let hash = id.slotHash
        let tag = Self.tag(hash)
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let found = tags[index]
            if found == 0 || (found == tag && buckets[index].key == id) { return index }
            index = (index + 1) & mask
        }
    }

    func isUsed(_ bucket: Int) -> Bool { tags[bucket] != 0 }

    /// The row of `id`, if it has one.
    func row(_ id: EventID) -> DatabaseModel.GuardRow? {
        let index = bucket(of: id)
        guard isUsed(index), buckets[index].inserter >= 0 else { return nil }
        return DatabaseModel.GuardRow(outcome: buckets[index].outcome, inserter: buckets[index].inserter)
    }

    /// Writes `id`'s row into `bucket` (from `bucket(of:)`, with no insert of another key in between).
    mutating func set(_ id: EventID, at bucket: Int, outcome: UInt8, inserter: Int32) {
        if tags[bucket] == 0 {
            count += 1
            tags[bucket] = Self.tag(id.slotHash)
        }
        buckets[bucket] = Bucket(key: id, inserter: inserter, outcome: outcome)
    }

    /// The applied event's account (the model's number, -1: none recorded) and amount in `id`'s row.
    func content(of id: EventID) -> (account: Int32, amount: Int64)? {
        let index = bucket(of: id)
        guard isUsed(index), buckets[index].inserter >= 0 else { return nil }
        return (buckets[index].account, buckets[index].amount)
    }

    /// Records the content of the row `transaction` inserted for `id` (no-op for another's row).
    mutating func setContent(_ id: EventID, account: Int32, amount: Int64, by transaction: Int32) {
        let index = bucket(of: id)
        guard isUsed(index), buckets[index].inserter == transaction else { return }
        buckets[index].account = account
        buckets[index].amount = amount
    }

    mutating func remove(_ id: EventID) {
        let index = bucket(of: id)
        if isUsed(index) { buckets[index].inserter = -1 }
    }

    /// Room for `additional` new keys without growing.
    mutating func reserve(_ additional: Int) {
        guard (count + additional) * 2 > buckets.count else { return }
        var size = buckets.count * 2
        while (count + additional) * 2 > size { size *= 2 }
        let (oldTags, oldBuckets) = (tags, buckets)
        tags = Array(repeating: 0, count: size)
        buckets = Array(repeating: Bucket(key: EventID(high: 0, low: 0), inserter: -1, outcome: 0), count: size)
        mask = size - 1
        for (index, tag) in oldTags.enumerated() where tag != 0 {
            var target = Int(truncatingIfNeeded: oldBuckets[index].key.slotHash) & mask
            while tags[target] != 0 { target = (target + 1) & mask }
            tags[target] = tag
            buckets[target] = oldBuckets[index]
        }
    }
}
