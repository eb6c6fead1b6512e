import Foundation

/// Learning rate per update: a linear warm-up to the peak, then a cosine decay to a floor.
package struct LearningRateSchedule: Sendable, Codable, Hashable {
    /// The highest rate, reached at the end of the warm-up.
    package var peak: Float
    /// The rate the cosine decays to at `totalSteps`.
    package var floor: Float
    /// Updates of linear warm-up from `peak / warmupSteps` to `peak`.
    package var warmupSteps: Int
    /// Updates in the whole run (at least 1).
    package var totalSteps: Int

    /// A schedule over `totalSteps` updates.
    package init(peak: Float, floor: Float, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.floor = floor
        self.warmupSteps = warmupSteps
        self.totalSteps = max(totalSteps, 1)
    }

    /// The rate for update number `step` (0-based).
    package func rate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let progress = min(1, Float(step - warmupSteps) / Float(max(1, totalSteps - warmupSteps)))
        return floor + (peak - floor) * 0.5 * (1 + cos(Float.pi * progress))
    }
}
