import Foundation
import Wire

/// Which side opened a connection.
public enum ConnectionDirection: String, Sendable {
  /// A peer dialed this transport's listener.
  case inbound
  /// This transport dialed a peer's contact.
  case outbound
}

/// Why a received message was dropped instead of delivered.
public enum MessageDropReason: Equatable, Sendable, CustomStringConvertible {
  /// The connection has not said a valid hello yet.
  case beforeHello
  /// A hello on a connection that already said one.
  case repeatedHello
  /// The chunk could not be put into a message (`ChunkDropReason`).
  case chunk(ChunkDropReason)
  /// The bytes are not a chunk.
  case malformedFrame(WireError)
  /// A frame whose first byte is no `TransportFrameKind`.
  case unknownFrameKind(UInt8)
  /// A ZeroMQ message of more than one frame (this protocol sends one frame per message).
  case multipart(frameCount: Int)
  /// A queued outgoing message whose connection is gone.
  case connectionLost

  public var description: String {
    switch self {
    case .beforeHello: "a message before a valid hello"
    case .repeatedHello: "a second hello on one connection"
    case .chunk(let reason): String(describing: reason)
    case .malformedFrame(let error): "a malformed frame: \(error)"
    case .unknownFrameKind(let kind): "a frame of unknown kind \(kind)"
    case .multipart(let frameCount): "a message of \(frameCount) frames"
    case .connectionLost: "its connection is gone"
    }
  }
}

/// Something a transport did or refused, for the log. Events are reported on the transport's
/// thread, in order; a handler must return quickly.
public enum TransportEvent: Equatable, Sendable, CustomStringConvertible {
  /// The listener is bound; `contact` is what other peers dial.
  case listening(contact: Contact)
  /// A peer said a valid hello on a connection.
  case peerConnected(PeerID, direction: ConnectionDirection, address: String)
  /// A peer's connection is gone (the transport may reconnect an outbound one).
  case peerDisconnected(PeerID, direction: ConnectionDirection)
  /// A hello was refused.
  case helloRefused(HelloRefusal, direction: ConnectionDirection, address: String)
  /// The admission policy refused a CURVE client.
  case admissionRefused(AdmissionRequest, reason: AdmissionRefusal)
  /// An accepted TCP connection was shut down before its handshake, by an admission rule that
  /// needs only the address (today: `connectionAttemptsPerSecond`).
  case connectionShutDown(address: String, reason: AdmissionRefusal)
  /// `address` (an address, or a subnet written `a.b.c.0/24`, `2001:db8:0:100::/56`) went over
  /// its connection-attempt rate and is blocked for `milliseconds`: the listener's kernel drops
  /// its packets, and what gets through is shut down and refused.
  case addressBlocked(address: String, milliseconds: UInt64)
  /// `droppedCount` messages from `peer` went over `messagesPerSecondPerPeer` and were dropped
  /// since the last such report (at most one per peer per 10 s); the connection stays.
  case messagesRateLimited(PeerID, droppedCount: Int)
  /// A ZMTP or CURVE handshake failed (a plaintext client, garbage, a wrong key, silence).
  case handshakeFailed(direction: ConnectionDirection, endpoint: String, reason: String)
  /// A message was dropped; `peer` is nil for a connection that has not said hello.
  case messageDropped(MessageDropReason, direction: ConnectionDirection, peer: PeerID?)

  /// Whether this event records a refusal of a peer or of what it sent.
  public var isRefusal: Bool {
    switch self {
    case .helloRefused, .admissionRefused, .connectionShutDown, .addressBlocked, .handshakeFailed,
      .messageDropped, .messagesRateLimited:
      true
    case .listening, .peerConnected, .peerDisconnected: false
    }
  }

  public var description: String {
    switch self {
    case .listening(let contact):
      "listening as \(contact)"
    case .peerConnected(let peer, let direction, let address):
      "\(peer) connected (\(direction.rawValue), \(address))"
    case .peerDisconnected(let peer, let direction):
      "\(peer) disconnected (\(direction.rawValue))"
    case .helloRefused(let reason, let direction, let address):
      "refused a hello (\(direction.rawValue), \(address)): \(reason)"
    case .admissionRefused(let request, let reason):
      "refused client \(request.curveKey) at \(request.address): \(reason)"
    case .connectionShutDown(let address, let reason):
      "shut down a connection from \(address) before its handshake: \(reason)"
    case .addressBlocked(let address, let milliseconds):
      "blocked \(address) for \(milliseconds / 1_000) s: too many connection attempts"
    case .messagesRateLimited(let peer, let droppedCount):
      "dropped \(droppedCount) messages from \(peer) over its rate limit"
    case .handshakeFailed(let direction, let endpoint, let reason):
      "handshake failed (\(direction.rawValue), \(endpoint)): \(reason)"
    case .messageDropped(let reason, let direction, let peer):
      "dropped a message (\(direction.rawValue), from "
        + (peer.map { "\($0)" } ?? "an unauthenticated connection") + "): \(reason)"
    }
  }

  /// The default handler: one line per event on standard error.
  public static let writeToStandardError: @Sendable (TransportEvent) -> Void = { event in
    FileHandle.standardError.write(Data(("transport: " + event.description + "\n").utf8))
  }
}
