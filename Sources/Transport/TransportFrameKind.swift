/// The first byte of every ZeroMQ message a Starling transport sends: what the rest holds.
///
/// A connection carries exactly one `hello` each way first, then `chunk`s. A listener that
/// refuses a hello answers with a `refusal`.
enum TransportFrameKind: UInt8, Sendable {
  /// A `Hello` (171 bytes in all).
  case hello = 1
  /// One `ChunkHeader` and up to `ChunkHeader.payloadBytesMax` bytes of a message.
  case chunk = 2
  /// A `HelloRefusal.Code`: why the listener refused this connection's hello (2 bytes in all).
  case refusal = 3
}

/// The largest ZeroMQ message a transport sends or accepts (`ZMQ_MAXMSGSIZE`): a full chunk.
/// libzmq drops a connection that sends a larger one before it is buffered.
let transportFrameBytesMax = ChunkHeader.bytes + ChunkHeader.payloadBytesMax
