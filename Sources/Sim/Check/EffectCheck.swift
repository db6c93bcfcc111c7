/// The invariants on what became of each produced event, for a simulated run (its database model) and a live
/// one (its history) alike: a valid event's effect is applied exactly once (more: `duplicate-effect`; none:
/// `lost-event`), and a poison event is sent to the dead-letter topic (`poison-not-dead-lettered`). Of events
/// sharing an id with different content, one is applied and the others go to the dead-letter topic as
/// `event_id_conflict` (`silent-id-conflict` when one was neither).
struct EffectCheck {
    /// Per produced event, in order: whether it is poison, how many effects it had, how often it was dead-lettered.
    let poison: [Bool]
    let effects: [Int32]
    let deadLettered: [Int]
    /// Per produced event (empty: none): whether another event carries its id with another account or amount,
    /// and whether it was dead-lettered as `event_id_conflict`.
    var conflicting: [Bool] = []
    var deadLetteredAsConflict: [Bool] = []

    struct Findings {
        var tally = Tally()
        var duplicated: [Int32] = []
        var lost: [(event: Int32, deadLettered: Bool)] = []
        var poisonNotDeadLettered: [Int32] = []
        var silentConflicts: [Int32] = []
    }

    func run() -> Findings {
        var findings = Findings()
        for index in poison.indices {
            findings.tally.eventsProduced += 1
            let effects = Int(effects[index])
            if deadLettered[index] > 0 { findings.tally.deadLettered += 1 }
            if poison[index] {
                findings.tally.poisonEvents += 1
                if deadLettered[index] == 0 { findings.poisonNotDeadLettered.append(Int32(index)) }
                continue
            }
            findings.tally.effectsApplied += effects
            if effects > 0 { findings.tally.eventsApplied += 1 }
            if effects > 1 { findings.duplicated.append(Int32(index)) }
            if effects == 0, !conflicting.isEmpty, conflicting[index] {
                if !deadLetteredAsConflict[index] { findings.silentConflicts.append(Int32(index)) }
                continue
            }
            if effects == 0 {
                findings.tally.lost += 1
                findings.lost.append((Int32(index), deadLettered[index] > 0))
            }
        }
        return findings
    }
}

/// The singleton job's invariant, for both worlds: each finished settlement period is settled exactly once
/// (`double-settlement` when more rows, `missed-settlement` when none).
struct SettlementRunCheck {
    /// The period of every settlement row, in the order they committed.
    let periods: [Int64]
    /// Periods `0 ..< checked` are finished and must be settled.
    let checked: Int

    /// Row indices per checked period.
    func run() -> [[Int]] {
        var runs = Array(repeating: [Int](), count: max(0, checked))
        for (index, period) in periods.enumerated() where period >= 0 && period < Int64(checked) {
            runs[Int(period)].append(index)
        }
        return runs
    }
}
