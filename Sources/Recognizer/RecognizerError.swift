/// Failures of decoding setup and of reading labelled data.
public enum RecognizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A vocabulary that cannot be used; the text says why.
    case invalidVocabulary(String)
    /// A manifest of labelled clips that cannot be used: the file and why.
    case invalidManifest(String, reason: String)

    public var description: String {
        switch self {
        case .invalidVocabulary(let reason): "invalid vocabulary: \(reason)"
        case .invalidManifest(let file, let reason): "\(file): \(reason)"
        }
    }
}
