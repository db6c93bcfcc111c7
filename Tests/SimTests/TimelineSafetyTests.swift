import Testing
@testable import Sim

@Suite("timeline: escaping, no external references, well-formed output")
struct TimelineSafetyTests {
    typealias Scanner = TimelineMarkupScanner

    @Test func escapeCoversMarkupQuotesAndCharactersXMLForbids() {
        #expect(TimelineEscape.markup("<a href='x'>&\"\u{0}\u{1}\t") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\u{FFFD}\u{FFFD}\t")
        #expect(TimelineEscape.identifier("be fore\"<x>") == "be-fore--x-")
    }

    @Test func hostileTextStaysTextInHTML() throws {
        let html = TimelineHTML.render([TimelineFixtures.hostile])
        let elements = try Scanner.scan(html, mode: .html)
        try expectNothingInjected(elements, html: html)
        #expect(html.components("<script").count == 2, "exactly one script element: ours")
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(TimelineFixtures.markers(elements).count == 2)
    }

    @Test func hostileTextStaysTextInSVG() throws {
        let svg = TimelineSVG.render(TimelineFixtures.hostile)
        let elements = try Scanner.scan(svg, mode: .xml)
        try expectNothingInjected(elements, html: svg)
        #expect(!svg.contains("<script"))
        #expect(TimelineFixtures.markers(elements).count == 2)
    }

    private func expectNothingInjected(_ elements: [Scanner.Element], html: String) throws {
        let names = Set(elements.map(\.name))
        #expect(names.isSubset(of: TimelineFixtures.allowedElements), "\(names.subtracting(TimelineFixtures.allowedElements))")
        for element in elements {
            #expect(!element.attributes.keys.contains { $0.hasPrefix("on") }, "\(element.name) \(element.attributes)")
            if let href = element.attributes["href"] {
                #expect(href.hasPrefix("#") && href.dropFirst().allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }, "\(href)")
            }
        }
        #expect(!html.unicodeScalars.contains { $0.value == 1 || $0.value == 0xFFFF })
    }

    /// Nothing the browser could fetch: no scheme, no protocol-relative `//`, no `src`, links and `url()`s
    /// only to fragments of the same file, and the CSP first in `<head>`.
    @Test func htmlReferencesNothingOutsideItself() throws {
        let before = try #require(TimelineFixtures.before.timeline), after = try #require(TimelineFixtures.after.timeline)
        for (html, real) in [(TimelineHTML.render([before]), true), (TimelineHTML.render([before, after]), true),
                             (TimelineHTML.render([TimelineFixtures.hostile]), false)] {
            let elements = try Scanner.scan(html, mode: .html)
            // Hostile text may spell "src=" as escaped text; attributes are what a browser fetches from.
            if real { expectNoExternalReference(html) }
            expectNoFetchingAttribute(elements)
            let head = try #require(elements.firstIndex { $0.name == "head" })
            #expect(elements[head + 1].name == "meta")
            #expect(elements[head + 1].attributes["http-equiv"] == "Content-Security-Policy")
            #expect(elements[head + 1].attributes["content"] == TimelineEscape.markup(TimelineHTML.contentSecurityPolicy))
            #expect(TimelineHTML.contentSecurityPolicy == "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:")
        }
    }

    @Test func svgReferencesNothingButItsNamespaceName() throws {
        let timeline = try #require(TimelineFixtures.before.timeline)
        for (svg, real) in [(TimelineSVG.render(timeline), true), (TimelineSVG.render(TimelineFixtures.hostile), false)] {
            let namespace = "xmlns=\"http://www.w3.org/2000/svg\""
            #expect(svg.components(namespace).count == 2)
            if real { expectNoExternalReference(svg.replacingFirst(namespace, with: "")) }
            expectNoFetchingAttribute(try Scanner.scan(svg, mode: .xml))
        }
    }

    private func expectNoExternalReference(_ text: String) {
        for needle in ["http:", "https:", "//", "src=", "@import", "<link", "<iframe", "<object", "<embed", "<image", "<use"] {
            #expect(!text.contains(needle), "found \(needle)")
        }
        let urls = text.components("url(").dropFirst()
        #expect(urls.allSatisfy { $0.hasPrefix("#") })
        #expect(text.components("href=\"").dropFirst().allSatisfy { $0.hasPrefix("#") })
    }

    private func expectNoFetchingAttribute(_ elements: [Scanner.Element]) {
        for element in elements {
            for (name, value) in element.attributes {
                #expect(!["src", "srcset", "xlink:href", "action", "formaction", "poster", "background"].contains(name))
                if name == "href" { #expect(value.hasPrefix("#")) }
                if name == "xmlns" { #expect(element.name == "svg" && value == "http://www.w3.org/2000/svg") }
                #expect(value.components("url(").dropFirst().allSatisfy { $0.hasPrefix("#") }, "\(name)=\(value)")
                #expect(!value.contains("//") || name == "xmlns", "\(element.name) \(name)=\(value)")
            }
        }
    }

    @Test func theScannerRejectsMalformedMarkup() {
        for broken in ["<svg><g></svg>", "<svg a=1/>", "<svg>&</svg>", "<svg>&foo;</svg>", "<svg/><svg/>",
                       "<svg x=\"<\"/>", "<svg><g>", "<svg a=\"1\" a=\"2\"/>", "<svg>a > b</svg>"] {
            #expect(throws: Scanner.Malformed.self, "\(broken)") { try Scanner.scan(broken, mode: .xml) }
        }
        #expect(throws: Scanner.Malformed.self) { try Scanner.scan("<html><meta><p></html>", mode: .html) }
        #expect((try? Scanner.scan("<html><meta><script>a<b</script><p>x &amp; y</p></html>", mode: .html)) != nil)
    }
}

extension String {
    /// Pieces between occurrences of `separator` (no Foundation in these tests).
    func components(_ separator: String) -> [Substring] {
        var pieces: [Substring] = []
        var rest = self[...]
        while let range = rest.firstRange(of: separator) {
            pieces.append(rest[..<range.lowerBound])
            rest = rest[range.upperBound...]
        }
        pieces.append(rest)
        return pieces
    }

    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        return String(self[..<range.lowerBound]) + replacement + String(self[range.upperBound...])
    }
}
