import CDefaultModel
import Features
import Foundation

/// The model file: one self-describing, versioned binary.
///
/// ```
/// offset 0   8 bytes   magic "LSTNMODL"
///        8   UInt32    format version (little-endian)
///       12   UInt32    header length N
///       16   N bytes   JSON header: architecture, features, alphabet, vocabulary,
///                      metadata, tensor table [{name, shape, dtype}]
///   16 + N   tensors   little-endian, in table order (a speech-embedding model's frozen
///                      network after the trained tensors), each in its dtype: "f32" (IEEE
///                      binary32) or "f16" (binary16, half the size; widened to float32
///                      on reading)
///      end   UInt32    CRC-32 of every byte before it
/// ```
/// The reader checks magic, version, the tensor table against the architecture and the
/// file size *before* allocating tensors, then the checksum.
public enum ModelFile {
    static let magic = Array("LSTNMODL".utf8)
    /// The newest version this build writes. Versions 2-5 mark front ends that older readers
    /// would misread (they skip a field they do not know): a dynamic range floor (2), PCEN (3),
    /// ``FeatureConfiguration/edgePadding`` (4), a speech embedding (5). This build refuses the
    /// first two, which never shipped, with a message naming them.
    public static let version = 5
    /// The versions this build reads.
    public static let readableVersions = 1...5

    /// The oldest version that describes `features` fully, so that older builds still read
    /// every model they can run and refuse, by version, one they would run wrongly.
    /// - Parameter features: the model's front end.
    /// - Returns: 1, or the version of the newest of these fields the front end uses: 4 edge
    ///   padding, 5 a speech embedding.
    public static func version(for features: FeatureConfiguration) -> Int {
        features.kind == .speechEmbedding ? 5 : features.edgePadding != nil ? 4 : 1
    }

    /// The tensors a model file holds for `features` and `architecture`: the trained ones, then
    /// a speech embedding's.
    static func tensorShapes(_ architecture: ModelArchitecture, _ features: FeatureConfiguration) -> [(name: String, shape: [Int])] {
        architecture.tensorShapes + (features.kind == .speechEmbedding ? SpeechEmbedding.tensorShapes : [])
    }
    /// How the weights are stored. Inference always runs in float32; `f16` halves the file
    /// and rounds every weight to 11 significant bits (a relative error ≤ 2⁻¹¹).
    public enum WeightFormat: String, Sendable, CaseIterable {
        case f32, f16

        var bytesPerWeight: Int { self == .f32 ? 4 : 2 }
    }

    /// The largest JSON header accepted.
    static let maximumHeaderLength = 1 << 20

    /// The JSON header.
    struct Header: Codable {
        struct Tensor: Codable, Equatable {
            var name: String
            var shape: [Int]
            var dtype: String
        }
        var architecture: ModelArchitecture
        var features: FeatureConfiguration
        var alphabet: Alphabet
        var vocabulary: [String]
        var metadata: ModelMetadata
        var tensors: [Tensor]
    }

    /// Serialises a model with its weights in `format`.
    /// - Throws: ``ModelError/unreadable(_:reason:)`` if a weight does not fit in 16 bits.
    public static func data(of model: AcousticModel, format: WeightFormat = .f32) throws -> Data {
        guard (model.features.kind == .speechEmbedding) == (model.speechEmbedding != nil) else {
            throw ModelError.invalidArchitecture("a model has a speech embedding's weights exactly when its features are one")
        }
        let table = tensorShapes(model.architecture, model.features).map { Header.Tensor(name: $0.name, shape: $0.shape, dtype: format.rawValue) }
        let header = Header(architecture: model.architecture, features: model.features, alphabet: model.alphabet,
                            vocabulary: model.defaultVocabulary, metadata: model.metadata, tensors: table)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        var bytes = magic
        appendLittleEndian(UInt32(version(for: model.features)), to: &bytes)
        appendLittleEndian(UInt32(json.count), to: &bytes)
        bytes += json
        for (tensor, entry) in zip(model.tensors + (model.speechEmbedding?.tensors ?? []), table) {
            switch format {
            case .f32:
                for value in tensor { appendLittleEndian(value.bitPattern, to: &bytes) }
            case .f16:
                for value in tensor {
                    let half = Float16(value)
                    guard half.isFinite else {
                        throw ModelError.unreadable(model.metadata.name, reason: "weight \(value) in \(entry.name) does not fit in f16")
                    }
                    appendLittleEndian(half.bitPattern, to: &bytes)
                }
            }
        }
        let crc = bytes.withUnsafeBytes(CRC32.checksum)
        appendLittleEndian(crc, to: &bytes)
        return Data(bytes)
    }

