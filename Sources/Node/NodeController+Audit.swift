import Coordination
import Wire

/// Audits of plain-sum partials (`NodeSettings.auditFraction`): a signed partial's receipts
/// prove what each trainer sent, not that the partial sums it. The coordinator picks a share of
/// the signed partials it accepts, at random (from its own secret seed, so an aggregator cannot
/// tell which), asks their aggregators for the signed updates, checks each against its receipt
/// and recomputes the sum in the same order, bit for bit. A partial that is not that sum is
/// refused after the fact, and its aggregator banned when the project bans misbehaving
/// aggregators; the round it went into is not undone.
extension NodeController {
  /// Whether partials are plain sums here (no robust rule, clipping or noise at the aggregator).
  var auditsPartials: Bool {
    settings.auditFraction > 0 && settings.signing != nil
      && !(settings.security?.needsIndividualUpdates ?? false)
  }

  /// After a signed partial from `aggregator` counted: the audit request, for the share picked.
  mutating func auditIfPicked(
    round: UInt64, receipts: [UpdateReceipt], values: [Float], from aggregator: PeerID
  ) -> [NodeEffect] {
    guard auditsPartials, isCoordinator, aggregator != me, !receipts.isEmpty else { return [] }
    var generator = SplitMixGenerator(
      seed: seed ^ round &* 0xA0D1_7000_0000_0001 ^ aggregator.words.0)
    guard Double.random(in: 0..<1, using: &generator) < settings.auditFraction else { return [] }
    coordinatorRole.audits[round, default: [:]][aggregator] = (receipts, values)
    return [.send(to: aggregator, .round(.auditRequest(round: round)))]
  }

  /// An aggregator's answer to the coordinator's audit request: its signed updates of its last
  /// partial, in that partial's order (nothing for another round).
  func answerAudit(round: UInt64, from sender: PeerID) -> [NodeEffect] {
    guard auditsPartials, sender == council?.leader, let last = aggregatorRole.lastPartial,
      last.round == round
    else { return [] }
    let updates = last.trainers.compactMap { aggregatorRole.audited[$0] }
    return [.send(to: sender, .round(.auditResponse(round: round, updates: updates)))]
  }

  /// The coordinator checks an audit's answer: every update is the one its receipt names, and
  /// the partial is their weighted sum in order.
  mutating func checkAudit(round: UInt64, updates: [AuditedUpdate], from aggregator: PeerID)
    -> [NodeEffect]
  {
    guard let audit = coordinatorRole.audits[round]?[aggregator] else { return [] }
    coordinatorRole.audits[round]?[aggregator] = nil
    guard Self.isSum(of: updates, receipts: audit.receipts, values: audit.values) else {
      return [.rejected(from: aggregator, .auditFailed)]
        + banIfMisbehaving(aggregator, .auditFailed)
    }
    return []
  }

  /// Whether `values` is `Σ weight × update` over `updates` in order (as `GroupAggregation`
  /// sums), each update the one its receipt names.
  static func isSum(of updates: [AuditedUpdate], receipts: [UpdateReceipt], values: [Float])
    -> Bool
  {
    guard updates.count == receipts.count else { return false }
    var sum = [Float](repeating: 0, count: values.count)
    for (update, receipt) in zip(updates, receipts) {
      guard update.weight == receipt.weight, update.attestation == receipt.attestation,
        update.values.count == values.count,
        Digest.of(values: update.values) == receipt.valuesDigest
      else { return false }
      GroupAggregation.add(update.values, weight: update.weight, to: &sum)
    }
    return zip(sum, values).allSatisfy { $0.bitPattern == $1.bitPattern }
  }
}
