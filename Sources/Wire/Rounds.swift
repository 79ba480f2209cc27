/// Round traffic between coordinator, aggregators and trainers.
public enum RoundMessage: Hashable, Sendable {
  /// Coordinator -> aggregator: your trainers for `round`.
  case aggregate(RoundStart)
  /// Aggregator -> trainer: train on `baseModel` and report to me by the deadline.
  case train(round: UInt64, baseModel: Digest, deadlineMilliseconds: UInt64)
  /// Trainer -> aggregator: an update (a parameter delta) and its weight (samples used).
  case update(round: UInt64, weight: UInt32, values: [Float])
  /// Aggregator -> coordinator: the weighted sum of its group and who is in it.
  case partial(round: UInt64, weight: UInt64, trainers: [PeerID], values: [Float])
  /// Anyone -> anyone: a model's bytes (the committed model after `round`).
  case model(round: UInt64, digest: Digest, values: [Float])
  /// Request for the model with `digest`.
  case requestModel(digest: Digest)
  /// Council member -> coordinator: I hold the published model with `digest` (durably). The
  /// coordinator proposes a round's commit only once a majority of the council holds its model.
  case modelStored(digest: Digest)
}

/// Bounds on round messages.
public enum RoundLimits {
  /// Floats in one model or update (16 M parameters, 64 MB).
  public static let valuesMax = 16 << 20
  public static let trainersPerPartialMax = 100_000
}

/// Every message a peer sends, with the protocol version.
public enum Message: Hashable, Sendable {
  case membership(MembershipMessage)
  case council(CouncilMessage)
  case round(RoundMessage)
}

/// An addressed message.
public struct Envelope: Hashable, Sendable {
  public var sender: PeerID
  public var receiver: PeerID
  public var message: Message
  public init(sender: PeerID, receiver: PeerID, message: Message) {
    self.sender = sender
    self.receiver = receiver
    self.message = message
  }
}
