import Foundation

/// Writes whole lines to standard output from any thread, one line at a time.
final class LineWriter: @unchecked Sendable {
    // Safe: writes hold `lock`.
    private let lock = NSLock()
    private let handle: FileHandle

    init(handle: FileHandle = .standardOutput) { self.handle = handle }

    func write(_ line: String) {
        lock.withLock { handle.write(Data((line + "\n").utf8)) }
    }
}
