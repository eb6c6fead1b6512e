import Foundation
import TestSupport
import Testing

/// A mosquitto broker of the test's own, on a random loopback port.
final class MosquittoBroker {
    static var isAvailable: Bool { ["/usr/sbin/mosquitto", "/usr/bin/mosquitto_sub"].allSatisfy(FileManager.default.isExecutableFile(atPath:)) }

    let port = Int.random(in: 40001...60000)
    let folder: String
    private var process: Process?

    /// - Parameter users: user name → password; with any, anonymous clients are refused.
    init(users: [String: String] = [:]) throws {
        folder = try Fixtures.scratchFolder().path
        var config = "listener \(port) 127.0.0.1\n"
        if users.isEmpty {
            config += "allow_anonymous true\n"
        } else {
            let passwords = folder + "/passwords"
            FileManager.default.createFile(atPath: passwords, contents: Data())
            for (user, password) in users {
                _ = try ListenProcess.run(program: URL(fileURLWithPath: "/usr/bin/mosquitto_passwd"), ["-b", passwords, user, password])
            }
            config += "allow_anonymous false\npassword_file \(passwords)\n"
        }
        try config.write(toFile: folder + "/mosquitto.conf", atomically: true, encoding: .utf8)
        try start()
    }

    deinit { stop() }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/mosquitto")
        process.arguments = ["-c", folder + "/mosquitto.conf"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        // Ready when its port accepts a connection.
        for _ in 0..<50 {
            if Self.accepts(port) { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// Whether something listens on the loopback's `port`.
    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Kills the broker (SIGKILL: it inherits the test runner's blocked SIGTERM, and a crash is what
    /// a restart must survive anyway).
    func stop() {
        if let process { kill(process.processIdentifier, SIGKILL) }
        process?.waitUntilExit()
        process = nil
    }

    /// A subscriber waiting for `count` messages on `topic` (without `-W`: the test runner's
    /// blocked SIGALRM, inherited, would keep its timeout from firing).
    func subscribe(_ topic: String, count: Int, user: String? = nil, password: String? = nil) throws -> RunningListen {
        let credentials = user.map { ["-u", $0, "-P", password ?? ""] } ?? []
        let subscriber = try RunningListen(["-p", "\(port)", "-t", topic, "-C", "\(count)", "-v"] + credentials,
                                           program: URL(fileURLWithPath: "/usr/bin/mosquitto_sub"))
        Thread.sleep(forTimeInterval: 0.5)  // subscribed before anything is published
        return subscriber
    }
}

@Suite("--mqtt: results published to a real mosquitto broker", .serialized,
       .enabled(if: MosquittoBroker.isAvailable && WyomingPackage.isInstalled, "needs mosquitto (scripts/install-system-packages) and wyoming"))
struct MQTTTests {
    static let examples = Fixtures.packageRoot.path + "/Examples"

    @Test("serve publishes each transcript and detection as JSON, and publishes again after the broker restarts")
    func serveAcrossRestart() throws {
        let broker = try MosquittoBroker()
        let uri = "tcp://127.0.0.1:\(ServeCommandTests.freePort())"
        let server = try ServeCommandTests.start(["--wake-word", "stop", "--mqtt", "mqtt://127.0.0.1:\(broker.port)/home/listen"], uri: uri)
        defer { _ = server.stop(signal: SIGTERM) }

        let first = try broker.subscribe("home/listen", count: 2)
        _ = try ServeCommandTests.client(["transcribe", uri, Self.examples + "/go_left.wav"])
        _ = try ServeCommandTests.client(["detect", uri, Self.examples + "/stop.wav", "--names", "stop"])
        let received = first.wait(timeout: 20).output.split(separator: "\n")
        #expect(received.count == 2, "\(received)")
        #expect(received.first?.hasPrefix("home/listen {\"time\":") == true && received.first?.contains("\"text\":\"go left\"") == true)
        #expect(received.last?.hasPrefix("home/listen {\"event\":\"detection\"") == true && received.last?.contains("\"word\":\"stop\"") == true)

        broker.stop()
        _ = try ServeCommandTests.client(["transcribe", uri, Self.examples + "/up.wav"])  // queued while the broker is away
        try broker.start()
        let second = try broker.subscribe("home/listen", count: 1)
        Thread.sleep(forTimeInterval: 2)
        _ = try ServeCommandTests.client(["transcribe", uri, Self.examples + "/yes.wav"])
        let later = second.wait(timeout: 30).output
        #expect(later.contains("\"text\":\"yes\"") || later.contains("\"text\":\"up\""), "\(later)")
        #expect(server.waitForStandardError("connected again"), "the reconnection is reported")
    }

    @Test("User and password in the URL or the environment; a wrong password is reported and retried, not fatal")
    func credentials() throws {
        let broker = try MosquittoBroker(users: ["listen": "s3cret"])
        let uri = "tcp://127.0.0.1:\(ServeCommandTests.freePort())"
        let server = try ServeCommandTests.start(["--mqtt", "mqtt://listen:s3cret@127.0.0.1:\(broker.port)/t"], uri: uri)
        let subscriber = try broker.subscribe("t", count: 1, user: "listen", password: "s3cret")
        _ = try ServeCommandTests.client(["transcribe", uri, Self.examples + "/no.wav"])
        #expect(subscriber.wait(timeout: 20).output.contains("\"text\":\"no\""))
        _ = server.stop(signal: SIGTERM)

        let wrong = try RunningListen(["serve", "--uri", uri, "--mqtt", "mqtt://127.0.0.1:\(broker.port)/t"],
                                      environment: ["LISTEN_MQTT_USERNAME": "listen", "LISTEN_MQTT_PASSWORD": "wrong"])
        #expect(wrong.waitForStandardError("listen: serving Wyoming"))
        _ = try ServeCommandTests.client(["transcribe", uri, Self.examples + "/no.wav"])
        #expect(wrong.waitForStandardError("the broker refused the connection: not authorized; retrying")
                || wrong.waitForStandardError("bad user name or password; retrying"))
        #expect(wrong.stop(signal: SIGTERM).status == 0)

        let badURL = try ListenProcess.run(["serve", "--mqtt", "mqtt://127.0.0.1/"])
        #expect(badURL.status == 2)
        #expect(badURL.standardError.contains("--mqtt: mqtt://127.0.0.1/: needs a topic to publish to"))
    }
}
