/// Pod lanes (alive, frozen, how each process ended) and partition lanes (owner per round, owners that were
/// frozen or dead while still members, commit ticks).
extension TimelineChart {
    func podLanes(_ markup: inout TimelineMarkup) {
        let members = memberIDsByPod()
        for (index, pod) in timeline.pods.enumerated() {
            let y = layout.podsY + index * Layout.podHeight
            let end = pod.ended ?? timeline.duration
            markup.open("g", [("class", "pod"), ("data-lane", "pod"), ("data-pod", pod.name)])
            let ids = members[pod.name] ?? []
            let ending = pod.ended.map { " to \(TimelineFormat.time($0)) (\(pod.endReason))" } ?? ", alive at the end"
            markup.open("rect", [("class", "pod-bar"), ("fill", TimelinePalette.pod(index)),
                                 ("x", TimelineFormat.tenths(scale.x(pod.started))), ("y", "\(y + 3)"),
                                 ("width", TimelineFormat.tenths(max(2, scale.x(end) - scale.x(pod.started)))),
                                 ("height", "\(Layout.podHeight - 6)")])
            markup.element("title", text: "\(pod.name): alive from \(TimelineFormat.time(pod.started))\(ending)"
                + (ids.isEmpty ? "; never a group member" : "; member ids " + ids.map { "m\($0)" }.joined(separator: ", ")))
            markup.close("rect")
            for freeze in timeline.freezes where freeze.pod == pod.name {
                markup.open("rect", [("class", "pod-frozen"), ("fill", "url(#\(id("hatch-frozen")))"),
                                     ("x", TimelineFormat.tenths(scale.x(freeze.from))), ("y", "\(y + 1)"),
                                     ("width", TimelineFormat.tenths(max(2, scale.x(freeze.until) - scale.x(freeze.from)))),
                                     ("height", "\(Layout.podHeight - 2)")])
                markup.element("title", text: "\(pod.name) frozen (stop-the-world pause) from \(TimelineFormat.time(freeze.from)) to \(TimelineFormat.time(freeze.until))")
                markup.close("rect")
            }
            if let ended = pod.ended {
                let x = TimelineFormat.tenths(scale.x(ended))
                let killed = pod.endReason.hasPrefix("killed")
                markup.open("path", [("class", killed ? "pod-killed" : "pod-exited"),
                                     ("d", killed ? "M\(x) \(y + 3)m-4 0l8 10m0-10l-8 10" : "M\(x) \(y + 1)v14")])
                markup.element("title", text: "\(pod.name) \(pod.endReason) at \(TimelineFormat.time(ended))")
                markup.close("path")
            }
            markup.close("g")
        }
    }

    func partitionLanes(_ markup: inout TimelineMarkup) {
        let segments = TimelineOwnership.segments(of: timeline)
        var commits = Array(repeating: [Timeline.Commit](), count: segments.count)
        for commit in timeline.commits where Layout.isPartition(commit.partition, of: timeline) {
            commits[Int(commit.partition)].append(commit)
        }
        for (partition, lane) in segments.enumerated() {
            let y = layout.partitionY(Int32(partition))
            let laneCommits = commits[partition]
            let rejected = laneCommits.filter { !$0.accepted }.count
            markup.open("g", [("class", "partition"), ("data-lane", "partition"), ("data-partition", "\(partition)"),
                              ("data-commits", "\(laneCommits.count)"), ("data-rejected-commits", "\(rejected)")])
            for segment in lane { ownership(segment, y: y, &markup) }
            for commit in laneCommits { tick(commit, y: y, &markup) }
            markup.close("g")
        }
    }

    private func ownership(_ segment: TimelineOwnership, y: Int, _ markup: inout TimelineMarkup) {
        let from = scale.x(segment.from)
        let width = max(2, scale.x(segment.until) - from)
        let colour = podIndex[segment.pod].map(TimelinePalette.pod) ?? "#eeeeee"
        markup.open("rect", [("class", "own"), ("fill", colour), ("x", TimelineFormat.tenths(from)), ("y", "\(y + 3)"),
                             ("width", TimelineFormat.tenths(width)), ("height", "12"),
                             ("data-pod", segment.pod), ("data-generation", "\(segment.generation)")])
        markup.element("title", text: "p\(segment.partition) owned by \(segment.pod) (member m\(segment.member), generation \(segment.generation)) from \(TimelineFormat.time(segment.from)) to \(TimelineFormat.time(segment.until))")
        markup.close("rect")
        // The longest label that fits: pod, member and generation; else pod and generation.
        let labels = ["\(segment.pod) m\(segment.member) g\(segment.generation)", "\(segment.pod) g\(segment.generation)"]
        if let label = labels.first(where: { width >= Int64($0.count * 55 + 40) }) {
            markup.element("text", [("class", "own-label"), ("x", TimelineFormat.tenths(from + 20)), ("y", "\(y + 12)")],
                           text: label)
        }
        for (start, end, what, pattern) in ownerTrouble(segment) {
            markup.open("rect", [("class", "own-trouble"), ("fill", "url(#\(id(pattern)))"),
                                 ("x", TimelineFormat.tenths(scale.x(start))), ("y", "\(y + 3)"),
                                 ("width", TimelineFormat.tenths(max(2, scale.x(end) - scale.x(start)))), ("height", "12")])
            markup.element("title", text: "p\(segment.partition): owner \(segment.pod) \(what) from \(TimelineFormat.time(start)) to \(TimelineFormat.time(end)) while still member m\(segment.member) of generation \(segment.generation)")
            markup.close("rect")
        }
    }

    /// Intervals of a segment in which its owner could not be working: frozen, or already dead (the
    /// coordinator keeps a member until its session times out).
    private func ownerTrouble(_ segment: TimelineOwnership) -> [(Int64, Int64, String, String)] {
        var trouble: [(Int64, Int64, String, String)] = []
        for freeze in timeline.freezes where freeze.pod == segment.pod {
            let start = max(freeze.from, segment.from), end = min(freeze.until, segment.until)
            if start < end { trouble.append((start, end, "frozen", "hatch-frozen")) }
        }
        if let index = podIndex[segment.pod], let ended = timeline.pods[index].ended, ended < segment.until {
            trouble.append((max(ended, segment.from), segment.until, timeline.pods[index].endReason, "hatch-dead"))
        }
        return trouble
    }

    private func tick(_ commit: Timeline.Commit, y: Int, _ markup: inout TimelineMarkup) {
        let x = TimelineFormat.tenths(scale.x(commit.time))
        markup.open("path", commit.accepted ? [("class", "commit-ok"), ("d", "M\(x) \(y + 17)v7")]
                                            : [("class", "commit-rejected"), ("d", "M\(x) \(y + 15)v10")])
        markup.element("title", text: "\(TimelineFormat.time(commit.time)) p\(commit.partition) commit offset \(commit.offset) by \(commit.pod) (m\(commit.member), g\(commit.generation)): \(commit.accepted ? "accepted" : "rejected")")
        markup.close("path")
    }

    /// Member ids each pod had over the run, in order of first appearance.
    private func memberIDsByPod() -> [String: [Int32]] {
        var ids: [String: [Int32]] = [:]
        for round in timeline.rounds {
            for owner in round.owners where !(ids[owner.pod]?.contains(owner.member) ?? false) {
                ids[owner.pod, default: []].append(owner.member)
            }
        }
        return ids
    }
}
