/// Why chunks (and the message they belonged to) were dropped.
public enum ChunkDropReason: Equatable, Sendable, CustomStringConvertible {
  /// The message is longer than the receiver's `TransportLimits.messageBytesMax`.
  case messageTooLarge(messageBytes: Int, maximum: Int)
  /// Messages being reassembled on all connections already hold as much memory as
  /// `TransportLimits.reassemblyBytesMax` allows.
  case reassemblyFull(messageBytes: Int, availableBytes: Int)
  /// A message's first chunk carries a number not above the previous message's.
  case messageNumberNotIncreasing(previous: UInt64, found: UInt64)
  /// A chunk that is not the next one of the message in progress.
  case outOfOrder(found: ChunkHeader)
  /// A message was left incomplete: another message started, or no chunk came for too long.
  case incomplete(messageNumber: UInt64, receivedBytes: Int, messageBytes: Int)

  public var description: String {
    switch self {
    case .messageTooLarge(let messageBytes, let maximum):
      "a message of \(messageBytes) bytes exceeds the maximum \(maximum)"
    case .reassemblyFull(let messageBytes, let availableBytes):
      "no room to reassemble a message of \(messageBytes) bytes (\(availableBytes) available)"
    case .messageNumberNotIncreasing(let previous, let found):
      "message number \(found) does not follow \(previous)"
    case .outOfOrder(let found):
      "chunk \(found.chunkIndex) of message \(found.messageNumber) arrived out of order"
    case .incomplete(let messageNumber, let receivedBytes, let messageBytes):
      "message \(messageNumber) left incomplete after \(receivedBytes) of \(messageBytes) bytes"
    }
  }
}

/// Puts one connection's chunks back together into whole messages.
///
/// At most one message is in progress per connection (senders send a message's chunks one after
/// another), and the memory it reserves (its whole length, once its first chunk arrives) is
/// counted against a budget that the caller shares between connections. Chunks of a message
/// that was dropped are dropped without another report.
struct ChunkReassembler {
  /// What one chunk did: reasons for what was dropped, and the message it completed.
  struct Outcome: Equatable {
    var dropped: [ChunkDropReason] = []
    var message: [UInt8]?
  }

  private struct Partial {
    let messageNumber: UInt64
    let messageBytes: Int
    var bytes: [UInt8]
    var nextChunkIndex: Int
    var lastChunkMilliseconds: UInt64
  }

  /// The longest message accepted.
  let messageBytesMax: Int
  private var partial: Partial?
  /// The number of the last message whose first chunk arrived.
  private var lastMessageNumber: UInt64?
  /// A message whose remaining chunks are dropped silently.
  private var discardedMessageNumber: UInt64?

  init(messageBytesMax: Int) {
    precondition(messageBytesMax >= 0 && messageBytesMax <= Int(UInt32.max))
    self.messageBytesMax = messageBytesMax
  }

  /// Memory held for the message in progress: its whole length.
  var reservedBytes: Int { partial?.messageBytes ?? 0 }

  /// Takes one chunk. `availableBytes` is how much more memory this connection may reserve,
  /// not counting what it reserves now.
  /// - Complexity: O(n) in the payload length.
  mutating func receive(
    _ header: ChunkHeader, payload: UnsafeRawBufferPointer, nowMilliseconds: UInt64,
    availableBytes: Int
  ) -> Outcome {
    precondition(payload.count == header.payloadRange.count, "ChunkHeader checks the payload")
    if header.chunkIndex == 0 {
      return start(
        header, payload: payload, nowMilliseconds: nowMilliseconds,
        availableBytes: availableBytes)
    }
    guard header.messageNumber != discardedMessageNumber else { return Outcome() }
    guard var current = partial, current.messageNumber == header.messageNumber,
      current.messageBytes == header.messageBytes, current.nextChunkIndex == header.chunkIndex
    else {
      var outcome = Outcome(dropped: abandon())
      outcome.dropped.append(.outOfOrder(found: header))
      discardedMessageNumber = header.messageNumber
      return outcome
    }
    partial = nil
    current.bytes.append(contentsOf: payload)
    current.nextChunkIndex += 1
    current.lastChunkMilliseconds = nowMilliseconds
    guard header.isLast else {
      partial = current
      return Outcome()
    }
    return Outcome(message: current.bytes)
  }

  /// Drops the message in progress when no chunk came for `timeoutMilliseconds`.
  mutating func expire(nowMilliseconds: UInt64, timeoutMilliseconds: UInt64) -> ChunkDropReason? {
    guard let current = partial,
      nowMilliseconds >= current.lastChunkMilliseconds + timeoutMilliseconds
    else { return nil }
    return abandon().first
  }

  /// Whether a message is in progress (and `expire` has something to do).
  var isReassembling: Bool { partial != nil }

  private mutating func start(
    _ header: ChunkHeader, payload: UnsafeRawBufferPointer, nowMilliseconds: UInt64,
    availableBytes: Int
  ) -> Outcome {
    var outcome = Outcome(dropped: abandon())
    if let previous = lastMessageNumber, header.messageNumber <= previous {
      outcome.dropped.append(
        .messageNumberNotIncreasing(previous: previous, found: header.messageNumber))
      return outcome
    }
    lastMessageNumber = header.messageNumber
    guard header.messageBytes <= messageBytesMax else {
      outcome.dropped.append(
        .messageTooLarge(messageBytes: header.messageBytes, maximum: messageBytesMax))
      discardedMessageNumber = header.messageNumber
      return outcome
    }
    if header.isLast {
      outcome.message = Array(payload)
      return outcome
    }
    guard header.messageBytes <= availableBytes else {
      outcome.dropped.append(
        .reassemblyFull(messageBytes: header.messageBytes, availableBytes: availableBytes))
      discardedMessageNumber = header.messageNumber
      return outcome
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(header.messageBytes)
    bytes.append(contentsOf: payload)
    partial = Partial(
      messageNumber: header.messageNumber, messageBytes: header.messageBytes, bytes: bytes,
      nextChunkIndex: 1, lastChunkMilliseconds: nowMilliseconds)
    return outcome
  }

  /// Drops the message in progress, if any, and says so.
  private mutating func abandon() -> [ChunkDropReason] {
    guard let current = partial else { return [] }
    partial = nil
    discardedMessageNumber = current.messageNumber
    return [
      .incomplete(
        messageNumber: current.messageNumber, receivedBytes: current.bytes.count,
        messageBytes: current.messageBytes)
    ]
  }
}
