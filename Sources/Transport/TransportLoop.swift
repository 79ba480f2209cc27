import CZMQ
import Identity
import Wire

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Everything a transport is set up with.
struct TransportConfiguration: Sendable {
  let keyPair: SigningKeyPair
  let projectID: ProjectID
  let limits: TransportLimits
  let admission: AdmissionPolicy
  let clock: any TransportClock
  let report: @Sendable (TransportEvent) -> Void

  var curveKey: CurvePublicKey { CurvePublicKey(bytes: keyPair.curvePublicKeyBytes)! }
}

/// The transport's thread: it owns the ZeroMQ context and every socket, and nothing else
/// touches them. Each turn it polls the sockets and the mailbox's pipe, reads what arrived,
/// runs the commands callers posted, sends what is queued, and runs its timers.
final class TransportLoop {
  /// Frames read from one socket per turn, so no socket starves the others.
  static let receiveBatchMax = 256
  /// Chunks sent on one connection per turn (8 MiB), so one large message does not hold up
  /// the others.
  static let chunksPerFlushMax = 8
  /// How often incomplete messages are checked for their timeout.
  static let expiryIntervalMilliseconds: UInt64 = 1_000
  /// The longest `zmq_poll` wait when nothing is due sooner.
  static let pollTimeoutMillisecondsMax: UInt64 = 1_000

  let configuration: TransportConfiguration
  let mailbox: TransportMailbox
  let context: ZMQContext
  let listener: Listener?
  let delivery: AsyncStream<IncomingMessage>.Continuation
  let helloPolicy: ConnectionSession.HelloPolicy
  let statistics: TransportStatistics
  /// Attempts and admitted connections per address, for the ZAP handler.
  var admissionLedger: AdmissionLedger
  /// Messages per authenticated peer; nil when the rules set no rate.
  var messageLimiter: MessageRateLimiter?

  var inbound: [[UInt8]: InboundConnection] = [:]
  var inboundRouteByPeer: [PeerID: [UInt8]] = [:]
  /// Inbound connections with something to send.
  var inboundWithOutput: Set<[UInt8]> = []
  var outbound: [CurvePublicKey: OutboundConnection] = [:]
  var outboundKeyByPeer: [PeerID: CurvePublicKey] = [:]
  /// Memory reserved by messages in reassembly, over all connections.
  var reassemblyBytesInUse = 0
  /// Whether a send on the ROUTER hit a high-water mark (retried after a millisecond: the
  /// ROUTER's `ZMQ_POLLOUT` says only that some connection has room).
  var isRouterWriteBlocked = false
  /// Whether some connection still has output that the per-turn budget left unsent.
  var hasUnflushedOutput = false
  var monitorCount = 0
  var isStopping = false
  var nextExpiryMilliseconds: UInt64

  var limits: TransportLimits { configuration.limits }

  init(
    configuration: TransportConfiguration, mailbox: TransportMailbox,
    listenAddress: NetworkAddress?, delivery: AsyncStream<IncomingMessage>.Continuation,
    statistics: TransportStatistics
  ) throws(TransportError) {
    self.configuration = configuration
    self.mailbox = mailbox
    self.delivery = delivery
    self.statistics = statistics
    let rules = configuration.admission.rules
    helloPolicy = ConnectionSession.HelloPolicy(
      projectID: configuration.projectID,
      clockSkewMillisecondsMax: configuration.limits.helloClockSkewMillisecondsMax,
      attemptsMax: configuration.limits.helloAttemptsMax, admission: configuration.admission)
    // An admitted client has the handshake and then the hello's own time to speak.
    admissionLedger = AdmissionLedger(
      rules: rules,
      pendingMilliseconds: UInt64(configuration.limits.handshakeTimeoutMilliseconds)
        + configuration.limits.connectTimeoutMilliseconds)
    messageLimiter = rules.messagesPerSecondPerPeer.map {
      MessageRateLimiter(messagesPerSecond: $0, burst: rules.messageBurst)
    }
    // Each dealer takes three sockets (itself, its monitor's PAIR and libzmq's end of it).
    let context = try ZMQContext(socketsMax: 3 * configuration.limits.outboundPeersMax + 16)
    self.context = context
    do throws(TransportError) {
      listener = try listenAddress.map { address throws(TransportError) in
        try Self.makeListener(address, context: context, configuration: configuration)
      }
    } catch {
      context.terminate()
      throw error
    }
    nextExpiryMilliseconds =
      configuration.clock.monotonicMilliseconds()
      + Self.expiryIntervalMilliseconds
  }

  // MARK: The loop

