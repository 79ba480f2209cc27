extension Digest {
  /// A 256-bit digest of a float vector's exact bits (four independent 64-bit lanes of a
  /// multiply-xorshift hash over the little-endian words, finalised with the length).
  ///
  /// Deterministic and fast, and enough to detect any changed bit between peers in simulation.
  /// It is not collision-resistant against an adversary: real peers hash model bytes with
  /// SHA-256 (libsodium, with the identity milestone) behind the same `Digest` type.
  /// - Complexity: O(n).
  public static func of(values: [Float]) -> Digest {
    var lanes: (UInt64, UInt64, UInt64, UInt64) = (
      0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344, 0xA409_3822_299F_31D0, 0x082E_FA98_EC4E_6C89
    )
    @inline(__always) func mix(_ state: UInt64, _ word: UInt64) -> UInt64 {
      var z = (state ^ word) &* 0x9E37_79B9_7F4A_7C15
      z ^= z >> 29
      return z &* 0xBF58_476D_1CE4_E5B9
    }
    values.withUnsafeBufferPointer { buffer in
      var index = 0
      while index + 8 <= buffer.count {
        func pair(_ offset: Int) -> UInt64 {
          UInt64(buffer[index + offset].bitPattern) | UInt64(buffer[index + offset + 1].bitPattern)
            << 32
        }
        lanes.0 = mix(lanes.0, pair(0))
        lanes.1 = mix(lanes.1, pair(2))
        lanes.2 = mix(lanes.2, pair(4))
        lanes.3 = mix(lanes.3, pair(6))
        index += 8
      }
      while index < buffer.count {
        lanes.0 = mix(lanes.0, UInt64(buffer[index].bitPattern) &+ UInt64(index))
        index += 1
      }
    }
    let length = UInt64(values.count)
    return Digest(
      words: (
        mix(lanes.0, length ^ lanes.3), mix(lanes.1, length ^ lanes.0),
        mix(lanes.2, length ^ lanes.1),
        mix(lanes.3, length ^ lanes.2)
      ))
  }
}
