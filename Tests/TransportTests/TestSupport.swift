import CZMQ
import Foundation
import Identity
import Synchronization
import Testing
import Transport
import Wire

/// The project every test peer belongs to, and another one.
let testProject = ProjectID(bytes: [UInt8](repeating: 0x5A, count: 32))!
let otherProject = ProjectID(bytes: [UInt8](repeating: 0xA5, count: 32))!

/// Bytes from hexadecimal text (test vectors); traps on malformed text.
func bytes(hexadecimal text: String) -> [UInt8] {
  let digits = Array(text.filter { !$0.isWhitespace })
  precondition(digits.count.isMultiple(of: 2), "odd number of hexadecimal digits")
  return stride(from: 0, to: digits.count, by: 2).map {
    UInt8(String(digits[$0...$0 + 1]), radix: 16)!
  }
}

/// Lower-case hexadecimal text of `bytes`.
func hexadecimal(_ bytes: [UInt8]) -> String {
  bytes.map { String(format: "%02x", $0) }.joined()
}

/// A clock `offsetMilliseconds` away from the system's wall clock (monotonic time is real).
struct OffsetClock: TransportClock {
  let offsetMilliseconds: Int64
  func unixMilliseconds() -> UInt64 {
    UInt64(Int64(SystemTransportClock().unixMilliseconds()) + offsetMilliseconds)
  }
  func monotonicMilliseconds() -> UInt64 { SystemTransportClock().monotonicMilliseconds() }
}

/// Waits until `condition` holds, checking every 5 ms for at most `milliseconds`; returns
/// whether it came to hold.
func eventually(
  within milliseconds: Int = 5_000, _ condition: @Sendable () -> Bool
) async -> Bool {
  let deadline = ContinuousClock.now + .milliseconds(milliseconds)
  while ContinuousClock.now < deadline {
    if condition() { return true }
    try? await Task.sleep(for: .milliseconds(5))
  }
  return condition()
}

/// Collects a transport's events.
final class EventRecorder: Sendable {
  private let recorded = Mutex<[TransportEvent]>([])

  var handler: @Sendable (TransportEvent) -> Void {
    { [self] event in recorded.withLock { $0.append(event) } }
  }

  var events: [TransportEvent] { recorded.withLock { $0 } }

  /// Whether an event matching `predicate` arrives within `milliseconds`.
  func waitFor(
    within milliseconds: Int = 5_000, _ predicate: @escaping @Sendable (TransportEvent) -> Bool
  ) async -> Bool {
    await eventually(within: milliseconds) { self.events.contains(where: predicate) }
  }
}

/// Drains a transport's `incoming` into an array, on a task of its own.
final class MessageCollector: Sendable {
  private let received = Mutex<[IncomingMessage]>([])

  init(_ transport: ZMQTransport) {
    let stream = transport.incoming
    Task { [self] in
      for await message in stream { received.withLock { $0.append(message) } }
    }
  }

  var messages: [IncomingMessage] { received.withLock { $0 } }

  /// Whether `count` messages arrived within `milliseconds`.
  func waitForCount(_ count: Int, within milliseconds: Int = 5_000) async -> Bool {
    await eventually(within: milliseconds) { self.messages.count >= count }
  }
}

/// Limits that reach their timeouts quickly.
var testLimits: TransportLimits {
  var limits = TransportLimits()
  limits.handshakeTimeoutMilliseconds = 1_000
  limits.connectTimeoutMilliseconds = 3_000
  return limits
}

/// A transport for a test, with its events and messages recorded.
struct TestPeer {
  let keyPair: SigningKeyPair
  let transport: ZMQTransport
  let recorder: EventRecorder
  let collector: MessageCollector

  init(
    isListening: Bool = true, listenAddress: String = "127.0.0.1:0",
    project: ProjectID = testProject,
    limits: TransportLimits = testLimits,
    admission: AdmissionPolicy = .admitAll, clock: any TransportClock = SystemTransportClock(),
    keyPair: SigningKeyPair = .generate()
  ) throws {
    self.keyPair = keyPair
    recorder = EventRecorder()
    transport = try ZMQTransport(
      keyPair: keyPair, projectID: project,
      listenAddress: isListening ? try NetworkAddress(parsing: listenAddress) : nil,
      limits: limits, admission: admission, clock: clock, eventHandler: recorder.handler)
    collector = MessageCollector(transport)
  }

  var contact: Contact { transport.contact! }
  var peerID: PeerID { transport.peerID }
}

