internal import COpenSSL
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Publishes messages to one topic of an MQTT broker (MQTT 3.1.1, QoS 0), from a thread of its
/// own: ``publish(_:)`` never blocks. Messages wait in a bounded queue while the broker is away
/// (the oldest are dropped past ``queueLimit``); the connection is made again with back-off
/// (0.5 s doubling to 8 s), and every failure is reported once to `log`.
public final class MQTTPublisher: @unchecked Sendable {
    // Safe: `queue`, `closed` and `connection` are used under `condition`'s lock.
    /// Where to: host, port, topic, credentials.
    public struct Destination: Sendable, Equatable {
        public var host: String
        public var port: UInt16
        public var topic: String
        public var username: String?
        public var password: String?
        /// TLS (`mqtts://`), and the certificate authorities to trust beyond the system's (a PEM file).
        public var tls: Bool
        public var certificateAuthority: String?

        /// Parses `mqtt://[user[:password]@]host[:port]/topic` or `mqtts://…` (TLS, port 8883;
        /// `?ca=FILE` adds a PEM file of certificate authorities to the system's); the username,
        /// password and CA file may come from `environment` instead (`LISTEN_MQTT_USERNAME`,
        /// `LISTEN_MQTT_PASSWORD`, `LISTEN_MQTT_CA`).
        /// - Throws: ``MQTTError/invalidURL(_:)``.
        public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
            guard let components = URLComponents(string: url), ["mqtt", "mqtts"].contains(components.scheme ?? ""),
                  let host = components.host, !host.isEmpty else {
                throw MQTTError.invalidURL("\(url): not mqtt:// or mqtts://[user[:password]@]host[:port]/topic")
            }
            tls = components.scheme == "mqtts"
            certificateAuthority = components.queryItems?.first { $0.name == "ca" }?.value ?? environment["LISTEN_MQTT_CA"]
            if let file = certificateAuthority, !FileManager.default.fileExists(atPath: file) {
                throw MQTTError.invalidURL("\(url): the CA file \(file) does not exist")
            }
            let topic = String(components.path.drop { $0 == "/" })
            guard !topic.isEmpty, !topic.contains("#"), !topic.contains("+") else {
                throw MQTTError.invalidURL("\(url): needs a topic to publish to, without wildcards (mqtt://host/listen/events)")
            }
            self.host = host
            port = UInt16(components.port ?? (tls ? 8883 : 1883))
            self.topic = topic
            username = components.user.map { $0.removingPercentEncoding ?? $0 } ?? environment["LISTEN_MQTT_USERNAME"]
            password = components.password.map { $0.removingPercentEncoding ?? $0 } ?? environment["LISTEN_MQTT_PASSWORD"]
        }
    }

    /// The destination.
    public let destination: Destination
    /// Messages kept while the broker is away.
    public let queueLimit: Int
    private let log: @Sendable (String) -> Void
    private let condition = NSCondition()
    private var queue: [String] = []
    private var closed = false
    private var finished = false

    /// Starts publishing to `destination` (connecting in the background).
    public init(destination: Destination, queueLimit: Int = 1000, log: @escaping @Sendable (String) -> Void) {
        self.destination = destination
        self.queueLimit = queueLimit
        self.log = log
        let thread = Thread { [self] in work() }
        thread.start()
    }

    /// Queues a message (a JSON line) for the topic.
    public func publish(_ message: String) {
        condition.withLock {
            guard !closed else { return }
            queue.append(message)
            if queue.count > queueLimit { queue.removeFirst(queue.count - queueLimit) }
            condition.signal()
        }
    }

    /// Sends what is queued (waiting up to `timeout` seconds for the broker), then disconnects.
    public func close(timeout: Double = 2) {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
        let deadline = Date().addingTimeInterval(timeout)
        condition.withLock {
            while !finished && Date() < deadline { _ = condition.wait(until: min(deadline, Date().addingTimeInterval(0.05))) }
        }
    }

    private func work() {
        var delay = 0.5
        var lastProblem: String?
        while !condition.withLock({ closed && queue.isEmpty }) {
            do {
                let socket = try MQTTSocket(destination)
                if lastProblem != nil { log("MQTT broker \(destination.host):\(destination.port): connected again") }
                lastProblem = nil
                delay = 0.5
                try pump(socket)
                socket.disconnect()
                break
            } catch {
                let problem = "\(error)"
                if problem != lastProblem { log("MQTT broker \(destination.host):\(destination.port): \(problem); retrying") }
                lastProblem = problem
                if condition.withLock({ closed }) { break }
                Thread.sleep(forTimeInterval: delay)
                delay = min(8, delay * 2)
            }
        }
        condition.withLock {
            finished = true
            condition.broadcast()
        }
    }

    /// Sends queued messages as they come, and a ping every 30 s of quiet; returns when closed.
    private func pump(_ socket: MQTTSocket) throws {
        var lastSent = Date()
        while true {
            let next: String? = condition.withLock {
                while queue.isEmpty && !closed && Date().timeIntervalSince(lastSent) < 30 {
                    _ = condition.wait(until: lastSent.addingTimeInterval(30))
                }
                return queue.first
            }
            if let next {
                try socket.publish(next, topic: destination.topic)
                condition.withLock { if !queue.isEmpty { queue.removeFirst() } }
            } else if condition.withLock({ closed }) {
                return
            } else {
                try socket.ping()
            }
            lastSent = Date()
        }
    }
}

