import Dispatch

/// One value computed on another thread while the caller does something else: a training run
/// builds the next batch's augmented views while the current batch trains, so the core that
/// would wait for the update's slower half does it instead.
package final class Prefetch<Value>: @unchecked Sendable {
    // Safe: `outcome` is written once on the worker before `done` is signalled, and read
    // only after `wait` on it; `work` is called on the worker alone.
    private let done = DispatchGroup()
    private var outcome: Result<Value, Error>?

    /// Starts `work` now. Nothing else may use what it touches until ``value()`` returns.
    package init(_ work: @escaping () throws -> Value) {
        let job = UncheckedWork(work: work)
        done.enter()
        DispatchQueue.global().async { [self] in
            outcome = Result { try job.work() }
            done.leave()
        }
    }

    /// Waits for the work; its value, or the error it threw.
    package func value() throws -> Value {
        done.wait()
        return try outcome!.get()
    }
}

/// A closure carried to the one thread that runs it.
private struct UncheckedWork<Value>: @unchecked Sendable {
    // Safe: handed to a single worker and called there once (see `Prefetch`).
    let work: () throws -> Value
}
