/// Colours: one per pod (by order of creation, ColorBrewer Set3, light enough for dark labels on top) and one
/// per violation kind (saturated, so markers stand out from the ownership bars).
enum TimelinePalette {
    private static let pods = [
        "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462",
        "#b3de69", "#fccde5", "#bc80bd", "#ccebc5", "#ffed6f", "#d9d9d9",
    ]

    static func pod(_ index: Int) -> String {
        pods[((index % pods.count) + pods.count) % pods.count]
    }

    /// Known kinds first, in the order of `Violation.Kind`; an unknown kind still gets a visible colour.
    static func violation(_ kind: String) -> String {
        switch kind {
        case "duplicate-effect": return "#d7301f"
        case "lost-event": return "#6a3d9a"
        case "balance-mismatch": return "#8c510a"
        case "double-settlement": return "#e7298a"
        case "missed-settlement": return "#1f78b4"
        case "offset-regression": return "#e6ab02"
        case "poison-not-dead-lettered": return "#1b7837"
        default: return "#000000"
        }
    }
}
