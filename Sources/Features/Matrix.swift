/// A dense row-major matrix of `Float`: `values[row * columns + column]`.
///
/// Features are `[frames, dimension]`; model outputs are `[frames, classes]`.
public struct Matrix: Sendable, Hashable {
    /// Number of rows (frames, for features).
    public private(set) var rows: Int
    /// Number of columns (values per frame).
    public private(set) var columns: Int
    /// `rows * columns` values, row after row.
    public var values: [Float]

    /// Wraps existing values.
    /// - Precondition: `values.count == rows * columns`.
    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns,
                     "matrix of \(rows)x\(columns) needs \(rows * columns) values, got \(values.count)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A matrix filled with one value.
    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        self.init(rows: rows, columns: columns, values: [Float](repeating: value, count: rows * columns))
    }

    /// The value at `row`, `column`.
    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// One row as a slice of ``values``.
    public func row(_ index: Int) -> ArraySlice<Float> {
        values[(index * columns)..<((index + 1) * columns)]
    }

    /// Appends rows given as row-major values whose count is a multiple of ``columns``.
    public mutating func appendRows<Values: Collection>(_ rowValues: Values) where Values.Element == Float {
        precondition(columns > 0 && rowValues.count % columns == 0, "appending \(rowValues.count) values to rows of \(columns)")
        values.append(contentsOf: rowValues)
        rows += rowValues.count / columns
    }
}
