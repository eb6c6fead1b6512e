/// A clip with what it should be recognised as, for training and evaluation.
public struct LabelledClip: Sendable, Hashable {
    /// What a clip holds.
    public enum Label: Sendable, Hashable {
        /// A transcript (a command word or phrase, or any other spellable text).
        case words(String)
        /// Speech that is none of the command words (`_unknown_`): its text is not known.
        case unknown
        /// No speech at all (`_silence_`, `none`, `_background_noise_`).
        case silence
    }

    /// The audio file.
    public var path: String
    /// What it should be recognised as.
    public var label: Label
    /// Where the clip comes from: a manifest's `source` column, `synthetic` for a manifest
    /// without one, `real` for a folder. Training weights and evaluation reports go by it.
    public var source: String

    /// A clip of `path`, heard as `label`, from `source`.
    public init(path: String, label: Label, source: String = "real") {
        self.path = path
        self.label = label
        self.source = source
    }

    /// The transcript to train on; nil when the clip has none (`unknown`).
    public var transcript: String? {
        switch label {
        case .words(let text): text
        case .silence: ""
        case .unknown: nil
        }
    }
}
