/// Why bytes from the network could not be decoded.
///
/// Every decoding failure is one of these cases: a malformed frame drops the message or the
/// connection, never the node.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The input ended `needed` bytes into a read that had only `available` bytes left.
  case truncated(needed: Int, available: Int)
  /// A length prefix (or a frame or buffer size) is larger than its named bound.
  case lengthTooLarge(field: String, length: Int, maximum: Int)
  /// A tag byte names no case of the enum `type`.
  case unknownTag(type: String, tag: UInt8)
  /// The frame does not start with `Frame.magic`.
  case badMagic
  /// The frame was written by a protocol version this peer does not speak.
  case unsupportedVersion(found: UInt16)
  /// Bytes are left over after the value (or the frame) ended.
  case trailingBytes(count: Int)
  /// The bytes are well-formed but the value they spell is not allowed.
  case invalidValue(field: String, reason: String)

  public var description: String {
    switch self {
    case .truncated(let needed, let available):
      "truncated input: needed \(needed) bytes, \(available) available"
    case .lengthTooLarge(let field, let length, let maximum):
      "\(field): length \(length) exceeds the maximum \(maximum)"
    case .unknownTag(let type, let tag):
      "\(type): unknown tag \(tag)"
    case .badMagic:
      "not a Starling frame (bad magic bytes)"
    case .unsupportedVersion(let found):
      "unsupported protocol version \(found) (this peer speaks \(Frame.version))"
    case .trailingBytes(let count):
      "\(count) unexpected bytes after the end of the value"
    case .invalidValue(let field, let reason):
      "\(field): \(reason)"
    }
  }
}
