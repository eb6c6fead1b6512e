import Foundation
import Recognizer

/// Prints a training run's events on standard error: progress lines while the clips are
/// prepared and while an epoch trains, a line per epoch, skipped clips.
final class TrainingPrinter: @unchecked Sendable {
    // Safe: `progress` is only touched under `lock`; events come from worker threads while the data is prepared.
    private let lock = NSLock()
    private var progress: ProgressLine?
    private let checkpoints: String

    /// A printer for a run checkpointed in `checkpoints`.
    init(checkpoints: String) { self.checkpoints = checkpoints }

    /// Prints one event.
    func print(_ event: TrainingRun.Event) {
        lock.withLock {
            switch event {
            case .preparing(let label, let done, let total):
                if progress == nil { progress = ProgressLine(label, total: total, unit: "clips") }
                progress?.update(done)
                if done == total { finishProgress() }
            case .skipped(let path, let reason):
                StandardError.write("listen: skipping \(path): \(reason)")
            case .prepared(let data):
                StandardError.write("listen: clips per source: " + data.sources.map { source in
                    source.name == "folders" ? "--real \(source.clips) ×\(source.weight)" : "\(source.name) \(source.clips)" + (source.weight == 1 ? "" : " ×\(source.weight)")
                }.joined(separator: ", "))
                StandardError.write("listen: \(data.manifestClips) manifest + \(data.folderClips) folder clips (×\(data.folderWeight)) = \(data.perEpoch) per epoch"
                                    + (data.afterBalance.map { ", \($0) after --balance" } ?? "")
                                    + "; \(data.heldOut) held out; OpenBLAS \(BLASKernels.coreName) kernels")
            case .resumed(let epoch, let step):
                StandardError.write("listen: resuming \(checkpoints) after epoch \(epoch), update \(step)")
            case .update(let epoch, let epochs, let update, let updates, let loss):
                if progress == nil { progress = ProgressLine("epoch \(epoch)/\(epochs)", total: updates, unit: "updates", logsWhenPiped: true) }
                progress?.update(update, detail: String(format: "loss %.3f", loss))
                if update == updates { finishProgress() }
            case .epochFinished(let report):
                let scores = report.monitors.map { name, clips, correct in
                    String(format: "; %@ %.1f%% (%d/%d)", name, clips > 0 ? 100 * Double(correct) / Double(clips) : .nan, correct, clips)
                }.joined()
                StandardError.write(String(format: "listen: epoch %d/%d loss %@ held-out accuracy %.1f%%%@ (%@ this epoch, %@ in all)",
                                           report.epoch, report.epochs, report.loss.map { String(format: "%.3f", $0) } ?? "-",
                                           100 * report.heldOutAccuracy, scores, ProgressLine.clock(report.seconds),
                                           ProgressLine.clock(report.totalSeconds)))
            }
        }
    }

    private func finishProgress() {
        progress?.finish()
        progress = nil
    }
}
