internal import CSndFile
import Foundation

/// Owns one libsndfile handle (`SNDFILE*`), opened from a path or from bytes in memory.
final class SoundFile {
    private let handle: OpaquePointer
    /// Keeps the bytes of an in-memory file alive while libsndfile reads them.
    private let memory: MemoryStream?
    let info: SF_INFO

    /// Opens a file for reading with `sf_open_fd`.
    init(path: String, name: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw errno == EACCES ? AudioError.permissionDenied(name) : AudioError.readFailed(name, reason: String(cString: strerror(errno)))
        }
        var info = SF_INFO()
        let opened = SoundFile.libsndfileOpen { sf_open_fd(descriptor, Int32(SFM_READ), &info, 1) }
        // A failed sf_open_fd has closed the descriptor itself (close_desc 1): closing it again
        // could close a file another thread has just opened under the same number.
        guard let handle = opened.handle else {
            throw SoundFile.openError(code: opened.code, reason: opened.reason, header: SoundFile.header(ofFile: path), name: name)
        }
        self.handle = handle
        self.memory = nil
        self.info = info
    }

    /// Opens bytes in memory (a WAV/FLAC/OGG read from a pipe) with `sf_open_virtual`.
    init(bytes: [UInt8], name: String) throws {
        let memory = MemoryStream(bytes: bytes)
        var io = SF_VIRTUAL_IO(
            get_filelen: { context in MemoryStream.from(context).length },
            seek: { offset, whence, context in MemoryStream.from(context).seek(offset, whence: whence) },
            read: { destination, count, context in MemoryStream.from(context).read(into: destination, count: count) },
            write: { _, _, _ in 0 },
            tell: { context in MemoryStream.from(context).position })
        var info = SF_INFO()
        let context = Unmanaged.passUnretained(memory).toOpaque()
        let opened = SoundFile.libsndfileOpen { sf_open_virtual(&io, Int32(SFM_READ), &info, context) }
        guard let handle = opened.handle else {
            throw SoundFile.openError(code: opened.code, reason: opened.reason, header: SoundFile.describe(header: bytes.prefix(4)),
                                      name: name)
        }
        self.handle = handle
        self.memory = memory
        self.info = info
    }

    deinit { sf_close(handle) }

    /// Serialises libsndfile's opens: a failed open leaves its error in one process-wide variable
    /// that any other thread's open overwrites, so with several jobs a bad file could be named
    /// with another's reason (or "No Error"). Reading and decoding stay concurrent.
    private static let openLock = NSLock()

    /// Runs one libsndfile open (`sf_open_fd`, `sf_open_virtual`, `sf_open`) and, if it fails,
    /// reads its error code and message before any other open can replace them.
    static func libsndfileOpen(_ body: () -> OpaquePointer?) -> (handle: OpaquePointer?, code: Int32, reason: String) {
        openLock.withLock {
            guard let handle = body() else { return (nil, sf_error(nil), String(cString: sf_strerror(nil))) }
            return (handle, 0, "")
        }
    }

    /// Reads up to `frameCount` interleaved frames with `sf_readf_float`; returns frames read.
    func readFrames(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        Int(sf_readf_float(handle, buffer, sf_count_t(frameCount)))
    }

    /// libsndfile's message for the last error on this handle, or nil if there was none.
    var lastError: String? {
        sf_error(handle) == 0 ? nil : String(cString: sf_strerror(handle))
    }

    /// libsndfile's parse log (`SFC_GET_LOG_INFO`): it notes header fields that disagree with the file.
    var parseLog: String {
        var buffer = [CChar](repeating: 0, count: 8192)
        let count = buffer.withUnsafeMutableBytes { raw in
            sf_command(handle, Int32(SFC_GET_LOG_INFO), raw.baseAddress, Int32(raw.count))
        }
        return String(decoding: buffer.prefix(Int(max(0, count))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Data-chunk sizes the header declares but the file does not hold, from ``parseLog``.
    ///
    /// libsndfile writes `data : 32000 (should be 19956)` when a WAV/AIFF header claims more
    /// bytes than follow it. The streaming sentinel 0xFFFFFFFF (written by pipes) is not a lie.
    var declaredDataShortfall: (declared: Int, available: Int)? {
        for line in parseLog.split(separator: "\n") where line.hasPrefix("data") || line.hasPrefix("SSND") {
            let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            guard line.contains("should be"), numbers.count >= 2 else { continue }
            let declared = numbers[numbers.count - 2], available = numbers[numbers.count - 1]
            if declared > available && declared != 0xFFFF_FFFF { return (declared, available) }
        }
        return nil
    }

    private static func openError(code: Int32, reason: String, header: String, name: String) -> AudioError {
        let knownContainers = ["RIFF", "RIFX", "RF64", "fLaC", "OggS", "FORM", "caff", ".snd", "wvpk", "BW64"]
        guard let container = knownContainers.first(where: header.hasPrefix) else { return .unrecognizedFormat(name, header: header) }
        if code == Int32(SF_ERR_UNRECOGNISED_FORMAT) {
            // The container's magic is there, the rest of its header is not what it should be.
            let kind = ["RIFF": "WAV", "RIFX": "WAV", "RF64": "WAV", "BW64": "WAV", "fLaC": "FLAC", "OggS": "Ogg", "FORM": "AIFF", "caff": "CAF"][container] ?? container
            return .malformed(name, reason: "damaged \(kind) header ('\(container)' is there, but libsndfile cannot read what follows)")
        }
        if reason.contains("Channel count is zero") { return .invalidChannelCount(name, 0) }
        return .malformed(name, reason: reason.trimmingCharacters(in: CharacterSet(charactersIn: ". ")))
    }

    private static func header(ofFile path: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        return describe(header: (try? handle.read(upToCount: 4)) ?? Data())
    }

    /// The first bytes of a file, printable ASCII as is and the rest as `\xNN`.
    static func describe<Bytes: Sequence>(header: Bytes) -> String where Bytes.Element == UInt8 {
        header.map { byte in
            (0x20..<0x7f).contains(byte) && byte != UInt8(ascii: "\\") && byte != UInt8(ascii: "'")
                ? String(UnicodeScalar(byte)) : "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }
}

/// A read-only byte buffer behind libsndfile's virtual I/O callbacks.
private final class MemoryStream {
    let bytes: [UInt8]
    var position: sf_count_t = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    static func from(_ context: UnsafeMutableRawPointer?) -> MemoryStream {
        Unmanaged<MemoryStream>.fromOpaque(context!).takeUnretainedValue()
    }

    var length: sf_count_t { sf_count_t(bytes.count) }

    func seek(_ offset: sf_count_t, whence: Int32) -> sf_count_t {
        let base: sf_count_t = switch whence {
        case SEEK_CUR: position
        case SEEK_END: length
        default: 0
        }
        position = min(max(0, base + offset), length)
        return position
    }

    func read(into destination: UnsafeMutableRawPointer?, count: sf_count_t) -> sf_count_t {
        let available = max(0, min(count, length - position))
        guard available > 0, let destination else { return 0 }
        bytes.withUnsafeBytes { source in
            destination.copyMemory(from: source.baseAddress! + Int(position), byteCount: Int(available))
        }
        position += available
        return available
    }
}
