import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A Wyoming server on a TCP port or a Unix socket: one thread per client, each with its own
/// ``WyomingSession``. A malformed, oversized or half-sent event closes that client with an
/// `error` event (and a log line), never the server; a client that goes away frees its session.
public final class WyomingServer: @unchecked Sendable {
    // Safe: `listener`, `clients` and `stopped` are used under `lock`; sessions live on their own threads.
    /// Where it listens: `tcp://HOST:PORT` or `unix:PATH`.
    public let uri: String
    /// The most clients at once; more are told so and closed.
    public let maximumClients: Int
    /// Seconds a client may leave the server waiting for the rest of an event, or between events.
    public let idleTimeout: Int
    private let makeSession: () throws -> WyomingSession
    private let log: @Sendable (String) -> Void
    private let lock = NSLock()
    private var listener: Int32 = -1
    private var clients = 0
    private var stopped = false

    /// Binds the socket (nothing is accepted until ``run()``).
    /// - Parameters:
    ///   - uri: `tcp://HOST:PORT` (HOST an IPv4 address, `localhost` or `0.0.0.0`) or `unix:PATH`
    ///     (`unix://PATH` too); a stale socket file at PATH is replaced.
    ///   - maximumClients: clients served at once.
    ///   - idleTimeout: seconds of silence after which a client is closed.
    ///   - log: told of every closed client with an error, and of failures.
    ///   - makeSession: a new session for each client.
    /// - Throws: ``WyomingError/connection(_:)`` naming the URI and the system's reason.
    public init(uri: String, maximumClients: Int = 16, idleTimeout: Int = 300, log: @escaping @Sendable (String) -> Void,
                makeSession: @escaping () throws -> WyomingSession) throws {
        self.uri = uri
        self.maximumClients = maximumClients
        self.idleTimeout = idleTimeout
        self.log = log
        self.makeSession = makeSession
        listener = try Self.bind(uri)
    }

    deinit { stop() }

    /// Stops accepting (clients already connected finish their current request).
    public func stop() {
        lock.withLock {
            guard !stopped else { return }
            stopped = true
            if listener >= 0 {
                shutdown(listener, Int32(SHUT_RDWR))
                close(listener)
            }
        }
    }

    /// Accepts clients until ``stop()``.
    public func run() {
        while true {
            let fd = lock.withLock { stopped ? -1 : listener }
            guard fd >= 0 else { return }
            let client = accept(fd, nil, nil)
            if client < 0 {
                if lock.withLock({ stopped }) { return }
                if errno == EINTR || errno == ECONNABORTED { continue }
                log("\(uri): accept failed: \(String(cString: strerror(errno)))")
                Thread.sleep(forTimeInterval: 0.1)
                continue
            }
            var timeout = timeval(tv_sec: idleTimeout, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let admitted = lock.withLock { () -> Bool in
                guard clients < maximumClients else { return false }
                clients += 1
                return true
            }
            guard admitted else {
                Self.send(WyomingEvent(type: "error", data: ["text": "too many clients (at most \(maximumClients))", "code": "busy"]), to: client)
                close(client)
                continue
            }
            let thread = Thread { [self] in
                serve(client)
                close(client)
                lock.withLock { clients -= 1 }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        var chunk = [UInt8](repeating: 0, count: 65536)  // one receive buffer per client, not one per read
        var reader = WyomingReader { buffer, count in
            let wanted = min(count, chunk.count)
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, wanted, 0) }
            if received < 0 {
                throw WyomingError.connection(errno == EAGAIN || errno == EWOULDBLOCK ? "no data for \(self.idleTimeout) s" : String(cString: strerror(errno)))
            }
            buffer += chunk[0..<received]
            return received
        }
        let session: WyomingSession
        do { session = try makeSession() } catch {
            log("cannot start a session: \(error)")
            Self.send(WyomingEvent(type: "error", data: ["text": "\(error)"]), to: fd)
            return
        }
        while true {
            do {
                guard let event = try reader.next() else { return }
                for answer in try session.handle(event) {
                    guard Self.send(answer, to: fd) else { return }
                }
            } catch {
                log("closing a client of \(uri): \(error)")
                Self.send(WyomingEvent(type: "error", data: ["text": "\(error)"]), to: fd)
                return
            }
        }
    }

    /// Writes an event; false if the client is gone.
    @discardableResult
    static func send(_ event: WyomingEvent, to fd: Int32) -> Bool {
        let bytes = event.bytes
        var sent = 0
        while sent < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return false }
            sent += written
        }
        return true
    }

    /// A listening socket for `uri`.
    static func bind(_ uri: String) throws -> Int32 {
        func failure(_ what: String) -> WyomingError { .connection("\(uri): \(what): \(String(cString: strerror(errno)))") }
        if uri.hasPrefix("unix:") {
            var path = String(uri.dropFirst(5))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty, path.utf8.count < 108 else { throw WyomingError.connection("\(uri): a Unix socket path must have 1 to 107 bytes") }
            var status = stat()
            if lstat(path, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFSOCK else { throw WyomingError.connection("\(uri): \(path) exists and is not a socket") }
                unlink(path)
            }
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw failure("socket") }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0, listen(fd, 64) == 0 else {
                let error = failure("bind")
                close(fd)
                throw error
            }
            return fd
        }
        guard uri.hasPrefix("tcp://"), let colon = uri.lastIndex(of: ":"), colon > uri.index(uri.startIndex, offsetBy: 6),
              let port = UInt16(uri[uri.index(after: colon)...]) else {
            throw WyomingError.connection("\(uri): not tcp://HOST:PORT or unix:PATH")
        }
        var host = String(uri[uri.index(uri.startIndex, offsetBy: 6)..<colon])
        if host == "localhost" { host = "127.0.0.1" }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw WyomingError.connection("\(uri): '\(host)' is not an IPv4 address (or localhost)")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let error = failure("bind")
            close(fd)
            throw error
        }
        return fd
    }
}
