/// Failures of the feature front end.
public enum FeatureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A ``FeatureConfiguration`` that cannot describe a front end; the text says which field.
    case invalidConfiguration(String)
    /// FFTW could not make a plan for the transform size.
    case planFailed(fftSize: Int)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): "invalid feature configuration: \(reason)"
        case .planFailed(let size): "FFTW could not plan a real FFT of size \(size)"
        }
    }
}
