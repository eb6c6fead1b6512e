import Foundation

/// Where a model came from and how well it did, stored in the model file's header.
public struct ModelMetadata: Sendable, Codable, Hashable {
    /// A short name ("listen-default-2x128").
    public var name: String
    /// When it was made, ISO 8601.
    public var created: String
    /// The exact command that trained it.
    public var trainingCommand: String
    /// The data recipe, in words.
    public var dataRecipe: String
    /// Wall-clock training time, in seconds.
    public var trainingSeconds: Double
    /// Measured figures, by name ("accuracy.speech-commands-dev": 0.87).
    public var metrics: [String: Double]
    /// The configuration it was trained with (nil in models made before it was stored, or
    /// imported).
    public var trainingConfiguration: TrainingConfiguration?
    /// In a personal model (``Enrollment``): its base, takes and calibration (nil otherwise).
    public var personalization: Personalization?

    /// Creates metadata; every field may be left empty.
    public init(name: String = "", created: String = "", trainingCommand: String = "", dataRecipe: String = "",
                trainingSeconds: Double = 0, metrics: [String: Double] = [:], trainingConfiguration: TrainingConfiguration? = nil,
                personalization: Personalization? = nil) {
        self.name = name
        self.created = created
        self.trainingCommand = trainingCommand
        self.dataRecipe = dataRecipe
        self.trainingSeconds = trainingSeconds
        self.metrics = metrics
        self.trainingConfiguration = trainingConfiguration
        self.personalization = personalization
    }
}

/// What a personal model was made from (``Enrollment``) and how it was calibrated (``Calibration``).
public struct Personalization: Sendable, Codable, Hashable {
    /// The base model's name and the CRC-32 of its weights (8 hex digits, ``checksum(of:)``).
    public var baseName: String
    public var baseChecksum: String
    /// Takes per word or phrase.
    public var takes: [String: Int]
    /// When it was enrolled (ISO 8601) and how long that took, in seconds.
    public var created: String
    public var seconds: Double
    /// The enrolment's settings.
    public var settings: Enrollment.Settings
    /// The folder the takes were read from or saved to (nil if not known).
    public var takesFolder: String?
    /// After `listen calibrate`: the lowest confidence accepted per word (words not listed keep
    /// the decoder's threshold), and how they were set.
    public var thresholds: [String: Double]?
    public var calibration: Calibration.Summary?

    /// A record of an enrolment.
    public init(baseName: String, baseChecksum: String, takes: [String: Int], created: String, seconds: Double,
                settings: Enrollment.Settings, takesFolder: String? = nil, thresholds: [String: Double]? = nil, calibration: Calibration.Summary? = nil) {
        self.baseName = baseName
        self.baseChecksum = baseChecksum
        self.takes = takes
        self.created = created
        self.seconds = seconds
        self.settings = settings
        self.takesFolder = takesFolder
        self.thresholds = thresholds
        self.calibration = calibration
    }

    /// The CRC-32 of `model`'s weights as 32-bit floats in ``AcousticModel/tensors`` order, 8 hex
    /// digits: the same for the model however its file stores them.
    public static func checksum(of model: AcousticModel) -> String {
        var bytes: [UInt8] = []
        for tensor in model.tensors {
            for value in tensor { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        }
        return String(format: "%08x", bytes.withUnsafeBytes(CRC32.checksum))
    }
}
