/// RFC 3339 timestamps (`2026-11-27T12:00:00.123Z`, `...+01:00`) to and from Unix milliseconds, without
/// Foundation's formatters (slow, and locale-dependent in places). Fractions beyond milliseconds are truncated.
public enum RFC3339 {
    public static func milliseconds(_ text: String) -> Int64? {
        text.utf8.withContiguousStorageIfAvailable { milliseconds($0) } ?? milliseconds(Array(text.utf8))
    }

    public static func milliseconds<Bytes: RandomAccessCollection<UInt8>>(_ b: Bytes) -> Int64? where Bytes.Index == Int {
        guard b.count >= 20 else { return nil }
        func digits(_ start: Int, _ count: Int) -> Int64? {
            guard start + count <= b.count else { return nil }
            var value: Int64 = 0
            for index in start..<(start + count) {
                let d = b[index]
                guard d >= 48, d <= 57 else { return nil }
                value = value * 10 + Int64(d - 48)
            }
            return value
        }
        guard let year = digits(0, 4), b[4] == 45, let month = digits(5, 2), b[7] == 45, let day = digits(8, 2),
              b[10] == 84 || b[10] == 116 || b[10] == 32, let hour = digits(11, 2), b[13] == 58,
              let minute = digits(14, 2), b[16] == 58, let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60,
              second < 61
        else { return nil }
        var index = 19
        var millis: Int64 = 0
        if index < b.count, b[index] == 46 {
            index += 1
            var scale: Int64 = 100
            let start = index
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                millis += Int64(b[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < b.count else { return nil }
        var offsetMinutes: Int64 = 0
        switch b[index] {
        case 90, 122:  // Z z
            index += 1
        case 43, 45:  // + -
            guard let oh = digits(index + 1, 2), index + 3 < b.count, b[index + 3] == 58, let om = digits(index + 4, 2),
                  oh < 24, om < 60
            else { return nil }
            offsetMinutes = (oh * 60 + om) * (b[index] == 45 ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + min(second, 59) - offsetMinutes * 60
        return seconds * 1000 + millis
    }

    /// UTC with milliseconds, e.g. `2026-11-27T12:00:00.123Z`.
    public static func format(_ milliseconds: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        append(milliseconds, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `format(milliseconds)` as bytes.
    public static func append(_ milliseconds: Int64, to out: inout [UInt8]) {
        let totalSeconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let millis = milliseconds - totalSeconds * 1000
        let days = totalSeconds >= 0 ? totalSeconds / 86_400 : (totalSeconds - 86_399) / 86_400
        let secondOfDay = totalSeconds - days * 86_400
        let (year, month, day) = civilFromDays(days)
        func digits(_ value: Int64, _ width: Int, then separator: Unicode.Scalar) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
            out.append(UInt8(ascii: separator))
        }
        digits(year, 4, then: "-")
        digits(month, 2, then: "-")
        digits(day, 2, then: "T")
        digits(secondOfDay / 3600, 2, then: ":")
        digits(secondOfDay / 60 % 60, 2, then: ":")
        digits(secondOfDay % 60, 2, then: ".")
        digits(millis, 3, then: "Z")
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, days since 1970-01-01).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civilFromDays(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (month <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, month, day)
    }
}
