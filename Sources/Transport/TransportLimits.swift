import Wire

/// Every bound of a `ZMQTransport`: sizes, queues, tables and timers. The defaults suit a
/// volunteer peer; tests lower them to reach each bound quickly.
public struct TransportLimits: Equatable, Sendable {
  /// The longest message sent or accepted: by default one Wire frame of the largest size
  /// (`Frame.bytesMax`, about 80 MiB). Longer messages are refused by `send` and dropped on
  /// receipt.
  public var messageBytesMax = Frame.bytesMax
  /// Memory for messages being reassembled, over all connections.
  public var reassemblyBytesMax = 256 << 20
  /// Bytes of messages queued to send, over all peers.
  public var outgoingBytesMax = 512 << 20
  /// Bytes of messages queued to send to one peer.
  public var outgoingBytesPerPeerMax = 128 << 20
  /// Messages received and not yet taken from `incoming`; at this many the transport stops
  /// reading its sockets until the reader catches up (nothing is dropped).
  public var incomingMessagesMax = 1024
  /// ZeroMQ's send and receive high-water marks (`ZMQ_SNDHWM`, `ZMQ_RCVHWM`), in messages per
  /// connection: with 1 MiB chunks, 64 bound each direction of a connection to about 64 MiB.
  public var socketHighWaterMarkMessages = 64
  /// Time allowed for a connection's ZMTP and CURVE handshake (`ZMQ_HANDSHAKE_IVL`); a client
  /// that connects and stays silent is dropped after it.
  public var handshakeTimeoutMilliseconds = 5_000
  /// ZMTP heartbeats (`ZMQ_HEARTBEAT_IVL`) and the silence after which a connection is dropped
  /// (`ZMQ_HEARTBEAT_TIMEOUT`, `ZMQ_HEARTBEAT_TTL`).
  public var heartbeatIntervalMilliseconds = 2_000
  public var heartbeatTimeoutMilliseconds = 10_000
  /// How long closing waits to flush queued messages (`ZMQ_LINGER`).
  public var lingerMilliseconds = 0
  /// ZeroMQ's reconnection interval after a lost connection, doubling up to the maximum
  /// (`ZMQ_RECONNECT_IVL`, `ZMQ_RECONNECT_IVL_MAX`).
  public var reconnectIntervalMilliseconds = 100
  public var reconnectIntervalMillisecondsMax = 5_000
  /// How long `connect(to:)` waits for the listener's hello.
  public var connectTimeoutMilliseconds: UInt64 = 10_000
  /// A message left incomplete this long after its last chunk is dropped.
  public var reassemblyTimeoutMilliseconds: UInt64 = 60_000
  /// The largest difference between a hello's timestamp and this peer's clock.
  public var helloClockSkewMillisecondsMax: UInt64 = 120_000
  /// Hellos a connection may get wrong before all its messages are dropped unread.
  public var helloAttemptsMax = 3
  /// Connections remembered before their hello (the least recently heard is forgotten first).
  public var unauthenticatedConnectionsMax = 1024
  /// Peers that may be connected to this listener at once.
  public var inboundPeersMax = 4096
  /// Peers this transport may dial at once.
  public var outboundPeersMax = 256

  public init() {}

  public static let `default` = TransportLimits()

  /// Stops the process on limits that make no sense (a caller's bug, not a peer's).
  func validate() {
    precondition(messageBytesMax >= 0 && messageBytesMax <= Int(UInt32.max))
    precondition(reassemblyBytesMax >= 0 && outgoingBytesMax >= 0 && outgoingBytesPerPeerMax >= 0)
    precondition(incomingMessagesMax > 0 && helloAttemptsMax > 0)
    precondition(unauthenticatedConnectionsMax > 0 && inboundPeersMax > 0 && outboundPeersMax > 0)
    for milliseconds in [
      socketHighWaterMarkMessages, handshakeTimeoutMilliseconds, heartbeatIntervalMilliseconds,
      heartbeatTimeoutMilliseconds, lingerMilliseconds, reconnectIntervalMilliseconds,
      reconnectIntervalMillisecondsMax,
    ] {
      precondition(milliseconds >= 0 && milliseconds <= Int(Int32.max), "a socket option is Int32")
    }
  }
}
