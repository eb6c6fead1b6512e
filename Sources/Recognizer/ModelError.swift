/// Why a model could not be built, read or written.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Sizes that cannot describe a model; the text names the field.
    case invalidArchitecture(String)
    /// The file could not be opened, read or written; `reason` is the system's.
    case unreadable(String, reason: String)
    /// The file does not start with the model magic.
    case notAModel(String)
    /// A format version this build does not read.
    case unsupportedVersion(String, version: Int, supported: ClosedRange<Int>)
    /// The header, the tensor table or the sizes disagree with each other or with the file.
    case corrupt(String, reason: String)
    /// The stored checksum does not match the contents.
    case checksumMismatch(String)

    public var description: String {
        switch self {
        case .invalidArchitecture(let reason): "invalid model architecture: \(reason)"
        case .unreadable(let path, let reason): "model file '\(path)': \(reason)"
        case .notAModel(let path): "model file '\(path)' is not a listen model (wrong magic bytes)"
        case .unsupportedVersion(let path, let version, let supported):
            "model file '\(path)' is version \(version); this build reads versions \(supported.lowerBound)-\(supported.upperBound)"
        case .corrupt(let path, let reason): "model file '\(path)' is corrupt: \(reason)"
        case .checksumMismatch(let path): "model file '\(path)' is corrupt: checksum mismatch"
        }
    }
}
