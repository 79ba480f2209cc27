/// A peer's identity on the network: 32 bytes. Real peers derive it from their Ed25519 public
/// key (`PeerID(publicKey:)`: its BLAKE2b-256 hash); the simulator derives it from a peer's
/// index.
public struct PeerID: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let words: (UInt64, UInt64, UInt64, UInt64)

  public init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

  /// A deterministic identity for simulated peer `index` (distinct for distinct indices).
  public init(simulatedIndex index: UInt64) {
    var state = index &+ 0x9E37_79B9_7F4A_7C15
    func mix() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    words = (index, mix(), mix(), mix())
  }

  public static func == (lhs: PeerID, rhs: PeerID) -> Bool {
    lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
      && lhs.words.3 == rhs.words.3
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(words.0)
    hasher.combine(words.1)
    hasher.combine(words.2)
    hasher.combine(words.3)
  }

  public static func < (lhs: PeerID, rhs: PeerID) -> Bool {
    (lhs.words.0, lhs.words.1, lhs.words.2, lhs.words.3) < (
      rhs.words.0, rhs.words.1, rhs.words.2, rhs.words.3
    )
  }

  /// The first 8 hex digits, for logs.
  public var description: String {
    let hex = String(words.1 >> 32, radix: 16)
    return "peer-" + String(repeating: "0", count: max(0, 8 - hex.count)) + hex
  }
}

/// A cryptographic digest, 32 bytes: a model's is BLAKE2b-256 (`Digest.of(values:)`).
public struct Digest: Hashable, Sendable, CustomStringConvertible {
  public let words: (UInt64, UInt64, UInt64, UInt64)
  public init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }
  public static let zero = Digest(words: (0, 0, 0, 0))

  public static func == (lhs: Digest, rhs: Digest) -> Bool {
    lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
      && lhs.words.3 == rhs.words.3
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(words.0)
    hasher.combine(words.1)
    hasher.combine(words.2)
    hasher.combine(words.3)
  }

  public var description: String { String(words.0, radix: 16) }
}

/// A network address as text (`host:port`), bounded in length.
public struct PeerAddress: Hashable, Sendable {
  public static let bytesMax = 255
  public let text: String
  public init(_ text: String) {
    precondition(text.utf8.count <= Self.bytesMax, "address longer than \(Self.bytesMax) bytes")
    self.text = text
  }
}
