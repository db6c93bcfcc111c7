/// Scaling steps, faults and group rounds: the things that happened to the whole group, drawn as marks in
/// their lanes and as vertical lines across the partition lanes so a violation can be read against them.
extension TimelineChart {
    func scalingLane(_ markup: inout TimelineMarkup) {
        markup.open("g", [("class", "scaling"), ("data-lane", "scaling")])
        let y = layout.scalingY
        for step in timeline.scaling {
            let x = scale.x(step.time)
            markup.open("g", [("class", "scale-step"), ("data-time-ms", "\(step.time)")])
            markup.element("title", text: "\(TimelineFormat.time(step.time)) \(step.label)\(suffix(step.detail))")
            markup.empty("path", [("d", "M\(TimelineFormat.tenths(x)) \(y + 4)v14")])
            markup.element("text", [("x", TimelineFormat.tenths(x + 30)), ("y", "\(y + 15)")], text: step.label)
            markup.close("g")
        }
        markup.close("g")
    }

    func faultsLane(_ markup: inout TimelineMarkup) {
        markup.open("g", [("class", "faults"), ("data-lane", "faults")])
        var rows = TimelineLabelRows(count: 3)
        for (index, fault) in timeline.faults.enumerated() {
            let x = scale.x(fault.time)
            let y = layout.faultsY + 4 + rows.row(at: x, text: fault.label) * 12
            markup.open("g", [("class", "fault"), ("id", id("fault-\(index)")), ("data-fault", fault.label),
                              ("data-time-ms", "\(fault.time)")])
            markup.element("title", text: "\(TimelineFormat.time(fault.time)) fault \(fault.label)\(suffix(fault.detail))")
            markup.empty("path", [("d", "M\(TimelineFormat.tenths(x)) \(y + 9)l-4-8h8z")])
            markup.element("text", [("x", TimelineFormat.tenths(x + 50)), ("y", "\(y + 9)")], text: fault.label)
            markup.close("g")
        }
        markup.close("g")
    }

    func faultLines(_ markup: inout TimelineMarkup) {
        markup.open("g", [("class", "fault-lines")])
        for fault in timeline.faults {
            let x = TimelineFormat.tenths(scale.x(fault.time))
            markup.empty("line", [("x1", x), ("x2", x), ("y1", "\(layout.faultsY + 12)"),
                                  ("y2", "\(layout.lanesBottom)")])
        }
        markup.close("g")
    }

    /// A dashed line per completed round across the partition lanes, labelled with its generation; the title
    /// lists the assignment the round produced.
    func generationLines(_ markup: inout TimelineMarkup) {
        markup.open("g", [("class", "generations"), ("data-lane", "generations")])
        var rows = TimelineLabelRows(count: 2)
        for round in timeline.rounds {
            let x = scale.x(round.time)
            let row = rows.row(at: x, text: "g\(round.generation)")
            let owners = round.owners.map { owner in
                "\(owner.pod) (member m\(owner.member)): \(owner.partitions.isEmpty ? "nothing" : owner.partitions.map { "p\($0)" }.joined(separator: ","))"
            }
            markup.open("g", [("class", "generation"), ("data-generation", "\(round.generation)"),
                              ("data-time-ms", "\(round.time)")])
            markup.element("title", text: "generation \(round.generation) at \(TimelineFormat.time(round.time)): "
                + (owners.isEmpty ? "no members" : owners.joined(separator: "; ")))
            markup.empty("line", [("x1", TimelineFormat.tenths(x)), ("x2", TimelineFormat.tenths(x)),
                                  ("y1", "\(layout.generationY + 4)"), ("y2", "\(layout.lanesBottom)")])
            markup.element("text", [("x", TimelineFormat.tenths(x + 20)),
                                    ("y", "\(layout.generationY + 12 + row * 11)")],
                           text: "g\(round.generation)")
            markup.close("g")
        }
        markup.close("g")
    }

    func suffix(_ detail: String) -> String { detail.isEmpty ? "" : ": \(detail)" }
}
