import Wire

/// The header of one chunk: a message travels as one or more chunks, in order, on one
/// connection, so that no ZeroMQ message is ever larger than `transportFrameBytesMax`.
///
/// Layout (17 bytes, integers little-endian), followed by the chunk's payload:
///
///     offset  size  field
///     0       1     kind: 2 (`TransportFrameKind.chunk`)
///     1       8     message number: 0 for the first message the sender sends on this
///                   connection, then increasing by at least 1 per message
///     9       4     message length in bytes (the whole message, not this chunk)
///     13      4     chunk index, from 0
///
/// A message of `n` bytes has `max(1, ceil(n / 2^20))` chunks; chunk `i` carries bytes
/// `i * 2^20 ..< min(n, (i + 1) * 2^20)`, so every chunk but the last carries exactly
/// `payloadBytesMax` bytes, and an empty message is one empty chunk.
public struct ChunkHeader: Equatable, Sendable {
  /// The header length: 17 bytes.
  public static let bytes = 17
  /// The payload of every chunk but a message's last: 1 MiB.
  public static let payloadBytesMax = 1 << 20

  public var messageNumber: UInt64
  public var messageBytes: Int
  public var chunkIndex: Int

  public init(messageNumber: UInt64, messageBytes: Int, chunkIndex: Int) {
    precondition(
      messageBytes >= 0 && messageBytes <= Int(UInt32.max), "message length out of range")
    precondition(chunkIndex >= 0 && chunkIndex < Self.chunkCount(messageBytes: messageBytes))
    self.messageNumber = messageNumber
    self.messageBytes = messageBytes
    self.chunkIndex = chunkIndex
  }

  /// How many chunks a message of `messageBytes` bytes travels in.
  public static func chunkCount(messageBytes: Int) -> Int {
    max(1, (messageBytes + payloadBytesMax - 1) / payloadBytesMax)
  }

  /// The bytes of the message that this chunk carries.
  public var payloadRange: Range<Int> {
    let start = chunkIndex * Self.payloadBytesMax
    return start..<min(messageBytes, start + Self.payloadBytesMax)
  }

  /// Whether this is the message's last chunk.
  public var isLast: Bool { chunkIndex == Self.chunkCount(messageBytes: messageBytes) - 1 }

  /// The 17 header bytes.
  public var encoded: [UInt8] {
    var encoder = WireEncoder(capacity: Self.bytes)
    encoder.encode(TransportFrameKind.chunk.rawValue)
    encoder.encode(messageNumber)
    encoder.encode(UInt32(messageBytes))
    encoder.encode(UInt32(chunkIndex))
    return encoder.bytes
  }

  /// The header at the start of a chunk frame whose payload is `payloadBytes` long.
  ///
  /// Throws when the kind byte is not `chunk`, when the index is past the message's last
  /// chunk, or when the payload is not exactly as long as `payloadRange`; the message length
  /// is checked against the receiver's bound by the reassembler.
  public init(decoding header: [UInt8], payloadBytes: Int) throws(WireError) {
    var decoder = WireDecoder(header[...])
    let kind = try decoder.decode(UInt8.self)
    guard kind == TransportFrameKind.chunk.rawValue else {
      throw .invalidValue(field: "ChunkHeader.kind", reason: "kind \(kind) is not a chunk")
    }
    let messageNumber = try decoder.decode(UInt64.self)
    let messageBytes = Int(try decoder.decode(UInt32.self))
    let chunkIndex = Int(try decoder.decode(UInt32.self))
    try decoder.finish()
    let chunkCount = Self.chunkCount(messageBytes: messageBytes)
    guard chunkIndex < chunkCount else {
      throw .invalidValue(
        field: "ChunkHeader.chunkIndex",
        reason: "chunk \(chunkIndex) of a message of \(chunkCount) chunks")
    }
    self.init(messageNumber: messageNumber, messageBytes: messageBytes, chunkIndex: chunkIndex)
    guard payloadBytes == payloadRange.count else {
      throw .invalidValue(
        field: "ChunkHeader.payload",
        reason: "chunk \(chunkIndex) carries \(payloadBytes) bytes, not \(payloadRange.count)")
    }
  }
}
