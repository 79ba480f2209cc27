import CBLAS
import Synchronization

/// The process-wide compute threading policy.
///
/// OpenBLAS always runs single-threaded inside each call (its own threading is slower for the
/// small GEMMs of training and erratic when changed at run time); Starling splits large GEMMs and
/// elementwise kernels across `threadCount` threads itself. Set it once at start-up.
public enum Parallel {
  private static let configuredThreads = Atomic<Int>(1)
  /// Compute threads beyond the caller's: created on first use, sized by the first
  /// `configure` (later calls with more threads get a larger pool).
  private static let pools = Mutex<[Int: WorkerPool]>([:])

  static func pool(threads: Int) -> WorkerPool {
    pools.withLock { pools in
      if let pool = pools[threads] { return pool }
      let pool = WorkerPool(workerCount: threads - 1)
      pools[threads] = pool
      return pool
    }
  }

  /// Pins OpenBLAS to one thread per call the first time any GEMM runs, even when the process
  /// never calls `configure`. A `static let` initialiser runs exactly once, thread-safely.
  public static let blasPinnedToOneThread: Void = { openblas_set_num_threads(1) }()

  /// A thread count for the current task and its children only (see `withThreads`).
  @TaskLocal static var scopedThreadCount: Int?

  /// Threads used by kernels: the current task's scoped count, else the process-wide one.
  public static var threadCount: Int {
    scopedThreadCount ?? configuredThreads.load(ordering: .relaxed)
  }

  /// Runs `body` with `threads` kernel threads for this task only. Commands and tests use it so
  /// that two trainings in one process cannot change each other's work split, and so their
  /// rounding: with the same thread count, the same seed gives the same bits.
  public static func withThreads<Result>(_ threads: Int, _ body: () throws -> Result) rethrows
    -> Result
  {
    precondition(threads >= 1, "thread count must be at least 1")
    _ = blasPinnedToOneThread
    return try $scopedThreadCount.withValue(threads) { try body() }
  }

  /// Sets the kernel thread count (at least 1) and pins OpenBLAS to one thread per call.
  public static func configure(threads: Int) {
    precondition(threads >= 1, "thread count must be at least 1")
    _ = blasPinnedToOneThread
    configuredThreads.store(threads, ordering: .relaxed)
  }

  /// Runs `body` over `0..<count` split into at most `threadCount` contiguous ranges, each at
  /// least `minimumChunk` long. Runs inline when one range suffices.
  public static func forEachRange(
    count: Int, minimumChunk: Int, _ body: (Range<Int>) -> Void
  ) {
    forEachIndexedRange(count: count, minimumChunk: minimumChunk) { body($1) }
  }

  /// The number of ranges `forEachRange` splits `count` items into.
  public static func rangeCount(count: Int, minimumChunk: Int) -> Int {
    Swift.min(threadCount, Swift.max(1, count / Swift.max(minimumChunk, 1)))
  }

  /// `forEachRange`, also passing each range's index in `0..<rangeCount(...)` so workers can
  /// own per-range scratch buffers.
  public static func forEachIndexedRange(
    count: Int, minimumChunk: Int, _ body: (Int, Range<Int>) -> Void
  ) {
    let chunks = rangeCount(count: count, minimumChunk: minimumChunk)
    if chunks <= 1 {
      body(0, 0..<count)
      return
    }
    let pool = pool(threads: chunks)
    let ran = pool.run { chunk in
      body(chunk, (count * chunk / chunks)..<(count * (chunk + 1) / chunks))
    }
    if !ran {
      // The pool is in use (a nested or concurrent call): do the same ranges on this thread.
      for chunk in 0..<chunks {
        body(chunk, (count * chunk / chunks)..<(count * (chunk + 1) / chunks))
      }
    }
  }
}

/// A pointer that may cross into `Parallel.forEachRange` workers, which write disjoint ranges.
public struct SendablePointer<Element>: @unchecked Sendable {
  public let base: UnsafeMutablePointer<Element>
  @inlinable public init(_ base: UnsafeMutablePointer<Element>) { self.base = base }
}
