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

/// The largest ZeroMQ message a transport sends or accepts: a full chunk. libzmq drops a
/// connection that sends a larger one before it is buffered.
public let transportFrameBytesMax = ChunkHeader.bytes + ChunkHeader.payloadBytesMax

/// What CURVE adds to each message on the wire: the command name `\x07MESSAGE` (8 bytes), the
/// nonce (8), the flags byte (1) and the authenticator (16). libzmq checks `ZMQ_MAXMSGSIZE`
/// against the encrypted frame, so the option is the plaintext bound plus this.
let curveMessageOverheadBytes = 8 + 8 + 1 + 16

/// `ZMQ_MAXMSGSIZE`: exactly `transportFrameBytesMax` bytes of plaintext.
let zeroMQMessageBytesMax = transportFrameBytesMax + curveMessageOverheadBytes