/// A ZeroMQ DEALER driven by hand: CURVE with any key pair, or plaintext, sending any frames.
/// It plays the peers that misbehave.
final class RawClient {
  private let context: UnsafeMutableRawPointer
  private let socket: UnsafeMutableRawPointer

  /// A CURVE client with `keyPair`'s X25519 keys, or a plaintext one when `keyPair` is nil.
  init(connectingTo contact: Contact, keyPair: SigningKeyPair?, sourceHost: String? = nil) {
    context = zmq_ctx_new()!
    socket = zmq_socket(context, ZMQ_DEALER)!
    var zero: Int32 = 0
    zmq_setsockopt(socket, ZMQ_LINGER, &zero, 4)
    if let keyPair {
      let secret = keyPair.curveSecretKeyBytes()
      zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, contact.curveKey.bytes, 32)
      zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, keyPair.curvePublicKeyBytes, 32)
      zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, secret, 32)
    }
    let source = sourceHost.map { "\($0):0;" } ?? ""
    precondition(zmq_connect(socket, "tcp://" + source + contact.address.description) == 0)
  }

  deinit {
    zmq_close(socket)
    zmq_ctx_term(context)
  }

  /// Sends one frame (waiting at most a second for the connection).
  @discardableResult
  func send(_ frame: [UInt8]) -> Bool {
    var timeout: Int32 = 1_000
    zmq_setsockopt(socket, ZMQ_SNDTIMEO, &timeout, 4)
    return frame.withUnsafeBytes { zmq_send(socket, $0.baseAddress, $0.count, 0) } >= 0
  }

  /// The next frame received within `milliseconds`, or nil.
  func receive(within milliseconds: Int32 = 2_000) -> [UInt8]? {
    var timeout = milliseconds
    zmq_setsockopt(socket, ZMQ_RCVTIMEO, &timeout, 4)
    var buffer = [UInt8](repeating: 0, count: 4_096)
    let count = zmq_recv(socket, &buffer, buffer.count, 0)
    return count < 0 ? nil : Array(buffer.prefix(Int(count)))
  }
}

/// A chunk frame carrying a whole message (of at most 1 MiB), as a sender would write it.
func chunkFrame(_ message: [UInt8], number: UInt64) -> [UInt8] {
  ChunkHeader(messageNumber: number, messageBytes: message.count, chunkIndex: 0).encoded + message
}

/// A plain TCP client that speaks no ZeroMQ at all.
final class RawTCPClient {
  private let descriptor: Int32

  init(port: UInt16) {
    descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let status = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    precondition(status == 0, "could not connect to 127.0.0.1:\(port)")
  }

  deinit { Glibc.close(descriptor) }

  func send(_ bytes: [UInt8]) {
    _ = bytes.withUnsafeBytes {
      Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
    }
  }

  /// What the server sends within `milliseconds`, until `count` bytes or the connection's end.
  func receive(count: Int, within milliseconds: Int) -> [UInt8] {
    var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let deadline = ContinuousClock.now + .milliseconds(milliseconds)
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4_096)
    while received.count < count, ContinuousClock.now < deadline {
      let read = Glibc.recv(descriptor, &buffer, min(buffer.count, count - received.count), 0)
      if read == 0 { break }
      if read > 0 { received += buffer.prefix(read) }
      if read < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { break }
    }
    return received
  }

  /// Whether the server closes the connection within `milliseconds` (what it sends is skipped).
  func isClosedByServer(within milliseconds: Int) -> Bool {
    var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let deadline = ContinuousClock.now + .milliseconds(milliseconds)
    var buffer = [UInt8](repeating: 0, count: 4_096)
    while ContinuousClock.now < deadline {
      let count = Glibc.recv(descriptor, &buffer, buffer.count, 0)
      if count == 0 { return true }
      if count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { return true }
    }
    return false
  }
}