  /// Runs until `stop`, then closes every socket and the context.
  func run() {
    if let listener { report(.listening(contact: listener.contact)) }
    while !isStopping {
      poll()
      runCommands()
      flushOutput()
      runTimers()
    }
    shutdown()
  }

  private enum PollTarget {
    case wake
    case zap
    case router
    case routerMonitor
    case dealer(CurvePublicKey)
    case dealerMonitor(CurvePublicKey)
  }

  private func poll() {
    var items: [zmq_pollitem_t] = []
    var targets: [PollTarget] = []
    func add(_ socket: ZMQSocket?, descriptor: Int32 = 0, events: Int32, _ target: PollTarget) {
      items.append(
        zmq_pollitem_t(
          socket: socket?.handle, fd: descriptor, events: Int16(events), revents: 0))
      targets.append(target)
    }
    add(nil, descriptor: mailbox.wakeReadDescriptor, events: ZMQ_POLLIN, .wake)
    let readEvents = isIncomingFull ? 0 : ZMQ_POLLIN
    if let listener {
      add(listener.zap, events: ZMQ_POLLIN, .zap)
      add(listener.router, events: readEvents, .router)
      add(listener.monitor.socket, events: ZMQ_POLLIN, .routerMonitor)
    }
    for (key, connection) in outbound {
      let wantsWrite = connection.isWriteBlocked && connection.session.hasOutput
      add(connection.socket, events: readEvents | (wantsWrite ? ZMQ_POLLOUT : 0), .dealer(key))
      add(connection.monitor.socket, events: ZMQ_POLLIN, .dealerMonitor(key))
    }
    guard zmq_poll(&items, Int32(items.count), pollTimeoutMilliseconds()) > 0 else { return }
    for (item, target) in zip(items, targets) where item.revents != 0 {
      handle(target, revents: Int32(item.revents))
    }
  }

  private func handle(_ target: PollTarget, revents: Int32) {
    switch target {
    case .wake:
      break  // `runCommands` runs every turn.
    case .zap:
      if let listener { answerAdmissionRequests(listener) }
    case .router:
      if let listener { receiveInbound(listener) }
    case .routerMonitor:
      if let listener { reportListenerEvents(listener) }
    case .dealer(let key):
      if revents & ZMQ_POLLOUT != 0 { outbound[key]?.isWriteBlocked = false }
      if revents & ZMQ_POLLIN != 0 { receiveOutbound(key) }
    case .dealerMonitor(let key):
      handleDealerEvents(key)
    }
  }

  private func pollTimeoutMilliseconds() -> Int {
    if hasUnflushedOutput { return 0 }
    if isRouterWriteBlocked { return 1 }
    let now = configuration.clock.monotonicMilliseconds()
    var deadline = min(nextExpiryMilliseconds, now + Self.pollTimeoutMillisecondsMax)
    for connection in outbound.values {
      if let connectDeadline = connection.connectDeadlineMilliseconds {
        deadline = min(deadline, connectDeadline)
      }
    }
    return Int(deadline > now ? deadline - now : 0)
  }

  private func runCommands() {
    for command in mailbox.takeCommands() {
      switch command {
      case .send(let bytes, let peer): queue(bytes, for: peer)
      case .connect(let contact, let continuation): connect(to: contact, continuation)
      case .stop: isStopping = true
      }
    }
  }

  private func runTimers() {
    let now = configuration.clock.monotonicMilliseconds()
    for (key, connection) in outbound {
      if let deadline = connection.connectDeadlineMilliseconds, now >= deadline {
        closeOutbound(key, failure: .connectTimedOut(contact: connection.contact))
      }
    }
    guard now >= nextExpiryMilliseconds else { return }
    nextExpiryMilliseconds = now + Self.expiryIntervalMilliseconds
    expireAdmissions(nowMilliseconds: now)
    let timeout = limits.reassemblyTimeoutMilliseconds
    for connection in inbound.values where connection.session.reassembler.isReassembling {
      let reserved = connection.session.reassembler.reservedBytes
      let actions = connection.session.expireReassembly(
        nowMilliseconds: now, timeoutMilliseconds: timeout)
      reassemblyBytesInUse -= reserved - connection.session.reassembler.reservedBytes
      for case .drop(let reason) in actions {
        report(.messageDropped(reason, direction: .inbound, peer: connection.session.peer))
      }
    }
    for connection in outbound.values where connection.session.reassembler.isReassembling {
      let reserved = connection.session.reassembler.reservedBytes
      let actions = connection.session.expireReassembly(
        nowMilliseconds: now, timeoutMilliseconds: timeout)
      reassemblyBytesInUse -= reserved - connection.session.reassembler.reservedBytes
      for case .drop(let reason) in actions {
        report(.messageDropped(reason, direction: .outbound, peer: connection.peer))
      }
    }
  }

