import ArgumentParser
import Audio
import Foundation
import Recognizer

/// Records enrolment takes from a PulseAudio source: asks for each word in turn, shows the
/// level on a terminal, and asks again for a take that is empty, clipped, too noisy or too long.
struct TakeRecorder {
    let device: String?
    let words: [String]
    let takes: Int

    /// Seconds to wait for speech after a prompt before asking again.
    static let patience = 8.0
    /// The least speech level above the room's (dB) of an accepted take.
    static let leastMargin = 15.0
    /// The longest take, in seconds.
    static let longest = 3.0
    /// The share of samples at full scale that makes a take clipped.
    static let clippedShare = 0.001

    /// Why a take is refused, or nil when it is good.
    /// - Parameters:
    ///   - samples: the take.
    ///   - room: the room's level before it, dB.
    static func problem(with samples: [Float], room: Double) -> String? {
        let clipped = samples.filter { abs($0) >= 0.99 }.count
        if Double(clipped) > clippedShare * Double(samples.count) {
            return "it clipped: speak further from the microphone or turn its level down"
        }
        if Double(samples.count) / 16000 > longest { return "it is longer than \(Int(longest)) s: say just the word" }
        let levels = stride(from: 0, to: samples.count - 159, by: 160).map { frameLevel(samples[$0..<($0 + 160)]) }.sorted()
        let speech = levels.isEmpty ? -100 : levels[Int(Double(levels.count - 1) * 0.9)]
        if speech - room < leastMargin {
            return String(format: "too much noise: the speech is only %.0f dB above the room (%.0f needed)", speech - room, leastMargin)
        }
        return nil
    }

    /// Records every word's takes; Ctrl-C stops (exit 1, nothing written).
    /// - Returns: the takes and the room's noise heard between them (up to 30 s).
    func record() async throws -> (takes: [Enrollment.Take], room: [Float]) {
        let capture = PulseCapture(device: device)
        let signals = MicCommand.stopOnSignals(capture)
        defer { signals.forEach { $0.cancel() } }
        var settings = Endpointer.Settings()
        settings.endSilence = 0.4  // a phrase's pauses stay inside its take
        settings.maximumLength = Self.longest + 1
        var endpointer = Endpointer(settings: settings)
        let meter = LevelMeter()
        var recorded: [Enrollment.Take] = []
        var room: [Float] = [], roomLevel: Double?
        var prompted = Date()
        var waiting = false
        func prompt() {
            let index = recorded.count
            let word = words[index / takes]
            meter.clear()
            StandardError.write("listen: say '\(word)' (take \(index % takes + 1) of \(takes), word \(index / takes + 1) of \(words.count))")
            prompted = Date()
            waiting = true
        }
        do {
            for try await event in capture.events() {
                switch event {
                case .connected(let source):
                    StandardError.write("listen: recording from \(source)")
                    if !waiting { prompt() }
                case .disconnected(let reason, let retry):
                    StandardError.write("listen: \(reason); retrying in \(retry) s")
                case .samples(let samples):
                    guard !samples.isEmpty else { continue }
                    let level = frameLevel(samples)
                    meter.show(level)
                    if !endpointer.isInUtterance {
                        // The room: a floor that falls at once and rises slowly, as the endpointer's.
                        roomLevel = roomLevel.map { level < $0 ? level : $0 + 0.05 } ?? level
                        if room.count < 30 * 16000, level < (roomLevel ?? level) + 6 { room += samples }
                    }
                    for utterance in endpointer.push(samples) {
                        guard waiting else { continue }
                        meter.clear()
                        let word = words[recorded.count / takes]
                        if let problem = Self.problem(with: utterance.samples, room: roomLevel ?? -100) {
                            StandardError.write("listen: take refused, \(problem)")
                            prompt()
                            continue
                        }
                        recorded.append(Enrollment.Take(text: word, samples: utterance.samples))
                        StandardError.write(String(format: "listen: got '%@' (%.1f s)", word, Double(utterance.samples.count) / 16000))
                        if recorded.count == words.count * takes {
                            waiting = false
                            capture.stop()
                        } else {
                            prompt()
                        }
                    }
                    if waiting && !endpointer.isInUtterance && Date().timeIntervalSince(prompted) > Self.patience {
                        meter.clear()
                        StandardError.write("listen: heard nothing")
                        prompt()
                    }
                }
            }
        } catch {
            meter.clear()
            StandardError.write("listen: \(error)")
            throw ExitCode.inputFailed
        }
        meter.clear()
        guard recorded.count == words.count * takes else {
            StandardError.write("listen: stopped after \(recorded.count) of \(words.count * takes) takes; nothing enrolled")
            throw ExitCode.inputFailed
        }
        return (recorded, room)
    }
}

/// The input level as a bar on stderr, redrawn in place on a terminal (nothing otherwise).
private final class LevelMeter {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastDrawn = Date.distantPast
    private var drawn = false

    /// Draws `level` (dBFS) at most 20 times a second: one mark per 3 dB above -60.
    func show(_ level: Double) {
        guard isTerminal, Date().timeIntervalSince(lastDrawn) >= 0.05 else { return }
        lastDrawn = Date()
        let marks = max(0, min(20, Int((level + 60) / 3)))
        let bar = String(repeating: "#", count: marks) + String(repeating: ".", count: 20 - marks)
        FileHandle.standardError.write(Data(String(format: "\r\u{1B}[Klevel [%@] %4.0f dB", bar, level).utf8))
        drawn = true
    }

    /// Clears the bar so that a message starts clean.
    func clear() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drawn = false
    }
}
