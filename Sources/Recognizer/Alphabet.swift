/// The output classes of a CTC model: class 0 is the blank, class i (1…) is `characters[i-1]`.
public struct Alphabet: Sendable, Codable, Hashable {
    /// The characters of classes 1…, in order.
    public let characters: [Character]
    private let indices: [Character: Int]

    /// Letters a–z, apostrophe and space: 29 classes with the blank.
    public static let english = Alphabet(" 'abcdefghijklmnopqrstuvwxyz")

    /// An alphabet of the given characters (each once).
    public init(_ characters: String) {
        self.characters = Array(characters)
        var indices: [Character: Int] = [:]
        for (index, character) in self.characters.enumerated() { indices[character] = index + 1 }
        self.indices = indices
    }

    /// The CTC blank's class.
    public static let blank = 0

    /// Blank plus characters.
    public var classCount: Int { characters.count + 1 }

    /// The class of the space character, if the alphabet has one.
    public var space: Int? { indices[" "] }

    /// The class of a character, or nil if the alphabet lacks it.
    public func index(of character: Character) -> Int? { indices[character] }

    /// Checks that every character of a vocabulary entry has a class.
    /// - Throws: ``RecognizerError/invalidVocabulary(_:)`` naming the entry and the character.
    public func checkSpellable(_ entry: String) throws {
        if let missing = entry.first(where: { index(of: $0) == nil }) {
            throw RecognizerError.invalidVocabulary("'\(entry)' contains '\(missing)', which the model cannot spell")
        }
    }

    /// The character of a class (not the blank).
    public func character(_ index: Int) -> Character { characters[index - 1] }

    /// Classes of `text`, lower-cased, with characters outside the alphabet dropped and runs
    /// of spaces collapsed.
    public func encode(_ text: String) -> [Int] {
        var labels: [Int] = []
        for character in text.lowercased() {
            guard let index = indices[character] else { continue }
            if index == space && (labels.isEmpty || labels.last == space) { continue }
            labels.append(index)
        }
        if labels.last == space && space != nil { labels.removeLast() }
        return labels
    }

    /// Text of a label sequence (no blanks expected).
    public func decode(_ labels: [Int]) -> String {
        String(labels.filter { $0 != Alphabet.blank }.map(character))
    }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(characters))
    }

    public static func == (a: Alphabet, b: Alphabet) -> Bool { a.characters == b.characters }
    public func hash(into hasher: inout Hasher) { hasher.combine(characters) }
}
