import Features
import Foundation
import Recognizer
import TestSupport
import Testing

@Suite("ModelFile")
final class ModelFileTests {
    let folder: URL

    init() throws { folder = try Fixtures.scratchFolder() }
    deinit { try? FileManager.default.removeItem(at: folder) }

    /// A small model with distinct, reproducible weights.
    static func smallModel() throws -> AcousticModel {
        var model = try AcousticModel(
            architecture: ModelArchitecture(inputSize: 13, hiddenSize: 8, layerCount: 2, classCount: 29, timeReduction: 2),
            features: FeatureConfiguration(), alphabet: .english, defaultVocabulary: ["yes", "no", "go left"],
            metadata: ModelMetadata(name: "tiny", trainingCommand: "listen train --tiny", metrics: ["accuracy": 0.5]))
        var state: UInt32 = 7
        model.tensors = model.tensors.map { tensor in
            tensor.map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return Float(Int32(bitPattern: state)) / Float(Int32.max)
            }
        }
        return model
    }

    private func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("The model built into the binary is the checkout's default.lstn, weight for weight (a stale build would carry an older one)")
    func bundledIsCheckedIn() throws {
        let file = try ModelFile.read(Fixtures.packageRoot.appendingPathComponent("Sources/CDefaultModel/default.lstn").path)
        let bundled = try ModelFile.bundled()
        #expect(bundled.tensors == file.tensors)
        #expect(bundled.metadata.trainingCommand == file.metadata.trainingCommand && bundled.metadata.created == file.metadata.created)
    }

    @Test("Write then read gives back every weight and field")
    func roundTrip() throws {
        let model = try Self.smallModel()
        let path = folder.appendingPathComponent("tiny.lmodel").path
        try ModelFile.write(model, to: path)
        let read = try ModelFile.read(path)
        #expect(read.tensors == model.tensors)
        #expect(read.architecture == model.architecture && read.features == model.features)
        #expect(read.alphabet == model.alphabet && read.defaultVocabulary == model.defaultVocabulary)
        #expect(read.metadata == model.metadata)
    }

    @Test("f16 storage halves the weights, rounds each to within 2⁻¹¹ of itself and reads back as float32")
    func halfPrecision() throws {
        let model = try Self.smallModel()
        let full = try ModelFile.data(of: model)
        let half = try ModelFile.data(of: model, format: .f16)
        #expect(full.count - half.count == 2 * model.architecture.parameterCount)
        let path = try write([UInt8](half), "half.lmodel")
        let read = try ModelFile.read(path)
        for (readTensor, tensor) in zip(read.tensors, model.tensors) {
            #expect(zip(readTensor, tensor).allSatisfy { abs($0 - $1) <= abs($1) * 0x1p-11 + 0x1p-24 })
        }
        #expect(read.tensors != model.tensors, "the weights were rounded")
        #expect(try ModelFile.data(of: read, format: .f16) == half, "rounding twice changes nothing")
        #expect(read.architecture == model.architecture && read.metadata == model.metadata)

        var large = model
        large.tensors[0][3] = 1e6
        let target = folder.appendingPathComponent("large.lmodel").path
        #expect(throws: ModelError.unreadable(target, reason: "weight 1000000.0 in \(model.architecture.tensorShapes[0].name) does not fit in f16")) {
            try ModelFile.write(large, to: target, format: .f16)
        }
        #expect(!FileManager.default.fileExists(atPath: target))
    }

    @Test("A tensor stored in a dtype this build does not know is refused by name")
    func unknownDtype() throws {
        let bytes = [UInt8](try ModelFile.data(of: try Self.smallModel()))
        let headerLength = Int(bytes[12]) | Int(bytes[13]) << 8 | Int(bytes[14]) << 16 | Int(bytes[15]) << 24
        let header = String(decoding: bytes[16..<(16 + headerLength)], as: UTF8.self)
        let changed = header.replacingOccurrences(of: #""dtype":"f32""#, with: #""dtype":"f64""#)
        #expect(changed != header && changed.utf8.count == headerLength)
        let path = try write(Array(bytes[..<16]) + Array(changed.utf8) + Array(bytes[(16 + headerLength)...]), "f64.lmodel")
        let first = ModelArchitecture(inputSize: 13, hiddenSize: 8, layerCount: 2, classCount: 29, timeReduction: 2).tensorShapes[0].name
        #expect(throws: ModelError.corrupt(path, reason: "tensor \(first) has dtype 'f64'; this build reads f32 and f16")) {
            try ModelFile.read(path)
        }
    }

    @Test("A header written before time reductions existed reads as none")
    func architectureWithoutTimeReduction() throws {
        let json = #"{"inputSize":13,"hiddenSize":8,"layerCount":2,"classCount":29}"#
        let architecture = try JSONDecoder().decode(ModelArchitecture.self, from: Data(json.utf8))
        #expect(architecture == ModelArchitecture(inputSize: 13, hiddenSize: 8, layerCount: 2, classCount: 29, timeReduction: 1))
    }

    @Test("An old header with its one 'convolution' reads as a list of one, and writes as the list")
    func architectureWithOneConvolution() throws {
        let json = #"{"inputSize":40,"hiddenSize":8,"layerCount":2,"classCount":29,"timeReduction":2,"#
            + #""convolution":{"bandStride":2,"channels":16,"inputBands":40,"kernelBands":5,"kernelFrames":3}}"#
        let architecture = try JSONDecoder().decode(ModelArchitecture.self, from: Data(json.utf8))
        let convolution = Convolution(channels: 16, inputBands: 40)
        #expect(architecture == ModelArchitecture(inputSize: 40, hiddenSize: 8, layerCount: 2, classCount: 29, timeReduction: 2,
                                                  convolutions: [convolution]))
        #expect(try JSONDecoder().decode(ModelArchitecture.self, from: JSONEncoder().encode(architecture)) == architecture)
        #expect(architecture.layerInputSize(0) == 320)
        let stacked = ModelArchitecture(inputSize: 40, hiddenSize: 8, layerCount: 2, classCount: 29,
                                        convolutions: [convolution, Convolution(channels: 8, inputBands: 21, inputChannels: 16)])
        #expect(throws: ModelError.self, "the second convolution must read the first one's 20 bands") { try stacked.validate() }
    }

    @Test("The reference model survives a round trip and still matches PyTorch", .enabled(if: Fixtures.has("reference/gru")))
    func referenceRoundTrip() throws {
        let path = folder.appendingPathComponent("reference.lmodel").path
        try ModelFile.write(try referenceModel(), to: path)
        let input = try Fixtures.matrix("reference/gru/T100_input_features.txt")
        let output = InferenceSession(model: try ModelFile.read(path)).logProbabilities(input)
        let reference = try Fixtures.matrix("reference/gru/T100_expected_log_probs_np64.txt")
        #expect(zip(output.values, reference.values).allSatisfy { abs($0 - $1) <= 1e-4 })
    }

    @Test("Truncated files are refused", arguments: [0, 10, 19, 200, 1_000])
    func truncated(keep: Int) throws {
        let bytes = [UInt8](try ModelFile.data(of: try Self.smallModel()))
        let path = try write(Array(bytes.prefix(keep)), "cut.lmodel")
        #expect(throws: ModelError.self) { try ModelFile.read(path) }
        do { _ = try ModelFile.read(path) } catch { #expect("\(error)".contains(path)) }
    }

    @Test("A flipped weight byte fails the checksum")
    func corrupted() throws {
        var bytes = [UInt8](try ModelFile.data(of: try Self.smallModel()))
        bytes[bytes.count - 100] ^= 0x40
        let path = try write(bytes, "flipped.lmodel")
        #expect(throws: ModelError.checksumMismatch(path)) { try ModelFile.read(path) }
    }

    @Test("Wrong magic and wrong version")
    func magicAndVersion() throws {
        var bytes = [UInt8](try ModelFile.data(of: try Self.smallModel()))
        let notModel = try write(Array("RIFF....WAVEfmt somethingsomething".utf8), "audio.wav")
        #expect(throws: ModelError.notAModel(notModel)) { try ModelFile.read(notModel) }
        bytes[8] = 6
        let future = try write(bytes, "future.lmodel")
        #expect(throws: ModelError.unsupportedVersion(future, version: 6, supported: 1...5)) { try ModelFile.read(future) }
        #expect(ModelError.unsupportedVersion(future, version: 6, supported: 1...5).description
                == "model file '\(future)' is version 6; this build reads versions 1-5")
    }

    /// The small model with a 13-band log-mel front end changed by `change`: the version byte
    /// (with the one after it) it is written with, and its front end as read back.
    private func writtenVersion(_ name: String, _ change: (inout FeatureConfiguration) -> Void) throws
        -> (version: UInt8, next: UInt8, features: FeatureConfiguration) {
        var model = try Self.smallModel()
        model.features.kind = .logMel
        model.features.melBandCount = 13
        change(&model.features)
        try model.features.validate()
        let bytes = [UInt8](try ModelFile.data(of: model))
        return (bytes[8], bytes[9], try ModelFile.read(try write(bytes, name)).features)
    }

    @Test("A model with edge padding is written as version 4, so older readers refuse it instead of running it unpadded; others stay version 1")
    func versionOfEdgePadding() throws {
        #expect(try ModelFile.data(of: try Self.smallModel())[8] == 1)
        let padded = try writtenVersion("padded.lmodel") { $0.edgePadding = 0.1 }
        #expect(padded.version == 4 && padded.next == 0)
        #expect(padded.features.edgePadding == 0.1)
    }

    @Test("A model whose front end needs a retired feature is refused with a message naming it")
    func retiredFeature() throws {
        var model = try Self.smallModel()
        model.features.kind = .logMel
        model.features.melBandCount = 13
        let bytes = [UInt8](try ModelFile.data(of: model))
        let headerLength = Int(bytes[12]) | Int(bytes[13]) << 8 | Int(bytes[14]) << 16 | Int(bytes[15]) << 24
        let header = String(decoding: bytes[16..<(16 + headerLength)], as: UTF8.self)
            .replacingOccurrences(of: "\"stackedFrames\":1", with: "\"dynamicRange\":40,\"stackedFrames\":1")
        // The header is read before the checksum is checked, so the old checksum may stay.
        let path = try write(Array(bytes[0..<12]) + le(UInt32(header.utf8.count)) + Array(header.utf8) + Array(bytes[(16 + headerLength)...]),
                             "floored.lmodel")
        #expect(throws: ModelError.unreadable(path, reason: "\(FeatureError.retired("a dynamic range floor (dynamicRange 40.0 dB)"))")) {
            try ModelFile.read(path)
        }
    }

    @Test("A hostile header declaring a huge model is refused before allocating")
    func hostileHeader() throws {
        let bytes = [UInt8](try ModelFile.data(of: try Self.smallModel()))
        let headerLength = Int(bytes[12]) | Int(bytes[13]) << 8 | Int(bytes[14]) << 16 | Int(bytes[15]) << 24
        var header = String(decoding: bytes[16..<(16 + headerLength)], as: UTF8.self)
        header = header.replacingOccurrences(of: "\"hiddenSize\":8", with: "\"hiddenSize\":2048")
        header = header.replacingOccurrences(of: "\"layerCount\":2", with: "\"layerCount\":16")
        let path = try write(Array(bytes[0..<12]) + le(UInt32(header.utf8.count)) + Array(header.utf8) + Array(bytes[(16 + headerLength)...]), "huge.lmodel")
        #expect(throws: ModelError.self) { try ModelFile.read(path) }
        do { _ = try ModelFile.read(path) } catch { #expect("\(error)".contains("corrupt")) }

        let absurd = try write(Array(bytes[0..<12]) + le(UInt32.max) + Array(bytes[16...]), "absurd.lmodel")
        #expect(throws: ModelError.corrupt(absurd, reason: "header length 4294967295 does not fit in \(bytes.count) bytes")) {
            try ModelFile.read(absurd)
        }
        let garbage = try write(Array(bytes[0..<12]) + le(UInt32(8)) + Array("{nonsense".utf8) + Array(repeating: 0, count: 10), "garbage.lmodel")
        #expect(throws: ModelError.corrupt(garbage, reason: "unreadable header (not valid JSON)")) { try ModelFile.read(garbage) }
    }

    @Test("A missing file and a directory")
    func missing() throws {
        #expect(throws: ModelError.unreadable("/nonexistent.lmodel", reason: "no such file")) { try ModelFile.read("/nonexistent.lmodel") }
        #expect(throws: ModelError.unreadable(folder.path, reason: "is a directory")) { try ModelFile.read(folder.path) }
    }

    private func le(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
}
