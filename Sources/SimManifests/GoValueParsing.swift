/// The parsers KEDA and Kubernetes apply to manifest strings, so a value they refuse is refused here too.
enum GoValueParsing {
    /// strconv.ParseBool.
    static func bool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: return nil
        }
    }

    /// strconv.ParseInt(text, 10, 64): optional sign, decimal digits only.
    static func int64(_ text: String) -> Int64? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII }) else { return nil }
        return Int64(text)
    }

    /// KEDA's partitionLimitation: "1,2,10-20,31".
    static func partitionList(_ text: String) -> [Int]? {
        var partitions: [Int] = []
        for rawPart in text.split(separator: ",", omittingEmptySubsequences: false) {
            let part = rawPart.trimmingSpaces
            if part.contains("-") {
                let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
                guard bounds.count == 2, let start = Int32(bounds[0]), let end = Int32(bounds[1]) else { return nil }
                if start <= end { partitions += (Int(start)...Int(end)).map { $0 } }
            } else {
                guard let value = Int32(part) else { return nil }
                partitions.append(Int(value))
            }
        }
        return partitions
    }

    /// A resource quantity in milli-units (Quantity.MilliValue, which rounds up): "250m" -> 250, "1" -> 1000,
    /// "0.5" -> 500; binary and decimal suffixes ("256Mi", "1G") for memory.
    static func milliQuantity(_ text: String) -> Int64? {
        let suffixes: [(String, Int64, Int64)] = [   // (suffix, numerator, denominator) of the multiplier
            ("Ki", 1 << 10, 1), ("Mi", 1 << 20, 1), ("Gi", 1 << 30, 1), ("Ti", 1 << 40, 1),
            ("m", 1, 1_000), ("k", 1_000, 1), ("M", 1_000_000, 1), ("G", 1_000_000_000, 1), ("T", 1_000_000_000_000, 1),
        ]
        var number = Substring(text)
        var numerator: Int64 = 1
        var denominator: Int64 = 1
        for (suffix, num, den) in suffixes where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            numerator = num
            denominator = den
            break
        }
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0].isEmpty ? "0" : String(parts[0])), whole >= 0 else {
            return nil
        }
        var fractionDigits = parts.count == 2 ? String(parts[1]) : ""
        guard fractionDigits.allSatisfy(\.isNumber), fractionDigits.count <= 9 else { return nil }
        let scale = Int64(pow10(fractionDigits.count))
        if fractionDigits.isEmpty { fractionDigits = "0" }
        guard let fraction = Int64(fractionDigits) else { return nil }
        // value = (whole + fraction / scale) * numerator / denominator, in milli, rounded up.
        let scaled = (whole * scale + fraction) * numerator * 1_000
        let divisor = scale * denominator
        return (scaled + divisor - 1) / divisor
    }

    private static func pow10(_ exponent: Int) -> Int {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
