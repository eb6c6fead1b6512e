import Dispatch
import Foundation

/// Runs `body` for every index on `jobs` threads and returns the results in index order.
/// Threads take indices from a shared counter, so one slow item does not hold up a batch.
package enum ParallelMap {
    /// - Parameters:
    ///   - count: how many items.
    ///   - jobs: worker threads (at least 1).
    ///   - makeWorker: builds one thread's private state (an extractor, a recognizer…).
    ///   - progress: called after each item with the number done so far, on that worker's thread, under a lock.
    ///   - body: computes item `index` with the worker's state.
    package static func map<Worker, Result: Sendable>(
        count: Int, jobs: Int, makeWorker: @Sendable () throws -> Worker,
        progress: (@Sendable (Int) -> Void)? = nil,
        body: @Sendable (inout Worker, Int) -> Result
    ) throws -> [Result] {
        let slots = Slots<Result>(count: count)
        let threads = max(1, min(jobs, count))
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var worker: Worker
            do {
                worker = try makeWorker()
            } catch {
                slots.fail(error)
                return
            }
            while let index = slots.claim() {
                let value = body(&worker, index)
                let done = slots.store(value, at: index)
                progress?(done)
            }
        }
        if let failure = slots.failure { throw failure }
        return slots.values
    }
}

/// Result slots filled by several threads; indices handed out one at a time.
private final class Slots<Value>: @unchecked Sendable {
    // Safe: every access to the stored properties holds `lock`.
    private let lock = NSLock()
    private var storage: [Value?]
    private var next = 0
    private var done = 0
    private var firstFailure: Error?

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func claim() -> Int? {
        lock.withLock {
            guard next < storage.count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func store(_ value: Value, at index: Int) -> Int {
        lock.withLock {
            storage[index] = value
            done += 1
            return done
        }
    }

    /// Stops handing out indices; the first error is kept.
    func fail(_ error: Error) {
        lock.withLock {
            if firstFailure == nil { firstFailure = error }
            next = storage.count
        }
    }

    var failure: Error? { lock.withLock { firstFailure } }

    var values: [Value] { lock.withLock { storage.map { $0! } } }
}
