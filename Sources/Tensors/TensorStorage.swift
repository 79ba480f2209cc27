import Synchronization

/// Reference-counted, 64-byte aligned Float32 buffer behind a `Tensor`.
///
/// Buffers come from and return to `BufferPool`, so a training loop that allocates the same shapes
/// every step reuses the same memory instead of going through `malloc` and fresh page faults.
public final class TensorStorage {
  public let pointer: UnsafeMutablePointer<Float>
  public let count: Int

  /// Uninitialised storage of `count` elements.
  init(uninitializedCount count: Int) {
    precondition(count >= 0, "negative element count")
    self.count = count
    self.pointer = BufferPool.shared.take(count: count)
  }

  deinit { BufferPool.shared.give(pointer, count: count) }
}

// Storage is shared between tensors only while no tensor mutates it (copy-on-write through
// `isKnownUniquelyReferenced`); a tensor handed to another thread is read-only there.
extension TensorStorage: @unchecked Sendable {}

/// A free list of buffers keyed by exact element count.
///
/// Training repeats the same shapes every step, so an exact-size key finds a buffer almost always.
/// The pool is bounded (`retainedBytesMax`) so a change of shapes cannot make it grow forever.
public final class BufferPool: Sendable {
  public static let shared = BufferPool()

  /// Bytes of free buffers the pool keeps; beyond this, freed buffers go back to the system.
  public static let retainedBytesMax = 512 << 20
  /// Free buffers kept per size.
  public static let buffersPerSizeMax = 64
  static let alignmentBytes = 64

  private struct State {
    var free: [Int: [UInt]] = [:]
    var retainedBytes = 0
  }
  private let state = Mutex(State())

  func take(count: Int) -> UnsafeMutablePointer<Float> {
    let reused: UInt? = state.withLock { state in
      guard let address = state.free[count]?.popLast() else { return nil }
      state.retainedBytes -= count * 4
      return address
    }
    if let reused { return UnsafeMutablePointer(bitPattern: reused)! }
    let raw = UnsafeMutableRawPointer.allocate(
      byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: Self.alignmentBytes)
    return raw.bindMemory(to: Float.self, capacity: max(count, 1))
  }

  func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
    let kept = state.withLock { state -> Bool in
      let bytes = count * 4
      guard state.retainedBytes + bytes <= Self.retainedBytesMax,
        state.free[count, default: []].count < Self.buffersPerSizeMax
      else { return false }
      state.free[count, default: []].append(UInt(bitPattern: pointer))
      state.retainedBytes += bytes
      return true
    }
    if !kept { pointer.deallocate() }
  }

  /// Returns every free buffer to the system.
  public func drain() {
    let addresses = state.withLock { state -> [UInt] in
      let all = state.free.values.flatMap { $0 }
      state.free = [:]
      state.retainedBytes = 0
      return all
    }
    for address in addresses { UnsafeMutablePointer<Float>(bitPattern: address)!.deallocate() }
  }

  /// Bytes currently held in free buffers.
  public var retainedBytes: Int { state.withLock { $0.retainedBytes } }
}
