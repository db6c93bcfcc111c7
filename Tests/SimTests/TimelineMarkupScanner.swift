/// A small well-formedness checker for the timeline tests: start and end tags must balance, attribute values
/// must be quoted and unique, `&` must begin a known entity or a numeric reference, and text may hold no raw
/// `<`. In `.html` mode `meta`/`input` are void and `script`/`style` hold raw text; in `.xml` mode every element
/// must be closed. It returns the start tags with their (still escaped) attributes.
struct TimelineMarkupScanner {
    enum Mode { case xml, html }

    struct Element: Equatable {
        var name: String
        var attributes: [String: String]
        /// Text directly inside the element when it holds nothing else (a `<title>`), else "".
        var text: String
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static func scan(_ markup: String, mode: Mode) throws -> [Element] {
        let bytes = Array(markup.utf8)
        var index = 0
        var stack: [String] = []
        var elements: [Element] = []
        var roots = 0
        func fail(_ reason: String) -> Malformed { Malformed(description: "\(reason) at byte \(index)") }
        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        func isNameByte(_ byte: UInt8) -> Bool {
            (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57) || byte == 45 || byte == 58 || byte == 95
        }
        func checkEntity(at position: Int) throws -> Int {
            guard let end = bytes[position...].firstIndex(of: UInt8(ascii: ";")), end - position <= 10 else {
                throw fail("bare & in text or attribute")
            }
            let name = string((position + 1)..<end)
            let known = ["amp", "lt", "gt", "quot", "apos"]
            let numeric = name.hasPrefix("#") && name.count > 1 && name.dropFirst().allSatisfy(\.isNumber)
            guard known.contains(name) || numeric else { throw fail("unknown entity &\(name);") }
            return end + 1
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "&") {
                index = try checkEntity(at: index)
                continue
            }
            guard byte == UInt8(ascii: "<") else {
                if byte == UInt8(ascii: ">") { throw fail("raw > in text") }
                index += 1
                continue
            }
            // Declarations: <?xml ...?> and <!DOCTYPE html>.
            if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "?") || bytes[index + 1] == UInt8(ascii: "!") {
                guard elements.isEmpty, let end = bytes[index...].firstIndex(of: UInt8(ascii: ">")) else {
                    throw fail("declaration inside the document")
                }
                index = end + 1
                continue
            }
            if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "/") {
                var cursor = index + 2
                while cursor < bytes.count, isNameByte(bytes[cursor]) { cursor += 1 }
                let name = string((index + 2)..<cursor)
                guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: ">") else { throw fail("bad end tag") }
                guard stack.last == name else { throw fail("</\(name)> closes <\(stack.last ?? "nothing")>") }
                stack.removeLast()
                index = cursor + 1
                continue
            }
            var cursor = index + 1
            while cursor < bytes.count, isNameByte(bytes[cursor]) { cursor += 1 }
            let name = string((index + 1)..<cursor)
            guard !name.isEmpty else { throw fail("< not starting a tag") }
            var attributes: [String: String] = [:]
            var selfClosing = false
            while true {
                while cursor < bytes.count, bytes[cursor] == 32 || bytes[cursor] == 10 { cursor += 1 }
                guard cursor < bytes.count else { throw fail("unterminated tag <\(name)") }
                if bytes[cursor] == UInt8(ascii: ">") { cursor += 1; break }
                if bytes[cursor] == UInt8(ascii: "/"), cursor + 1 < bytes.count, bytes[cursor + 1] == UInt8(ascii: ">") {
                    selfClosing = true
                    cursor += 2
                    break
                }
                let nameStart = cursor
                while cursor < bytes.count, isNameByte(bytes[cursor]) { cursor += 1 }
                let attribute = string(nameStart..<cursor)
                guard !attribute.isEmpty, cursor + 1 < bytes.count, bytes[cursor] == UInt8(ascii: "="),
                      bytes[cursor + 1] == UInt8(ascii: "\"") else { throw fail("attribute of <\(name)> not name=\"value\"") }
                let valueStart = cursor + 2
                guard let valueEnd = bytes[valueStart...].firstIndex(of: UInt8(ascii: "\"")) else { throw fail("unterminated attribute") }
                var position = valueStart
                while position < valueEnd {
                    if bytes[position] == UInt8(ascii: "<") { throw fail("raw < in an attribute") }
                    position = bytes[position] == UInt8(ascii: "&") ? try checkEntity(at: position) : position + 1
                }
                guard attributes[attribute] == nil else { throw fail("duplicate attribute \(attribute)") }
                attributes[attribute] = string(valueStart..<valueEnd)
                cursor = valueEnd + 1
            }
            if stack.isEmpty {
                roots += 1
                if roots > 1 { throw fail("second root element <\(name)>") }
            }
            var text = ""
            if let close = bytes[cursor...].firstIndex(of: UInt8(ascii: "<")), !selfClosing {
                text = string(cursor..<close)
            }
            elements.append(Element(name: name, attributes: attributes, text: text))
            index = cursor
            if selfClosing { continue }
            if mode == .html, ["meta", "input"].contains(name) { continue }
            if mode == .html, ["script", "style"].contains(name) {
                let closing = Array("</\(name)>".utf8)
                var end = index
                while end + closing.count <= bytes.count, Array(bytes[end..<(end + closing.count)]) != closing { end += 1 }
                guard end + closing.count <= bytes.count else { throw fail("unterminated <\(name)>") }
                index = end + closing.count
                continue
            }
            stack.append(name)
        }
        guard stack.isEmpty else { throw Malformed(description: "unclosed elements \(stack)") }
        guard roots == 1 else { throw Malformed(description: "\(roots) root elements") }
        return elements
    }
}
