import Foundation

/// One event of the Wyoming protocol (Home Assistant's voice services, as the `wyoming` PyPI
/// package 1.10 defines it): a JSON header line (`type`, optional `data`, `data_length`,
/// `payload_length`), then `data_length` bytes of JSON merged over `data`, then
/// `payload_length` bytes of payload (PCM audio in `audio-chunk`).
public struct WyomingEvent {
    /// The event's type ("describe", "audio-chunk", "transcript", …).
    public var type: String
    /// Its data: a JSON object.
    public var data: [String: Any]
    /// Its payload (empty for none).
    public var payload: [UInt8]

    /// An event.
    public init(type: String, data: [String: Any] = [:], payload: [UInt8] = []) {
        self.type = type
        self.data = data
        self.payload = payload
    }

    /// The protocol version listen writes in its events.
    public static let protocolVersion = "1.10.2"

    /// The bytes of the event as the `wyoming` package writes them: the header line with the
    /// data's length, then the data, then the payload.
    public var bytes: [UInt8] {
        var header: [String: Any] = ["type": type, "version": Self.protocolVersion]
        var dataBytes: [UInt8] = []
        if !data.isEmpty, let encoded = try? JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]) {
            dataBytes = Array(encoded)
            header["data_length"] = dataBytes.count
        }
        if !payload.isEmpty { header["payload_length"] = payload.count }
        let line = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data()
        return Array(line) + [0x0A] + dataBytes + payload
    }
}

/// Why an event cannot be read.
public enum WyomingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The header or data is not what the protocol says.
    case malformed(String)
    /// A part is longer than the server accepts.
    case oversized(String)
    /// The peer closed the connection in the middle of an event.
    case truncated
    /// Reading or writing the socket failed (its `errno` text), or timed out.
    case connection(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed event: \(reason)"
        case .oversized(let reason): "event too large: \(reason)"
        case .truncated: "the connection closed in the middle of an event"
        case .connection(let reason): reason
        }
    }
}

/// Reads Wyoming events from a byte source (a socket), refusing oversized and malformed ones.
public struct WyomingReader {
    /// The longest header line, data section and payload accepted.
    public static let maximumHeader = 64 * 1024
    public static let maximumData = 1024 * 1024
    public static let maximumPayload = 16 * 1024 * 1024

    private let read: (inout [UInt8], Int) throws -> Int
    private var buffer: [UInt8] = []
    private var start = 0

    /// A reader that calls `read(&buffer, atMost)` for more bytes: it appends up to `atMost`
    /// bytes and returns how many (0 at the end of the stream).
    public init(read: @escaping (inout [UInt8], Int) throws -> Int) {
        self.read = read
    }

    /// The next event, or nil at a clean end of the stream.
    /// - Throws: ``WyomingError``.
    public mutating func next() throws -> WyomingEvent? {
        guard let line = try readLine() else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)), let header = object as? [String: Any] else {
            throw WyomingError.malformed("the header is not a JSON object")
        }
        guard let type = header["type"] as? String, !type.isEmpty else { throw WyomingError.malformed("the header has no type") }
        var data = header["data"] as? [String: Any] ?? [:]
        if header["data"] != nil && !(header["data"] is [String: Any]) && !(header["data"] is NSNull) {
            throw WyomingError.malformed("'\(type)' has data that is not a JSON object")
        }
        let dataLength = try length(header, "data_length", type: type, maximum: Self.maximumData)
        let payloadLength = try length(header, "payload_length", type: type, maximum: Self.maximumPayload)
        if dataLength > 0 {
            let bytes = try readExactly(dataLength)
            guard let extra = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
                throw WyomingError.malformed("the data of '\(type)' is not a JSON object")
            }
            data.merge(extra) { $1 }
        }
        let payload = payloadLength > 0 ? try readExactly(payloadLength) : []
        return WyomingEvent(type: type, data: data, payload: payload)
    }

    private func length(_ header: [String: Any], _ key: String, type: String, maximum: Int) throws -> Int {
        guard let value = header[key], !(value is NSNull) else { return 0 }
        guard let number = value as? Int, number >= 0 else { throw WyomingError.malformed("'\(type)' has a \(key) that is not a count of bytes") }
        guard number <= maximum else { throw WyomingError.oversized("'\(type)' has a \(key) of \(number) bytes (at most \(maximum))") }
        return number
    }

    private mutating func fill() throws -> Bool {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return try read(&buffer, 65536) > 0
    }

    private mutating func readLine() throws -> [UInt8]? {
        var scanned = 0  // bytes after `start` known to hold no newline
        while true {
            if let newline = buffer[(start + scanned)...].firstIndex(of: 0x0A) {
                defer { start = newline + 1 }
                return Array(buffer[start..<newline])
            }
            scanned = buffer.count - start
            guard scanned <= Self.maximumHeader else {
                throw WyomingError.oversized("a header line longer than \(Self.maximumHeader) bytes")
            }
            guard try fill() else {
                if scanned == 0 { return nil }
                throw WyomingError.truncated
            }
        }
    }

    private mutating func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count - start < count {
            guard try fill() else { throw WyomingError.truncated }
        }
        defer { start += count }
        return Array(buffer[start..<(start + count)])
    }
}
