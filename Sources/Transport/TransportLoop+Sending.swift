import Wire

extension TransportLoop {
  /// Where a peer's messages go.
  private enum Route {
    case outbound(OutboundConnection)
    case inbound(InboundConnection)
  }

  /// An established DEALER first, then an established inbound connection, then a DEALER that
  /// is reconnecting (its messages wait for the new hello).
  private func route(for peer: PeerID) -> Route? {
    let dialed = outboundKeyByPeer[peer].flatMap { outbound[$0] }
    if let dialed, dialed.session.isEstablished { return .outbound(dialed) }
    if let routingID = inboundRouteByPeer[peer], let connection = inbound[routingID] {
      return .inbound(connection)
    }
    return dialed.map { .outbound($0) }
  }

  /// Queues a message that `send` accepted.
  func queue(_ bytes: [UInt8], for peer: PeerID) {
    switch route(for: peer) {
    case .outbound(let connection):
      connection.session.enqueue(bytes, for: peer)
    case .inbound(let connection):
      connection.session.enqueue(bytes, for: peer)
      inboundWithOutput.insert(connection.routingID)
    case nil:
      mailbox.release(bytes.count, of: peer)
      report(.messageDropped(.connectionLost, direction: .outbound, peer: peer))
    }
  }

  /// Moves messages of a closed connection to another route of their peer, or drops them.
  func requeue(_ messages: [OutgoingMessage], direction: ConnectionDirection) {
    for message in messages { queue(message.bytes, for: message.peer) }
  }

  /// Sends what every connection has queued, up to the per-turn budget.
  func flushOutput() {
    hasUnflushedOutput = false
    for connection in outbound.values
    where !connection.isWriteBlocked && connection.session.hasOutput {
      let outcome = flush(&connection.session) { header, payload in
        connection.socket.send(header: header, payload: payload)
      }
      switch outcome {
      case .idle: break
      case .budgetSpent: hasUnflushedOutput = true
      case .stopped: connection.isWriteBlocked = true
      }
    }
    guard let listener, !inboundWithOutput.isEmpty else { return }
    isRouterWriteBlocked = false
    for routingID in Array(inboundWithOutput) {
      guard let connection = inbound[routingID] else {
        inboundWithOutput.remove(routingID)
        continue
      }
      let outcome = flush(&connection.session) { header, payload in
        let routed = listener.router.send(header: routingID, hasMore: true)
        guard routed == .sent else { return routed }
        return listener.router.send(header: header, payload: payload)
      }
      switch outcome {
      case .idle: inboundWithOutput.remove(routingID)
      case .budgetSpent: hasUnflushedOutput = true
      case .stopped(.wouldBlock): isRouterWriteBlocked = true
      case .stopped: removeInbound(routingID)  // The connection is gone.
      }
    }
  }

  private enum FlushOutcome {
    case idle
    case budgetSpent
    case stopped(ZMQSocket.SendResult)
  }

  /// Sends a session's control frames, then its chunks, until it has none, the budget is
  /// spent, or a send does not go through.
  private func flush(
    _ session: inout ConnectionSession,
    transmit: (_ header: [UInt8], _ payload: UnsafeRawBufferPointer) -> ZMQSocket.SendResult
  ) -> FlushOutcome {
    for _ in 0..<Self.chunksPerFlushMax {
      if let control = session.controlFrames.first {
        let result = transmit(control, UnsafeRawBufferPointer(start: nil, count: 0))
        guard result == .sent else { return .stopped(result) }
        session.controlFrames.removeFirst()
        continue
      }
      guard let (header, message) = session.nextChunk() else { return .idle }
      let range = header.payloadRange
      let result = message.withUnsafeBytes { bytes in
        transmit(header.encoded, UnsafeRawBufferPointer(rebasing: bytes[range]))
      }
      guard result == .sent else { return .stopped(result) }
      if let finished = session.chunkSent() {
        mailbox.release(finished.bytes.count, of: finished.peer)
      }
    }
    return session.hasOutput ? .budgetSpent : .idle
  }
}
