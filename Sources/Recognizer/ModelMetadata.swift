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

    /// Creates metadata; every field may be left empty.
    public init(name: String = "", created: String = "", trainingCommand: String = "", dataRecipe: String = "",
                trainingSeconds: Double = 0, metrics: [String: Double] = [:], trainingConfiguration: TrainingConfiguration? = nil) {
        self.name = name
        self.created = created
        self.trainingCommand = trainingCommand
        self.dataRecipe = dataRecipe
        self.trainingSeconds = trainingSeconds
        self.metrics = metrics
        self.trainingConfiguration = trainingConfiguration
    }
}
