import ArgumentParser
import Foundation

/// `--jobs`, shared by every command that spreads clips over worker threads.
struct JobsOption: ParsableArguments {
    @Option(help: "Worker threads; all cores if absent.")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }
}
