import Foundation

/// A fixed set of threads for decoding and encoding, so CPU-bound media work never blocks
/// Swift's cooperative thread pool. `run` suspends the caller until a pool thread has done the work.
///
/// ```swift
/// let pool = MediaWorkPool(threads: 2)
/// let rendered = try await pool.run { try processor.render(bytes) }
/// ```
public final class MediaWorkPool: Sendable {
    private let queue: JobQueue
    /// How many threads do the work.
    public let threadCount: Int

    /// A pool of `threads` worker threads (default: one per active core).
    public init(threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        threadCount = max(1, threads)
        queue = JobQueue()
        for i in 0..<threadCount {
            let queue = self.queue
            let thread = Thread {
                _ = pthread_setspecific(poolThreadKey, UnsafeRawPointer(bitPattern: i + 1))
                queue.drain()
            }
            thread.name = "status-media-\(i)"
            thread.start()
        }
    }

    /// Whether the calling thread is one of a pool's threads (not the cooperative pool's).
    public static var isPoolThread: Bool { pthread_getspecific(poolThreadKey) != nil }

    /// Lets the threads finish the queued work and exit.
    deinit { queue.stop() }

    /// Runs `body` on a pool thread and returns its result (or rethrows its error).
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            queue.enqueue {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}

/// Marks the pools' threads, so work can tell where it runs.
private let poolThreadKey: pthread_key_t = {
    var key = pthread_key_t()
    _ = pthread_key_create(&key, nil)
    return key
}()

/// The pool's shared queue; the threads hold it, not the pool, so dropping the pool stops them.
private final class JobQueue: @unchecked Sendable {
    // @unchecked Sendable: `jobs` and `stopping` are only read or written while holding
    // `condition`'s lock.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var stopping = false

    func enqueue(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    func drain() {
        while true {
            condition.lock()
            while head == jobs.count && !stopping { condition.wait() }
            if head == jobs.count {
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head > 64 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}
