import Coordination
import Wire

/// A council member's check of its coordinator (`NodeSettings.councilChecksCoordinator`): the
/// partials it received from the aggregators themselves, the coordinator's note of which ones a
/// published model combines, and the published models waiting for both. A member stores and
/// acknowledges a published model only once it recomputed it from those partials, bit for bit.
struct CombinationCheck: Sendable {
  /// Partials received from their aggregators, by round and aggregator, with the digest of
  /// their values (hashed once, when they arrive) and their judgements of their trainers.
  var partials:
    [UInt64: [PeerID: (
      weight: UInt64, values: [Float], digest: Digest, judgements: [TrainerJudgement]
    )]] = [:]
  /// The coordinator's notes: which aggregators' partials (by digest) each model combines, the
  /// round's combination seed, and the outer optimizer's state after the step.
  var notes:
    [Digest: (
      round: UInt64, aggregators: [PeerID], partials: [Digest], seed: UInt64, outerState: [Float]
    )] = [:]
  /// Published models not checked yet (a note or a partial is missing, or this member does not
  /// hold the round's base yet).
  var waiting: [Digest: (round: UInt64, values: [Float])] = [:]
  /// The base model and the seed commitment of each started round, from the committed
  /// `startRound` entries.
  var starts: [UInt64: (base: Digest, seedCommitment: Digest)] = [:]
  /// Models this member refused, with the evidence.
  var refused: [Digest: String] = [:]

  enum Outcome: Equatable {
    case reproduced
    /// Something needed is missing; the model waits.
    case waiting
    /// The model is not the combination of the partials named: the evidence.
    case forged(String)
  }

  /// How far a published model may be from the member's recomputation and still count as
  /// reproduced: each value within this fraction of the largest change the recomputed model
  /// makes to its base. On one build and one kind of CPU the two are the same bits; a rule over
  /// partials that calls BLAS may round otherwise on another CPU or with other thread counts.
  static let relativeTolerance: Float = 1e-5

  /// Whether `values` (published as `digest` for `round`) is the combination of the partials its
  /// note names, over `base` (this member's committed model, `baseDigest`), as `combine`
  /// recomputes it with the note's seed. With `usesSeed` (a rule over partials or central
  /// noise), the seed must be the one the round's start committed to. `combine` returns the
  /// outer optimizer's state after the step too (from the committed state `baseState`), and the
  /// note's state must be it, within the same tolerance.
  func check(
    round: UInt64, digest: Digest, values: [Float], base: [Float], baseDigest: Digest,
    baseState: [Float] = [], usesSeed: Bool,
    combine: (_ partials: [RoundCoordinator.Partial], _ seed: UInt64) -> (
      model: [Float], outerState: [Float]
    )
  ) -> Outcome {
    guard let note = notes[digest], note.round == round, let start = starts[round],
      start.base == baseDigest
    else { return .waiting }
    if usesSeed,
      Digest.combinationSeedCommitment(round: round, seed: note.seed) != start.seedCommitment
    {
      return .forged(
        "the seed of model \(digest) of round \(round) is not the one the round's start "
          + "committed to (\(start.seedCommitment))")
    }
    var combined: [RoundCoordinator.Partial] = []
    let received = partials[round] ?? [:]
    for (aggregator, partialDigest) in zip(note.aggregators, note.partials) {
      // A partial not received, or received with other values (the aggregator sent the
      // coordinator something else): nothing to say about the coordinator yet.
      guard let partial = received[aggregator], partial.values.count == base.count,
        partial.digest == partialDigest
      else { return .waiting }
      combined.append(
        RoundCoordinator.Partial(
          aggregator: aggregator, weight: partial.weight, values: partial.values))
    }
    let (recomputed, state) = combine(combined, note.seed)
    let recomputedDigest = Digest.of(values: recomputed)
    guard recomputedDigest == digest || Self.isWithinTolerance(values, recomputed, base: base)
    else {
      return .forged(
        "model \(digest) of round \(round) is not the combination of the partials of "
          + "\(note.aggregators.map(\.description)) over base \(baseDigest): recomputed "
          + "\(recomputedDigest)")
    }
    guard
      note.outerState == state
        || Self.isWithinTolerance(
          note.outerState, state,
          base: baseState.count == state.count
            ? baseState : [Float](repeating: 0, count: state.count))
    else {
      return .forged(
        "the outer optimizer's state after model \(digest) of round \(round) is not the step "
          + "from the committed state: \(note.outerState.count) values, hash "
          + "\(Digest.of(values: note.outerState)); recomputed \(state.count), hash "
          + "\(Digest.of(values: state))")
    }
    return .reproduced
  }

  /// Whether every value of `published` is within `relativeTolerance` of the largest change
  /// `recomputed` makes to `base` (never, for a non-finite value).
  static func isWithinTolerance(_ published: [Float], _ recomputed: [Float], base: [Float])
    -> Bool
  {
    guard published.count == recomputed.count, recomputed.count == base.count else {
      return false
    }
    var change: Float = 0
    for index in base.indices { change = max(change, abs(recomputed[index] - base[index])) }
    let bound = relativeTolerance * change
    for index in published.indices {
      let difference = abs(published[index] - recomputed[index])
      guard difference.isFinite, difference <= bound else { return false }
    }
    return true
  }

  /// The aggregators whose partial the note for `digest` names but this member did not receive
  /// with those values.
  func missingPartials(for digest: Digest) -> [PeerID] {
    guard let note = notes[digest] else { return [] }
    let received = partials[note.round] ?? [:]
    return zip(note.aggregators, note.partials).filter { received[$0.0]?.digest != $0.1 }.map(\.0)
  }

  /// Forgets what rounds up to `round` needed.
  mutating func prune(through round: UInt64) {
    partials = partials.filter { $0.key > round }
    notes = notes.filter { $0.value.round > round }
    waiting = waiting.filter { $0.value.round > round }
    starts = starts.filter { $0.key > round }
  }
}
