import CZMQ
import Wire

extension TransportLoop {
  /// Answers every waiting ZAP request by the admission policy and the listener's ledger.
  func answerAdmissionRequests(_ listener: Listener) {
    let policy = configuration.admission
    while let frames = listener.zap.receiveMultipart() {
      // The monitor before each request: the I/O thread reports a connection's `ACCEPTED`
      // before it starts the handshake that ends in the request, so the request's attempt is
      // counted (and its handshake credit given) before it is judged.
      reportListenerEvents(listener)
      let now = configuration.clock.monotonicMilliseconds()
      let (reply, refusal) = ZAPHandler.reply(to: frames.map(\.array)) { request in
        admissionLedger.admit(request, policy: policy, nowMilliseconds: now)
      }
      for (index, frame) in reply.enumerated() {
        _ = listener.zap.send(header: frame, hasMore: index < reply.count - 1)
      }
      if let refusal {
        statistics.update { $0.refusedAdmissions += 1 }
        report(refusal)
      } else if reply.count > 2, reply[2] == ZAPHandler.admittedStatus {
        statistics.update { $0.admittedAdmissions += 1 }
      }
    }
    publishAdmissionCount()
  }

  /// The ROUTER's socket events: handshake failures for the log, accepted and closed TCP
  /// connections for the ledger.
  func reportListenerEvents(_ listener: Listener) {
    while let event = listener.monitor.next() {
      let descriptor = Int32(bitPattern: event.value)
      switch event.event {
      case ZMQ_EVENT_ACCEPTED:
        admissionLedger.connectionAccepted(descriptor: descriptor)
        countAttempt(descriptor: descriptor, listener: listener)
      case ZMQ_EVENT_DISCONNECTED:
        admissionLedger.connectionClosed(descriptor: descriptor)
      default:
        guard event.isHandshakeFailure else { continue }
        report(
          .handshakeFailed(
            direction: .inbound, endpoint: event.endpoint, reason: event.failureReason))
      }
    }
    publishAdmissionCount()
  }

  /// Counts an accepted connection's attempt. One from an address over
  /// `connectionAttemptsPerSecond` (or blocked for it) is shut down at once, before the CURVE
  /// handshake (several Curve25519 operations on each side) and the ZAP request it would end
  /// in, and the first one over the rate blocks its address in the listener's kernel filter
  /// for `overRateBlockMilliseconds`. `shutdown(2)`, not `close(2)`: the descriptor stays
  /// ZeroMQ's, which sees the end of the stream and closes it itself (and reports
  /// `DISCONNECTED`). The address is read from the descriptor now, so a descriptor already
  /// closed and reused is judged by its new peer's address, and one that is no longer a socket
  /// is left alone. (A client that sends its hello with its first packet can have it opened by
  /// the I/O thread before the shutdown: the kernel filter is what spares the listener that.)
  func countAttempt(descriptor: Int32, listener: Listener) {
    let rules = configuration.admission.rules
    guard
      rules.isLimitingAttempts,
      let address = PeerSocketAddress.peerAddress(of: descriptor)
    else { return }
    let now = configuration.clock.monotonicMilliseconds()
    guard
      case .overRate(let newBlock) = admissionLedger.attemptAccepted(
        address: address, nowMilliseconds: now)
    else { return }
    if PeerSocketAddress.shutDown(descriptor) {
      statistics.update { $0.shutDownAtAccept += 1 }
      report(.connectionShutDown(address: address, reason: .tooManyAttempts))
    }
    guard let newBlock else { return }
    statistics.update { $0.addressBlocks += 1 }
    report(
      .addressBlocked(address: newBlock.description, milliseconds: rules.overRateBlockMilliseconds))
    updateAddressFilter(listener)
  }

  /// Puts the blocked addresses into the listener's kernel filter.
  func updateAddressFilter(_ listener: Listener) {
    let blocked = admissionLedger.blockedRanges
    let isInstalled = listener.addressFilter?.install(blocking: blocked) ?? false
    statistics.update {
      $0.blockedAddresses = blocked.count
      $0.isAddressFilterInstalled = isInstalled && !blocked.isEmpty
    }
  }

  /// A new inbound connection's first frame: its admission slot becomes live. The monitor is
  /// read first, so that the events of the descriptor's earlier connections come before it
  /// (the one I/O thread emits them in order, and this frame could only follow its own
  /// `ACCEPTED` and the ZAP reply).
  func recordFirstFrame(_ frame: ZMQMessage, address: String, listener: Listener) {
    guard configuration.admission.rules.isCounting else { return }
    reportListenerEvents(listener)
    admissionLedger.connectionSpoke(descriptor: frame.sourceDescriptor, address: address)
    publishAdmissionCount()
  }

  /// Whether a message from `peer` may be delivered: its peer is not banned and within
  /// `messagesPerSecondPerPeer`. A message that may not is dropped and counted.
  func isWithinRateLimit(_ peer: PeerID) -> Bool {
    if configuration.admission.isBanned(peer: peer) {
      statistics.update { $0.bannedMessagesDropped += 1 }
      return false
    }
    guard messageLimiter != nil else { return true }
    let now = configuration.clock.monotonicMilliseconds()
    switch messageLimiter!.admit(from: peer, nowMilliseconds: now) {
    case .deliver:
      return true
    case .drop(let report):
      statistics.update { $0.rateLimitedMessages += 1 }
      if let report { self.report(.messagesRateLimited(peer, droppedCount: report)) }
      return false
    }
  }

  /// Once a second: pending admissions past their time, rate-limit reports that are due.
  func expireAdmissions(nowMilliseconds now: UInt64) {
    if admissionLedger.expire(nowMilliseconds: now), let listener { updateAddressFilter(listener) }
    publishAdmissionCount()
    guard messageLimiter != nil else { return }
    for (peer, count) in messageLimiter!.prune(nowMilliseconds: now) {
      report(.messagesRateLimited(peer, droppedCount: count))
    }
  }

  private func publishAdmissionCount() {
    let count = admissionLedger.admittedCount
    statistics.update { $0.admittedConnections = count }
  }
}