/// What can go wrong with MQTT.
public enum MQTTError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidURL(String)
    case connection(String)
    case refused(String)

    public var description: String {
        switch self {
        case .invalidURL(let reason), .connection(let reason): reason
        case .refused(let reason): "the broker refused the connection: \(reason)"
        }
    }
}

/// One MQTT 3.1.1 connection: CONNECT/CONNACK, PUBLISH at QoS 0, PINGREQ/PINGRESP, DISCONNECT.
final class MQTTSocket {
    private let fd: Int32
    private var context: OpaquePointer?
    private var ssl: OpaquePointer?

    init(_ destination: MQTTPublisher.Destination) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(destination.host, String(destination.port), &hints, &found) == 0, let first = found else {
            throw MQTTError.connection("cannot resolve \(destination.host)")
        }
        defer { freeaddrinfo(found) }
        var descriptor: Int32 = -1
        var reason = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            let candidate = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            if candidate >= 0 && connect(candidate, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                descriptor = candidate
                break
            }
            reason = String(cString: strerror(errno))
            if candidate >= 0 { close(candidate) }
            entry = address.pointee.ai_next
        }
        guard descriptor >= 0 else { throw MQTTError.connection("cannot connect: \(reason)") }
        fd = descriptor
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        do {
            if destination.tls { try startTLS(destination) }
            try handshake(destination)
        } catch {
            closeAll()
            throw error
        }
    }

    deinit { closeAll() }

    private func closeAll() {
        if let ssl { SSL_free(ssl) }
        if let context { SSL_CTX_free(context) }
        ssl = nil
        context = nil
        close(fd)
    }

    /// TLS over the connected socket: the system's certificate authorities (and the destination's
    /// CA file), the host name checked against the certificate, SNI.
    private func startTLS(_ d: MQTTPublisher.Destination) throws {
        func failure(_ what: String) -> MQTTError {
            var text = ""
            let code = ERR_get_error()
            if code != 0 {
                var buffer = [CChar](repeating: 0, count: 256)
                ERR_error_string_n(code, &buffer, buffer.count)
                text = ": " + String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            return .connection("TLS: \(what)\(text)")
        }
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw failure("cannot make a context") }
        self.context = context
        SSL_CTX_set_default_verify_paths(context)
        if let file = d.certificateAuthority, SSL_CTX_load_verify_locations(context, file, nil) != 1 {
            throw failure("cannot read the CA file \(file)")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        guard let ssl = SSL_new(context) else { throw failure("cannot make a connection") }
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        _ = listen_ssl_set_server_name(ssl, d.host)
        SSL_set1_host(ssl, d.host)
        guard SSL_connect(ssl) == 1 else {
            let verify = SSL_get_verify_result(ssl)
            if verify != X509_V_OK { throw MQTTError.connection("TLS: the broker's certificate is not trusted: \(String(cString: X509_verify_cert_error_string(verify)))") }
            throw failure("the handshake failed")
        }
    }

    private func handshake(_ d: MQTTPublisher.Destination) throws {
        var flags: UInt8 = 0x02  // clean session
        var payload = Self.string("listen-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        if let username = d.username {
            flags |= 0x80
            payload += Self.string(username)
            if let password = d.password {
                flags |= 0x40
                payload += Self.string(password)
            }
        }
        let variable = Self.string("MQTT") + [4, flags, 0, 60]  // protocol level 4, keep-alive 60 s
        try write(Self.packet(0x10, variable + payload))
        let answer = try read(4)
        guard answer[0] == 0x20, answer[1] == 2 else { throw MQTTError.connection("the broker did not answer CONNECT with CONNACK") }
        let reasons = [1: "unacceptable protocol version", 2: "client identifier rejected", 3: "server unavailable",
                       4: "bad user name or password", 5: "not authorized"]
        guard answer[3] == 0 else { throw MQTTError.refused(reasons[Int(answer[3])] ?? "code \(answer[3])") }
    }

    func publish(_ message: String, topic: String) throws {
        try checkOpen()
        try write(Self.packet(0x30, Self.string(topic) + Array(message.utf8)))
    }

    func ping() throws {
        try write([0xC0, 0])
        let answer = try read(2)
        guard answer == [0xD0, 0] else { throw MQTTError.connection("the broker did not answer PINGREQ") }
    }

    /// Throws if the broker has closed the connection (a write would still seem to succeed, and
    /// the message would be lost).
    private func checkOpen() throws {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, 0) > 0 else { return }
        var byte: UInt8 = 0
        if let ssl {
            // Readable may be a TLS record that is not data (a session ticket): peek without blocking.
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            defer { _ = fcntl(fd, F_SETFL, flags) }
            let got = SSL_peek(ssl, &byte, 1)
            if got <= 0 && SSL_get_error(ssl, got) != SSL_ERROR_WANT_READ { throw MQTTError.connection("the broker closed the connection") }
        } else if recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) <= 0 {
            throw MQTTError.connection("the broker closed the connection")
        }
    }

    func disconnect() { try? write([0xE0, 0]) }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let written = bytes.withUnsafeBytes { raw -> Int in
                if let ssl { return Int(SSL_write(ssl, raw.baseAddress! + sent, Int32(bytes.count - sent))) }
                return send(fd, raw.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw MQTTError.connection("the connection broke: \(String(cString: strerror(errno)))") }
            sent += written
        }
    }

    private func read(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count), received = 0
        while received < count {
            let got = bytes.withUnsafeMutableBytes { raw -> Int in
                if let ssl { return Int(SSL_read(ssl, raw.baseAddress! + received, Int32(count - received))) }
                return recv(fd, raw.baseAddress! + received, count - received, 0)
            }
            guard got > 0 else { throw MQTTError.connection(got == 0 ? "the broker closed the connection" : "no answer: \(String(cString: strerror(errno)))") }
            received += got
        }
        return bytes
    }

    /// A UTF-8 string with its 16-bit length.
    static func string(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        return [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
    }

    /// A control packet: its type byte, the remaining length (variable-length encoding), the body.
    static func packet(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        var length = body.count, encoded: [UInt8] = []
        repeat {
            var byte = UInt8(length % 128)
            length /= 128
            if length > 0 { byte |= 0x80 }
            encoded.append(byte)
        } while length > 0
        return [type] + encoded + body
    }
}
