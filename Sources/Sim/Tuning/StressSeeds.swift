/// The seeds a tuning search runs on: the hardest of a pool, judged from their traffic profiles alone (cheap:
/// no simulation). The worst lag-drain grows with the burst's volume and thrash shows on a saw-tooth whose
/// half-period leaves a scale-down window time to act, so a handful of random seeds underestimates both
/// worst cases. The order alternates between the two: the largest remaining burst, then the longest remaining
/// saw-tooth (ties: the higher saw-tooth, then the smaller seed).
public enum StressSeeds {
    public static func ranked(pool: ClosedRange<UInt64>, generator: TwinScenarioGenerator) -> [UInt64] {
        let profiles = pool.map { (seed: $0, profile: generator.profile(seed: $0)) }
        let byBurst = profiles.sorted {
            ($0.profile.burstEvents, $1.seed) > ($1.profile.burstEvents, $0.seed)
        }.map(\.seed)
        let bySawTooth = profiles.sorted {
            let (a, b) = ($0.profile.sawTooth, $1.profile.sawTooth)
            return (a.halfPeriod, a.high, $1.seed) > (b.halfPeriod, b.high, $0.seed)
        }.map(\.seed)
        var ranked: [UInt64] = []
        var taken = Set<UInt64>()
        var (burst, saw) = (0, 0)
        while ranked.count < profiles.count {
            while burst < byBurst.count, taken.contains(byBurst[burst]) { burst += 1 }
            if burst < byBurst.count {
                taken.insert(byBurst[burst])
                ranked.append(byBurst[burst])
            }
            while saw < bySawTooth.count, taken.contains(bySawTooth[saw]) { saw += 1 }
            if saw < bySawTooth.count {
                taken.insert(bySawTooth[saw])
                ranked.append(bySawTooth[saw])
            }
        }
        return ranked
    }
}
