import Foundation

/// Readers for the labelled-data layouts training and evaluation accept.
public enum LabelledData {
    /// The audio extensions read from folders.
    public static let audioExtensions: Set<String> = ["wav", "flac", "ogg", "oga", "mp3", "aiff", "aif", "au", "caf"]

    /// Speech Commands layout: `<folder>/<word>/*.wav`, the folder name being the transcript
    /// (`_` stands for a space). `_unknown_` is non-vocabulary speech; `none`, `_silence_`
    /// and `_background_noise_` are silence. Files directly inside `folder` named
    /// `<label>_<rest>` (the Free Spoken Digit layout) take the label before the first `_`;
    /// a digit becomes its word (`3_jackson_0.wav` is "three").
    /// - Throws: when `folder` cannot be listed.
    public static func folder(_ folder: String) throws -> [LabelledClip] {
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

    /// How a manifest's rows are divided between training and measuring.
    public struct ManifestSplit: Sendable, Hashable {
        /// The share of speakers, in percent, whose rows are held out (manifests with a
        /// `speaker` column; a row without a speaker goes by its file name).
        public var heldOutSpeakers: Int
        /// Texts and file names (with or without extension) whose rows are left out entirely.
        public var excluded: Set<String>

        /// A split holding out `heldOutSpeakers` percent of the speakers and leaving out `excluded`.
        public init(heldOutSpeakers: Int = 10, excluded: Set<String> = []) {
            self.heldOutSpeakers = heldOutSpeakers
            self.excluded = excluded
        }

        /// The default: 10 % of the speakers held out, nothing excluded.
        public static let standard = ManifestSplit()
    }

    /// A manifest of labelled clips: tab-separated with a header naming at least `path` and
    /// `text`; paths are relative to the manifest's folder. A synthesis manifest
    /// (`scripts/synthesize.py`) has a `split` column whose `heldout` rows are returned apart.
    /// A real-speech manifest (real-train's) has `speaker` and `source` columns: the rows of
    /// `split.heldOutSpeakers` percent of the speakers, chosen by a hash of the speaker
    /// (``speakerBucket(_:)``; rows without one by their file name), are returned apart.
    /// Rows whose text or file name is in `split.excluded` are in neither part.
    /// - Throws: when the file cannot be read or lacks the columns.
    public static func manifest(_ file: String, split: ManifestSplit = .standard) throws -> (train: [LabelledClip], heldout: [LabelledClip]) {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        guard !lines.isEmpty else { throw RecognizerError.invalidManifest(file, reason: "empty manifest") }
        let header = lines.removeFirst()
        guard let pathColumn = header.firstIndex(of: "path"), let textColumn = header.firstIndex(of: "text") else {
            throw RecognizerError.invalidManifest(file, reason: "the header needs 'path' and 'text' columns")
        }
        let splitColumn = header.firstIndex(of: "split"), speakerColumn = header.firstIndex(of: "speaker")
        let sourceColumn = header.firstIndex(of: "source")
        let base = (file as NSString).deletingLastPathComponent
        var train: [LabelledClip] = [], heldout: [LabelledClip] = []
        for (number, fields) in lines.enumerated() {
            guard fields.count > max(pathColumn, textColumn) else {
                throw RecognizerError.invalidManifest(file, reason: "line \(number + 2) has \(fields.count) fields")
            }
            func field(_ column: Int?) -> String? { column.flatMap { fields.count > $0 ? fields[$0] : nil } }
            let path = fields[pathColumn].hasPrefix("/") ? fields[pathColumn] : base + "/" + fields[pathColumn]
            let words = fields[textColumn].lowercased()
            let name = (fields[pathColumn] as NSString).lastPathComponent
            let lowercaseName = name.lowercased()
            if split.excluded.contains(words) || split.excluded.contains(lowercaseName)
                || split.excluded.contains((lowercaseName as NSString).deletingPathExtension) {
                continue
            }
            var clip = LabelledClip(path: path, label: words.isEmpty ? .silence : .words(words))
            clip.source = field(sourceColumn).flatMap { $0.isEmpty ? nil : $0 } ?? (sourceColumn == nil ? "synthetic" : "real")
            let heldOut: Bool
            if speakerColumn != nil {
                let speaker = field(speakerColumn) ?? ""
                heldOut = speakerBucket(speaker.isEmpty ? name : speaker) < split.heldOutSpeakers
            } else {
                heldOut = field(splitColumn) == "heldout"
            }
            if heldOut { heldout.append(clip) } else { train.append(clip) }
        }
        return (train, heldout)
    }

    /// The clips of one path: a manifest's (`.tsv`) held-out rows, or all its rows when none
    /// are held out; else a folder's clips (``folder(_:)``).
    /// - Throws: when the folder cannot be listed or the manifest read.
    public static func clips(at path: String, split: ManifestSplit = .standard) throws -> [LabelledClip] {
        guard path.hasSuffix(".tsv") else { return try folder(path) }
        let (train, heldout) = try manifest(path, split: split)
        return heldout.isEmpty ? train : heldout
    }

    /// The bucket, 0–99, of a speaker (or of a file name when a row has no speaker): FNV-1a
    /// over the UTF-8 bytes, modulo 100. The same on every machine, so a speaker is held out
    /// by training, evaluation and every later run alike.
    public static func speakerBucket(_ speaker: String) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in speaker.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int(hash % 100)
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
