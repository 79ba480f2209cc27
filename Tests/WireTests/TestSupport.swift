import Testing

@testable import Wire

/// SplitMix64: a small seeded generator, so every random test replays from its seed.
struct SeededGenerator: RandomNumberGenerator {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Seeds the round-trip tests run over.
let roundTripSeeds: [UInt64] = Array(1...25)

/// Bytes from hex digit pairs; spaces and the pieces' boundaries are ignored, so golden
/// layouts can be written one field per piece.
func hex(_ pieces: String...) -> [UInt8] {
  let digits = pieces.joined().filter { !$0.isWhitespace }
  precondition(digits.count % 2 == 0, "odd number of hex digits")
  var bytes: [UInt8] = []
  var index = digits.startIndex
  while index < digits.endIndex {
    let next = digits.index(index, offsetBy: 2)
    bytes.append(UInt8(digits[index..<next], radix: 16)!)
    index = next
  }
  return bytes
}

/// `PeerID(words: (1, 2, 3, 4))` and its hand-written encoding.
let samplePeer = PeerID(words: (1, 2, 3, 4))
let samplePeerHex =
  "01 00 00 00 00 00 00 00  02 00 00 00 00 00 00 00  03 00 00 00 00 00 00 00  04 00 00 00 00 00 00 00"
/// `Digest(words: (0xA, 0xB, 0xC, 0xD))` and its hand-written encoding.
let sampleDigest = Digest(words: (0xA, 0xB, 0xC, 0xD))
let sampleDigestHex =
  "0A 00 00 00 00 00 00 00  0B 00 00 00 00 00 00 00  0C 00 00 00 00 00 00 00  0D 00 00 00 00 00 00 00"

/// A `UInt32` length prefix, little-endian, written by hand for crafted inputs.
func lengthBytes(_ length: Int) -> [UInt8] {
  let value = UInt32(length)
  return [
    UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24),
  ]
}

/// Decodes `bytes` as one `Value`, returning the typed error instead of throwing.
func decodeResult<Value: WireCodable>(
  _: Value.Type, _ bytes: [UInt8]
) -> Result<Value, WireError> {
  Result { () throws(WireError) -> Value in try Value(wireBytes: bytes[...]) }
}

extension Result where Failure == WireError {
  var failure: WireError? {
    if case .failure(let error) = self { return error }
    return nil
  }
}

/// `value` encoded and decoded again.
func roundTripped<Value: WireCodable>(_ value: Value) throws -> Value {
  try Value(wireBytes: value.wireBytes[...])
}
