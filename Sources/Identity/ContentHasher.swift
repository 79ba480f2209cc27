import CSodium

/// A BLAKE2b-256 hash computed piece by piece (a model streamed from disk or the network): the
/// same result as `ContentHash.of` over the concatenation of every piece.
///
/// Non-copyable because it owns libsodium's hash state; `finalize()` consumes it.
public struct ContentHasher: ~Copyable {
  /// libsodium declares its state 64-byte aligned, and Swift imports such an over-aligned C
  /// struct only as an opaque pointer, so the state is allocated by hand with that alignment.
  private static let stateAlignment = 64
  private static let stateByteCount = crypto_generichash_statebytes()
  /// Floats converted per step on big-endian machines.
  private static let floatsPerChunk = 4096

  private let memory: UnsafeMutableRawPointer
  private var state: OpaquePointer { OpaquePointer(memory) }

  /// An empty hash.
  public init() {
    SodiumLibrary.ensureInitialized()
    memory = UnsafeMutableRawPointer.allocate(
      byteCount: Self.stateByteCount, alignment: Self.stateAlignment)
    let status = crypto_generichash_init(state, nil, 0, ContentHash.byteCount)
    precondition(status == 0, "crypto_generichash_init refused a 32-byte output")
  }

  deinit {
    sodium_memzero(memory, Self.stateByteCount)
    memory.deallocate()
  }

  /// Appends `bytes`.
  /// - Complexity: O(n).
  public mutating func update(bytes: UnsafeRawBufferPointer) {
    let status = crypto_generichash_update(
      state, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
    precondition(status == 0, "crypto_generichash_update failed")
  }

  /// Appends `bytes`.
  /// - Complexity: O(n).
  public mutating func update(bytes: [UInt8]) {
    bytes.withUnsafeBytes { update(bytes: $0) }
  }

  /// Appends the little-endian bit patterns of `values`, as `ContentHash.of(values:)` does.
  /// - Complexity: O(n).
  public mutating func update(values: [Float]) {
    #if _endian(little)
      values.withUnsafeBytes { update(bytes: $0) }
    #else
      var chunk: [UInt32] = []
      chunk.reserveCapacity(Self.floatsPerChunk)
      for start in stride(from: 0, to: values.count, by: Self.floatsPerChunk) {
        chunk.removeAll(keepingCapacity: true)
        for value in values[start..<min(start + Self.floatsPerChunk, values.count)] {
          chunk.append(value.bitPattern.littleEndian)
        }
        chunk.withUnsafeBytes { update(bytes: $0) }
      }
    #endif
  }

  /// The hash of everything appended.
  public consuming func finalize() -> ContentHash {
    let output = [UInt8](unsafeUninitializedCapacity: ContentHash.byteCount) {
      buffer, initialized in
      let status = crypto_generichash_final(state, buffer.baseAddress!, ContentHash.byteCount)
      precondition(status == 0, "crypto_generichash_final failed")
      initialized = ContentHash.byteCount
    }
    return ContentHash(uncheckedBytes: output)
  }
}
