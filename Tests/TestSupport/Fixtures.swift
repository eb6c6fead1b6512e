import Features
import Foundation

/// Paths to the shared material beside the checkout and helpers to read its text fixtures.
public enum Fixtures {
    /// The package root (the folder holding Package.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the checkout, or `$LISTEN_SHARED`.
    public static let shared: URL = {
        if let path = ProcessInfo.processInfo.environment["LISTEN_SHARED"] { return URL(fileURLWithPath: path) }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }()

    /// A path inside the shared folder.
    public static func path(_ relative: String) -> String { shared.appendingPathComponent(relative).path }

    /// Whether a shared file or folder exists (tests that need it are skipped otherwise).
    public static func has(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    /// A path inside the checkout's own fixtures, `Tests/Fixtures`.
    public static func own(_ relative: String) -> String {
        packageRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relative).path
    }

    /// Reads a whitespace-separated text matrix inside the shared folder; `#` lines are comments.
    public static func matrix(_ relative: String) throws -> Matrix {
        try matrix(atPath: path(relative))
    }

    /// Reads a whitespace-separated text matrix; `#` lines are comments.
    public static func matrix(atPath path: String) throws -> Matrix {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var rows = 0, columns = 0, values = [Float]()
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let row = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map { Float(Double($0)!) }
            if row.isEmpty { continue }
            columns = row.count
            values += row
            rows += 1
        }
        return Matrix(rows: rows, columns: columns, values: values)
    }

    /// `max|a − b| / max|ref|`, the project's comparison of float arrays.
    public static func relativeError<A: Collection, B: Collection>(_ actual: A, _ reference: B) -> Float
    where A.Element == Float, B.Element == Float {
        precondition(actual.count == reference.count, "sizes differ: \(actual.count) vs \(reference.count)")
        let scale = reference.map(abs).max() ?? 0
        let difference = zip(actual, reference).map { abs($0 - $1) }.max() ?? 0
        return scale == 0 ? difference : difference / scale
    }

    /// The parent of this test process's scratch folders, removed when the process exits.
    private static let scratchRoot: URL = {
        atexit { try? FileManager.default.removeItem(at: Fixtures.scratchRoot) }
        return FileManager.default.temporaryDirectory.appendingPathComponent("listen-tests-\(getpid())")
    }()

    /// A fresh scratch folder; all of them go when the test process exits.
    public static func scratchFolder() throws -> URL {
        let url = scratchRoot.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension Fixtures {
    /// A small training corpus in the Speech Commands layout, in a new scratch folder: three
    /// clips each of `left`, `right`, `stop`, `two` and `none` (noise), linked from
    /// `one-speaker-train`.
    public static func smallCorpus() throws -> String {
        let folder = try scratchFolder().appendingPathComponent("corpus").path
        for word in ["left", "right", "stop", "two", "none"] {
            let source = path("data/one-speaker-train/\(word)")
            try FileManager.default.createDirectory(atPath: folder + "/" + word, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: source).filter({ $0.hasSuffix(".wav") }).sorted().prefix(3) {
                try FileManager.default.createSymbolicLink(atPath: "\(folder)/\(word)/\(name)", withDestinationPath: "\(source)/\(name)")
            }
        }
        return folder
    }

    /// A real-speech manifest of the example clips (`Examples/*.wav`) with speaker and source
    /// columns, in a new scratch folder: ivan (bucket 9) and trent (0) are held out at 10 %,
    /// alice (83) and bob (92) are not; one row has no speaker; `up.wav` is labelled "jarvis".
    public static func realSpeechManifest() throws -> String {
        let folder = try scratchFolder().path
        let examples = packageRoot.appendingPathComponent("Examples").path
        let rows = [("yes.wav", "yes", "ivan", "one"), ("no.wav", "no", "trent", "one"), ("stop.wav", "stop", "alice", "two"),
                    ("go.wav", "go", "bob", "two"), ("left.wav", "left", "", "two"), ("up.wav", "jarvis", "ivan", "two")]
        var text = "path\ttext\tspeaker\tsource\tlicence\tseconds\n"
        for (file, words, speaker, source) in rows { text += "\(examples)/\(file)\t\(words)\t\(speaker)\t\(source)\tCC0\t1.0\n" }
        try text.write(toFile: folder + "/manifest.tsv", atomically: true, encoding: .utf8)
        return folder + "/manifest.tsv"
    }

    /// openWakeWord's speech embedding as text tensors, written once per test process into a
    /// scratch folder by `scripts/convert-speech-embedding.py`; nil when the script cannot run
    /// (it needs pyopen-wakeword and tflite: `./scripts/install-python-packages`).
    public static let speechEmbeddingFolder: String? = {
        guard let folder = try? scratchFolder().path else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", packageRoot.appendingPathComponent("scripts/convert-speech-embedding.py").path, "--out", folder]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        return process.terminationStatus == 0 ? folder : nil
    }()
}
