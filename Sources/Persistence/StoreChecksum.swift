import Wire

/// The 64-bit checksum stored beside every blob (models, log entries, the snapshot).
///
/// It detects damage (a flipped bit, a torn or misplaced page), not tampering: anyone who can
/// write the file can recompute it. It is part of the file format of schema version 1 and must
/// never change within it, which is why it is defined here and not borrowed from a hash that the
/// protocol may replace.
///
/// Two lanes consume 16 bytes at a time as little-endian words; each step is a bijection of the
/// lane's state for a given word, so a change confined to one word always changes the result.
enum StoreChecksum {
  /// The checksum of `bytes`, keyed by `seed` (what the row is: its round, digest, index).
  /// - Complexity: O(n).
  static func of(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
    var first = mix(0x243F_6A88_85A3_08D3, seed)
    var second = mix(0x1319_8A2E_0370_7344, ~seed)
    var offset = 0
    while offset + 16 <= bytes.count {
      first = mix(first, word(bytes, at: offset))
      second = mix(second, word(bytes, at: offset + 8))
      offset += 16
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while offset < bytes.count {
      if shift == 64 {
        first = mix(first, tail)
        tail = 0
        shift = 0
      }
      tail |= UInt64(bytes[offset]) << shift
      shift += 8
      offset += 1
    }
    second = mix(second, tail)
    return mix(first ^ (second << 23 | second >> 41), UInt64(bytes.count))
  }

  static func of(_ bytes: [UInt8], seed: UInt64) -> UInt64 {
    bytes.withUnsafeBytes { of($0, seed: seed) }
  }

  /// The seed of a model row: its round and digest.
  static func seed(round: UInt64, digest: Digest) -> UInt64 {
    let words = digest.words
    return mix(mix(mix(mix(round, words.0), words.1), words.2), words.3)
  }

  private static func word(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
    UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
  }

  private static func mix(_ state: UInt64, _ word: UInt64) -> UInt64 {
    var value = (state ^ word) &* 0x9E37_79B9_7F4A_7C15
    value ^= value >> 31
    value = value &* 0xBF58_476D_1CE4_E5B9
    return value ^ (value >> 29)
  }
}
