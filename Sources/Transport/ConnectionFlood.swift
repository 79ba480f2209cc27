import CZMQ
import Foundation
import Identity
import Synchronization

/// An attacker for measurements: connection attempts at a steady rate, each a CURVE handshake
/// with a key from a pool of 256 that never says a hello, and a crowd of Sybil identities without proof of
/// work that keep reconnecting. It runs on a thread and a ZeroMQ context of its own, so a
/// benchmark can run honest peers beside it and time them with and without it.
///
/// It is a load generator, not a peer: nothing it sends is a valid hello, so every listener
/// refuses it (by the admission rules at the ZAP handler, or by the hello's absence).
public final class ConnectionFlood: @unchecked Sendable {
  /// What a flood did.
  public struct Report: Sendable, Equatable {
    /// Connection attempts started (each one a socket with its own CURVE handshake).
    public var attempts = 0
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
  private let attemptsPerSecond: Double
  private let sybilCount: Int
  private let sourceHost: String?
  private let isStopping = Atomic<Bool>(false)
  private let report = Mutex(Report())
  private let finished = DispatchSemaphore(value: 0)
  private var isStarted = false

  /// - Parameters:
  ///   - targets: the listeners to attack, in turn.
  ///   - attemptsPerSecond: new connections per second, over all targets.
  ///   - sybils: identities (fresh keys, no proof of work) that stay and keep reconnecting,
  ///     spread over the targets.
  ///   - sourceHost: the local address to dial from (`127.0.0.2`, so that a listener counts
  ///     the attacker apart from honest peers on 127.0.0.1); nil: the system's choice.
  public init(
    targets: [Contact], attemptsPerSecond: Double, sybils: Int, sourceHost: String? = nil
  ) {
    precondition(!targets.isEmpty && attemptsPerSecond >= 0 && sybils >= 0)
    self.targets = targets
    self.attemptsPerSecond = attemptsPerSecond
    self.sybilCount = sybils
    self.sourceHost = sourceHost
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

  private func run() {
    let started = ContinuousClock.now
    let lifetime = Duration.milliseconds(Self.attemptLifetimeMilliseconds)
    let socketsMax =
      sybilCount + Int(attemptsPerSecond * Double(Self.attemptLifetimeMilliseconds) / 1_000) + 64
    guard let context = zmq_ctx_new() else { return }
    zmq_ctx_set(context, ZMQ_MAX_SOCKETS, Int32(min(socketsMax, 60_000)))
    zmq_ctx_set(context, ZMQ_IO_THREADS, 2)
    defer { zmq_ctx_term(context) }
    // The attempts' keys are drawn ahead of time, a pool of 256: a listener pays for each
    // handshake all the same, and the flooder spends its time on attempts.
    let pool = (0..<256).map { _ in SigningKeyPair.generate() }
    func open(
      to target: Contact, as key: SigningKeyPair, reconnectMilliseconds: Int32
    ) -> UnsafeMutableRawPointer? {
      guard let socket = zmq_socket(context, ZMQ_DEALER) else { return nil }
      var zero: Int32 = 0
      var reconnect = reconnectMilliseconds
      zmq_setsockopt(socket, ZMQ_LINGER, &zero, 4)
      zmq_setsockopt(socket, ZMQ_RECONNECT_IVL, &reconnect, 4)
      zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, target.curveKey.bytes, 32)
      zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, key.curvePublicKeyBytes, 32)
      zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, key.curveSecretKeyBytes(), 32)
      let source = sourceHost.map { "\($0):0;" } ?? ""
      guard zmq_connect(socket, "tcp://" + source + target.address.description) == 0 else {
        zmq_close(socket)
        return nil
      }
      return socket
    }
    var sybils: [UnsafeMutableRawPointer] = []
    for index in 0..<sybilCount {
      // Each Sybil is an identity of its own: its own key, not one of the pool's.
      if let socket = open(
        to: targets[index % targets.count], as: SigningKeyPair.generate(),
        reconnectMilliseconds: Self.sybilReconnectMilliseconds)
      {
        sybils.append(socket)
      }
    }
    report.withLock { $0.sybils = sybils.count }
    var pending: [(socket: UnsafeMutableRawPointer, closeAt: ContinuousClock.Instant)] = []
    var attempts = 0
    while !isStopping.load(ordering: .relaxed) {
      let now = ContinuousClock.now
      let elapsed = (now - started) / .seconds(1)
      let due = Int(elapsed * attemptsPerSecond)
      while attempts < due {
        // An attempt dials once: a refused handshake is not retried.
        if let socket = open(
          to: targets[attempts % targets.count], as: pool[attempts % pool.count],
          reconnectMilliseconds: -1)
        {
          pending.append((socket, now + lifetime))
        }
        attempts += 1
      }
      // Opened in order with one lifetime, so the expired ones are a prefix.
      let expired = pending.prefix { $0.closeAt <= now }
      for entry in expired { zmq_close(entry.socket) }
      pending.removeFirst(expired.count)
      report.withLock {
        $0.attempts = attempts
        $0.seconds = elapsed
      }
      Thread.sleep(forTimeInterval: 0.005)
    }
    for entry in pending { zmq_close(entry.socket) }
    for socket in sybils { zmq_close(socket) }
  }
}
