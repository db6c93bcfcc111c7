/// A string builder for HTML and SVG elements. Attribute values and text always pass through
/// `TimelineEscape`; only the renderers' own constant CSS and script go in raw.
struct TimelineMarkup {
    typealias Attributes = [(String, String)]

    private(set) var text = ""

    init() {
        text.reserveCapacity(1 << 16)
    }

    mutating func open(_ tag: String, _ attributes: Attributes = []) {
        text += "<" + tag
        appendAttributes(attributes)
        text += ">"
    }

    mutating func close(_ tag: String) {
        text += "</" + tag + ">"
    }

    /// An SVG element without children (`<rect ... />`); valid in XML and in SVG embedded in HTML.
    mutating func empty(_ tag: String, _ attributes: Attributes) {
        text += "<" + tag
        appendAttributes(attributes)
        text += "/>"
    }

    /// An element holding only escaped text.
    mutating func element(_ tag: String, _ attributes: Attributes = [], text content: String) {
        open(tag, attributes)
        self.content(content)
        close(tag)
    }

    mutating func content(_ value: String) {
        text += TimelineEscape.markup(value)
    }

    /// Constant markup written by the renderers themselves (style sheets, the script, a doctype).
    mutating func raw(_ constant: String) {
        text += constant
    }

    private mutating func appendAttributes(_ attributes: Attributes) {
        for (name, value) in attributes {
            text += " " + name + "=\"" + TimelineEscape.markup(value) + "\""
        }
    }
}
