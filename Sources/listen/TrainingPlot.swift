import Recognizer

/// The SVG plot `listen train` draws of a run.
enum TrainingPlot {
    /// The loss per 50 updates (and per epoch's rest); the held-out accuracy and every `--monitor` set's accuracy per epoch.
    static func plot(_ state: TrainingState) -> String {
        let stepsPerEpoch = state.epoch > 0 ? Double(state.step) / Double(state.epoch) : 1
        let colours = ["#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"]
        let monitored = (state.monitored ?? [:]).sorted { $0.key < $1.key }.enumerated().map { number, set in
            SVGPlot.Series(name: "\(TrainingRun.monitorName(set.key)), as listen eval scores it", colour: colours[number % colours.count],
                           points: set.value.map { ($0[0] * stepsPerEpoch, $0[1]) })
        }
        return SVGPlot.lineCharts(title: "listen train", xLabel: "update", charts: [
            ("CTC loss", [SVGPlot.Series(name: "training loss (mean of up to 50 updates)", colour: "#1f77b4",
                                          points: state.losses.map { ($0[0], $0[1]) })]),
            ("accuracy", [SVGPlot.Series(name: "held-out clips: exact transcript, greedy", colour: "#d62728",
                                         points: state.accuracies.enumerated().map { (Double($0.offset + 1) * stepsPerEpoch, $0.element) })]
                + monitored),
        ])
    }
}
