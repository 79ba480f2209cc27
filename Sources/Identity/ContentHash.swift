import CSodium

/// A BLAKE2b-256 hash (libsodium's `crypto_generichash`, no key) of some content: a model's
/// parameters, a public key, a file. Collision-resistant, so peers can name a model by its hash.
public struct ContentHash: Hashable, Sendable, CustomStringConvertible {
  /// The hash length: 32 bytes.
  public static let byteCount = 32

  /// The 32 bytes of the hash, in BLAKE2b's output order.
  public let bytes: [UInt8]

  /// A hash from its 32 bytes; `nil` when `bytes` has another length.
  public init?(bytes: [UInt8]) {
    guard bytes.count == Self.byteCount else { return nil }
    self.bytes = bytes
  }

  /// Wraps bytes that libsodium just wrote (always `byteCount` of them).
  init(uncheckedBytes bytes: [UInt8]) {
    precondition(bytes.count == Self.byteCount, "a hash has \(Self.byteCount) bytes")
    self.bytes = bytes
  }

  /// The hash of `bytes`.
  /// - Complexity: O(n).
  public static func of(bytes: UnsafeRawBufferPointer) -> ContentHash {
    SodiumLibrary.ensureInitialized()
    let output = [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
      let status = crypto_generichash(
        buffer.baseAddress!, byteCount, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
        UInt64(bytes.count), nil, 0)
      precondition(status == 0, "crypto_generichash refused a 32-byte output")
      initialized = byteCount
    }
    return ContentHash(uncheckedBytes: output)
  }

  /// The hash of `bytes`.
  /// - Complexity: O(n).
  public static func of(bytes: [UInt8]) -> ContentHash {
    bytes.withUnsafeBytes { of(bytes: $0) }
  }

  /// The hash of the little-endian bit patterns of `values` (4 bytes each, in order), so the same
  /// floats hash the same on every machine.
  /// - Complexity: O(n).
  public static func of(values: [Float]) -> ContentHash {
    #if _endian(little)
      return values.withUnsafeBytes { of(bytes: $0) }
    #else
      var hasher = ContentHasher()
      hasher.update(values: values)
      return hasher.finalize()
    #endif
  }

  /// The bytes as four `UInt64` words, each read little-endian (bytes 0-7 are the first word):
  /// the layout in which `Wire` encodes its 256-bit identifiers.
  public var littleEndianWords: (UInt64, UInt64, UInt64, UInt64) {
    func word(_ index: Int) -> UInt64 {
      var value: UInt64 = 0
      for offset in (0..<8).reversed() { value = value << 8 | UInt64(bytes[8 * index + offset]) }
      return value
    }
    return (word(0), word(1), word(2), word(3))
  }

  /// The hash from four words in the layout of `littleEndianWords`.
  public init(littleEndianWords words: (UInt64, UInt64, UInt64, UInt64)) {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Self.byteCount)
    for word in [words.0, words.1, words.2, words.3] {
      for offset in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: word >> (8 * offset))) }
    }
    self.init(uncheckedBytes: bytes)
  }

  /// 64 lower-case hexadecimal digits.
  public var hexadecimal: String { Identity.hexadecimal(bytes) }

  public var description: String { hexadecimal }
}