  private func shutdown() {
    for command in mailbox.takeCommands() {
      if case .connect(_, let continuation) = command {
        continuation.resume(returning: .failure(.closed))
      }
    }
    for connection in outbound.values {
      for waiter in connection.waiters { waiter.resume(returning: .failure(.closed)) }
      connection.waiters = []
      connection.monitor.stop(connection.socket)
      connection.socket.close()
    }
    outbound = [:]
    if let listener {
      listener.monitor.stop(listener.router)
      listener.router.close()
      listener.zap.close()
    }
    delivery.finish()
    context.terminate()
    mailbox.closeDescriptors()
  }

  // MARK: Shared by both directions

  func report(_ event: TransportEvent) {
    configuration.report(event)
  }

  /// This transport's hello, stamped now.
  func makeHello() -> [UInt8] {
    Hello(
      signedBy: configuration.keyPair, projectID: configuration.projectID,
      timestampMilliseconds: configuration.clock.unixMilliseconds()
    ).wireBytes
  }

  func deliver(_ message: IncomingMessage) {
    guard isWithinRateLimit(message.sender) else { return }
    // Counted first, so the reader's count never goes below zero. Once the reader is gone
    // (the stream terminated), messages are discarded and not counted.
    mailbox.incomingDelivered()
    if case .terminated = delivery.yield(message) { mailbox.incomingTaken(limit: .max) }
  }

  /// Whether the reader of `incoming` is `incomingMessagesMax` messages behind: then no socket
  /// is read until it catches up.
  var isIncomingFull: Bool { mailbox.isIncomingFull(limit: limits.incomingMessagesMax) }

  /// The socket options every socket of a connection gets.
  func configure(_ socket: ZMQSocket, isIPv6: Bool) throws(TransportError) {
    try Self.configure(socket, limits: limits, isIPv6: isIPv6)
  }

  static func configure(
    _ socket: ZMQSocket, limits: TransportLimits, isIPv6: Bool
  ) throws(TransportError) {
    try socket.set(ZMQ_LINGER, limits.lingerMilliseconds, name: "ZMQ_LINGER")
    try socket.set(ZMQ_SNDHWM, limits.socketHighWaterMarkMessages, name: "ZMQ_SNDHWM")
    try socket.set(ZMQ_RCVHWM, limits.socketHighWaterMarkMessages, name: "ZMQ_RCVHWM")
    try socket.set(
      ZMQ_MAXMSGSIZE, int64: Int64(zeroMQMessageBytesMax), name: "ZMQ_MAXMSGSIZE")
    try socket.set(
      ZMQ_HANDSHAKE_IVL, limits.handshakeTimeoutMilliseconds, name: "ZMQ_HANDSHAKE_IVL")
    try socket.set(
      ZMQ_HEARTBEAT_IVL, limits.heartbeatIntervalMilliseconds, name: "ZMQ_HEARTBEAT_IVL")
    try socket.set(
      ZMQ_HEARTBEAT_TIMEOUT, limits.heartbeatTimeoutMilliseconds, name: "ZMQ_HEARTBEAT_TIMEOUT")
    // The TTL travels in tenths of a second, at most 6553.5 s.
    try socket.set(
      ZMQ_HEARTBEAT_TTL, min(limits.heartbeatTimeoutMilliseconds, 6_553_500),
      name: "ZMQ_HEARTBEAT_TTL")
    if isIPv6 { try socket.set(ZMQ_IPV6, 1, name: "ZMQ_IPV6") }
  }

  /// Sets the CURVE secret key; the copy is zeroed at once.
  static func setCurveSecretKey(
    _ socket: ZMQSocket, keyPair: SigningKeyPair
  ) throws(TransportError) {
    var secret = keyPair.curveSecretKeyBytes()
    defer { secret.withUnsafeMutableBytes { _ = memset($0.baseAddress!, 0, $0.count) } }
    try socket.set(ZMQ_CURVE_SECRETKEY, bytes: secret, name: "ZMQ_CURVE_SECRETKEY")
  }

  /// The peers that `send` accepts messages for.
  func updateReachablePeers() {
    mailbox.setReachablePeers(Set(outboundKeyByPeer.keys).union(inboundRouteByPeer.keys))
  }

  /// Memory a connection with `reservedBytes` in reassembly may reserve for a new message.
  func availableReassemblyBytes(reservedBytes: Int) -> Int {
    max(0, limits.reassemblyBytesMax - reassemblyBytesInUse + reservedBytes)
  }
}

// The loop is made on the caller's thread, handed to its own thread once (`Thread.start` is a
// full barrier) and touched only there from then on.
extension TransportLoop: @unchecked Sendable {}
