import Coordination
import Wire

/// A council member's check of its coordinator (`NodeSettings.councilChecksCoordinator`): the
/// partials it received from the aggregators themselves, the coordinator's note of which ones a
/// published model combines, and the published models waiting for both. A member stores and
/// acknowledges a published model only once it recomputed it from those partials, bit for bit.
struct CombinationCheck: Sendable {
  /// Partials received from their aggregators, by round and aggregator, with the digest of
  /// their values (hashed once, when they arrive).
  var partials: [UInt64: [PeerID: (weight: UInt64, values: [Float], digest: Digest)]] = [:]
  /// The coordinator's notes: which aggregators' partials (by digest) each model combines.
  var notes: [Digest: (round: UInt64, aggregators: [PeerID], partials: [Digest])] = [:]
  /// Published models not checked yet (a note or a partial is missing, or this member does not
  /// hold the round's base yet).
  var waiting: [Digest: (round: UInt64, values: [Float])] = [:]
  /// The base model of each started round, from the committed `startRound` entries.
  var bases: [UInt64: Digest] = [:]
  /// Models this member refused, with the evidence.
  var refused: [Digest: String] = [:]

  enum Outcome: Equatable {
    case reproduced
    /// Something needed is missing; the model waits.
    case waiting
    /// The model is not the combination of the partials named: the evidence.
    case forged(String)
  }

  /// Whether `values` (published as `digest` for `round`) is the combination of the partials its
  /// note names, over `base` (this member's committed model, `baseDigest`).
  func check(
    round: UInt64, digest: Digest, values: [Float], base: [Float], baseDigest: Digest
  ) -> Outcome {
    guard let note = notes[digest], note.round == round, bases[round] == baseDigest else {
      return .waiting
    }
    var combined: [(weight: UInt64, values: [Float])] = []
    let received = partials[round] ?? [:]
    for (aggregator, partialDigest) in zip(note.aggregators, note.partials) {
      // A partial not received, or received with other values (the aggregator sent the
      // coordinator something else): nothing to say about the coordinator yet.
      guard let partial = received[aggregator], partial.values.count == base.count,
        partial.digest == partialDigest
      else { return .waiting }
      combined.append((partial.weight, partial.values))
    }
    let recomputed = RoundCoordinator.meanCombination(base: base, partials: combined)
    let recomputedDigest = Digest.of(values: recomputed)
    guard recomputedDigest == digest else {
      return .forged(
        "model \(digest) of round \(round) is not the combination of the partials of "
          + "\(note.aggregators.map(\.description)) over base \(baseDigest): recomputed "
          + "\(recomputedDigest)")
    }
    return .reproduced
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
    bases = bases.filter { $0.key > round }
  }
}
