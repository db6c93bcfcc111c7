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
        for byte in rawValue.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
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
