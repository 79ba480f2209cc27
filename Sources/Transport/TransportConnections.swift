import Wire

/// The listener's sockets: the CURVE ROUTER, its ZAP handler and its monitor.
final class Listener {
  let router: ZMQSocket
  let zap: ZMQSocket
  let monitor: SocketMonitor
  /// What other peers dial: this transport's CURVE key and the bound address.
  let contact: Contact
  /// The kernel filter on the ROUTER's listening socket, for addresses over their attempt
  /// rate; nil when blocking is off or the socket was not found.
  let addressFilter: ListenerAddressFilter?

  init(
    router: ZMQSocket, zap: ZMQSocket, monitor: SocketMonitor, contact: Contact,
    addressFilter: ListenerAddressFilter?
  ) {
    self.router = router
    self.zap = zap
    self.monitor = monitor
    self.contact = contact
    self.addressFilter = addressFilter
  }
}

/// A connection a peer opened to the listener, named by the routing ID the ROUTER gave it.
final class InboundConnection {
  let routingID: [UInt8]
  /// The client's IP address (the `Peer-Address` property).
  let address: String
  /// The key ZeroMQ authenticated (the `User-Id` the ZAP handler set); nil only if no ZAP
  /// handler ran, and then the connection is never accepted.
  let curveKey: CurvePublicKey?
  var session: ConnectionSession
  var lastHeardMilliseconds: UInt64

  init(
    routingID: [UInt8], address: String, curveKey: CurvePublicKey?, messageBytesMax: Int,
    nowMilliseconds: UInt64
  ) {
    self.routingID = routingID
    self.address = address
    self.curveKey = curveKey
    session = ConnectionSession(direction: .inbound, messageBytesMax: messageBytesMax)
    lastHeardMilliseconds = nowMilliseconds
  }
}

/// A DEALER this transport opened to a contact. ZeroMQ reconnects it after a loss; each new
/// ZeroMQ connection starts with a new hello.
final class OutboundConnection {
  let contact: Contact
  let socket: ZMQSocket
  let monitor: SocketMonitor
  var session: ConnectionSession
  /// The peer behind the contact, once its first hello was valid (kept across reconnections).
  var peer: PeerID?
  /// Callers of `connect(to:)` waiting for the first hello.
  var waiters: [CheckedContinuation<Result<PeerID, TransportError>, Never>] = []
  /// When the first hello must have come; nil once it came.
  var connectDeadlineMilliseconds: UInt64?
  /// Whether the last send hit the high-water mark (the loop then polls for `ZMQ_POLLOUT`).
  var isWriteBlocked = false

  init(
    contact: Contact, socket: ZMQSocket, monitor: SocketMonitor, messageBytesMax: Int,
    connectDeadlineMilliseconds: UInt64
  ) {
    self.contact = contact
    self.socket = socket
    self.monitor = monitor
    session = ConnectionSession(direction: .outbound, messageBytesMax: messageBytesMax)
    self.connectDeadlineMilliseconds = connectDeadlineMilliseconds
  }
}
