import Foundation

/// The level of a short frame of samples in dB relative to full scale: 10·log10 of its mean
/// square (plus 1e-10, so digital silence is −100 dB). The one measure of loudness the live
/// ``Endpointer`` and the whole-recording ``SpeechActivity`` both judge speech by (and
/// enrolment judges its takes by).
/// - Parameter frame: samples in [-1, 1]; not empty.
public func frameLevel<Frame: Collection<Float>>(_ frame: Frame) -> Double {
    let sum = frame.reduce(0.0) { $0 + Double($1) * Double($1) }
    return 10 * log10(sum / Double(frame.count) + 1e-10)
}
