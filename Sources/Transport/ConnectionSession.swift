import Wire

/// A message waiting to be sent, and how far its chunks have gone.
struct OutgoingMessage {
  /// The peer the message is for (the queue's byte count is kept per peer).
  let peer: PeerID
  let bytes: [UInt8]
  /// The chunk to send next.
  var nextChunkIndex = 0
  /// The message number, given when its first chunk is sent.
  var messageNumber: UInt64?
}

/// One connection's side of the protocol above ZeroMQ, without IO: the hello comes first, then
/// chunks that are put together into messages; the other way, queued messages leave as chunks.
///
/// The transport feeds it each frame the connection receives (`receive`) and executes the
/// actions it returns; it sends `controlFrames` first, then `nextChunk()`s.
struct ConnectionSession {
  enum State: Equatable {
    /// No valid hello yet; `attempts` hellos were refused.
    case awaitingHello(attempts: Int)
    /// The peer proved its identity.
    case established(PeerID)
    /// Too many refused hellos: everything else from this connection is dropped unread.
    case refused
  }

  /// What the transport should do after a frame.
  enum Action: Equatable {
    /// The peer said a valid hello.
    case established(PeerID, Hello)
    /// Refuse the peer's hello (and tell it why, on an inbound connection).
    case refuseHello(HelloRefusal)
    /// The listener refused our hello (an outbound connection only).
    case refusedByPeer(code: UInt8)
    /// The listener no longer knows this connection and asks for a hello again (an outbound
    /// connection only).
    case helloRequested
    /// Hand a whole message to the reader.
    case deliver(IncomingMessage)
    /// Log a dropped message.
    case drop(MessageDropReason)
  }

  /// What a hello is checked against.
  struct HelloPolicy {
    let projectID: ProjectID
    let clockSkewMillisecondsMax: UInt64
    let attemptsMax: Int
    /// The listener's admission policy, which looks again at a valid hello's peer (bans, proof
    /// of work); nil on a dialer.
    var admission: AdmissionPolicy? = nil
  }

  let direction: ConnectionDirection
  private(set) var state = State.awaitingHello(attempts: 0)
  private(set) var reassembler: ChunkReassembler
  /// Frames to send before any chunk (a hello), in order.
  var controlFrames: [[UInt8]] = []
  /// Messages to send, oldest first; the first may be partly sent.
  private(set) var outgoing: [OutgoingMessage] = []
  private var outgoingHead = 0
  /// The number of the next message to start on this connection.
  private var nextMessageNumber: UInt64 = 0
  /// Whether a message before the hello has been reported (once per connection is enough).
  private var hasReportedEarlyMessage = false

  init(direction: ConnectionDirection, messageBytesMax: Int) {
    self.direction = direction
    reassembler = ChunkReassembler(messageBytesMax: messageBytesMax)
  }

  var peer: PeerID? {
    if case .established(let peer) = state { peer } else { nil }
  }

  var isEstablished: Bool { peer != nil }

  /// Whether there is anything to send.
  var hasOutput: Bool { !controlFrames.isEmpty || (isEstablished && outgoingHead < outgoing.count) }

  /// Queued messages not fully sent, oldest first.
  var queuedMessages: ArraySlice<OutgoingMessage> { outgoing[outgoingHead...] }

  // MARK: Receiving

  /// Handles one frame that ZeroMQ delivered on this connection, which it authenticated with
  /// `connectionKey`. `availableReassemblyBytes` is how much more memory the connection may
  /// reserve for a message.
  /// - Complexity: O(n) in the frame length.
  mutating func receive(
    _ frame: UnsafeRawBufferPointer, connectionKey: CurvePublicKey, policy: HelloPolicy,
    nowUnixMilliseconds: UInt64, nowMonotonicMilliseconds: UInt64, availableReassemblyBytes: Int
  ) -> [Action] {
    switch state {
    case .refused:
      return []
    case .awaitingHello(let attempts):
      return receiveBeforeHello(
        frame, attempts: attempts, connectionKey: connectionKey, policy: policy,
        nowMilliseconds: nowUnixMilliseconds)
    case .established(let peer):
      return receiveEstablished(
        frame, peer: peer, nowMilliseconds: nowMonotonicMilliseconds,
        availableReassemblyBytes: availableReassemblyBytes)
    }
  }

  private mutating func receiveBeforeHello(
    _ frame: UnsafeRawBufferPointer, attempts: Int, connectionKey: CurvePublicKey,
    policy: HelloPolicy, nowMilliseconds: UInt64
  ) -> [Action] {
    let kind = frame.first
    if direction == .outbound, kind == TransportFrameKind.refusal.rawValue, frame.count == 2 {
      state = .refused
      return [.refusedByPeer(code: frame[1])]
    }
    guard kind == TransportFrameKind.hello.rawValue else {
      guard !hasReportedEarlyMessage else { return [] }
      hasReportedEarlyMessage = true
      // A listener asks for the hello (once per connection, not counted as an attempt): the
      // dialer may be a peer whose connection the listener forgot.
      guard direction == .inbound else { return [.drop(.beforeHello)] }
      return [.refuseHello(.expectedHello(kind: kind ?? 0))]
    }
    do throws(HelloRefusal) {
      let hello = try Hello(frame: Array(frame))
      let peer = try hello.check(
        projectID: policy.projectID, connectionKey: connectionKey,
        nowMilliseconds: nowMilliseconds, clockSkewMillisecondsMax: policy.clockSkewMillisecondsMax)
      if direction == .inbound,
        let refusal = policy.admission?.checkHello(peer: peer, curveKey: connectionKey)
      {
        throw refusal
      }
      state = .established(peer)
      return [.established(peer, hello)]
    } catch {
      state = attempts + 1 >= policy.attemptsMax ? .refused : .awaitingHello(attempts: attempts + 1)
      return [.refuseHello(error)]
    }
  }

