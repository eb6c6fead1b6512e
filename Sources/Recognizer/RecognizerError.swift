/// Failures of decoding setup.
public enum RecognizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A vocabulary that cannot be used; the text says why.
    case invalidVocabulary(String)

    public var description: String {
        switch self {
        case .invalidVocabulary(let reason): "invalid vocabulary: \(reason)"
        }
    }
}
