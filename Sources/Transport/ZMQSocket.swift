import CZMQ

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The last ZeroMQ error as a `TransportError`.
func zeroMQError(_ operation: String) -> TransportError {
  let errorNumber = zmq_errno()
  return .zeroMQ(
    operation: operation, errorNumber: errorNumber,
    message: String(cString: zmq_strerror(errorNumber)))
}

/// A ZeroMQ context: its I/O thread and the sockets made in it.
final class ZMQContext {
  let handle: UnsafeMutableRawPointer

  init(socketsMax: Int) throws(TransportError) {
    guard let handle = zmq_ctx_new() else { throw zeroMQError("zmq_ctx_new") }
    self.handle = handle
    guard zmq_ctx_set(handle, ZMQ_MAX_SOCKETS, Int32(socketsMax)) == 0 else {
      throw zeroMQError("zmq_ctx_set(ZMQ_MAX_SOCKETS)")
    }
  }

  /// Waits until every socket of the context is closed, then frees it.
  func terminate() {
    while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
  }
}

/// One ZeroMQ socket. Not thread-safe (nor is ZeroMQ's): only the transport's thread uses it
/// once the transport has started.
final class ZMQSocket {
  /// What a non-blocking send did.
  enum SendResult: Equatable {
    case sent
    /// The high-water mark is reached (or, with `ZMQ_IMMEDIATE`, no connection is up).
    case wouldBlock
    /// A ROUTER with `ZMQ_ROUTER_MANDATORY` has no connection with that routing ID.
    case unreachable
    case failed(errorNumber: Int32)
  }

  let handle: UnsafeMutableRawPointer
  private var isClosed = false

  init(context: ZMQContext, type: Int32) throws(TransportError) {
    guard let handle = zmq_socket(context.handle, type) else { throw zeroMQError("zmq_socket") }
    self.handle = handle
  }

  deinit { close() }

  func set(_ option: Int32, _ value: Int, name: String) throws(TransportError) {
    var value = Int32(value)
    guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) == 0 else {
      throw zeroMQError("zmq_setsockopt(\(name))")
    }
  }

  func set(_ option: Int32, int64 value: Int64, name: String) throws(TransportError) {
    var value = value
    guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int64>.size) == 0 else {
      throw zeroMQError("zmq_setsockopt(\(name))")
    }
  }

  func set(_ option: Int32, bytes: [UInt8], name: String) throws(TransportError) {
    let status = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
    guard status == 0 else { throw zeroMQError("zmq_setsockopt(\(name))") }
  }

  func set(_ option: Int32, text: String, name: String) throws(TransportError) {
    try set(option, bytes: Array(text.utf8), name: name)
  }

  func bind(_ endpoint: String) throws(TransportError) {
    guard zmq_bind(handle, endpoint) == 0 else { throw zeroMQError("zmq_bind(\(endpoint))") }
  }

  func connect(_ endpoint: String) throws(TransportError) {
    guard zmq_connect(handle, endpoint) == 0 else { throw zeroMQError("zmq_connect(\(endpoint))") }
  }

  /// The endpoint the socket last bound (`tcp://127.0.0.1:54321` after binding port 0).
  func lastEndpoint() throws(TransportError) -> String {
    var text = [CChar](repeating: 0, count: 512)
    var length = text.count
    guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &text, &length) == 0 else {
      throw zeroMQError("zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
    }
    return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Sends one frame made of `header` followed by `payload`, without blocking.
  func send(
    header: [UInt8], payload: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
    hasMore: Bool = false
  ) -> SendResult {
    let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
    defer { message.deallocate() }
    guard zmq_msg_init_size(message, header.count + payload.count) == 0 else {
      return .failed(errorNumber: zmq_errno())
    }
    let data = UnsafeMutableRawBufferPointer(
      start: zmq_msg_data(message), count: header.count + payload.count)
    header.withUnsafeBytes { data.copyMemory(from: $0) }
    if payload.count > 0 {
      UnsafeMutableRawBufferPointer(rebasing: data[header.count...]).copyMemory(from: payload)
    }
    let flags = ZMQ_DONTWAIT | (hasMore ? ZMQ_SNDMORE : 0)
    guard zmq_msg_send(message, handle, flags) < 0 else { return .sent }
    let errorNumber = zmq_errno()
    zmq_msg_close(message)
    switch errorNumber {
    case EAGAIN: return .wouldBlock
    case EHOSTUNREACH: return .unreachable
    default: return .failed(errorNumber: errorNumber)
    }
  }

  /// The next frame, or nil when none is waiting.
  func receive() -> ZMQMessage? {
    let message = ZMQMessage()
    while true {
      if zmq_msg_recv(message.pointer, handle, ZMQ_DONTWAIT) >= 0 { return message }
      if zmq_errno() != EINTR { return nil }
    }
  }

  /// Every frame of the next message, or nil when none is waiting.
  func receiveMultipart() -> [ZMQMessage]? {
    guard let first = receive() else { return nil }
    var frames = [first]
    while frames[frames.count - 1].hasMore, let next = receive() { frames.append(next) }
    return frames
  }

  func close() {
    guard !isClosed else { return }
    isClosed = true
    zmq_close(handle)
  }
}

/// One received ZeroMQ frame, with the connection's metadata.
final class ZMQMessage {
  let pointer: UnsafeMutablePointer<zmq_msg_t>

  init() {
    pointer = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
    zmq_msg_init(pointer)
  }

  deinit {
    zmq_msg_close(pointer)
    pointer.deallocate()
  }

  /// The frame's bytes; valid while the message lives.
  var bytes: UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: zmq_msg_data(pointer), count: zmq_msg_size(pointer))
  }

  var count: Int { zmq_msg_size(pointer) }

  var array: [UInt8] { Array(bytes) }

  /// Whether more frames of the same message follow.
  var hasMore: Bool { zmq_msg_more(pointer) == 1 }

  /// The file descriptor of the TCP connection the frame came on (`ZMQ_SRCFD`), -1 when
  /// unknown. The descriptor may be closed, or reused, by the time it is read.
  var sourceDescriptor: Int32 { zmq_msg_get(pointer, ZMQ_SRCFD) }

  /// A metadata property of the connection the frame came on: `User-Id` (what the ZAP handler
  /// named the client), `Peer-Address` (its IP address).
  func property(_ name: String) -> String? {
    guard let value = zmq_msg_gets(pointer, name) else { return nil }
    return String(cString: value)
  }
}
