import Foundation

/// Small self-contained SVG charts: line charts for training curves and a heat map for
/// confusion matrices. No scripts, no external fonts; opens in any browser.
enum SVGPlot {
    /// One line of a chart.
    struct Series {
        var name: String
        var colour: String
        var points: [(x: Double, y: Double)]
    }

    /// Charts stacked vertically, each with its own y axis; they share the x axis label.
    static func lineCharts(title: String, xLabel: String, charts: [(yLabel: String, series: [Series])]) -> String {
        let width = 720.0, chartHeight = 240.0, left = 70.0, right = 20.0, top = 40.0, gap = 50.0
        let height = top + Double(charts.count) * (chartHeight + gap) + 10
        var svg = header(width: width, height: height)
        svg += text(x: width / 2, y: 24, title, size: 16, anchor: "middle")
        for (index, chart) in charts.enumerated() {
            let y0 = top + Double(index) * (chartHeight + gap)
            let points = chart.series.flatMap(\.points).filter { $0.y.isFinite }
            guard let minX = points.map(\.x).min(), let maxX = points.map(\.x).max(),
                  var minY = points.map(\.y).min(), var maxY = points.map(\.y).max() else {
                svg += text(x: width / 2, y: y0 + chartHeight / 2, "\(chart.yLabel): no data", size: 12, anchor: "middle")
                continue
            }
            if maxY - minY < 1e-9 { minY -= 0.5; maxY += 0.5 }
            let spanX = max(maxX - minX, 1e-9)
            let plotWidth = width - left - right
            func px(_ x: Double) -> Double { left + (x - minX) / spanX * plotWidth }
            func py(_ y: Double) -> Double { y0 + chartHeight - (y - minY) / (maxY - minY) * chartHeight }
            svg += "<rect x=\"\(left)\" y=\"\(y0)\" width=\"\(plotWidth)\" height=\"\(chartHeight)\" fill=\"none\" stroke=\"#999\"/>\n"
            for tick in 0...4 {
                let value = minY + (maxY - minY) * Double(tick) / 4
                svg += "<line x1=\"\(left)\" y1=\"\(py(value))\" x2=\"\(left + plotWidth)\" y2=\"\(py(value))\" stroke=\"#eee\"/>\n"
                svg += text(x: left - 6, y: py(value) + 4, format(value), size: 11, anchor: "end")
                let xValue = minX + spanX * Double(tick) / 4
                svg += text(x: px(xValue), y: y0 + chartHeight + 16, format(xValue), size: 11, anchor: "middle")
            }
            svg += text(x: 16, y: y0 + chartHeight / 2, chart.yLabel, size: 12, anchor: "middle",
                        transform: "rotate(-90 16 \(y0 + chartHeight / 2))")
            for (number, series) in chart.series.enumerated() {
                let path = series.points.filter { $0.y.isFinite }.map { String(format: "%.1f,%.1f", px($0.x), py($0.y)) }
                if path.count == 1 {
                    let point = path[0].split(separator: ",")
                    svg += "<circle cx=\"\(point[0])\" cy=\"\(point[1])\" r=\"3\" fill=\"\(series.colour)\"/>\n"
                } else if !path.isEmpty {
                    svg += "<polyline fill=\"none\" stroke=\"\(series.colour)\" stroke-width=\"1.5\" points=\"\(path.joined(separator: " "))\"/>\n"
                }
                svg += text(x: left + plotWidth - 8, y: y0 + 16 + 14 * Double(number), escape(series.name), size: 11,
                            anchor: "end", fill: series.colour)
            }
        }
        svg += text(x: width / 2, y: height - 12, xLabel, size: 12, anchor: "middle")
        return svg + "</svg>\n"
    }

    /// A confusion matrix: rows are the truth, columns what was recognised; cells shaded by
    /// the row's share.
    static func confusionMatrix(title: String, labels: [String], columns: [String], counts: [[Int]]) -> String {
        let cell = 18.0, left = 110.0, top = 110.0
        let width = left + cell * Double(columns.count) + 20, height = top + cell * Double(labels.count) + 20
        var svg = header(width: width, height: height)
        svg += text(x: 10, y: 20, escape(title), size: 14, anchor: "start")
        for (column, name) in columns.enumerated() {
            let x = left + cell * Double(column) + cell / 2 + 4, y = top - 6
            svg += text(x: x, y: y, escape(name), size: 10, anchor: "start", transform: "rotate(-60 \(x) \(y))")
        }
        for (row, name) in labels.enumerated() {
            let total = max(1, counts[row].reduce(0, +))
            svg += text(x: left - 6, y: top + cell * Double(row) + cell * 0.7, escape(name), size: 10, anchor: "end")
            for (column, count) in counts[row].enumerated() where count > 0 {
                let share = Double(count) / Double(total)
                let shade = Int(255 - 200 * share)
                svg += "<rect x=\"\(left + cell * Double(column))\" y=\"\(top + cell * Double(row))\" width=\"\(cell)\" height=\"\(cell)\" "
                    + "fill=\"rgb(\(shade),\(shade),255)\" stroke=\"#ddd\"><title>\(escape(name)) → \(escape(columns[column])): \(count)</title></rect>\n"
                svg += text(x: left + cell * Double(column) + cell / 2, y: top + cell * Double(row) + cell * 0.7, "\(count)",
                            size: 8, anchor: "middle", fill: share > 0.5 ? "#fff" : "#000")
            }
        }
        return svg + "</svg>\n"
    }

    private static func header(width: Double, height: Double) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    }

    private static func text(x: Double, y: Double, _ content: String, size: Int, anchor: String, fill: String = "#222",
                             transform: String? = nil) -> String {
        let extra = transform.map { " transform=\"\($0)\"" } ?? ""
        return String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%@\" fill=\"%@\"", x, y, size, anchor, fill)
            + extra + ">\(content)</text>\n"
    }

    private static func format(_ value: Double) -> String {
        abs(value) >= 100 ? String(format: "%.0f", value) : String(format: "%.3g", value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
