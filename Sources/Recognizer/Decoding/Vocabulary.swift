import Foundation

/// Command words and phrases to restrict decoding to ("yes", "go left").
public struct Vocabulary: Sendable, Hashable, Codable {
    /// Entries, lower-cased, single spaces, in the order given, without duplicates.
    public let entries: [String]

    /// The 35 words of Speech Commands v0.02: the default vocabulary of the shipped model.
    public static let speechCommands = try! Vocabulary(
        ("yes no up down left right on off stop go zero one two three four five six seven eight nine "
         + "bed bird cat dog happy house marvin sheila tree wow backward forward follow learn visual").split(separator: " ").map(String.init))

    /// A vocabulary of words and phrases.
    /// - Throws: ``RecognizerError/invalidVocabulary(_:)`` if it is empty.
    public init(_ entries: [String]) throws {
        var seen = Set<String>(), cleaned: [String] = []
        for entry in entries {
            let words = Self.normalize(entry)
            if !words.isEmpty && seen.insert(words).inserted { cleaned.append(words) }
        }
        guard !cleaned.isEmpty else { throw RecognizerError.invalidVocabulary("the vocabulary has no words") }
        self.entries = cleaned
    }

    /// An entry as the vocabulary keeps it: lower-cased, single spaces, none at either end.
    public static func normalize(_ entry: String) -> String {
        entry.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Parses the command-line form: comma-separated entries, or `@file` with one entry per
    /// line (or comma-separated), `#` starting a comment.
    /// - Throws: ``RecognizerError/invalidVocabulary(_:)`` for an unreadable file or no words.
    public init(argument: String) throws {
        var text = argument
        if argument.hasPrefix("@") {
            let path = String(argument.dropFirst())
            guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw RecognizerError.invalidVocabulary("cannot read vocabulary file '\(path)'")
            }
            text = contents.split(separator: "\n").map { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
                .joined(separator: ",")
        }
        try self.init(text.split(whereSeparator: { $0 == "," || $0 == "\n" }).map(String.init))
    }
}
