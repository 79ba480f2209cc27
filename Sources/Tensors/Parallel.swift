import CBLAS
import Dispatch
import Synchronization

/// The process-wide compute threading policy.
///
/// OpenBLAS always runs single-threaded inside each call (its own threading is slower for the
/// small GEMMs of training and erratic when changed at run time); Starling splits large GEMMs and
/// elementwise kernels across `threadCount` threads itself. Set it once at start-up.
public enum Parallel {
  private static let configuredThreads = Atomic<Int>(1)

  /// Pins OpenBLAS to one thread per call the first time any GEMM runs, even when the process
  /// never calls `configure`. A `static let` initialiser runs exactly once, thread-safely.
  public static let blasPinnedToOneThread: Void = { openblas_set_num_threads(1) }()

  /// Threads used by kernels.
  public static var threadCount: Int { configuredThreads.load(ordering: .relaxed) }

  /// Sets the kernel thread count (at least 1) and pins OpenBLAS to one thread per call.
  public static func configure(threads: Int) {
    precondition(threads >= 1, "thread count must be at least 1")
    _ = blasPinnedToOneThread
    configuredThreads.store(threads, ordering: .relaxed)
  }

  /// Runs `body` over `0..<count` split into at most `threadCount` contiguous ranges, each at
  /// least `minimumChunk` long. Runs inline when one range suffices.
  @inlinable
  public static func forEachRange(
    count: Int, minimumChunk: Int, _ body: (Range<Int>) -> Void
  ) {
    forEachIndexedRange(count: count, minimumChunk: minimumChunk) { body($1) }
  }

  /// The number of ranges `forEachRange` splits `count` items into.
  @inlinable
  public static func rangeCount(count: Int, minimumChunk: Int) -> Int {
    Swift.min(threadCount, Swift.max(1, count / Swift.max(minimumChunk, 1)))
  }

  /// `forEachRange`, also passing each range's index in `0..<rangeCount(...)` so workers can
  /// own per-range scratch buffers.
  @inlinable
  public static func forEachIndexedRange(
    count: Int, minimumChunk: Int, _ body: (Int, Range<Int>) -> Void
  ) {
    let chunks = rangeCount(count: count, minimumChunk: minimumChunk)
    if chunks <= 1 {
      body(0, 0..<count)
      return
    }
    withoutActuallyEscaping(body) { escapable in
      let work = UncheckedSendableBox(escapable)
      DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let lower = count * chunk / chunks
        let upper = count * (chunk + 1) / chunks
        work.value(chunk, lower..<upper)
      }
    }
  }
}

/// A pointer that may cross into `Parallel.forEachRange` workers, which write disjoint ranges.
public struct SendablePointer<Element>: @unchecked Sendable {
  public let base: UnsafeMutablePointer<Element>
  @inlinable public init(_ base: UnsafeMutablePointer<Element>) { self.base = base }
}

/// Carries a value into `concurrentPerform`, whose workers run while the caller waits; the
/// callers only hand over closures that write disjoint ranges.
@usableFromInline struct UncheckedSendableBox<Value>: @unchecked Sendable {
  @usableFromInline let value: Value
  @usableFromInline init(_ value: Value) { self.value = value }
}
