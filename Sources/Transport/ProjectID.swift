import Identity

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
  public var hexadecimal: String { Identity.hexadecimal(bytes) }

  public var description: String { hexadecimal }
}
