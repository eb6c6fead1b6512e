import Foundation

/// A private PulseAudio daemon with a 16 kHz mono null sink `virt`, for tests: audio played
/// into `virt` with `paplay` can be recorded from `virt.monitor`. Runs as root without a
/// sound card (the recipe in DEVELOPERS.md).
public final class PulseServer {
    /// Whether `pulseaudio` and `paplay` are installed.
    public static var isAvailable: Bool {
        ["/usr/bin/pulseaudio", "/usr/bin/paplay"].allSatisfy(FileManager.default.isExecutableFile(atPath:))
    }

    /// `HOME`, `XDG_RUNTIME_DIR` and `PULSE_SERVER` pointing at this server.
    public let environment: [String: String]

    /// Starts a daemon in a fresh folder and waits until it accepts connections.
    public init() throws {
        let folder = try Fixtures.scratchFolder().path
        try FileManager.default.createDirectory(atPath: folder + "/xdg", withIntermediateDirectories: true)
        environment = ["HOME": folder, "XDG_RUNTIME_DIR": folder + "/xdg", "PULSE_SERVER": "unix:\(folder)/xdg/pulse/native"]
        try start()
    }

    /// Starts (or restarts) the daemon.
    public func start() throws {
        try run("/usr/bin/pulseaudio", ["-n", "--daemonize=yes", "--exit-idle-time=-1", "--system=false", "--disallow-exit",
                                         "--enable-memfd=no", "-L", "module-native-protocol-unix",
                                         "-L", "module-null-sink sink_name=virt rate=16000 channels=1 format=s16le"])
        for _ in 0..<50 {
            if (try? run("/usr/bin/pactl", ["info"])) == 0 { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// Stops the daemon.
    public func stop() { _ = try? run("/usr/bin/pulseaudio", ["--kill"]) }

    /// Freezes the daemon (SIGSTOP) for `seconds`, then lets it go on (SIGCONT): its clients'
    /// reads stall without the connection breaking.
    public func freeze(seconds: Double) throws {
        try signal(SIGSTOP)
        Thread.sleep(forTimeInterval: seconds)
        try signal(SIGCONT)
    }

    /// Sends the daemon a signal: SIGSTOP freezes it (it accepts connections but answers
    /// nothing), SIGCONT lets it go on.
    public func signal(_ number: Int32) throws {
        let text = try String(contentsOfFile: environment["XDG_RUNTIME_DIR"]! + "/pulse/pid", encoding: .utf8)
        guard let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw CocoaError(.fileReadCorruptFile) }
        kill(pid, number)
    }

    /// Plays a file into the null sink and waits until it has been played.
    public func play(_ file: String) throws {
        let status = try run("/usr/bin/paplay", ["-d", "virt", file])
        if status != 0 { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: file]) }
    }

    @discardableResult
    private func run(_ program: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { stop() }
}
