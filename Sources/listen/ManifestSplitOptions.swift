import ArgumentParser
import Recognizer

/// The options that divide a real-speech manifest into training and held-out rows, shared by
/// `listen train` and `listen eval` so that both see the same held-out speakers.
struct ManifestSplitOptions: ParsableArguments {
    @Option(name: .customLong("heldout-speakers"),
            help: ArgumentHelp("The percent of a real-speech manifest's speakers (chosen by a hash of the speaker column; by the file name where it is empty) whose clips are never trained on and are what 'listen eval' of the manifest measures.",
                               valueName: "percent"))
    var heldOutSpeakers = LabelledData.ManifestSplit.standard.heldOutSpeakers

    @Option(name: .customLong("exclude"),
            help: ArgumentHelp("Leave out a manifest's rows whose text (\"smart mirror\") or file name (doing_the_dishes, with or without extension) is this: neither trained on nor measured. Repeatable.",
                               valueName: "text-or-file"))
    var excluded: [String] = []

    func validate() throws {
        if !(0...100).contains(heldOutSpeakers) { throw ValidationError("--heldout-speakers must be a percent between 0 and 100") }
    }

    /// The split the options describe.
    var split: LabelledData.ManifestSplit {
        LabelledData.ManifestSplit(heldOutSpeakers: heldOutSpeakers, excluded: Set(excluded.map { $0.lowercased() }))
    }
}
