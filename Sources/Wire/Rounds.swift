/// Round traffic between coordinator, aggregators and trainers.
public enum RoundMessage: Hashable, Sendable {
  /// Coordinator -> aggregator: your trainers for `round`.
  case aggregate(RoundStart)
  /// Aggregator -> trainer: train on `baseModel` and report to me by the deadline.
  case train(round: UInt64, baseModel: Digest, deadlineMilliseconds: UInt64)
  /// Trainer -> aggregator: an update (a parameter delta) and its weight (samples used).
  case update(round: UInt64, weight: UInt32, values: [Float])
  /// Aggregator -> coordinator: the weighted sum of its group and who is in it, with its
  /// judgement of each trainer's update (`UpdateReceipt.score`; empty when the project does not
  /// judge).
  case partial(
    round: UInt64, weight: UInt64, trainers: [PeerID], values: [Float], scores: [Float] = [])
  /// Anyone -> anyone: a model's bytes (the committed model after `round`).
  case model(round: UInt64, digest: Digest, values: [Float])
  /// Request for the model with `digest`.
  case requestModel(digest: Digest)
  /// Council member -> coordinator: I hold the published model with `digest` (durably). The
  /// coordinator proposes a round's commit only once a majority of the council holds its model.
  case modelStored(digest: Digest)
  /// Trainer -> aggregator: `update` signed by the trainer (`SignedStatement.update`, naming
  /// this aggregator). Real nodes send only signed updates and refuse unsigned ones.
  case signedUpdate(round: UInt64, weight: UInt32, values: [Float], attestation: Attestation)
  /// Aggregator -> coordinator: `partial` with the signed receipt of every update it combined
  /// (the trainers are the receipts' authors), signed by the aggregator
  /// (`SignedStatement.partial`).
  case signedPartial(
    round: UInt64, weight: UInt64, receipts: [UpdateReceipt], values: [Float],
    attestation: Attestation)
  /// Coordinator -> council member, before the model it publishes for `round`: the aggregators
  /// whose partials it combined into the model with `digest`, so that a member that checks the
  /// coordinator can recompute the combination from the partials it received itself; with the
  /// digest of each partial's values (in the same order), so that an aggregator that sent the
  /// coordinator and the member different partials is not taken for a forging coordinator.
  /// With the `seed` of the round's combination, which the round's `seedCommitment` names (a
  /// member checks the one against the other, then recomputes a rule over partials or central
  /// noise with it; 0 with the built-in mean). With the outer optimizer's state after the step
  /// (`OuterOptimizer.state`; empty when it keeps none): the member recomputes it too, from the
  /// committed state, and adopts the coordinator's once the round commits (the commit names its
  /// digest, `RoundCommit.outerState`).
  case combination(
    round: UInt64, digest: Digest, aggregators: [PeerID], partials: [Digest], seed: UInt64,
    outerState: [Float] = [])
  /// Council member -> coordinator: send me `aggregator`'s signed partial of `round` as you
  /// received it. A member that checks its coordinator asks when a note names a partial it did
  /// not get from the aggregator itself (the aggregator died before its copies left, or sent
  /// the member other values).
  case requestPartial(round: UInt64, aggregator: PeerID)
  /// Coordinator -> council member: an aggregator's signed partial, as the aggregator sent it
  /// (its author is the attestation's key, not the sender), answering `requestPartial`. The
  /// aggregator's signature is what the member trusts, so the coordinator cannot alter it.
  case relayedPartial(
    round: UInt64, weight: UInt64, receipts: [UpdateReceipt], values: [Float],
    attestation: Attestation)
  /// Coordinator -> aggregator: send me the signed updates your partial of `round` summed (an
  /// audit of a plain-sum partial, which its receipts alone do not prove).
  case auditRequest(round: UInt64)
  /// Aggregator -> coordinator: the signed updates of its partial of `round`, in its receipts'
  /// order; the coordinator checks each against its receipt and recomputes the sum.
  case auditResponse(round: UInt64, updates: [AuditedUpdate])
  /// Council member -> council member: send me the outer optimizer's state after the committed
  /// model with digest `model` (a member that did not check that round: it restarted, joined
  /// the council later, or missed the note).
  case requestOuterState(model: Digest)
  /// The outer optimizer's state after the committed model `model`, answering
  /// `requestOuterState`; the receiver keeps it only if it hashes to the commit's `outerState`.
  case outerState(model: Digest, values: [Float])
}

/// One trainer's signed update as its aggregator kept it for an audit.
public struct AuditedUpdate: Hashable, Sendable {
  public var weight: UInt32
  public var values: [Float]
  public var attestation: Attestation
  public init(weight: UInt32, values: [Float], attestation: Attestation) {
    self.weight = weight
    self.values = values
    self.attestation = attestation
  }
}

extension AuditedUpdate: WireCodable {
  /// Weight, no values, attestation.
  public static let encodedBytesMin = 4 + 4 + Attestation.encodedBytesMin

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(weight)
    encoder.encode(values, field: "AuditedUpdate.values", countMax: RoundLimits.valuesMax)
    encoder.encode(attestation)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(
      weight: try decoder.decode(UInt32.self),
      values: try decoder.decode(
        [Float].self, field: "AuditedUpdate.values", countMax: RoundLimits.valuesMax),
      attestation: try decoder.decode(Attestation.self))
  }
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

extension RoundMessage {
  /// A one-line summary for traces: the kind, the round, and who is named (never the values).
  public var traceDescription: String {
    switch self {
    case .aggregate(let start):
      "aggregate round \(start.round) base \(start.baseModel) assignments \(start.assignments.map { "\($0.trainer)->\($0.aggregator)" })"
    case .train(let round, let base, _): "train round \(round) base \(base)"
    case .update(let round, let weight, _): "update round \(round) weight \(weight)"
    case .partial(let round, let weight, let trainers, _, _):
      "partial round \(round) weight \(weight) trainers \(trainers.map(\.description))"
    case .model(let round, let digest, _): "model round \(round) \(digest)"
    case .requestModel(let digest): "request model \(digest)"
    case .modelStored(let digest): "model stored \(digest)"
    case .combination(let round, let digest, let aggregators, _, _, _):
      "combination round \(round) \(digest) of \(aggregators.map(\.description))"
    case .signedUpdate(let round, let weight, _, let attestation):
      "signed update round \(round) weight \(weight) by \(attestation.author)"
    case .signedPartial(let round, let weight, let receipts, _, let attestation):
      "signed partial round \(round) weight \(weight) trainers \(receipts.map(\.trainer.description)) by \(attestation.author)"
    case .requestPartial(let round, let aggregator):
      "request partial round \(round) of \(aggregator)"
    case .relayedPartial(let round, let weight, _, _, let attestation):
      "relayed partial round \(round) weight \(weight) by \(attestation.author)"
    case .requestOuterState(let digest): "request outer state after \(digest)"
    case .outerState(let digest, let values):
      "outer state after \(digest) (\(values.count) values)"
    case .auditRequest(let round): "audit request round \(round)"
    case .auditResponse(let round, let updates):
      "audit response round \(round) of \(updates.count) updates"
    }
  }
}
