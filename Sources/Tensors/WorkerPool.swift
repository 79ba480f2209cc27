import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Persistent compute threads that pick up work within about a microsecond.
///
/// A training step hands out dozens of small jobs (a GEMM split in two, a pooling pass); waking
/// a sleeping thread for each costs tens of microseconds, as much as the job itself. Workers
/// here spin on an atomic generation counter for `spinIterationsMax` checks after each job and
/// only then sleep on a condition variable, so back-to-back jobs never pay for a wake-up while
/// an idle process does not burn a core.
///
/// One job runs at a time. A caller that finds the pool busy (a nested call, or another thread
/// already using it) runs its job inline on its own thread instead.
final class WorkerPool: @unchecked Sendable {
  // Shared state is published through `generation` (release/acquire) and guarded by `mutex`
  // for sleeping; `job` and `jobChunks` are written only by the caller holding `isBusy`.
  static let spinIterationsMax = 200_000

  let workerCount: Int
  private let generation = Atomic<UInt64>(0)
  private let remaining = Atomic<Int>(0)
  private let isBusy = Atomic<Bool>(false)
  private var job: ((Int) -> Void)?
  private var mutex = pthread_mutex_t()
  private var condition = pthread_cond_t()
  private var sleepers = 0

  init(workerCount: Int) {
    self.workerCount = workerCount
    pthread_mutex_init(&mutex, nil)
    pthread_cond_init(&condition, nil)
    for index in 0..<workerCount {
      let pool = Unmanaged.passRetained(self)
      var thread = pthread_t()
      let created = pthread_create(
        &thread, nil,
        { argument in
          let pointer = argument!.assumingMemoryBound(to: (Unmanaged<WorkerPool>, Int).self)
          let (pool, index) = pointer.pointee
          pointer.deallocate()
          pool.takeUnretainedValue().workerLoop(chunk: index + 1)
          return nil
        },
        {
          let pointer = UnsafeMutablePointer<(Unmanaged<WorkerPool>, Int)>.allocate(capacity: 1)
          pointer.initialize(to: (pool, index))
          return UnsafeMutableRawPointer(pointer)
        }())
      precondition(created == 0, "cannot start a compute thread")
      pthread_detach(thread)
    }
  }

  /// Runs `body(chunk)` for every chunk in `0...workerCount`, chunk 0 on the calling thread.
  /// Returns `false` without running anything when the pool is busy.
  func run(_ body: (Int) -> Void) -> Bool {
    guard isBusy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    else {
      return false
    }
    withoutActuallyEscaping(body) { escapable in
      job = escapable
      remaining.store(workerCount, ordering: .relaxed)
      generation.add(1, ordering: .releasing)
      pthread_mutex_lock(&mutex)
      if sleepers > 0 { pthread_cond_broadcast(&condition) }
      pthread_mutex_unlock(&mutex)
      escapable(0)
      while remaining.load(ordering: .acquiring) > 0 {}
      job = nil
    }
    isBusy.store(false, ordering: .releasing)
    return true
  }

  private func workerLoop(chunk: Int) {
    var seen: UInt64 = 0
    while true {
      var spins = 0
      while generation.load(ordering: .acquiring) == seen {
        spins += 1
        if spins >= Self.spinIterationsMax {
          pthread_mutex_lock(&mutex)
          sleepers += 1
          while generation.load(ordering: .acquiring) == seen {
            pthread_cond_wait(&condition, &mutex)
          }
          sleepers -= 1
          pthread_mutex_unlock(&mutex)
        }
      }
      seen = generation.load(ordering: .acquiring)
      job!(chunk)
      remaining.subtract(1, ordering: .releasing)
    }
  }
}
