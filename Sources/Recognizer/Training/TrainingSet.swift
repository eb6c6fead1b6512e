import Audio
import Features
import Foundation

/// The clips of a training run, read and featurised once: the training clips with their
/// schedule of views per epoch (source weights, word balance), the held-out clips and the
/// monitored sets.
struct TrainingSet {
    /// A decoded, labelled clip: its features and, when augmentations need them, its samples.
    struct Clip {
        var example: TrainingExample
        /// Its words (empty for noise).
        var words: String
        var source: String
        var fromFolder: Bool
        /// The 16 kHz samples (for speed perturbation and noise mixing), else none.
        var samples: [Float]
    }

    var clips: [Clip]
    var heldOut: [TrainingExample]
    var monitored: [(path: String, clips: [LabelledClip])]
    /// The clips (indices into ``clips``) of each epoch.
    let clipsOfEpoch: (Int) -> [Int]
    let summary: TrainingRun.TrainingData
    /// The data in words, for the model's metadata.
    let recipe: String

    /// Reads and featurises the configuration's clips on `jobs` threads.
    /// - Throws: ``RecognizerError`` when a manifest, folder or monitored set cannot be read, or
    ///   no clip is usable.
    init(configuration c: TrainingConfiguration, features: FeatureConfiguration, embedding: SpeechEmbedding?, jobs: Int,
         events: @escaping @Sendable (TrainingRun.Event) -> Void) throws {
        var manifestClips: [LabelledClip] = [], heldOutClips: [LabelledClip] = [], folderClips: [LabelledClip] = []
        for manifest in c.manifests {
            let (train, heldout) = try Self.reading(manifest) { try LabelledData.manifest(manifest, split: c.split) }
            manifestClips += train
            heldOutClips += heldout
        }
        for folder in c.folders { folderClips += try Self.reading(folder) { try LabelledData.folder(folder) } }
        // Sets scored after every epoch; read now, so that a wrong path stops the run before it starts.
        monitored = try c.monitors.map { path in
            let clips = try Self.reading(path) { try LabelledData.clips(at: path, split: c.split) }
            guard !clips.isEmpty else { throw RecognizerError.trainingFailed("no audio clips in \(path)") }
            return (path, clips)
        }
        // Held-out clips are scored on the words users ask for: those made of vocabulary words.
        let vocabularyWords = Set(c.vocabulary.flatMap { $0.split(separator: " ").map(String.init) })
        heldOutClips = heldOutClips.filter { clip in
            clip.transcript.map { !$0.isEmpty && $0.split(separator: " ").allSatisfy { vocabularyWords.contains(String($0)) } } ?? false
        }
        var generator = SeededGenerator(seed: c.seed)
        heldOutClips.shuffle(using: &generator)
        heldOutClips = Array(heldOutClips.prefix(c.heldOutLimit))
        let keepingSamples = c.noiseMix > 0 || c.speedShare > 0
        let clips = try Self.prepare(manifestClips, fromFolder: false, features: features, embedding: embedding, keepingSamples: keepingSamples,
                                 label: "training features", jobs: jobs, events: events)
            + Self.prepare(folderClips, fromFolder: true, features: features, embedding: embedding, keepingSamples: keepingSamples,
                           label: "training features", jobs: jobs, events: events)
        self.clips = clips
        heldOut = try Self.prepare(heldOutClips, fromFolder: false, features: features, embedding: embedding, keepingSamples: false,
                                   label: "held-out features", jobs: jobs, events: events).map(\.example)

        // Every clip as many times as its source's weight: a manifest's source, or the folder weight.
        let weightOf = clips.map { $0.fromFolder ? c.folderWeight : c.sourceWeights[$0.source] ?? 1 }
        var schedule: [Int] = []
        let fromManifests = clips.indices.filter { !clips[$0].fromFolder }, fromFolders = clips.indices.filter { clips[$0].fromFolder }
        for round in 0..<max(1, c.sourceWeights.values.max() ?? 1) { schedule += fromManifests.filter { weightOf[$0] > round } }
        for _ in 0..<c.folderWeight { schedule += fromFolders }
        guard !schedule.isEmpty else { throw RecognizerError.trainingFailed("no usable training clips") }
        let clipsOfEpoch = Self.balancedSchedule(schedule, words: clips.map(\.words), cap: c.balance, seed: c.seed)
        self.clipsOfEpoch = clipsOfEpoch

        let counts = Dictionary(grouping: clips, by: { $0.fromFolder ? "folders" : $0.source }).mapValues(\.count)
        let folderCount = fromFolders.count, manifestCount = fromManifests.count
        summary = TrainingRun.TrainingData(
            sources: counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value, $0.key == "folders" ? c.folderWeight : c.sourceWeights[$0.key] ?? 1) },
            manifestClips: manifestCount, folderClips: folderCount, folderWeight: c.folderWeight, perEpoch: schedule.count,
            afterBalance: c.balance > 0 ? clipsOfEpoch(0).count : nil, heldOut: heldOut.count)
        recipe = "\(manifestCount) clips from \(c.manifests.joined(separator: ", "))"
            + (c.sourceWeights.isEmpty ? "" : " (" + c.sourceWeights.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ") + ")")
            + "; \(folderCount) real clips from \(c.folders.joined(separator: ", ")) ×\(c.folderWeight)"
            + "; \(c.heldOutSpeakers) % of manifest speakers held out"
            + (c.excluded.isEmpty ? "" : ", excluded: " + c.excluded.map { $0.lowercased() }.sorted().joined(separator: ", "))
    }

    /// `read()`, its failure named by `path`.
    private static func reading<T>(_ path: String, _ read: () throws -> T) throws -> T {
        do {
            return try read()
        } catch let error as RecognizerError {
            throw error
        } catch {
            throw RecognizerError.trainingFailed("cannot read \(path): \(inputErrorReason(error))")
        }
    }

    /// Decodes and labels clips on `jobs` threads; unreadable or unspellable clips are reported
    /// (``TrainingRun/Event/skipped(path:reason:)``) and left out, as are clips without a transcript.
    private static func prepare(_ clips: [LabelledClip], fromFolder: Bool, features: FeatureConfiguration, embedding: SpeechEmbedding?,
                                keepingSamples: Bool, label: String, jobs: Int,
                                events: @escaping @Sendable (TrainingRun.Event) -> Void) throws -> [Clip] {
        let alphabet = Alphabet.english, total = clips.count
        let results = try ParallelMap.map(count: clips.count, jobs: jobs,
                                          makeWorker: { try FrontEnd(configuration: features, speechEmbedding: embedding) },
                                          progress: { events(.preparing(label: label, done: $0, total: total)) }) { extractor, index -> Result<Clip, any Error>? in
            let clip = clips[index]
            guard let text = clip.transcript else { return nil }
            do {
                try alphabet.checkSpellable(text)
                let audio = try AudioDecoder.decode(file: clip.path)
                let features = extractor.postprocess(extractor.baseFrames(audio.samples))
                return .success(Clip(example: TrainingExample(features: features, labels: alphabet.encode(text)), words: text,
                                     source: clip.source, fromFolder: fromFolder, samples: keepingSamples ? audio.samples : []))
            } catch {
                return .failure(error)
            }
        }
        var kept: [Clip] = []
        for (index, result) in results.enumerated() {
            switch result {
            case .success(let clip): kept.append(clip)
            case .failure(let error): events(.skipped(path: clips[index].path, reason: inputErrorReason(error)))
            case nil: break
            }
        }
        return kept
    }

    /// The clips of each epoch under a word balance: every slot of `schedule` (indices into
    /// `words`, the clips' transcripts) whose words are all common is kept with probability
    /// `cap / n` for its rarest word's count n in the schedule, drawn anew for every epoch from
    /// the seed; slots with a word in at most `cap` clips, and noise (no words), are always kept.
    static func balancedSchedule(_ schedule: [Int], words: [String], cap: Int, seed: UInt64) -> (Int) -> [Int] {
        guard cap > 0 else { return { _ in schedule } }
        let split = words.map { Set($0.split(separator: " ").map(String.init)) }
        var counts: [String: Int] = [:]
        for slot in schedule { for word in split[slot] { counts[word, default: 0] += 1 } }
        let keep = split.map { words in words.map { min(1, Double(cap) / Double(counts[$0] ?? 1)) }.max() ?? 1 }
        return { epoch in
            var generator = SeededGenerator(seed: seed &+ 0xBA1A_4CE5 &+ UInt64(epoch) &* 104_729)
            return schedule.filter { slot in Double.random(in: 0..<1, using: &generator) < keep[slot] }
        }
    }
}
