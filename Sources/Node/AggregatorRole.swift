import Aggregation
import Coordination
import Wire

/// An aggregator's side of rounds: its group's updates (`GroupAggregation`), and the state of
/// its robust pipeline across rounds (CenteredClip's warm start).
struct AggregatorRole: Sendable {
  var group: GroupAggregation
  /// This aggregator's last robust aggregate (CenteredClip's warm start).
  var previousAggregate: [Float]?
  /// The receipt of each trainer's last signed update that verified (signed projects): the
  /// partial forwards those of the trainers it combines.
  var receipts: [PeerID: UpdateReceipt] = [:]
  /// With audits: each trainer's last signed update that verified, and the round and trainers
  /// of this aggregator's last signed partial, to answer the coordinator's audit request.
  var audited: [PeerID: AuditedUpdate] = [:]
  var lastPartial: (round: UInt64, trainers: [PeerID])?

  init(me: PeerID, modelLength: Int, security: NodeSecurity?) {
    group = GroupAggregation(me: me, modelLength: modelLength)
    group.keepsIndividualUpdates = security?.needsIndividualUpdates ?? false
  }

  /// Combines a group with the project's robust pipeline into the partial for the coordinator:
  /// the robust aggregate scaled by the group's total weight, so the coordinator's weighted
  /// combination of partials stays what it is for plain sums. With trainer reputation, the
  /// replicated `reputation` decides who is left out, and the partial carries this
  /// aggregator's judgement of every update (its cosine with the aggregate). The report says
  /// what ran.
  mutating func combine(
    round: UInt64, updates: [GroupAggregation.ContributedUpdate], security: NodeSecurity,
    globalModel: [Float], seed: UInt64, reputation: ReputationBook<PeerID>?
  ) -> (partial: RoundMessage, report: String) {
    let totalWeight = updates.reduce(UInt64(0)) { $0 + UInt64($1.weight) }
    let previous = previousAggregate.flatMap { $0.count == globalModel.count ? $0 : nil }
    // Trainers whose updates have pointed against the aggregate for rounds are left out (all
    // of them never are).
    let distrusted = Set(updates.map(\.trainer).filter { reputation?.isDistrusted($0) ?? false })
    let trusted =
      distrusted.count == updates.count
      ? updates : updates.filter { !distrusted.contains($0.trainer) }
    // The round's base is the last committed model, which this aggregator holds.
    var (aggregate, report) = security.combine(
      trusted, previousAggregate: previous, globalModel: globalModel,
      seed: seed ^ round &* 0x9E37_79B9_7F4A_7C15)
    if trusted.count < updates.count {
      report = "reputation left out \(distrusted.map(\.description).sorted()); " + report
    }
    let scores =
      reputation == nil
      ? [] : ReputationBook<PeerID>.cosines(of: updates.map(\.values), with: aggregate)
    previousAggregate = aggregate
    let scale = Float(totalWeight)
    let partial = RoundMessage.partial(
      round: round, weight: totalWeight, trainers: updates.map(\.trainer),
      values: aggregate.map { $0 * scale }, scores: scores.map { Float($0 ?? 0) })
    return (partial, report)
  }
}
