import Wire

/// A message received from a peer that proved its identity with a valid hello.
public struct IncomingMessage: Equatable, Sendable {
  public let sender: PeerID
  public let bytes: [UInt8]

  public init(sender: PeerID, bytes: [UInt8]) {
    self.sender = sender
    self.bytes = bytes
  }
}

/// What the node runtime needs from a network: send bytes to a peer, receive bytes from peers.
/// Delivery is best effort: a message may be lost (never altered, duplicated or attributed to
/// the wrong peer), and the protocol core copes with loss.
public protocol PeerTransport: Sendable {
  /// Messages from peers, in the order each peer sent them.
  var incoming: IncomingMessages { get }

  /// Queues `bytes` for `peer`; throws when they cannot even be queued.
  func send(_ bytes: [UInt8], to peer: PeerID) throws(TransportError)
}
