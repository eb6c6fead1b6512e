/// Where each utterance of a minibatch sits in a packed `[Σ lengths, width]` matrix (one
/// after another, no padding), and the longest-first order in which the recurrence steps
/// through all of them together.
struct PackedLayout {
    /// Frames of each utterance.
    let lengths: [Int]
    /// The first row of each utterance.
    let offsets: [Int]
    /// Rows in all.
    let total: Int
    /// Utterance indices, longest first (ties in input order).
    let order: [Int]
    /// For each step s, how many utterances have more than s frames: the first that many of
    /// ``order`` take part in step s.
    let activeCounts: [Int]

    /// The layout of utterances with these frame counts.
    init(lengths: [Int]) {
        self.lengths = lengths
        var offsets: [Int] = [], total = 0
        for length in lengths {
            offsets.append(total)
            total += length
        }
        self.offsets = offsets
        self.total = total
        order = lengths.indices.sorted { lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 < $1 }
        let longest = lengths.max() ?? 0
        activeCounts = (0..<longest).map { step in lengths.count(where: { $0 > step }) }
    }

    /// The longest utterance's frame count: the steps of the recurrence.
    var steps: Int { activeCounts.count }

    /// The packed row of frame `t` of utterance `index`.
    @inline(__always)
    func row(_ index: Int, frame t: Int) -> Int { offsets[index] + t }

    /// The rows of utterance `index`.
    func rows(_ index: Int) -> Range<Int> { offsets[index]..<(offsets[index] + lengths[index]) }

    /// The frame that step `step` reads for utterance `index`: `step`, or counted from the end when `reverse`.
    @inline(__always)
    func frame(_ index: Int, step: Int, reverse: Bool) -> Int { reverse ? lengths[index] - 1 - step : step }
}
