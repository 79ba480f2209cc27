extension RoundMessage: WireCodable {
  /// The smallest case: `update` with no values.
  public static let encodedBytesMin = 1 + 8 + 4 + 4

  private enum Tag: UInt8 {
    case aggregate = 0
    case train = 1
    case update = 2
    case partial = 3
    case model = 4
    case requestModel = 5
    case modelStored = 6
    case signedUpdate = 7
    case signedPartial = 8
    case combination = 9
    case requestPartial = 10
    case relayedPartial = 11
    case auditRequest = 12
    case auditResponse = 13
    case requestOuterState = 14
    case outerState = 15
  }

  public func encode(to encoder: inout WireEncoder) {
    switch self {
    case .aggregate(let start):
      encoder.encode(Tag.aggregate.rawValue)
      encoder.encode(start)
    case .train(let round, let baseModel, let deadlineMilliseconds):
      encoder.encode(Tag.train.rawValue)
      encoder.encode(round)
      encoder.encode(baseModel)
      encoder.encode(deadlineMilliseconds)
    case .update(let round, let weight, let values):
      encoder.encode(Tag.update.rawValue)
      encoder.encode(round)
      encoder.encode(weight)
      encoder.encode(values, field: "RoundMessage.update.values", countMax: RoundLimits.valuesMax)
    case .partial(let round, let weight, let trainers, let values, let scores):
      encoder.encode(Tag.partial.rawValue)
      encoder.encode(round)
      encoder.encode(weight)
      encoder.encode(
        trainers, field: "RoundMessage.partial.trainers",
        countMax: RoundLimits.trainersPerPartialMax)
      encoder.encode(values, field: "RoundMessage.partial.values", countMax: RoundLimits.valuesMax)
      encoder.encode(
        scores, field: "RoundMessage.partial.scores", countMax: RoundLimits.trainersPerPartialMax)
    case .model(let round, let digest, let values):
      encoder.encode(Tag.model.rawValue)
      encoder.encode(round)
      encoder.encode(digest)
      encoder.encode(values, field: "RoundMessage.model.values", countMax: RoundLimits.valuesMax)
    case .requestModel(let digest):
      encoder.encode(Tag.requestModel.rawValue)
      encoder.encode(digest)
    case .modelStored(let digest):
      encoder.encode(Tag.modelStored.rawValue)
      encoder.encode(digest)
    case .signedUpdate(let round, let weight, let values, let attestation):
      encoder.encode(Tag.signedUpdate.rawValue)
      encoder.encode(round)
      encoder.encode(weight)
      encoder.encode(
        values, field: "RoundMessage.signedUpdate.values", countMax: RoundLimits.valuesMax)
      encoder.encode(attestation)
    case .combination(let round, let digest, let aggregators, let partials, let seed, let state):
      encoder.encode(Tag.combination.rawValue)
      encoder.encode(round)
      encoder.encode(digest)
      encoder.encode(
        aggregators, field: "RoundMessage.combination.aggregators",
        countMax: CouncilLimits.aggregatorsMax)
      encoder.encode(
        partials, field: "RoundMessage.combination.partials", countMax: CouncilLimits.aggregatorsMax
      )
      encoder.encode(seed)
      encoder.encode(
        state, field: "RoundMessage.combination.outerState", countMax: RoundLimits.valuesMax)
    case .signedPartial(let round, let weight, let receipts, let values, let attestation):
      encoder.encode(Tag.signedPartial.rawValue)
      Self.encodePartial(round, weight, receipts, values, attestation, to: &encoder)
    case .requestPartial(let round, let aggregator):
      encoder.encode(Tag.requestPartial.rawValue)
      encoder.encode(round)
      encoder.encode(aggregator)
    case .relayedPartial(let round, let weight, let receipts, let values, let attestation):
      encoder.encode(Tag.relayedPartial.rawValue)
      Self.encodePartial(round, weight, receipts, values, attestation, to: &encoder)
    case .auditRequest(let round):
      encoder.encode(Tag.auditRequest.rawValue)
      encoder.encode(round)
    case .auditResponse(let round, let updates):
      encoder.encode(Tag.auditResponse.rawValue)
      encoder.encode(round)
      encoder.encode(
        updates, field: "RoundMessage.auditResponse.updates",
        countMax: RoundLimits.trainersPerPartialMax)
    case .requestOuterState(let model):
      encoder.encode(Tag.requestOuterState.rawValue)
      encoder.encode(model)
    case .outerState(let model, let values):
      encoder.encode(Tag.outerState.rawValue)
      encoder.encode(model)
      encoder.encode(
        values, field: "RoundMessage.outerState.values", countMax: RoundLimits.valuesMax)
    }
  }

  /// The body of a signed partial, sent by its aggregator or relayed by the coordinator.
  private static func encodePartial(
    _ round: UInt64, _ weight: UInt64, _ receipts: [UpdateReceipt], _ values: [Float],
    _ attestation: Attestation, to encoder: inout WireEncoder
  ) {
    encoder.encode(round)
    encoder.encode(weight)
    encoder.encode(
      receipts, field: "RoundMessage.signedPartial.receipts",
      countMax: RoundLimits.trainersPerPartialMax)
    encoder.encode(
      values, field: "RoundMessage.signedPartial.values", countMax: RoundLimits.valuesMax)
    encoder.encode(attestation)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    let tag = try decoder.decode(UInt8.self)
    switch Tag(rawValue: tag) {
    case .aggregate:
      self = .aggregate(try decoder.decode(RoundStart.self))
    case .train:
      self = .train(
        round: try decoder.decode(UInt64.self), baseModel: try decoder.decode(Digest.self),
        deadlineMilliseconds: try decoder.decode(UInt64.self))
    case .update:
      self = .update(
        round: try decoder.decode(UInt64.self), weight: try decoder.decode(UInt32.self),
        values: try decoder.decode(
          [Float].self, field: "RoundMessage.update.values", countMax: RoundLimits.valuesMax))
    case .partial:
      let round = try decoder.decode(UInt64.self)
      let weight = try decoder.decode(UInt64.self)
      let trainers = try decoder.decode(
        [PeerID].self, field: "RoundMessage.partial.trainers",
        countMax: RoundLimits.trainersPerPartialMax)
      let values = try decoder.decode(
        [Float].self, field: "RoundMessage.partial.values", countMax: RoundLimits.valuesMax)
      let scores = try decoder.decode(
        [Float].self, field: "RoundMessage.partial.scores",
        countMax: RoundLimits.trainersPerPartialMax)
      // One score per trainer, or none: anything else has a second reading.
      guard scores.isEmpty || scores.count == trainers.count else {
        throw .invalidValue(
          field: "RoundMessage.partial.scores",
          reason: "\(scores.count) scores for \(trainers.count) trainers")
      }
      self = .partial(
        round: round, weight: weight, trainers: trainers, values: values, scores: scores)
    case .model:
      self = .model(
        round: try decoder.decode(UInt64.self), digest: try decoder.decode(Digest.self),
        values: try decoder.decode(
          [Float].self, field: "RoundMessage.model.values", countMax: RoundLimits.valuesMax))
    case .requestModel:
      self = .requestModel(digest: try decoder.decode(Digest.self))
    case .modelStored:
      self = .modelStored(digest: try decoder.decode(Digest.self))
    case .signedUpdate:
      self = .signedUpdate(
        round: try decoder.decode(UInt64.self), weight: try decoder.decode(UInt32.self),
        values: try decoder.decode(
          [Float].self, field: "RoundMessage.signedUpdate.values", countMax: RoundLimits.valuesMax),
        attestation: try decoder.decode(Attestation.self))
    case .combination:
      let round = try decoder.decode(UInt64.self)
      let digest = try decoder.decode(Digest.self)
      let aggregators = try decoder.decode(
        [PeerID].self, field: "RoundMessage.combination.aggregators",
        countMax: CouncilLimits.aggregatorsMax)
      let partials = try decoder.decode(
        [Digest].self, field: "RoundMessage.combination.partials",
        countMax: CouncilLimits.aggregatorsMax)
      // One digest per aggregator: anything else has a second reading.
      guard partials.count == aggregators.count else {
        throw .invalidValue(
          field: "RoundMessage.combination.partials",
          reason: "\(partials.count) digests for \(aggregators.count) aggregators")
      }
      self = .combination(
        round: round, digest: digest, aggregators: aggregators, partials: partials,
        seed: try decoder.decode(UInt64.self),
        outerState: try decoder.decode(
          [Float].self, field: "RoundMessage.combination.outerState",
          countMax: RoundLimits.valuesMax))
    case .signedPartial:
      let (round, weight, receipts, values, attestation) = try Self.decodePartial(from: &decoder)
      self = .signedPartial(
        round: round, weight: weight, receipts: receipts, values: values,
        attestation: attestation)
    case .requestPartial:
      self = .requestPartial(
        round: try decoder.decode(UInt64.self), aggregator: try decoder.decode(PeerID.self))
    case .relayedPartial:
      let (round, weight, receipts, values, attestation) = try Self.decodePartial(from: &decoder)
      self = .relayedPartial(
        round: round, weight: weight, receipts: receipts, values: values,
        attestation: attestation)
    case .auditRequest:
      self = .auditRequest(round: try decoder.decode(UInt64.self))
    case .auditResponse:
      self = .auditResponse(
        round: try decoder.decode(UInt64.self),
        updates: try decoder.decode(
          [AuditedUpdate].self, field: "RoundMessage.auditResponse.updates",
          countMax: RoundLimits.trainersPerPartialMax))
    case .requestOuterState:
      self = .requestOuterState(model: try decoder.decode(Digest.self))
    case .outerState:
      self = .outerState(
        model: try decoder.decode(Digest.self),
        values: try decoder.decode(
          [Float].self, field: "RoundMessage.outerState.values", countMax: RoundLimits.valuesMax))
    case nil:
      throw .unknownTag(type: "RoundMessage", tag: tag)
    }
  }

  private static func decodePartial(from decoder: inout WireDecoder) throws(WireError) -> (
    UInt64, UInt64, [UpdateReceipt], [Float], Attestation
  ) {
    (
      try decoder.decode(UInt64.self), try decoder.decode(UInt64.self),
      try decoder.decode(
        [UpdateReceipt].self, field: "RoundMessage.signedPartial.receipts",
        countMax: RoundLimits.trainersPerPartialMax),
      try decoder.decode(
        [Float].self, field: "RoundMessage.signedPartial.values", countMax: RoundLimits.valuesMax),
      try decoder.decode(Attestation.self)
    )
  }
}
