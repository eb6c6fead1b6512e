/// The figures of an evaluation in a form to store and compare: what `listen eval --summary`
/// writes (snake_case keys; a rate is null where there were no clips).
public struct EvaluationSummary: Sendable, Codable, Hashable {
    /// Non-speech or non-vocabulary clips and those that produced an accepted word.
    public struct FalseAccepts: Sendable, Codable, Hashable {
        public var clips: Int
        public var accepted: Int
        /// `accepted / clips`, nil without clips.
        public var rate: Double? { clips > 0 ? Double(accepted) / Double(clips) : nil }

        public init(clips: Int, accepted: Int) {
            self.clips = clips
            self.accepted = accepted
        }
    }

    /// False accepts on other speech and on noise.
    public struct FalseAcceptTally: Sendable, Codable, Hashable {
        public var nonVocabulary: FalseAccepts
        public var noise: FalseAccepts

        public init(nonVocabulary: FalseAccepts, noise: FalseAccepts) {
            self.nonVocabulary = nonVocabulary
            self.noise = noise
        }
    }

    /// One command word's clips and those recognised exactly.
    public struct Word: Sendable, Codable, Hashable {
        public var clips: Int
        public var correct: Int
        /// `correct / clips`, nil without clips.
        public var accuracy: Double? { clips > 0 ? Double(correct) / Double(clips) : nil }

        public init(clips: Int, correct: Int) {
            self.clips = clips
            self.correct = correct
        }
    }

    /// One source's figures (a manifest's `source` column).
    public struct Source: Sendable, Codable, Hashable {
        public var commandClips: Int
        public var correct: Int
        public var falseAccepts: FalseAcceptTally
        /// `correct / commandClips`, nil without command clips.
        public var accuracy: Double? { commandClips > 0 ? Double(correct) / Double(commandClips) : nil }

        public init(commandClips: Int, correct: Int, falseAccepts: FalseAcceptTally) {
            self.commandClips = commandClips
            self.correct = correct
            self.falseAccepts = falseAccepts
        }
    }

    /// The confusion matrix: truth rows, recognised columns, clips per cell.
    public struct Confusion: Sendable, Codable, Hashable {
        public var rows: [String]
        public var columns: [String]
        public var counts: [[Int]]
    }

    /// The folders or manifests measured.
    public var inputs: [String]
    /// The model's name.
    public var model: String
    /// The vocabulary the clips were decoded with.
    public var vocabulary: [String]
    /// Clips whose words are all in the vocabulary, and those recognised exactly.
    public var commandClips: Int
    public var correct: Int
    public var falseAccepts: FalseAcceptTally
    /// Clips with only some of their words in the vocabulary; clips that could not be read.
    public var unscored: Int
    public var failed: Int
    /// How long the measurement took.
    public var seconds: Double
    public var perWord: [String: Word]
    public var perSource: [String: Source]
    public var confusion: Confusion

    /// `correct / commandClips`, nil without command clips.
    public var accuracy: Double? { commandClips > 0 ? Double(correct) / Double(commandClips) : nil }
}

// The rates are written next to their counts, null where there is nothing to divide by, and
// recomputed from the counts on reading.
extension EvaluationSummary {
    private enum CodingKeys: String, CodingKey {
        case inputs, model, vocabulary, commandClips = "command_clips", correct, accuracy, falseAccepts = "false_accepts",
             unscored, failed, seconds, perWord = "per_word", perSource = "per_source", confusion
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inputs = try c.decode([String].self, forKey: .inputs)
        model = try c.decode(String.self, forKey: .model)
        vocabulary = try c.decode([String].self, forKey: .vocabulary)
        commandClips = try c.decode(Int.self, forKey: .commandClips)
        correct = try c.decode(Int.self, forKey: .correct)
        falseAccepts = try c.decode(FalseAcceptTally.self, forKey: .falseAccepts)
        unscored = try c.decode(Int.self, forKey: .unscored)
        failed = try c.decode(Int.self, forKey: .failed)
        seconds = try c.decode(Double.self, forKey: .seconds)
        perWord = try c.decode([String: Word].self, forKey: .perWord)
        perSource = try c.decode([String: Source].self, forKey: .perSource)
        confusion = try c.decode(Confusion.self, forKey: .confusion)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(model, forKey: .model)
        try c.encode(vocabulary, forKey: .vocabulary)
        try c.encode(commandClips, forKey: .commandClips)
        try c.encode(correct, forKey: .correct)
        try c.encode(accuracy, forKey: .accuracy)
        try c.encode(falseAccepts, forKey: .falseAccepts)
        try c.encode(unscored, forKey: .unscored)
        try c.encode(failed, forKey: .failed)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(perWord, forKey: .perWord)
        try c.encode(perSource, forKey: .perSource)
        try c.encode(confusion, forKey: .confusion)
    }
}

extension EvaluationSummary.FalseAccepts {
    private enum CodingKeys: String, CodingKey { case clips, accepted, rate }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(clips: try c.decode(Int.self, forKey: .clips), accepted: try c.decode(Int.self, forKey: .accepted))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clips, forKey: .clips)
        try c.encode(accepted, forKey: .accepted)
        try c.encode(rate, forKey: .rate)
    }
}

extension EvaluationSummary.FalseAcceptTally {
    private enum CodingKeys: String, CodingKey { case nonVocabulary = "non_vocabulary", noise }
}

extension EvaluationSummary.Word {
    private enum CodingKeys: String, CodingKey { case clips, correct, accuracy }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(clips: try c.decode(Int.self, forKey: .clips), correct: try c.decode(Int.self, forKey: .correct))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clips, forKey: .clips)
        try c.encode(correct, forKey: .correct)
        try c.encode(accuracy, forKey: .accuracy)
    }
}

extension EvaluationSummary.Source {
    private enum CodingKeys: String, CodingKey { case commandClips = "command_clips", correct, accuracy, falseAccepts = "false_accepts" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(commandClips: try c.decode(Int.self, forKey: .commandClips), correct: try c.decode(Int.self, forKey: .correct),
                  falseAccepts: try c.decode(EvaluationSummary.FalseAcceptTally.self, forKey: .falseAccepts))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(commandClips, forKey: .commandClips)
        try c.encode(correct, forKey: .correct)
        try c.encode(accuracy, forKey: .accuracy)
        try c.encode(falseAccepts, forKey: .falseAccepts)
    }
}
