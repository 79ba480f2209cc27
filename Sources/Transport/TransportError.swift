import Wire

/// Why a transport call failed. Every case can be caused by a peer, the network or the
/// configuration; programmer errors stop the process instead.
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A ZeroMQ call failed; `errorNumber` is `zmq_errno()`.
  case zeroMQ(operation: String, errorNumber: Int32, message: String)
  /// The listen address could not be bound.
  case bindFailed(address: NetworkAddress, message: String)
  /// The message is longer than `TransportLimits.messageBytesMax`.
  case messageTooLarge(byteCount: Int, maximum: Int)
  /// No connection to this peer: it never said hello, or its connection is gone.
  case unknownPeer(PeerID)
  /// The queue of messages to send (to this peer, or to all) is full.
  case outgoingQueueFull(queuedBytes: Int, maximum: Int)
  /// This transport already dials `TransportLimits.outboundPeersMax` peers.
  case tooManyOutboundPeers(maximum: Int)
  /// The transport was closed.
  case closed
  /// The listener did not complete the hello within `TransportLimits.connectTimeoutMilliseconds`.
  case connectTimedOut(contact: Contact)
  /// The listener refused this peer's CURVE handshake (ZAP status `statusCode`, 400 for a client
  /// the admission policy refused).
  case authenticationFailed(contact: Contact, statusCode: Int32)
  /// The ZMTP handshake failed (a peer that does not speak CURVE, or another protocol).
  case handshakeFailed(contact: Contact, reason: String)
  /// The listener refused this peer's hello.
  case refusedByPeer(contact: Contact, code: UInt8)
  /// The listener's hello was not valid.
  case helloRefused(contact: Contact, reason: HelloRefusal)

  public var description: String {
    switch self {
    case .zeroMQ(let operation, let errorNumber, let message):
      "ZeroMQ \(operation) failed: \(message) (errno \(errorNumber))"
    case .bindFailed(let address, let message):
      "could not listen on \(address): \(message)"
    case .messageTooLarge(let byteCount, let maximum):
      "a message of \(byteCount) bytes exceeds the maximum \(maximum)"
    case .unknownPeer(let peer):
      "no connection to \(peer)"
    case .outgoingQueueFull(let queuedBytes, let maximum):
      "the send queue holds \(queuedBytes) bytes; it allows \(maximum)"
    case .tooManyOutboundPeers(let maximum):
      "this transport already dials \(maximum) peers, its maximum"
    case .closed:
      "the transport is closed"
    case .connectTimedOut(let contact):
      "\(contact) did not complete the hello in time"
    case .authenticationFailed(let contact, let statusCode):
      "\(contact.address) refused this peer's CURVE key (ZAP status \(statusCode))"
    case .handshakeFailed(let contact, let reason):
      "the handshake with \(contact.address) failed: \(reason)"
    case .refusedByPeer(let contact, let code):
      "\(contact.address) refused this peer's hello (reason "
        + (HelloRefusal.Code(rawValue: code).map { "\($0)" } ?? "code \(code)") + ")"
    case .helloRefused(let contact, let reason):
      "refused the hello of \(contact.address): \(reason)"
    }
  }
}