    /// Writes a model atomically (a temporary file renamed into place).
    /// - Throws: ``ModelError/unreadable(_:reason:)`` if the file cannot be written.
    public static func write(_ model: AcousticModel, to path: String, format: WeightFormat = .f32) throws {
        do {
            try data(of: model, format: format).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch ModelError.unreadable(_, let reason) {
            throw ModelError.unreadable(path, reason: reason)
        } catch {
            throw ModelError.unreadable(path, reason: error.localizedDescription)
        }
    }

    /// Reads and checks a model file.
    /// - Throws: ``ModelError`` saying what is wrong with the file.
    public static func read(_ path: String) throws -> AcousticModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelError.unreadable(path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw ModelError.unreadable(path, reason: "is a directory") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw ModelError.unreadable(path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try model(from: data, name: path)
    }

    /// The model shipped inside the binary (`Sources/CDefaultModel/default.lstn`), used when
    /// no `--model` is given.
    /// - Throws: ``ModelError`` if the embedded bytes are damaged (a broken build).
    public static func bundled() throws -> AcousticModel {
        let bytes = UnsafeMutableRawPointer(mutating: listen_default_model_bytes()!)
        let data = Data(bytesNoCopy: bytes, count: listen_default_model_size(), deallocator: .none)
        defer { listen_default_model_release() }
        return try model(from: data, name: "the bundled model")
    }

    /// Where `listen enroll` writes the personal model, which every command uses when no
    /// `--model` is given: `$XDG_DATA_HOME/listen/model.lstn`, or
    /// `~/.local/share/listen/model.lstn` when XDG_DATA_HOME is unset or not absolute (nil
    /// without a home folder either).
    public static func personalModelPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return data + "/listen/model.lstn" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.local/share/listen/model.lstn"
    }

    /// Parses and checks a model held in memory; `name` is used in error messages.
    public static func model(from data: Data, name: String) throws -> AcousticModel {
        try data.withUnsafeBytes { bytes in
            guard bytes.count >= 20, Array(bytes.prefix(8)) == magic else { throw ModelError.notAModel(name) }
            let version = Int(readLittleEndian(UInt32.self, bytes, at: 8))
            guard readableVersions.contains(version) else {
                throw ModelError.unsupportedVersion(name, version: version, supported: readableVersions)
            }
            let headerLength = Int(readLittleEndian(UInt32.self, bytes, at: 12))
            guard headerLength <= maximumHeaderLength, 16 + headerLength + 4 <= bytes.count else {
                throw ModelError.corrupt(name, reason: "header length \(headerLength) does not fit in \(bytes.count) bytes")
            }
            let header: Header
            do {
                header = try JSONDecoder().decode(Header.self, from: Data(bytes[16..<(16 + headerLength)]))
            } catch let error as FeatureError {
                throw ModelError.unreadable(name, reason: "\(error)")
            } catch {
                throw ModelError.corrupt(name, reason: "unreadable header (\(describe(error)))")
            }
            let architecture = header.architecture
            do { try architecture.validate() } catch let error as ModelError {
                throw ModelError.corrupt(name, reason: "\(error)")
            }
            let expected = tensorShapes(architecture, header.features)
            guard header.tensors.count == expected.count,
                  zip(header.tensors, expected).allSatisfy({ $0.name == $1.name && $0.shape == $1.shape }) else {
                let mismatch = zip(header.tensors, expected).first { $0.name != $1.name || $0.shape != $1.shape }
                let detail = mismatch.map { "tensor \($0.0.name) \($0.0.shape), architecture needs \($0.1.name) \($0.1.shape)" }
                    ?? "\(header.tensors.count) tensors, architecture needs \(expected.count)"
                throw ModelError.corrupt(name, reason: detail)
            }
            let formats = try header.tensors.map { tensor in
                guard let format = WeightFormat(rawValue: tensor.dtype) else {
                    throw ModelError.corrupt(name, reason: "tensor \(tensor.name) has dtype '\(tensor.dtype)'; this build reads f32 and f16")
                }
                return format
            }
            let weightBytes = zip(header.tensors, formats).reduce(0) { $0 + $1.0.shape.reduce(1, *) * $1.1.bytesPerWeight }
            let expectedSize = 16 + headerLength + weightBytes + 4
            guard bytes.count == expectedSize else {
                throw ModelError.corrupt(name, reason: "file is \(bytes.count) bytes; its header describes \(expectedSize)")
            }
            let stored = readLittleEndian(UInt32.self, bytes, at: bytes.count - 4)
            guard CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - 4)])) == stored else {
                throw ModelError.checksumMismatch(name)
            }
            var model: AcousticModel
            do {
                model = try AcousticModel(architecture: architecture, features: header.features, alphabet: header.alphabet,
                                          defaultVocabulary: header.vocabulary, metadata: header.metadata)
            } catch let error as ModelError {
                throw ModelError.corrupt(name, reason: "\(error)")
            }
            var offset = 16 + headerLength
            var tensors = zip(header.tensors, formats).map { tensor, format in
                let count = tensor.shape.reduce(1, *)
                defer { offset += format.bytesPerWeight * count }
                return switch format {
                case .f32: (0..<count).map { Float(bitPattern: readLittleEndian(UInt32.self, bytes, at: offset + 4 * $0)) }
                case .f16: (0..<count).map { Float(Float16(bitPattern: readLittleEndian(UInt16.self, bytes, at: offset + 2 * $0))) }
                }
            }
            guard tensors.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
                throw ModelError.corrupt(name, reason: "a weight is NaN or infinite")
            }
            let trained = architecture.tensorShapes.count
            if header.features.kind == .speechEmbedding {
                let frozen = Array(tensors[trained...])
                model.speechEmbedding = try SpeechEmbedding(weights: stride(from: 0, to: frozen.count, by: 2).map { frozen[$0] },
                                                            biases: stride(from: 1, to: frozen.count, by: 2).map { frozen[$0] })
                tensors.removeSubrange(trained...)
            }
            model.tensors = tensors
            return model
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "bad field '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.dataCorrupted: "not valid JSON"
        default: "\(error)"
        }
    }

    private static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func readLittleEndian<T: FixedWidthInteger>(_: T.Type, _ bytes: UnsafeRawBufferPointer, at offset: Int) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
