import Features

/// Audio to the frames a model reads: its ``FeatureExtractor``, and for a speech-embedding
/// model (``FeatureConfiguration/Kind/speechEmbedding``) the frozen embedding network over the
/// extractor's mel frames, then the configured normalisation. Not thread-safe: one per thread.
public final class FrontEnd {
    /// The front end's configuration.
    public let configuration: FeatureConfiguration
    /// The extractor of the base frames.
    public let extractor: FeatureExtractor
    private let embedding: SpeechEmbeddingRunner?

    /// The front end of `model`.
    /// - Throws: ``FeatureError`` for an invalid configuration; ``ModelError`` if a
    ///   speech-embedding model carries no embedding.
    public convenience init(model: AcousticModel) throws {
        try self.init(configuration: model.features, speechEmbedding: model.speechEmbedding)
    }

    /// A front end from its parts.
    /// - Parameters:
    ///   - configuration: the features.
    ///   - speechEmbedding: the network, needed when `configuration.kind` is `.speechEmbedding`.
    /// - Throws: ``FeatureError`` for an invalid configuration; ``ModelError`` without a needed embedding.
    public init(configuration: FeatureConfiguration, speechEmbedding: SpeechEmbedding?) throws {
        self.configuration = configuration
        extractor = try FeatureExtractor(configuration: configuration)
        if configuration.kind == .speechEmbedding {
            guard let speechEmbedding else {
                throw ModelError.invalidArchitecture("speech-embedding features need the embedding network's weights")
            }
            embedding = SpeechEmbeddingRunner(embedding: speechEmbedding)
        } else {
            embedding = nil
        }
    }

    /// The frames of an utterance: `[frames, configuration.dimension]`.
    /// - Parameter samples: 16 kHz mono samples in [-1, 1].
    public func extract(_ samples: [Float]) -> Matrix {
        postprocess(extractor.baseFrames(samples))
    }

    /// The base frames (mel frames under a speech embedding), edge padding included.
    public func baseFrames(_ samples: [Float]) -> Matrix {
        extractor.baseFrames(samples)
    }

    /// Base frames to the model's frames: ``FeatureExtractor/postprocess(_:)``, or the embedding
    /// network then the normalisation.
    /// - Parameter base: `[frames, configuration.baseDimension]`.
    /// - Returns: `[frames', configuration.dimension]`.
    public func postprocess(_ base: Matrix) -> Matrix {
        guard let embedding else { return extractor.postprocess(base) }
        var frames = embedding.embed(base, step: configuration.embeddingStep)
        FeatureExtractor.normalize(&frames, configuration.normalization)
        return frames
    }
}
