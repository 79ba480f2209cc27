import CZMQ
import Foundation
import Identity
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// An attacker for measurements: connection attempts at a steady rate, and a crowd of Sybil
/// identities without proof of work that keep reconnecting. It runs on a thread and a ZeroMQ
/// context of its own, so a benchmark can run honest peers beside it and time them with and
/// without it.
///
/// It is a load generator, not a peer: nothing it sends is a valid hello, so every listener
/// refuses it (by the admission rules at the ZAP handler, or by the hello's absence).
public final class ConnectionFlood: @unchecked Sendable {
  /// What each connection attempt is.
  public enum AttemptKind: String, Sendable, CaseIterable {
    /// A raw TCP connection that sends one CurveZMQ greeting and HELLO made ahead of time for
    /// its listener (`ReplayedHello`), then nothing: the listener pays for opening the hello and
    /// answering it, the attacker for a `connect` and a `write`. The cheapest attempt that still
    /// costs a listener cryptography, and so the default.
    case replayedHello = "replay"
    /// A ZeroMQ CURVE client with a key from a pool of 256 drawn ahead: a whole handshake on
    /// both sides (the listener's ZAP handler then refuses the key, which has no proof of
    /// work), at about as much cryptography for the attacker as for the listener.
    case curveClient = "client"
  }

  /// What a flood did.
  public struct Report: Sendable, Equatable {
    /// Connection attempts started.
    public var attempts = 0
    /// Attempts whose TCP connection was established and whose hello was written
    /// (`replayedHello` only; a ZeroMQ client does not say).
    public var hellosSent = 0
    /// Sybil identities kept connecting.
    public var sybils = 0
    public var seconds = 0.0
    /// Attempts per second achieved.
    public var attemptsPerSecond: Double { seconds > 0 ? Double(attempts) / seconds : 0 }
  }

  /// How long an attempt's socket stays open before it is closed.
  public static let attemptLifetimeMilliseconds = 500
  /// How often a Sybil dials again after a refusal.
  public static let sybilReconnectMilliseconds: Int32 = 1_000

  private let targets: [Contact]
  private let kind: AttemptKind
  private let attemptsPerSecond: Double
  private let sybilCount: Int
  private let sourceHosts: [String]
  private let isStopping = Atomic<Bool>(false)
  private let report = Mutex(Report())
  private let finished = DispatchSemaphore(value: 0)
  private var isStarted = false

  /// - Parameters:
  ///   - targets: the listeners to attack, in turn.
  ///   - attemptsPerSecond: new connections per second, over all targets.
  ///   - sybils: identities (fresh keys, no proof of work) that stay and keep reconnecting,
  ///     spread over the targets.
  ///   - sourceHosts: the local addresses to dial from, in turn (`127.0.0.2`, so that a listener
  ///     counts the attacker apart from honest peers on 127.0.0.1; many addresses of one /24
  ///     for an attacker that spreads its attempts); empty: the system's choice.
  ///   - kind: what each attempt is.
  public init(
    targets: [Contact], attemptsPerSecond: Double, sybils: Int, sourceHosts: [String] = [],
    kind: AttemptKind = .replayedHello
  ) {
    precondition(!targets.isEmpty && attemptsPerSecond >= 0 && sybils >= 0)
    self.targets = targets
    self.kind = kind
    self.attemptsPerSecond = attemptsPerSecond
    self.sybilCount = sybils
    self.sourceHosts = sourceHosts
  }

  /// Starts the flood on a thread of its own.
  public func start() {
    precondition(!isStarted, "a flood starts once")
    isStarted = true
    let thread = Thread { [self] in
      run()
      finished.signal()
    }
    thread.name = "starling-flood"
    thread.start()
  }

  /// Stops the flood, closes every socket it opened, and says what it did.
  @discardableResult
  public func stop() -> Report {
    guard isStarted else { return report.withLock { $0 } }
    isStopping.store(true, ordering: .relaxed)
    finished.wait()
    isStarted = false
    return report.withLock { $0 }
  }

  /// A fresh key whose CURVE key carries no bit of proof of work, so that any
  /// `proofOfWorkBits` above 0 refuses it (a random key would meet n bits once in 2^n).
  static func keyWithoutProofOfWork() -> SigningKeyPair {
    // Half of all keys qualify: 64 tries fail once in 2^64.
    guard
      let found = SigningKeyPair.search(
        triesMax: 64, accepting: { ProofOfWork.bits(ofCurveKeyBytes: $0) == 0 })
    else { preconditionFailure("64 random keys all carried proof of work") }
    return found.keyPair
  }

