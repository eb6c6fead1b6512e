import Foundation
import Recognizer
import TestSupport
import Testing

/// Real-speech manifests: the speaker split, exclusions and sources that training and
/// evaluation share.
@Suite("Labelled data")
struct LabelledDataTests {
    @Test("Speakers fall in the same bucket on every machine (FNV-1a, mod 100)")
    func buckets() {
        #expect(LabelledData.speakerBucket("ivan") == 9)
        #expect(LabelledData.speakerBucket("alice") == 83)
        #expect(LabelledData.speakerBucket("doing_the_dishes.flac") == 75)
        #expect(LabelledData.speakerBucket("running_tap.flac") == 10)
    }

    @Test("10 % of speakers held out, rows without a speaker by file name, exclusions by text and by file name")
    func split() throws {
        let path = try Fixtures.realSpeechManifest()
        let (train, heldout) = try LabelledData.manifest(path)
        #expect(Set(heldout.map(\.path).map { ($0 as NSString).lastPathComponent }) == ["yes.wav", "no.wav", "up.wav"])
        #expect(Set(train.map(\.path).map { ($0 as NSString).lastPathComponent }) == ["stop.wav", "go.wav", "left.wav"])
        #expect(Set(heldout.map(\.source)) == ["one", "two"])
        let excluded = try LabelledData.manifest(path, split: .init(heldOutSpeakers: 10, excluded: ["jarvis", "left"]))
        #expect(excluded.heldout.count == 2 && excluded.train.count == 2)
        #expect(try LabelledData.manifest(path, split: .init(heldOutSpeakers: 0)).heldout.isEmpty)
        #expect(try LabelledData.clips(at: path).map(\.label) == heldout.map(\.label), "a manifest's clips to measure are its held-out rows")
    }

    @Test("A manifest without a path or text column is refused, naming the file")
    func badManifest() throws {
        let path = try Fixtures.scratchFolder().path + "/bad.tsv"
        try "file\twords\nx.wav\tyes\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: RecognizerError.invalidManifest(path, reason: "the header needs 'path' and 'text' columns")) {
            try LabelledData.manifest(path)
        }
    }
}
