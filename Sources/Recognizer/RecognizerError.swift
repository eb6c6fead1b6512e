/// Failures of decoding setup, of reading labelled data and of training.
public enum RecognizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A vocabulary that cannot be used; the text says why.
    case invalidVocabulary(String)
    /// A manifest of labelled clips that cannot be used: the file and why.
    case invalidManifest(String, reason: String)
    /// A ``TrainingConfiguration`` field out of range: the field and what it must be.
    case invalidTraining(field: String, reason: String)
    /// A training run that cannot go on; the text says why.
    case trainingFailed(String)
    /// A hooks file that cannot be used: the file and what is wrong.
    case invalidHooks(String)

    public var description: String {
        switch self {
        case .invalidVocabulary(let reason): "invalid vocabulary: \(reason)"
        case .invalidManifest(let file, let reason): "\(file): \(reason)"
        case .invalidTraining(let field, let reason): "\(field) \(reason)"
        case .trainingFailed(let reason): reason
        case .invalidHooks(let reason): reason
        }
    }
}
