/// Escaping for text that reaches HTML or SVG. Everything drawn comes from a run (pod names, fault details,
/// explanations), so nothing is ever written as markup unescaped; the same escaping serves attribute values
/// and text nodes in both HTML and XML.
enum TimelineEscape {
    static func markup(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default:
                // XML 1.0 forbids most control characters even as references; a standalone SVG with one
                // would not parse, so they become the replacement character.
                if isAllowedInXML(scalar) {
                    escaped.unicodeScalars.append(scalar)
                } else {
                    escaped += "\u{FFFD}"
                }
            }
        }
        return escaped
    }

    private static func isAllowedInXML(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// A fragment-safe id: letters, digits and `-` only, so ids built from a mode name cannot break out of
    /// an attribute or a `url(#...)` reference.
    static func identifier(_ text: String) -> String {
        let kept = text.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-": return Character(scalar)
            default: return "-"
            }
        }
        return kept.isEmpty ? "run" : String(kept)
    }
}
