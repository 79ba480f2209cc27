import CZMQ
import Wire

extension TransportLoop {
  /// Binds the ZAP handler, then the CURVE ROUTER on `address`.
  static func makeListener(
    _ address: NetworkAddress, context: ZMQContext, configuration: TransportConfiguration
  ) throws(TransportError) -> Listener {
    // The handler must be bound before the ROUTER accepts anyone: without one, libzmq admits
    // every CURVE client.
    let zap = try ZMQSocket(context: context, type: ZMQ_REP)
    try zap.set(ZMQ_LINGER, 0, name: "ZMQ_LINGER")
    try zap.bind(ZAPHandler.endpoint)
    let router = try ZMQSocket(context: context, type: ZMQ_ROUTER)
    try configure(router, limits: configuration.limits, isIPv6: address.hostKind != .ipv4)
    try router.set(ZMQ_ROUTER_MANDATORY, 1, name: "ZMQ_ROUTER_MANDATORY")
    try router.set(ZMQ_CURVE_SERVER, 1, name: "ZMQ_CURVE_SERVER")
    try setCurveSecretKey(router, keyPair: configuration.keyPair)
    try router.set(ZMQ_ZAP_DOMAIN, text: ZAPHandler.domain, name: "ZMQ_ZAP_DOMAIN")
    let monitor = try SocketMonitor(
      router, context: context, endpoint: "inproc://starling-monitor-listener")
    do throws(TransportError) {
      try router.bind(address.endpoint)
    } catch {
      monitor.stop(router)
      if case .zeroMQ(_, _, let message) = error {
        throw .bindFailed(address: address, message: message)
      }
      throw error
    }
    let endpoint = try router.lastEndpoint()
    guard endpoint.hasPrefix("tcp://"),
      let bound = try? NetworkAddress(parsing: String(endpoint.dropFirst("tcp://".count)))
    else {
      monitor.stop(router)
      throw .bindFailed(address: address, message: "ZeroMQ reported the endpoint \(endpoint)")
    }
    let rules = configuration.admission.rules
    let isBlocking = rules.isLimitingAttempts && rules.overRateBlockMilliseconds > 0
    return Listener(
      router: router, zap: zap, monitor: monitor,
      contact: Contact(curveKey: configuration.curveKey, address: bound),
      addressFilter: isBlocking ? ListenerAddressFilter.find(listeningOn: bound.port) : nil)
  }

  /// Reads what the ROUTER received: a routing ID frame, then one payload frame per message.
  func receiveInbound(_ listener: Listener) {
    for _ in 0..<Self.receiveBatchMax where !isIncomingFull {
      guard let routingFrame = listener.router.receive() else { return }
      guard routingFrame.hasMore, let payload = listener.router.receive() else { continue }
      var extraFrames = 0
      var last = payload
      while last.hasMore, let next = listener.router.receive() {
        extraFrames += 1
        last = next
      }
      let connection = inboundConnection(
        routingFrame.array, firstFrame: payload, listener: listener)
      guard extraFrames == 0 else {
        report(
          .messageDropped(
            .multipart(frameCount: extraFrames + 1), direction: .inbound,
            peer: connection.session.peer))
        continue
      }
      receive(payload, on: connection, listener: listener)
    }
  }

  private func receive(_ frame: ZMQMessage, on connection: InboundConnection, listener: Listener) {
    guard let key = connection.curveKey else {
      report(.messageDropped(.beforeHello, direction: .inbound, peer: nil))
      return
    }
    let reserved = connection.session.reassembler.reservedBytes
    let actions = connection.session.receive(
      frame.bytes, connectionKey: key, policy: helloPolicy,
      nowUnixMilliseconds: configuration.clock.unixMilliseconds(),
      nowMonotonicMilliseconds: connection.lastHeardMilliseconds,
      availableReassemblyBytes: availableReassemblyBytes(reservedBytes: reserved))
    reassemblyBytesInUse += connection.session.reassembler.reservedBytes - reserved
    for action in actions {
      switch action {
      case .established(let peer, _):
        register(peer, on: connection)
      case .refuseHello(let reason):
        refuse(connection, reason: reason, listener: listener)
      case .refusedByPeer, .helloRequested:
        break  // Only an outbound session reads refusals.
      case .deliver(let message):
        deliver(message)
      case .drop(let reason):
        report(.messageDropped(reason, direction: .inbound, peer: connection.session.peer))
      }
    }
  }

