import CZMQ

/// An event from `zmq_socket_monitor`: the first frame holds the event number (2 bytes) and a
/// value (4 bytes) in the machine's byte order, the second the endpoint.
struct SocketMonitorEvent: Equatable {
  /// The events a transport watches.
  static let watched =
    ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED
    | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
    | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH

  let event: Int32
  let value: UInt32
  let endpoint: String

  init?(frames: [[UInt8]]) {
    guard frames.count == 2, frames[0].count == 6 else { return nil }
    event = Int32(frames[0].withUnsafeBytes { $0.loadUnaligned(as: UInt16.self) })
    value = frames[0].withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 2, as: UInt32.self) }
    endpoint = String(decoding: frames[1], as: UTF8.self)
  }

  var isHandshakeFailure: Bool {
    event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL || event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
      || event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
  }

  /// A few words on a handshake failure.
  var failureReason: String {
    switch event {
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
      "authentication refused (status \(value))"
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
      "protocol error 0x\(String(value, radix: 16)) (a peer that does not speak ZMTP with CURVE?)"
    default:
      "no handshake (errno \(value))"
    }
  }
}

/// A monitor of one socket: the PAIR socket that receives its events.
final class SocketMonitor {
  let socket: ZMQSocket

  /// Starts monitoring `monitored` through the inproc endpoint `endpoint` (unique per context).
  init(_ monitored: ZMQSocket, context: ZMQContext, endpoint: String) throws(TransportError) {
    guard zmq_socket_monitor(monitored.handle, endpoint, SocketMonitorEvent.watched) == 0 else {
      throw zeroMQError("zmq_socket_monitor")
    }
    socket = try ZMQSocket(context: context, type: ZMQ_PAIR)
    try socket.set(ZMQ_LINGER, 0, name: "ZMQ_LINGER")
    try socket.connect(endpoint)
  }

  /// The next event, or nil when none is waiting.
  func next() -> SocketMonitorEvent? {
    while let frames = socket.receiveMultipart() {
      if let event = SocketMonitorEvent(frames: frames.map(\.array)) { return event }
    }
    return nil
  }

  /// Stops monitoring and closes the PAIR socket (before `monitored` is closed).
  func stop(_ monitored: ZMQSocket) {
    zmq_socket_monitor(monitored.handle, nil, 0)
    socket.close()
  }
}
