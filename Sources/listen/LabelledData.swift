import Foundation

/// A clip with what it should be recognised as, for training and evaluation.
struct LabelledClip: Sendable, Hashable {
    enum Label: Sendable, Hashable {
        /// A transcript (a command word or phrase, or any other spellable text).
        case words(String)
        /// Speech that is none of the command words (`_unknown_`): its text is not known.
        case unknown
        /// No speech at all (`_silence_`, `none`, `_background_noise_`).
        case silence
    }

    var path: String
    var label: Label

    /// The transcript to train on; nil when the clip has none (`unknown`).
    var transcript: String? {
        switch label {
        case .words(let text): text
        case .silence: ""
        case .unknown: nil
        }
    }
}

/// Readers for the labelled-data layouts `listen train` and `listen eval` accept.
enum LabelledData {
    /// The audio extensions read from folders.
    static let audioExtensions: Set<String> = ["wav", "flac", "ogg", "oga", "aiff", "aif", "au", "caf"]

    /// Speech Commands layout: `<folder>/<word>/*.wav`, the folder name being the transcript
    /// (`_` stands for a space). `_unknown_` is non-vocabulary speech; `none`, `_silence_`
    /// and `_background_noise_` are silence. Files directly inside `folder` named
    /// `<label>_<rest>` (the Free Spoken Digit layout) take the label before the first `_`;
    /// a digit becomes its word (`3_jackson_0.wav` is "three").
    /// - Throws: when `folder` cannot be listed.
    static func folder(_ folder: String) throws -> [LabelledClip] {
        let manager = FileManager.default
        var clips: [LabelledClip] = []
        for entry in try manager.contentsOfDirectory(atPath: folder).sorted() where !entry.hasPrefix(".") {
            let path = folder + "/" + entry
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue {
                let label = label(forFolder: entry)
                for file in try manager.contentsOfDirectory(atPath: path).sorted() where isAudio(file) {
                    clips.append(LabelledClip(path: path + "/" + file, label: label))
                }
            } else if isAudio(entry), let prefix = entry.split(separator: "_").first, entry.contains("_") {
                clips.append(LabelledClip(path: path, label: label(forFolder: String(prefix))))
            }
        }
        return clips
    }

    /// A synthesis manifest (`scripts/synthesize.py`): tab-separated with a header naming at
    /// least `path` and `text`, optionally `split`; paths are relative to the manifest's
    /// folder. Rows whose split is `heldout` are returned apart.
    /// - Throws: when the file cannot be read or lacks the columns.
    static func manifest(_ file: String) throws -> (train: [LabelledClip], heldout: [LabelledClip]) {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        guard !lines.isEmpty else { throw ManifestError(file: file, reason: "empty manifest") }
        let header = lines.removeFirst()
        guard let pathColumn = header.firstIndex(of: "path"), let textColumn = header.firstIndex(of: "text") else {
            throw ManifestError(file: file, reason: "the header needs 'path' and 'text' columns")
        }
        let splitColumn = header.firstIndex(of: "split")
        let base = (file as NSString).deletingLastPathComponent
        var train: [LabelledClip] = [], heldout: [LabelledClip] = []
        for (number, fields) in lines.enumerated() {
            guard fields.count > max(pathColumn, textColumn) else {
                throw ManifestError(file: file, reason: "line \(number + 2) has \(fields.count) fields")
            }
            let path = fields[pathColumn].hasPrefix("/") ? fields[pathColumn] : base + "/" + fields[pathColumn]
            let words = fields[textColumn].lowercased()
            let clip = LabelledClip(path: path, label: words.isEmpty ? .silence : .words(words))
            if let splitColumn, fields.count > splitColumn, fields[splitColumn] == "heldout" {
                heldout.append(clip)
            } else {
                train.append(clip)
            }
        }
        return (train, heldout)
    }

    private static let digitWords = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

    private static func label(forFolder name: String) -> LabelledClip.Label {
        switch name.lowercased() {
        case "_unknown_", "unknown": .unknown
        case "none", "_silence_", "silence", "_background_noise_": .silence
        case let word where word.count == 1 && word.first!.isWholeNumber: .words(digitWords[Int(word)!])
        case let word: .words(word.replacingOccurrences(of: "_", with: " "))
        }
    }

    private static func isAudio(_ name: String) -> Bool {
        audioExtensions.contains((name as NSString).pathExtension.lowercased())
    }
}

/// A manifest that cannot be used.
struct ManifestError: Error, CustomStringConvertible {
    var file: String
    var reason: String
    var description: String { "\(file): \(reason)" }
}