  /// The connection with `routingID`, made on its first frame (and the least recently heard
  /// connection without a hello forgotten when too many are remembered).
  private func inboundConnection(
    _ routingID: [UInt8], firstFrame: ZMQMessage, listener: Listener
  ) -> InboundConnection {
    let now = configuration.clock.monotonicMilliseconds()
    if let connection = inbound[routingID] {
      connection.lastHeardMilliseconds = now
      return connection
    }
    if inbound.count - inboundRouteByPeer.count >= limits.unauthenticatedConnectionsMax,
      let oldest = inbound.values.filter({ !$0.session.isEstablished })
        .min(by: { $0.lastHeardMilliseconds < $1.lastHeardMilliseconds })
    {
      removeInbound(oldest.routingID)
    }
    let address = firstFrame.property("Peer-Address") ?? "unknown"
    recordFirstFrame(firstFrame, address: address, listener: listener)
    let connection = InboundConnection(
      routingID: routingID, address: address,
      curveKey: firstFrame.property("User-Id").flatMap { CurvePublicKey(z85: $0) },
      messageBytesMax: limits.messageBytesMax, nowMilliseconds: now)
    inbound[routingID] = connection
    return connection
  }

  /// Takes a peer that said a valid hello: it replaces the peer's older inbound connection
  /// (inheriting what was queued for it) and gets this transport's hello back. When the table
  /// is full, the peer heard from least recently is forgotten: ZeroMQ does not say when a
  /// ROUTER's connection closes, so that is most likely a dead one, and a live one says hello
  /// again when asked (`expectedHello`).
  private func register(_ peer: PeerID, on connection: InboundConnection) {
    if let oldID = inboundRouteByPeer[peer], oldID != connection.routingID,
      let old = inbound[oldID]
    {
      for message in old.session.takeQueuedMessages() {
        connection.session.enqueue(message.bytes, for: message.peer)
      }
      removeInbound(oldID)
    } else if inboundRouteByPeer[peer] == nil, inboundRouteByPeer.count >= limits.inboundPeersMax,
      let quietest = inboundRouteByPeer.values.compactMap({ inbound[$0] })
        .min(by: { $0.lastHeardMilliseconds < $1.lastHeardMilliseconds })
    {
      removeInbound(quietest.routingID)
    }
    inboundRouteByPeer[peer] = connection.routingID
    connection.session.controlFrames.append(makeHello())
    inboundWithOutput.insert(connection.routingID)
    updateReachablePeers()
    report(.peerConnected(peer, direction: .inbound, address: connection.address))
  }

  /// Tells the client why its hello was refused (best effort) and logs it.
  private func refuse(_ connection: InboundConnection, reason: HelloRefusal, listener: Listener) {
    if listener.router.send(header: connection.routingID, hasMore: true) == .sent {
      _ = listener.router.send(header: [TransportFrameKind.refusal.rawValue, reason.code.rawValue])
    }
    report(.helloRefused(reason, direction: .inbound, address: connection.address))
  }

  /// Forgets an inbound connection; what was queued for it goes to another route or is dropped.
  func removeInbound(_ routingID: [UInt8]) {
    guard let connection = inbound.removeValue(forKey: routingID) else { return }
    reassemblyBytesInUse -= connection.session.reassembler.reservedBytes
    inboundWithOutput.remove(routingID)
    if let peer = connection.session.peer, inboundRouteByPeer[peer] == routingID {
      inboundRouteByPeer[peer] = nil
      updateReachablePeers()
      report(.peerDisconnected(peer, direction: .inbound))
    }
    requeue(connection.session.takeQueuedMessages(), direction: .inbound)
  }
}
