import Foundation

/// Runs closures when keywords are recognised: per-keyword confidence threshold and cooldown.
///
/// ```swift
/// let spotter = KeywordSpotter()
/// spotter.on("lights on", threshold: 0.6, cooldown: 2) { detection in
///     print("heard", detection.keyword, detection.confidence)
/// }
/// spotter.process(recognizer.transcribe(samples: samples), offset: 0)
/// ```
///
/// A keyword may be a phrase: it matches one recognised entry with that text, or consecutive
/// words that spell it (confidence: the lowest of theirs). Handlers run synchronously on the
/// caller's thread and should hand long work elsewhere. Thread-safe.
public final class KeywordSpotter: @unchecked Sendable {
    // Safe: `rules` and `lastFired` are only touched under `lock`; handlers run outside it.

    /// One recognised keyword.
    public struct Detection: Sendable, Hashable, Codable {
        /// The registered keyword (lower-case, single spaces).
        public var keyword: String
        /// The accepted text of the whole utterance or file.
        public var text: String
        /// Confidence in [0, 1].
        public var confidence: Double
        /// Start and end in seconds on the caller's clock (the transcript's times plus `offset`).
        public var start: Double
        public var end: Double
    }

    /// A registered keyword.
    public struct Rule: Sendable {
        public var keyword: String
        /// Detections below this confidence are ignored.
        public var threshold: Double
        /// Seconds after a detection during which the keyword does not fire again.
        public var cooldown: Double
    }

    private let lock = NSLock()
    private var rules: [(rule: Rule, handler: @Sendable (Detection) -> Void)] = []
    private var lastFired: [String: Double] = [:]

    /// An empty spotter.
    public init() {}

    /// Registers a handler for a keyword or phrase.
    public func on(_ keyword: String, threshold: Double = 0.5, cooldown: Double = 1,
                   _ handler: @escaping @Sendable (Detection) -> Void) {
        let normalized = keyword.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        lock.withLock { rules.append((Rule(keyword: normalized, threshold: threshold, cooldown: cooldown), handler)) }
    }

    /// The keywords registered so far.
    public var keywords: [Rule] { lock.withLock { rules.map(\.rule) } }

    /// Looks for every registered keyword in a transcript and runs the handlers of those that
    /// pass their threshold and cooldown.
    /// - Parameters:
    ///   - transcript: what was recognised.
    ///   - offset: seconds to add to the transcript's times (the utterance's place in a stream).
    /// - Returns: the detections that fired, in time order.
    @discardableResult
    public func process(_ transcript: Transcript, offset: Double = 0) -> [Detection] {
        let accepted = transcript.words.filter { !$0.isUnknown }
        var fired: [(Detection, @Sendable (Detection) -> Void)] = []
        lock.withLock {
            for (rule, handler) in rules {
                let parts = rule.keyword.split(separator: " ").map(String.init)
                for match in Self.matches(of: parts, in: accepted) where match.confidence >= rule.threshold {
                    let start = match.start + offset
                    if let last = lastFired[rule.keyword], start - last < rule.cooldown { continue }
                    lastFired[rule.keyword] = start
                    fired.append((Detection(keyword: rule.keyword, text: transcript.text, confidence: match.confidence,
                                            start: start, end: match.end + offset), handler))
                }
            }
        }
        fired.sort { $0.0.start < $1.0.start }
        for (detection, handler) in fired { handler(detection) }
        return fired.map(\.0)
    }

    /// Runs of `words` whose texts, split on spaces, equal `parts`.
    private static func matches(of parts: [String], in words: [RecognizedWord]) -> [(start: Double, end: Double, confidence: Double)] {
        var found: [(Double, Double, Double)] = []
        var index = 0
        while index < words.count {
            var spelled: [String] = [], last = index
            while last < words.count && spelled.count < parts.count {
                spelled += words[last].word.split(separator: " ").map(String.init)
                last += 1
            }
            if spelled == parts {
                let run = words[index..<last]
                found.append((run.first!.start, run.last!.end, run.map(\.confidence).min()!))
                index = last
            } else {
                index += 1
            }
        }
        return found
    }
}
