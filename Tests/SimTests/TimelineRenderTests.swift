import Core
import Testing
@testable import Sim

@Suite("timeline: one marker per violation, lanes, both modes")
struct TimelineRenderTests {
    typealias Scanner = TimelineMarkupScanner

    @Test func theFixtureFailsWithViolationsOnPartitionsAndOff() throws {
        let timeline = try #require(TimelineFixtures.before.timeline)
        #expect(timeline.violations.count == TimelineFixtures.before.violations.count)
        #expect(timeline.violations.count >= 100)
        #expect(timeline.violations.contains { $0.partition == nil })
        #expect(timeline.violations.contains { $0.partition != nil })
        #expect(!timeline.commits.isEmpty && !timeline.rounds.isEmpty && !timeline.faults.isEmpty)
    }

    @Test func htmlHasOneMarkerPerViolationWithItsAttributesAndExplanation() throws {
        let timeline = try #require(TimelineFixtures.before.timeline)
        let elements = try Scanner.scan(TimelineHTML.render([timeline]), mode: .html)
        try expectMarkers(elements, for: timeline)
        let links = elements.filter { $0.name == "a" && $0.attributes["data-marker"] != nil }
        let ids = TimelineFixtures.markers(elements).compactMap { $0.attributes["id"] }
        #expect(links.map { $0.attributes["href"] ?? "" } == ids.map { "#" + $0 })
        #expect(Set(ids).count == timeline.violations.count)
    }

    @Test func svgHasOneMarkerPerViolation() throws {
        let timeline = try #require(TimelineFixtures.before.timeline)
        let elements = try Scanner.scan(TimelineSVG.render(timeline), mode: .xml)
        try expectMarkers(elements, for: timeline)
        #expect(!elements.contains { $0.name == "script" })
    }

    /// Each marker's kind, cause, partition and time, in order, and its title: the headline and explanation.
    private func expectMarkers(_ elements: [Scanner.Element], for timeline: Timeline) throws {
        let markers = TimelineFixtures.markers(elements)
        try #require(markers.count == timeline.violations.count)
        for (marker, violation) in zip(markers, timeline.violations) {
            #expect(marker.attributes["data-violation-kind"] == TimelineEscape.markup(violation.kind))
            #expect(marker.attributes["data-cause"] == TimelineEscape.markup(violation.cause))
            #expect(marker.attributes["data-partition"] == (violation.partition.map { "\($0)" } ?? "none"))
            #expect(marker.attributes["data-time-ms"] == "\(violation.time)")
        }
        let titles = elements.indices.filter { elements[$0].attributes["data-violation-kind"] != nil }.map { elements[$0 + 1] }
        for (title, violation) in zip(titles, timeline.violations) {
            #expect(title.name == "title")
            #expect(title.text == TimelineEscape.markup(TimelineChart.headline(violation) + "\n" + violation.explanation))
        }
    }

    @Test func markersSitOnTheLaneAndAtTheTimeOfTheirViolation() throws {
        let timeline = try #require(TimelineFixtures.before.timeline)
        let chart = TimelineChart(timeline: timeline, scale: TimelineScale(end: timeline.duration), idPrefix: "", titled: true)
        let elements = try Scanner.scan(chart.svg(standalone: true, title: "t"), mode: .xml)
        let paths = elements.indices.filter { elements[$0].attributes["data-violation-kind"] != nil }.map { elements[$0 + 2] }
        try #require(paths.count == timeline.violations.count)
        for (path, violation) in zip(paths, timeline.violations) {
            let start = try #require(path.attributes["d"]).dropFirst().split(separator: "l")[0].split(separator: " ")
            #expect(String(start[0]) == TimelineFormat.tenths(chart.scale.x(violation.time)))
            let laneTop = violation.partition.map { chart.layout.partitionY($0) } ?? chart.layout.otherY ?? -1
            let top = try #require(Int(start[1]))
            #expect((laneTop..<(laneTop + TimelineChart.Layout.partitionHeight)).contains(top), "\(violation.kind) at \(top), lane \(laneTop)")
        }
    }

    @Test func everyPartitionAndEveryPodHasALane() throws {
        let timeline = try #require(TimelineFixtures.before.timeline)
        for elements in [try Scanner.scan(TimelineHTML.render([timeline]), mode: .html),
                         try Scanner.scan(TimelineSVG.render(timeline), mode: .xml)] {
            let partitions = elements.filter { $0.attributes["data-lane"] == "partition" }.map { $0.attributes["data-partition"] ?? "" }
            #expect(partitions == (0..<timeline.partitions).map { "\($0)" })
            let pods = elements.filter { $0.attributes["data-lane"] == "pod" }.map { $0.attributes["data-pod"] ?? "" }
            #expect(pods == timeline.pods.map(\.name))
            #expect(elements.filter { $0.attributes["class"] == "generation" }.count == timeline.rounds.count)
            #expect(elements.filter { $0.attributes["class"] == "fault" }.count == timeline.faults.count)
            let ticks = elements.filter { $0.attributes["class"] == "commit-ok" || $0.attributes["class"] == "commit-rejected" }
            #expect(ticks.count == timeline.commits.count)
        }
    }

    @Test func bothModesInOnePageKeepMarkersAndIdsApartOnOneTimeScale() throws {
        let before = try #require(TimelineFixtures.before.timeline), after = try #require(TimelineFixtures.after.timeline)
        let elements = try Scanner.scan(TimelineHTML.render([before, after]), mode: .html)
        #expect(TimelineFixtures.markers(elements).count == before.violations.count + after.violations.count)
        #expect(elements.filter { $0.name == "section" }.map { $0.attributes["data-mode"] } == ["before", "after"])
        let ids = elements.compactMap { $0.attributes["id"] }
        #expect(Set(ids).count == ids.count)
        let widths = elements.filter { $0.name == "svg" }.map { $0.attributes["width"] }
        #expect(widths.count == 2 && widths[0] == widths[1])
    }

    @Test func aCleanRunSaysSo() throws {
        let after = try #require(TimelineFixtures.after.timeline)
        #expect(after.violations.isEmpty)
        let html = TimelineHTML.render([after])
        #expect(TimelineFixtures.markers(try Scanner.scan(html, mode: .html)).isEmpty)
        #expect(html.contains("Every invariant held."))
    }

    @Test func theSameRunRendersTheSameBytes() throws {
        let again = Simulation.run(TimelineFixtures.scenario, mode: .before, options: RunOptions(explain: true, timeline: true))
        let first = try #require(TimelineFixtures.before.timeline), second = try #require(again.timeline)
        #expect(TimelineHTML.render([first]) == TimelineHTML.render([second]))
        #expect(TimelineSVG.render(first) == TimelineSVG.render(second))
    }

    @Test func aFailingRunStaysWellUnderAFewMegabytes() throws {
        let timeline = try #require(TimelineFixtures.before.timeline)
        #expect(TimelineHTML.render([timeline]).utf8.count < 2_000_000)
        #expect(TimelineSVG.render(timeline).utf8.count < 1_000_000)
    }

    @Test func anEmptyTimelineStillRenders() throws {
        let empty = Timeline(seed: 0, mode: "after", partitions: 0, duration: 0, pods: [], freezes: [], rounds: [],
                             commits: [], faults: [], scaling: [], violations: [])
        _ = try Scanner.scan(TimelineSVG.render(empty), mode: .xml)
        _ = try Scanner.scan(TimelineHTML.render([empty]), mode: .html)
        _ = try Scanner.scan(TimelineHTML.render([]), mode: .html)
    }
}
