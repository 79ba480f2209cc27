/// The 32-byte identifier of a training project (the hash of its configuration file). Every
/// hello carries it, and a peer talks only to peers of its own project.
public struct ProjectID: Hashable, Sendable, CustomStringConvertible {
  /// The identifier length: 32 bytes.
  public static let byteCount = 32

  public let bytes: [UInt8]

  /// An identifier from its 32 bytes; `nil` when `bytes` has another length.
  public init?(bytes: [UInt8]) {
    guard bytes.count == Self.byteCount else { return nil }
    self.bytes = bytes
  }

  /// 64 lower-case hexadecimal digits.
  public var hexadecimal: String { Transport.hexadecimal(bytes) }

  public var description: String { hexadecimal }
}

/// Lower-case hexadecimal text of `bytes`, two digits per byte, in order.
func hexadecimal(_ bytes: some Sequence<UInt8>) -> String {
  let digits: [Character] = Array("0123456789abcdef")
  var text = ""
  for byte in bytes {
    text.append(digits[Int(byte >> 4)])
    text.append(digits[Int(byte & 0x0F)])
  }
  return text
}
