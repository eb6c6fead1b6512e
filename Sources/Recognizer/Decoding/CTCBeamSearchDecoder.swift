import Features
import Foundation

/// CTC prefix beam search (Hannun et al. 2014): keeps the `beamWidth` most likely label
/// prefixes, summing over all alignments of each (blank-ending and label-ending mass kept
/// apart so repeated letters need a blank between them).
public struct CTCBeamSearchDecoder: Sendable {
    /// How many prefixes survive each frame.
    public let beamWidth: Int
    /// Classes whose log-probability at a frame is below this are not tried as extensions.
    public let pruneThreshold: Float

    /// Creates a decoder.
    /// - Parameters:
    ///   - beamWidth: prefixes kept per frame (1 reproduces greedy decoding).
    ///   - pruneThreshold: skip extensions less likely than this log-probability.
    public init(beamWidth: Int = 8, pruneThreshold: Float = -12) {
        precondition(beamWidth >= 1, "beam width must be at least 1")
        self.beamWidth = beamWidth
        self.pruneThreshold = pruneThreshold
    }

    /// A prefix in the search: its trie node and its two probability masses (log).
    private struct Beam {
        var node: Int
        var blank: Float
        var label: Float
        var total: Float { logAdd(blank, label) }
    }

    /// One trie node: a prefix is the chain of labels from the root.
    private struct Node {
        var parent: Int
        var label: Int
        var frame: Int
    }

    /// Decodes log-probabilities `[T, classes]`.
    /// - Returns: the most likely prefix, with the frame where each label was first emitted.
    public func decode(_ logProbabilities: Matrix) -> CTCPath {
        var nodes = [Node(parent: -1, label: Alphabet.blank, frame: -1)]
        var children: [Int: [Int: Int]] = [:]
        var beams = [Beam(node: 0, blank: 0, label: -.infinity)]
        let classes = logProbabilities.columns
        for t in 0..<logProbabilities.rows {
            var next: [Int: Beam] = [:]
            func add(_ node: Int, blank: Float = -.infinity, label: Float = -.infinity) {
                var beam = next[node] ?? Beam(node: node, blank: -.infinity, label: -.infinity)
                beam.blank = logAdd(beam.blank, blank)
                beam.label = logAdd(beam.label, label)
                next[node] = beam
            }
            func child(of parent: Int, label: Int) -> Int {
                if let existing = children[parent]?[label] { return existing }
                nodes.append(Node(parent: parent, label: label, frame: t))
                children[parent, default: [:]][label] = nodes.count - 1
                return nodes.count - 1
            }
            let blankProbability = logProbabilities[t, Alphabet.blank]
            for beam in beams {
                let last = nodes[beam.node].label
                // Stay on the prefix: a blank, or the last label repeated without a blank.
                add(beam.node, blank: beam.total + blankProbability)
                if beam.node != 0 { add(beam.node, label: beam.label + logProbabilities[t, last]) }
                for c in 1..<classes {
                    let p = logProbabilities[t, c]
                    guard p >= pruneThreshold || c == last else { continue }
                    let extended = child(of: beam.node, label: c)
                    // A repeated label only extends the prefix after a blank.
                    add(extended, label: (c == last && beam.node != 0 ? beam.blank : beam.total) + p)
                }
            }
            beams = next.values.sorted { $0.total > $1.total || ($0.total == $1.total && $0.node < $1.node) }
            if beams.count > beamWidth { beams.removeLast(beams.count - beamWidth) }
        }
        let best = beams.first ?? Beam(node: 0, blank: 0, label: -.infinity)
        var labels: [Int] = [], frames: [Int] = []
        var node = best.node
        while node != 0 {
            labels.append(nodes[node].label)
            frames.append(nodes[node].frame)
            node = nodes[node].parent
        }
        return CTCPath(labels: labels.reversed(), frames: frames.reversed(), score: best.total)
    }
}

/// log(e^a + e^b) without overflow.
@inline(__always)
func logAdd(_ a: Float, _ b: Float) -> Float {
    if a == -.infinity { return b }
    if b == -.infinity { return a }
    return max(a, b) + log1p(exp(-abs(a - b)))
}
