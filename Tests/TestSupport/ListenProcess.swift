import Foundation

/// Runs the built `listen` executable, as users and scripts do, and captures what it prints.
public struct ListenProcess {
    /// What a run printed and how it ended.
    public struct Result: Sendable {
        public var status: Int32
        public var standardOutput: Data
        public var standardError: String
        /// Standard output as UTF-8 text.
        public var output: String { String(decoding: standardOutput, as: UTF8.self) }
    }

    /// The `listen` binary beside the test bundle (`.build/<config>/listen`).
    public static let executable: URL = {
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 where !FileManager.default.fileExists(atPath: folder.appendingPathComponent("listen").path) {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("listen")
    }()

    /// Runs `listen` with `arguments`, feeding `input` on standard input.
    /// - Parameters:
    ///   - arguments: the command line after `listen`.
    ///   - input: bytes for standard input (closed at once when empty).
    ///   - prefix: a program that runs `listen` (for example `setpriv` to drop privileges).
    ///   - environment: extra variables.
    public static func run(_ arguments: [String], input: Data = Data(), prefix: [String] = [],
                           environment: [String: String] = [:]) throws -> Result {
        try run(program: prefix.first.map { URL(fileURLWithPath: $0) } ?? executable,
                Array(prefix.dropFirst()) + (prefix.isEmpty ? [] : [executable.path]) + arguments,
                input: input, environment: environment)
    }

    /// Runs any program (a script of the repository, a tool) the same way: `arguments` after
    /// the program, `input` on standard input, `environment` added to this process's.
    public static func run(program: URL, _ arguments: [String], input: Data = Data(),
                           environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errorReader = DataReader(stderr.fileHandleForReading)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, standardOutput: output,
                      standardError: String(decoding: errorReader.finish(), as: UTF8.self))
    }
}

/// A `listen` process (or another program of the package) left running (mic mode), to be
/// signalled and then collected.
public final class RunningListen {
    private let process = Process()
    private let output: DataReader
    private let errors: DataReader

    /// Starts `listen` (or `program`) with `arguments` and extra environment variables.
    public init(_ arguments: [String], environment: [String: String] = [:], program: URL = ListenProcess.executable) throws {
        process.executableURL = program
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe(), stderr = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        output = DataReader(stdout.fileHandleForReading)
        errors = DataReader(stderr.fileHandleForReading)
    }

    /// Waits until standard error holds `text` `count` times (a log line such as "recording
    /// from"), so a test acts when the process is ready rather than after a guessed delay.
    /// - Returns: false if it did not within `timeout` seconds.
    public func waitForStandardError(_ text: String, count: Int = 1, timeout: Double = 20) -> Bool {
        wait(for: text, in: errors, count: count, timeout: timeout)
    }

    /// Like ``waitForStandardError(_:count:timeout:)``, on standard output.
    public func waitForStandardOutput(_ text: String, count: Int = 1, timeout: Double = 20) -> Bool {
        wait(for: text, in: output, count: count, timeout: timeout)
    }

    private func wait(for text: String, in reader: DataReader, count: Int, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if String(decoding: reader.received, as: UTF8.self).components(separatedBy: text).count > count { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// Waits for the process to end by itself (SIGKILL after `timeout` seconds) and returns what it printed.
    public func wait(timeout: Double) -> ListenProcess.Result {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return ListenProcess.Result(status: process.terminationStatus, standardOutput: output.finish(),
                                    standardError: String(decoding: errors.finish(), as: UTF8.self))
    }

    /// Sends a signal (SIGINT like Ctrl-C, or SIGTERM), waits for the exit and returns what it printed.
    public func stop(signal: Int32 = SIGINT) -> ListenProcess.Result {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return ListenProcess.Result(status: process.terminationStatus, standardOutput: output.finish(),
                                    standardError: String(decoding: errors.finish(), as: UTF8.self))
    }
}

/// Drains a pipe on its own thread so a chatty child never blocks on a full pipe.
final class DataReader: @unchecked Sendable {
    // Safe: `data` is only read and written under `lock`.
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            while case let chunk = handle.availableData, !chunk.isEmpty {
                lock.withLock { data.append(chunk) }
            }
            done.signal()
        }.start()
    }

    /// What the pipe has given so far.
    var received: Data { lock.withLock { data } }

    func finish() -> Data {
        done.wait()
        return received
    }
}
