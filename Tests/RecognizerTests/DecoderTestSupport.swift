import Features
import Foundation
import Recognizer

/// Log-probabilities for a frame script: one character per frame, `_` the blank, `|` a space,
/// letters themselves. The scripted class gets `peak`, the rest share what is left.
func script(_ frames: String, peak: Float = 0.9, alphabet: Alphabet = .english) -> Matrix {
    let classes = alphabet.classCount
    var values: [Float] = []
    for character in frames {
        let target = character == "_" ? Alphabet.blank : alphabet.index(of: character == "|" ? " " : character)!
        let rest = (1 - peak) / Float(classes - 1)
        values += (0..<classes).map { log($0 == target ? peak : rest) }
    }
    return Matrix(rows: frames.count, columns: classes, values: values)
}

/// Timing for 10 ms frames over `frames` frames.
func timing(frames: Int) -> FrameTiming {
    FrameTiming(features: FeatureConfiguration(), duration: Double(frames) * 0.01 + 0.03)
}