  private func run() {
    let started = ContinuousClock.now
    let lifetime = Duration.milliseconds(Self.attemptLifetimeMilliseconds)
    let concurrentAttempts = Int(
      attemptsPerSecond * Double(Self.attemptLifetimeMilliseconds) / 1_000)
    let socketsMax = sybilCount + (kind == .curveClient ? concurrentAttempts : 0) + 64
    guard let context = zmq_ctx_new() else { return }
    zmq_ctx_set(context, ZMQ_MAX_SOCKETS, Int32(min(socketsMax, 60_000)))
    zmq_ctx_set(context, ZMQ_IO_THREADS, 2)
    defer { zmq_ctx_term(context) }
    var sybils: [UnsafeMutableRawPointer] = []
    for index in 0..<sybilCount {
      // Each Sybil is an identity of its own: its own key, not one of the pool's.
      if let socket = openCurveClient(
        context, to: targets[index % targets.count], from: source(index),
        as: Self.keyWithoutProofOfWork(), reconnectMilliseconds: Self.sybilReconnectMilliseconds)
      {
        sybils.append(socket)
      }
    }
    report.withLock { $0.sybils = sybils.count }
    defer { for socket in sybils { zmq_close(socket) } }
    switch kind {
    case .curveClient:
      // The attempts' keys are drawn ahead of time: a listener pays for each handshake all
      // the same, and the flooder spends its time on attempts.
      let pool = (0..<256).map { _ in Self.keyWithoutProofOfWork() }
      var pending: [(socket: UnsafeMutableRawPointer, closeAt: ContinuousClock.Instant)] = []
      defer { for entry in pending { zmq_close(entry.socket) } }
      runAttempts(started: started) { attempt, now in
        // An attempt dials once: a refused handshake is not retried.
        if let socket = openCurveClient(
          context, to: targets[attempt % targets.count], from: source(attempt),
          as: pool[attempt % pool.count], reconnectMilliseconds: -1)
        {
          pending.append((socket, now + lifetime))
        }
      } tick: { now in
        // Opened in order with one lifetime, so the expired ones are a prefix.
        let expired = pending.prefix { $0.closeAt <= now }
        for entry in expired { zmq_close(entry.socket) }
        pending.removeFirst(expired.count)
      }
    case .replayedHello:
      let hellos = targets.map { ReplayedHello.bytes(serverKey: $0.curveKey) }
      let addresses = targets.map { RawSocketAddress(resolving: $0.address) }
      let sources = sourceHosts.map { RawSocketAddress(resolving: $0, port: 0) }
      var pending: [RawAttempt] = []
      defer { for attempt in pending { close(attempt.descriptor) } }
      var hellosSent = 0
      runAttempts(started: started) { attempt, now in
        let target = attempt % targets.count
        guard hellos[target] != nil, let address = addresses[target],
          let descriptor = address.dialNonBlocking(
            from: sources.isEmpty ? nil : sources[attempt % sources.count])
        else { return }
        pending.append(RawAttempt(descriptor: descriptor, target: target, closeAt: now + lifetime))
      } tick: { now in
        hellosSent += Self.sendHellos(&pending, hellos: hellos)
        let expired = pending.prefix { $0.closeAt <= now }
        for attempt in expired { close(attempt.descriptor) }
        pending.removeFirst(expired.count)
        report.withLock { $0.hellosSent = hellosSent }
      }
    }
  }

  /// Starts attempts at `attemptsPerSecond` (catching up after a slow tick) until stopped,
  /// calling `tick` every 5 ms.
  private func runAttempts(
    started: ContinuousClock.Instant, attempt: (Int, ContinuousClock.Instant) -> Void,
    tick: (ContinuousClock.Instant) -> Void
  ) {
    var attempts = 0
    while !isStopping.load(ordering: .relaxed) {
      let now = ContinuousClock.now
      let elapsed = (now - started) / .seconds(1)
      let due = Int(elapsed * attemptsPerSecond)
      while attempts < due {
        attempt(attempts, now)
        attempts += 1
      }
      tick(now)
      report.withLock {
        $0.attempts = attempts
        $0.seconds = elapsed
      }
      Thread.sleep(forTimeInterval: 0.005)
    }
  }

