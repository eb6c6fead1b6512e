/// Averaging a `[T, width]` layer output over groups of `factor` frames (the last group may
/// be shorter): the frame-rate reduction of ``ModelArchitecture/timeReduction``.
enum TimeReduction {
    /// Frames left after averaging `frames` in groups of `factor`: `⌈frames / factor⌉`.
    static func reducedFrames(_ frames: Int, factor: Int) -> Int { (frames + factor - 1) / factor }

    /// Averages in place: frame t of the result is the mean of frames `factor·t ..< factor·t + factor`.
    /// - Returns: the number of frames left (``reducedFrames(_:factor:)``).
    static func average(_ values: UnsafeMutablePointer<Float>, frames: Int, width: Int, factor: Int) -> Int {
        guard factor > 1 else { return frames }
        let reduced = reducedFrames(frames, factor: factor)
        for t in 0..<reduced {
            let first = t * factor, count = min(factor, frames - first)
            let target = values + t * width
            if first != t { target.update(from: values + first * width, count: width) }
            for member in 1..<max(1, count) {
                let source = values + (first + member) * width
                for j in 0..<width { target[j] += source[j] }
            }
            let scale = 1 / Float(count)
            for j in 0..<width { target[j] *= scale }
        }
        return reduced
    }

    /// The gradient through ``average(_:frames:width:factor:)``: each of the `frames` input
    /// frames gets its group's gradient divided by the group's size.
    static func spread(_ gradient: [Float], frames: Int, width: Int, factor: Int) -> [Float] {
        guard factor > 1 else { return gradient }
        var spread = [Float](repeating: 0, count: frames * width)
        for t in 0..<frames {
            let group = t / factor, scale = 1 / Float(min(factor, frames - group * factor))
            for j in 0..<width { spread[t * width + j] = gradient[group * width + j] * scale }
        }
        return spread
    }
}