/// Whether a TCP connection from `sourceHost` to 127.0.0.1:`port` is established within
/// `milliseconds` (the kernel's handshake only: nobody needs to accept it); it is closed after
/// `holdMilliseconds` (a listener reads a connection's address while it is open).
func tcpConnects(
  port: UInt16, from sourceHost: String, within milliseconds: Int32, holdMilliseconds: UInt32 = 0
) -> Bool {
  let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
  precondition(descriptor >= 0, "no socket")
  defer { close(descriptor) }
  func address(_ host: String, _ port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr(host)
    return address
  }
  var source = address(sourceHost, 0)
  var target = address("127.0.0.1", port)
  let length = socklen_t(MemoryLayout<sockaddr_in>.size)
  let bound = withUnsafePointer(to: &source) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
  }
  precondition(bound == 0, "could not bind \(sourceHost)")
  let status = withUnsafePointer(to: &target) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
  }
  if status == 0 { return true }
  guard errno == EINPROGRESS else { return false }
  var polled = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
  guard poll(&polled, 1, milliseconds) == 1 else { return false }
  var error: Int32 = 0
  var errorLength = socklen_t(MemoryLayout<Int32>.size)
  getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &errorLength)
  if error == 0, holdMilliseconds > 0 { usleep(holdMilliseconds * 1_000) }
  return error == 0
}

/// Dials `listener` with a fresh honest peer and checks that a message gets through both ways:
/// what the tests run after each attack.
func expectHonestExchange(
  with listener: TestPeer, keyPair: SigningKeyPair = .generate(),
  sourceLocation: SourceLocation = #_sourceLocation
)
  async throws
{
  let honest = try TestPeer(isListening: false, keyPair: keyPair)
  defer { honest.transport.close() }
  let peer = try await honest.transport.connect(to: listener.contact)
  let before = listener.collector.messages.count
  try honest.transport.send(Array("honest".utf8), to: peer)
  #expect(await listener.collector.waitForCount(before + 1), sourceLocation: sourceLocation)
  #expect(listener.collector.messages.last?.sender == honest.peerID, sourceLocation: sourceLocation)
  try listener.transport.send(Array("reply".utf8), to: honest.peerID)
  #expect(await honest.collector.waitForCount(1), sourceLocation: sourceLocation)
}

/// Many CURVE DEALERs in one ZeroMQ context, each with its own key, all dialing one listener
/// (from `sourceHost`, a loopback address of 127.0.0.0/8, when given): a crowd of Sybils.
/// They reconnect only after 30 s, so each makes one attempt in a test.
final class RawSwarm {
  private let context: UnsafeMutableRawPointer
  private var sockets: [UnsafeMutableRawPointer] = []

  init(
    connectingTo contact: Contact, keyPairs: [SigningKeyPair], sourceHost: String? = nil,
    firstFrame: [UInt8]? = nil
  ) {
    context = zmq_ctx_new()!
    zmq_ctx_set(context, ZMQ_MAX_SOCKETS, Int32(keyPairs.count + 16))
    let source = sourceHost.map { "\($0):0;" } ?? ""
    for keyPair in keyPairs {
      let socket = zmq_socket(context, ZMQ_DEALER)!
      var zero: Int32 = 0
      var reconnect: Int32 = 30_000
      zmq_setsockopt(socket, ZMQ_LINGER, &zero, 4)
      zmq_setsockopt(socket, ZMQ_RECONNECT_IVL, &reconnect, 4)
      let secret = keyPair.curveSecretKeyBytes()
      zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, contact.curveKey.bytes, 32)
      zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, keyPair.curvePublicKeyBytes, 32)
      zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, secret, 32)
      precondition(zmq_connect(socket, "tcp://" + source + contact.address.description) == 0)
      if let firstFrame {
        _ = firstFrame.withUnsafeBytes {
          zmq_send(socket, $0.baseAddress, $0.count, ZMQ_DONTWAIT)
        }
      }
      sockets.append(socket)
    }
  }

  /// Closes every socket and the context (idempotent).
  func close() {
    for socket in sockets { zmq_close(socket) }
    if !sockets.isEmpty { zmq_ctx_term(context) }
    sockets = []
  }

  deinit { close() }
}

/// A key pair whose CURVE key carries at least `bits` of proof of work.
func keyPairWithProofOfWork(bits: Int) -> SigningKeyPair {
  SigningKeyPair.search(
    triesMax: 1 << (bits + 8), accepting: { ProofOfWork.bits(ofCurveKeyBytes: $0) >= bits })!
    .keyPair
}

/// `count` fresh key pairs whose CURVE keys carry fewer than `bits` of proof of work.
func keyPairsWithoutProofOfWork(count: Int, bits: Int) -> [SigningKeyPair] {
  var keyPairs: [SigningKeyPair] = []
  while keyPairs.count < count {
    let keyPair = SigningKeyPair.generate()
    if ProofOfWork.bits(ofCurveKeyBytes: keyPair.curvePublicKeyBytes) < bits {
      keyPairs.append(keyPair)
    }
  }
  return keyPairs
}
