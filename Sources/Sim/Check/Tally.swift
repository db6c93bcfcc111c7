/// The numbers of a run, computed by the checkers from the database model and the plan.
struct Tally {
    var eventsProduced = 0
    var poisonEvents = 0
    var eventsApplied = 0
    var effectsApplied = 0
    var lost = 0
    var deadLettered = 0
    var settlementPeriods = 0
    var settlementRuns = 0
    var doubleSettlements = 0
    var missedSettlements = 0
    var settlementMismatches = 0
    var balanceMismatches = 0
    var duplicatesSkipped = 0
}