  /// The source address of attempt (or Sybil) `index`; nil: the system's choice.
  private func source(_ index: Int) -> String? {
    sourceHosts.isEmpty ? nil : sourceHosts[index % sourceHosts.count]
  }

  private func openCurveClient(
    _ context: UnsafeMutableRawPointer, to target: Contact, from source: String?,
    as key: SigningKeyPair, reconnectMilliseconds: Int32
  ) -> UnsafeMutableRawPointer? {
    guard let socket = zmq_socket(context, ZMQ_DEALER) else { return nil }
    var zero: Int32 = 0
    var reconnect = reconnectMilliseconds
    zmq_setsockopt(socket, ZMQ_LINGER, &zero, 4)
    zmq_setsockopt(socket, ZMQ_RECONNECT_IVL, &reconnect, 4)
    zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, target.curveKey.bytes, 32)
    zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, key.curvePublicKeyBytes, 32)
    zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, key.curveSecretKeyBytes(), 32)
    let prefix = source.map { "\($0):0;" } ?? ""
    guard zmq_connect(socket, "tcp://" + prefix + target.address.description) == 0 else {
      zmq_close(socket)
      return nil
    }
    return socket
  }

  /// A raw attempt: its descriptor, its listener, and when it is closed; `isSent` once its
  /// hello is written.
  private struct RawAttempt {
    var descriptor: Int32
    var target: Int
    var closeAt: ContinuousClock.Instant
    var isSent = false
  }

  /// Writes its hello on each attempt whose connection is now up; how many were written. An
  /// attempt whose connection failed is left to its lifetime.
  private static func sendHellos(_ pending: inout [RawAttempt], hellos: [[UInt8]?]) -> Int {
    let waiting = pending.indices.filter { !pending[$0].isSent }
    guard !waiting.isEmpty else { return 0 }
    var polled = waiting.map {
      pollfd(fd: pending[$0].descriptor, events: Int16(POLLOUT), revents: 0)
    }
    guard poll(&polled, nfds_t(polled.count), 0) > 0 else { return 0 }
    var sent = 0
    for (slot, index) in waiting.enumerated() where polled[slot].revents != 0 {
      pending[index].isSent = true  // written, or failed: either way not tried again
      guard polled[slot].revents & Int16(POLLOUT) != 0, polled[slot].revents & Int16(POLLERR) == 0,
        let hello = hellos[pending[index].target]
      else { continue }
      let written = hello.withUnsafeBytes {
        send(pending[index].descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if written == hello.count { sent += 1 }
    }
    return sent
  }
}

/// A resolved TCP address for the raw attempts, and how to dial it without blocking.
private struct RawSocketAddress {
  var storage = sockaddr_storage()
  var length: socklen_t = 0
  var family: Int32 = 0

  init?(resolving address: NetworkAddress) {
    self.init(resolving: address.host, port: address.port)
  }

  init?(resolving host: String, port: UInt16) {
    var hints = addrinfo()
    hints.ai_flags = AI_NUMERICSERV
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var found: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else {
      return nil
    }
    defer { freeaddrinfo(found) }
    length = first.pointee.ai_addrlen
    family = first.pointee.ai_family
    withUnsafeMutableBytes(of: &storage) {
      $0.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(length)))
    }
  }

  /// A non-blocking socket connecting to this address (from `source` when given), closed
  /// abortively (a reset, no `TIME_WAIT`, so that a long flood does not run out of ports);
  /// nil when the socket cannot be made or the connection fails at once.
  func dialNonBlocking(from source: RawSocketAddress?) -> Int32? {
    let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    guard descriptor >= 0 else { return nil }
    var abortive = linger(l_onoff: 1, l_linger: 0)
    setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &abortive, socklen_t(MemoryLayout<linger>.size))
    var isDialing = true
    if var source, source.family == family {
      isDialing = withUnsafePointer(to: &source.storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          bind(descriptor, $0, source.length) == 0
        }
      }
    }
    if isDialing {
      var target = storage
      let status = withUnsafePointer(to: &target) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
      }
      isDialing = status == 0 || errno == EINPROGRESS
    }
    guard isDialing else {
      close(descriptor)
      return nil
    }
    return descriptor
  }
}
