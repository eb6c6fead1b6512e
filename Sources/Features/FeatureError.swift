/// Failures of the feature front end.
public enum FeatureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A ``FeatureConfiguration`` that cannot describe a front end; the text says which field.
    case invalidConfiguration(String)
    /// A stored front end that needs a feature this version no longer has (frame stacking, a
    /// dynamic range floor, PCEN: none of them ever shipped); the text names it.
    case retired(String)
    /// FFTW could not make a plan for the transform size.
    case planFailed(fftSize: Int)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): "invalid feature configuration: \(reason)"
        case .retired(let feature): "the model's front end needs \(feature), which this version of listen no longer has; retrain the model"
        case .planFailed(let size): "FFTW could not plan a real FFT of size \(size)"
        }
    }
}
