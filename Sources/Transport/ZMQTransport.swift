import Dispatch
import Foundation
import Identity
import Wire

/// Peers over ZeroMQ: TCP, encrypted and authenticated by CURVE, admitted by a ZAP handler,
/// each connection opened by a signed `Hello` that names the peer.
///
/// A listening transport binds a ROUTER (`ZMQ_CURVE_SERVER`) on its listen address; every
/// transport dials contacts with one DEALER each (CURVE client keys, the contact's key as the
/// server key). Messages travel as 1 MiB chunks and are delivered on `incoming` only from
/// connections whose hello was valid. One thread of its own owns the ZeroMQ context and every
/// socket; the methods here only post to it.
public final class ZMQTransport: PeerTransport {
  /// This peer: the hash of its Ed25519 key.
  public let peerID: PeerID
  /// The CURVE key that other peers' contacts for this peer carry.
  public let curveKey: CurvePublicKey
  /// What other peers dial to reach this one (its bound address, with the port the system
  /// chose for port 0); nil when the transport does not listen.
  public let contact: Contact?
  public let incoming: IncomingMessages
  public let limits: TransportLimits
  /// The listener's admission policy (ban keys and peers through it at run time).
  public let admission: AdmissionPolicy
  /// Admissions, refusals and rate-limited messages so far.
  public let statistics: TransportStatistics

  private let mailbox: TransportMailbox
  private let finished = DispatchSemaphore(value: 0)
  /// The transport's thread, to know when `close` is called on it.
  private let threadIdentifier: ObjectIdentifier

  /// Starts a transport for the peer `keyPair` in `projectID`.
  ///
  /// - Parameters:
  ///   - listenAddress: where to accept peers (`0.0.0.0:7400`, `127.0.0.1:0`); nil for a
  ///     peer that only dials out (a trainer behind a NAT).
  ///   - admission: which CURVE clients the listener admits.
  ///   - clock: the time for hellos and timeouts.
  ///   - eventHandler: receives every connection, refusal and drop, on the transport's thread.
  /// - Throws: `bindFailed` when the address cannot be bound, `zeroMQ` when ZeroMQ cannot
  ///   start.
  public init(
    keyPair: SigningKeyPair, projectID: ProjectID, listenAddress: NetworkAddress? = nil,
    limits: TransportLimits = .default, admission: AdmissionPolicy = .admitAll,
    clock: any TransportClock = SystemTransportClock(),
    eventHandler: @escaping @Sendable (TransportEvent) -> Void = TransportEvent.writeToStandardError
  ) throws(TransportError) {
    limits.validate()
    let configuration = TransportConfiguration(
      keyPair: keyPair, projectID: projectID, limits: limits, admission: admission, clock: clock,
      report: eventHandler)
    let statistics = TransportStatistics()
    let mailbox = try TransportMailbox()
    // Unbounded here: the loop stops reading sockets while `incomingMessagesMax` wait.
    let (stream, continuation) = AsyncStream.makeStream(of: IncomingMessage.self)
    let loop: TransportLoop
    do throws(TransportError) {
      loop = try TransportLoop(
        configuration: configuration, mailbox: mailbox, listenAddress: listenAddress,
        delivery: continuation, statistics: statistics)
    } catch {
      mailbox.closeDescriptors()
      throw error
    }
    peerID = PeerID(publicKey: keyPair.publicKey)
    curveKey = configuration.curveKey
    contact = loop.listener?.contact
    incoming = IncomingMessages(
      stream: stream, mailbox: mailbox, limit: limits.incomingMessagesMax)
    self.limits = limits
    self.admission = admission
    self.statistics = statistics
    self.mailbox = mailbox
    let finished = finished
    let thread = Thread {
      loop.run()
      finished.signal()
    }
    thread.name = "starling-transport"
    threadIdentifier = ObjectIdentifier(thread)
    thread.start()
  }

  deinit { close() }

  /// Dials `contact` and returns the peer once its hello is valid (at once when already
  /// connected).
  ///
  /// - Throws: `authenticationFailed` when the listener's admission policy refuses this peer,
  ///   `handshakeFailed` when it does not speak CURVE with the contact's key, `refusedByPeer` or
  ///   `helloRefused` when either hello is refused, `connectTimedOut`, `tooManyOutboundPeers`,
  ///   `closed`.
  public func connect(to contact: Contact) async throws(TransportError) -> PeerID {
    let result = await withCheckedContinuation {
      (continuation: CheckedContinuation<Result<PeerID, TransportError>, Never>) in
      if !mailbox.post(.connect(contact, continuation)) {
        continuation.resume(returning: .failure(.closed))
      }
    }
    return try result.get()
  }

  /// Queues `bytes` for `peer`, a peer that said a valid hello on a connection that is still
  /// known (dialed, or connected to this listener).
  ///
  /// - Throws: `messageTooLarge` beyond `limits.messageBytesMax`, `unknownPeer`,
  ///   `outgoingQueueFull`, `closed`.
  public func send(_ bytes: [UInt8], to peer: PeerID) throws(TransportError) {
    guard bytes.count <= limits.messageBytesMax else {
      throw .messageTooLarge(byteCount: bytes.count, maximum: limits.messageBytesMax)
    }
    try mailbox.postSend(bytes, to: peer, limits: limits)
  }

  /// Stops the thread, closes every socket (messages not yet sent are dropped after
  /// `limits.lingerMilliseconds`) and finishes `incoming`. Returns once all is closed, except
  /// when called from the event handler (on the transport's own thread), which cannot wait for
  /// itself: then the thread stops once the handler returns.
  public func close() {
    _ = mailbox.close()
    guard ObjectIdentifier(Thread.current) != threadIdentifier else { return }
    finished.wait()
    finished.signal()  // For any other caller of `close`.
  }
}