  private mutating func receiveEstablished(
    _ frame: UnsafeRawBufferPointer, peer: PeerID, nowMilliseconds: UInt64,
    availableReassemblyBytes: Int
  ) -> [Action] {
    guard let kind = frame.first else {
      return [.drop(.malformedFrame(.truncated(needed: 1, available: 0)))]
    }
    switch TransportFrameKind(rawValue: kind) {
    case .chunk:
      break
    case .hello:
      return [.drop(.repeatedHello)]
    case .refusal
    where direction == .outbound && frame.count == 2
      && frame[1] == HelloRefusal.Code.expectedHello.rawValue:
      return [.helloRequested]
    case .refusal, nil:
      return [.drop(.unknownFrameKind(kind))]
    }
    let headerBytes = min(frame.count, ChunkHeader.bytes)
    let header: ChunkHeader
    do throws(WireError) {
      header = try ChunkHeader(
        decoding: Array(frame[0..<headerBytes]), payloadBytes: frame.count - headerBytes)
    } catch {
      return [.drop(.malformedFrame(error))]
    }
    let outcome = reassembler.receive(
      header, payload: UnsafeRawBufferPointer(rebasing: frame[headerBytes...]),
      nowMilliseconds: nowMilliseconds, availableBytes: availableReassemblyBytes)
    var actions = outcome.dropped.map { Action.drop(.chunk($0)) }
    if let message = outcome.message {
      actions.append(.deliver(IncomingMessage(sender: peer, bytes: message)))
    }
    return actions
  }

  /// Drops a message left incomplete for `timeoutMilliseconds`.
  mutating func expireReassembly(nowMilliseconds: UInt64, timeoutMilliseconds: UInt64) -> [Action] {
    reassembler.expire(nowMilliseconds: nowMilliseconds, timeoutMilliseconds: timeoutMilliseconds)
      .map { [.drop(.chunk($0))] } ?? []
  }

  // MARK: Sending

  /// Queues a message for `peer` (the transport checked its length).
  mutating func enqueue(_ bytes: [UInt8], for peer: PeerID) {
    outgoing.append(OutgoingMessage(peer: peer, bytes: bytes))
  }

  /// The next chunk to send: its header and the message bytes it carries. Nil before the hello
  /// or when nothing is queued.
  func nextChunk() -> (header: ChunkHeader, message: [UInt8])? {
    guard isEstablished, outgoingHead < outgoing.count else { return nil }
    let message = outgoing[outgoingHead]
    let header = ChunkHeader(
      messageNumber: message.messageNumber ?? nextMessageNumber, messageBytes: message.bytes.count,
      chunkIndex: message.nextChunkIndex)
    return (header, message.bytes)
  }

  /// Records that `nextChunk()` was sent; returns the message when that was its last chunk.
  mutating func chunkSent() -> OutgoingMessage? {
    precondition(isEstablished && outgoingHead < outgoing.count, "no chunk was pending")
    if outgoing[outgoingHead].messageNumber == nil {
      outgoing[outgoingHead].messageNumber = nextMessageNumber
      nextMessageNumber += 1
    }
    outgoing[outgoingHead].nextChunkIndex += 1
    let message = outgoing[outgoingHead]
    guard message.nextChunkIndex == ChunkHeader.chunkCount(messageBytes: message.bytes.count) else {
      return nil
    }
    outgoingHead += 1
    if outgoingHead * 2 >= outgoing.count {
      outgoing.removeFirst(outgoingHead)
      outgoingHead = 0
    }
    return message
  }

  /// Starts over on a new ZeroMQ connection: a hello is needed again, a message in reassembly
  /// is lost, and the message being sent restarts from its first chunk under a new number.
  mutating func restart() {
    state = .awaitingHello(attempts: 0)
    reassembler = ChunkReassembler(messageBytesMax: reassembler.messageBytesMax)
    controlFrames = []
    nextMessageNumber = 0
    hasReportedEarlyMessage = false
    for index in outgoingHead..<outgoing.count {
      outgoing[index].nextChunkIndex = 0
      outgoing[index].messageNumber = nil
    }
  }

  /// Takes every queued message away (to move it to another connection, or to drop it).
  mutating func takeQueuedMessages() -> [OutgoingMessage] {
    let messages = outgoing[outgoingHead...].map { message in
      OutgoingMessage(peer: message.peer, bytes: message.bytes)
    }
    outgoing = []
    outgoingHead = 0
    return messages
  }
}
