import ArgumentParser
import Audio
import Foundation
import Recognizer

/// Writes lines to standard error (diagnostics, progress), never mixed into results.
enum StandardError {
    static func write(_ line: String) {
        FileHandle.standardError.write(Data((line.hasSuffix("\n") ? line : line + "\n").utf8))
    }
}

/// Buffered writes to standard output, flushed in large blocks.
struct OutputBuffer: ~Copyable {
    private var bytes: [UInt8] = []
    private let handle: FileHandle

    init(handle: FileHandle = .standardOutput) {
        self.handle = handle
        bytes.reserveCapacity(1 << 16)
    }

    mutating func write(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        if bytes.count >= 1 << 16 { flush() }
    }

    mutating func write(bytes more: [UInt8]) {
        bytes.append(contentsOf: more)
        if bytes.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !bytes.isEmpty else { return }
        handle.write(Data(bytes))
        bytes.removeAll(keepingCapacity: true)
    }

    deinit { if !bytes.isEmpty { handle.write(Data(bytes)) } }
}

/// Files a command writes its results to: their folder is checked before the work that fills
/// them, so that a long run cannot end with nowhere to put its results; the write is atomic.
enum OutputFile {
    /// Refuses, as a usage error (exit 2), a path that is a folder or whose folder does not exist
    /// (unless it is `created`, a folder the command itself makes before it writes there).
    static func check(_ path: String, created: String? = nil) throws {
        let folder = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            StandardError.write("listen: cannot write \(path): it is a folder")
            throw ExitCode.usage
        }
        let standardized = { (folder: String) in URL(fileURLWithPath: folder.isEmpty ? "." : folder).standardizedFileURL.path }
        if let created, standardized(folder) == standardized(created) { return }
        guard FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            StandardError.write("listen: cannot write \(path): no folder \(folder)")
            throw ExitCode.usage
        }
    }

    /// Writes `text` (a String's UTF-8, or bytes) to `path` atomically; a failure is one line naming the path (exit 1).
    static func write(_ text: some Sequence<UInt8>, to path: String) throws {
        do {
            try Data(text).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            StandardError.write("listen: cannot write \(path): \(inputErrorReason(error))")
            throw ExitCode.inputFailed
        }
    }
}
