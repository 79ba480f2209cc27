import CZMQ
import Wire

extension TransportLoop {
  /// Dials `contact`, or joins the dial already under way to the same key.
  func connect(
    to contact: Contact, _ continuation: CheckedContinuation<Result<PeerID, TransportError>, Never>
  ) {
    if let existing = outbound[contact.curveKey] {
      if let peer = existing.session.peer {
        continuation.resume(returning: .success(peer))
      } else {
        existing.waiters.append(continuation)
      }
      return
    }
    guard outbound.count < limits.outboundPeersMax else {
      continuation.resume(
        returning: .failure(.tooManyOutboundPeers(maximum: limits.outboundPeersMax)))
      return
    }
    do throws(TransportError) {
      let connection = try makeOutbound(contact)
      connection.waiters.append(continuation)
      outbound[contact.curveKey] = connection
    } catch {
      continuation.resume(returning: .failure(error))
    }
  }

  /// A DEALER with this transport's CURVE keys that expects the contact's key from the server.
  private func makeOutbound(_ contact: Contact) throws(TransportError) -> OutboundConnection {
    let socket = try ZMQSocket(context: context, type: ZMQ_DEALER)
    try configure(socket, isIPv6: contact.address.hostKind != .ipv4)
    try socket.set(ZMQ_CURVE_SERVERKEY, bytes: contact.curveKey.bytes, name: "ZMQ_CURVE_SERVERKEY")
    try socket.set(
      ZMQ_CURVE_PUBLICKEY, bytes: configuration.curveKey.bytes, name: "ZMQ_CURVE_PUBLICKEY")
    try Self.setCurveSecretKey(socket, keyPair: configuration.keyPair)
    // Queue nothing on a connection that is not up, so that a hello always goes first.
    try socket.set(ZMQ_IMMEDIATE, 1, name: "ZMQ_IMMEDIATE")
    try socket.set(
      ZMQ_RECONNECT_IVL, limits.reconnectIntervalMilliseconds, name: "ZMQ_RECONNECT_IVL")
    try socket.set(
      ZMQ_RECONNECT_IVL_MAX, limits.reconnectIntervalMillisecondsMax, name: "ZMQ_RECONNECT_IVL_MAX")
    monitorCount += 1
    let monitor = try SocketMonitor(
      socket, context: context, endpoint: "inproc://starling-monitor-\(monitorCount)")
    do throws(TransportError) {
      try socket.connect(contact.address.endpoint)
    } catch {
      monitor.stop(socket)
      throw error
    }
    return OutboundConnection(
      contact: contact, socket: socket, monitor: monitor, messageBytesMax: limits.messageBytesMax,
      connectDeadlineMilliseconds: configuration.clock.monotonicMilliseconds()
        + limits.connectTimeoutMilliseconds)
  }

  /// Each new ZeroMQ connection starts with our hello; a lost one waits for the next.
  func handleDealerEvents(_ key: CurvePublicKey) {
    while let connection = outbound[key], let event = connection.monitor.next() {
      switch event.event {
      case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        restart(connection)
        connection.session.controlFrames = [makeHello()]
        connection.isWriteBlocked = false
      case ZMQ_EVENT_DISCONNECTED:
        restart(connection)
      case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        report(
          .handshakeFailed(
            direction: .outbound, endpoint: event.endpoint, reason: event.failureReason))
        closeOutbound(
          key,
          failure: .authenticationFailed(
            contact: connection.contact, statusCode: Int32(truncatingIfNeeded: event.value)))
      case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL where connection.peer == nil:
        report(
          .handshakeFailed(
            direction: .outbound, endpoint: event.endpoint, reason: event.failureReason))
        closeOutbound(
          key, failure: .handshakeFailed(contact: connection.contact, reason: event.failureReason))
      default:
        if event.isHandshakeFailure {
          report(
            .handshakeFailed(
              direction: .outbound, endpoint: event.endpoint, reason: event.failureReason))
        }
      }
    }
  }

  /// The ZeroMQ connection under a DEALER is new or gone: the session starts over.
  private func restart(_ connection: OutboundConnection) {
    if let peer = connection.session.peer {
      report(.peerDisconnected(peer, direction: .outbound))
    }
    reassemblyBytesInUse -= connection.session.reassembler.reservedBytes
    connection.session.restart()
  }

  /// Reads what a DEALER received: one frame per message.
  func receiveOutbound(_ key: CurvePublicKey) {
    for _ in 0..<Self.receiveBatchMax where !isIncomingFull {
      guard let connection = outbound[key], let frame = connection.socket.receive() else { return }
      var extraFrames = 0
      var last = frame
      while last.hasMore, let next = connection.socket.receive() {
        extraFrames += 1
        last = next
      }
      guard extraFrames == 0 else {
        report(
          .messageDropped(
            .multipart(frameCount: extraFrames + 1), direction: .outbound, peer: connection.peer))
        continue
      }
      receive(frame, on: connection, key: key)
    }
  }

  private func receive(_ frame: ZMQMessage, on connection: OutboundConnection, key: CurvePublicKey)
  {
    let reserved = connection.session.reassembler.reservedBytes
    let actions = connection.session.receive(
      frame.bytes, connectionKey: connection.contact.curveKey, policy: helloPolicy,
      nowUnixMilliseconds: configuration.clock.unixMilliseconds(),
      nowMonotonicMilliseconds: configuration.clock.monotonicMilliseconds(),
      availableReassemblyBytes: availableReassemblyBytes(reservedBytes: reserved))
    reassemblyBytesInUse += connection.session.reassembler.reservedBytes - reserved
    for action in actions {
      switch action {
      case .established(let peer, _):
        establish(peer, on: connection, key: key)
      case .refuseHello(let reason):
        report(
          .helloRefused(
            reason, direction: .outbound, address: connection.contact.address.description))
        closeOutbound(key, failure: .helloRefused(contact: connection.contact, reason: reason))
      case .refusedByPeer(let code):
        closeOutbound(key, failure: .refusedByPeer(contact: connection.contact, code: code))
      case .helloRequested:
        restart(connection)
        connection.session.controlFrames = [makeHello()]
      case .deliver(let message):
        deliver(message)
      case .drop(let reason):
        report(.messageDropped(reason, direction: .outbound, peer: connection.peer))
      }
    }
  }

  private func establish(_ peer: PeerID, on connection: OutboundConnection, key: CurvePublicKey) {
    connection.peer = peer
    connection.connectDeadlineMilliseconds = nil
    outboundKeyByPeer[peer] = key
    updateReachablePeers()
    report(
      .peerConnected(peer, direction: .outbound, address: connection.contact.address.description))
    for waiter in connection.waiters { waiter.resume(returning: .success(peer)) }
    connection.waiters = []
  }

  /// Closes a DEALER for good: waiting callers get `failure`, queued messages go to another
  /// route or are dropped.
  func closeOutbound(_ key: CurvePublicKey, failure: TransportError) {
    guard let connection = outbound.removeValue(forKey: key) else { return }
    reassemblyBytesInUse -= connection.session.reassembler.reservedBytes
    for waiter in connection.waiters { waiter.resume(returning: .failure(failure)) }
    connection.waiters = []
    if let peer = connection.peer, outboundKeyByPeer[peer] == key {
      outboundKeyByPeer[peer] = nil
      updateReachablePeers()
      if connection.session.isEstablished {
        report(.peerDisconnected(peer, direction: .outbound))
      }
    }
    connection.monitor.stop(connection.socket)
    connection.socket.close()
    requeue(connection.session.takeQueuedMessages(), direction: .outbound)
  }
}
