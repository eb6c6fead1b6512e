import Foundation
import TestSupport
import Testing

/// A mosquitto broker of the test's own, on a random loopback port.
final class MosquittoBroker {
    static var isAvailable: Bool { ["/usr/sbin/mosquitto", "/usr/bin/mosquitto_sub"].allSatisfy(FileManager.default.isExecutableFile(atPath:)) }

    let port = Int.random(in: 40001...60000)
    let folder: String
    private var process: Process?

    /// - Parameters:
    ///   - users: user name → password; with any, anonymous clients are refused.
    ///   - tls: serve TLS only, with a certificate for localhost signed by a CA of the test's own (`caFile`).
    init(users: [String: String] = [:], tls: Bool = false) throws {
        folder = try Fixtures.scratchFolder().path
        var config = "listener \(port) 127.0.0.1\n"
        if tls {
            try Self.makeCertificates(in: folder)
            config += "cafile \(folder)/ca.pem\ncertfile \(folder)/server.pem\nkeyfile \(folder)/server.key\n"
        }
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

    /// The CA that signed the broker's certificate (with `tls`).
    var caFile: String { folder + "/ca.pem" }

    /// A CA and a certificate for localhost it signs, with openssl.
    static func makeCertificates(in folder: String) throws {
        let openssl = "/usr/bin/openssl"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: folder + "/ext.cnf", atomically: true, encoding: .utf8)
        for arguments in [["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=listen test CA"],
                          ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"],
                          ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
                           "-days", "2", "-extfile", "ext.cnf"]] {
            let result = try ListenProcess.run(program: URL(fileURLWithPath: openssl), arguments.map { $0.hasSuffix(".key") || $0.hasSuffix(".pem") || $0.hasSuffix(".csr") || $0 == "ext.cnf" ? folder + "/" + $0 : $0 })
            #expect(result.status == 0, "\(result.standardError)")
        }
        // mosquitto drops to its own user: it must be able to read them.
        for file in ["ca.pem", "server.pem", "server.key"] { try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder + "/" + file) }
    }

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
    func subscribe(_ topic: String, count: Int, user: String? = nil, password: String? = nil, tls: Bool = false) throws -> RunningListen {
        let credentials = user.map { ["-u", $0, "-P", password ?? ""] } ?? []
        let secure = tls ? ["-h", "localhost", "--cafile", caFile] : []
        let subscriber = try RunningListen(["-p", "\(port)", "-t", topic, "-C", "\(count)", "-v"] + credentials + secure,
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

    @Test("mqtts:// with the broker's CA publishes over TLS; without it the certificate is reported as not trusted")
    func tls() throws {
        let broker = try MosquittoBroker(tls: true)
        let uri = "tcp://127.0.0.1:\(ServeCommandTests.freePort())"
        let server = try ServeCommandTests.start(["--mqtt", "mqtts://localhost:\(broker.port)/secure?ca=\(broker.caFile)"], uri: uri)
        let subscriber = try broker.subscribe("secure", count: 1, tls: true)
        _ = try ServeCommandTests.client(["transcribe", uri, Self.examples + "/yes.wav"])
        #expect(subscriber.wait(timeout: 20).output.contains("\"text\":\"yes\""))
        _ = server.stop(signal: SIGTERM)

        let untrusted = try ServeCommandTests.start(["--mqtt", "mqtts://localhost:\(broker.port)/secure"], uri: uri)
        _ = try ServeCommandTests.client(["transcribe", uri, Self.examples + "/yes.wav"])
        #expect(untrusted.waitForStandardError("TLS: the broker's certificate is not trusted"))
        _ = untrusted.stop(signal: SIGTERM)
    }

    @Test("mic publishes every utterance with an accepted word (a real PulseAudio daemon)")
    func micPublishes() throws {
        guard PulseServer.isAvailable else { return }
        let broker = try MosquittoBroker()
        let pulse = try PulseServer()
        defer { pulse.stop() }
        let subscriber = try broker.subscribe("home/mic", count: 2)
        let listen = try RunningListen(["mic", "--device", "virt.monitor", "--mqtt", "mqtt://127.0.0.1:\(broker.port)/home/mic"],
                                       environment: pulse.environment)
        #expect(listen.waitForStandardError("listen: recording from virt.monitor\n"))
        try pulse.play(try MicCommandTests.padded("yes"))
        try pulse.play(try MicCommandTests.padded("stop"))
        let received = subscriber.wait(timeout: 30).output.split(separator: "\n")
        _ = listen.stop(signal: SIGTERM)
        #expect(received.count == 2 && received[0].contains("\"text\":\"yes\"") && received[1].contains("\"text\":\"stop\""), "\(received)")
    }
}
