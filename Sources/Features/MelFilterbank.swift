import Foundation

/// Slaney-style mel filters (librosa's `htk=False, norm="slaney"`), stored sparsely.
///
/// Each band is a triangle over a few FFT bins; only those weights are kept, so applying
/// the bank costs about two multiply-adds per bin instead of `bands × bins`.
public struct MelFilterbank: Sendable, Hashable {
    /// Number of bands.
    public let bandCount: Int
    /// Number of FFT bins, `fftSize / 2 + 1`.
    public let binCount: Int
    /// First bin of each band.
    let firstBins: [Int]
    /// Offset of each band's weights in ``weights``, plus the end.
    let offsets: [Int]
    /// The nonzero weights of all bands, band after band.
    let weights: [Float]

    /// Builds the filters for a configuration.
    public init(configuration c: FeatureConfiguration) {
        let bandCount = c.melBandCount, binCount = c.fftSize / 2 + 1
        self.bandCount = bandCount
        self.binCount = binCount
        let low = Self.mel(c.minimumFrequency), high = Self.mel(c.maximumFrequency)
        let edges = (0..<(bandCount + 2)).map { Self.hertz(low + (high - low) * Double($0) / Double(bandCount + 1)) }
        let binWidth = Double(c.sampleRate) / Double(c.fftSize)
        var firstBins: [Int] = [], offsets: [Int] = [0], weights: [Float] = []
        for band in 0..<bandCount {
            let (left, centre, right) = (edges[band], edges[band + 1], edges[band + 2])
            let scale = 2 / (right - left)
            let row = (0..<binCount).map { bin -> Float in
                let f = Double(bin) * binWidth
                return Float(max(0, min((f - left) / (centre - left), (right - f) / (right - centre))) * scale)
            }
            let first = row.firstIndex(where: { $0 > 0 }) ?? 0
            let last = row.lastIndex(where: { $0 > 0 }) ?? -1
            firstBins.append(first)
            if last >= first { weights.append(contentsOf: row[first...last]) }
            offsets.append(weights.count)
        }
        self.firstBins = firstBins
        self.offsets = offsets
        self.weights = weights
    }

    /// The filters as a dense `[bands, bins]` matrix (librosa's `mel` output).
    public var dense: Matrix {
        var matrix = Matrix(rows: bandCount, columns: binCount)
        for band in 0..<bandCount {
            for (index, weight) in weights[offsets[band]..<offsets[band + 1]].enumerated() {
                matrix[band, firstBins[band] + index] = weight
            }
        }
        return matrix
    }

    /// Applies the bank: `energies[j] = Σ_k w_j(k) power[k]`.
    @inline(__always)
    func apply(power: UnsafePointer<Float>, into energies: UnsafeMutablePointer<Float>) {
        weights.withUnsafeBufferPointer { w in
            for band in 0..<bandCount {
                var sum: Float = 0
                let first = firstBins[band]
                for index in offsets[band]..<offsets[band + 1] {
                    sum += w[index] * power[first + index - offsets[band]]
                }
                energies[band] = sum
            }
        }
    }

    /// Slaney's mel scale: linear below 1 kHz, logarithmic above.
    public static func mel(_ hertz: Double) -> Double {
        hertz < 1_000 ? hertz / (200.0 / 3) : 15 + log(hertz / 1_000) / (log(6.4) / 27)
    }

    /// The inverse of ``mel(_:)``.
    public static func hertz(_ mel: Double) -> Double {
        mel < 15 ? mel * (200.0 / 3) : 1_000 * exp((mel - 15) * (log(6.4) / 27))
    }
}
