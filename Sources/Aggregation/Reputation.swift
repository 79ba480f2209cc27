/// What an aggregator remembers of each trainer across rounds: an exponential moving average of
/// the cosine between the trainer's update and the round's robust aggregate.
///
/// One round's geometry cannot tell a sign-flipped or IPM update from an honest one when
/// non-IID shards make honest updates disagree as much (BENCHMARKS.md, the 5-seed study). Over
/// rounds it can: an honest update points, on average, along the aggregate (positive cosine),
/// while those attacks point against it every round. A trainer whose average has stayed below
/// `threshold` for at least `roundsBeforeJudging` rounds is left out of the aggregation; it is
/// still scored each round against the aggregate of the others, so it can earn its way back.
/// This is the history-aware cousin of FLTrust's ReLU-cosine trust score (Cao et al. 2021),
/// with the previous robust aggregate in place of a server's root dataset.
///
/// A node keeps one book, replicated through the council log: each aggregator scores its
/// group's updates (`cosines`), the scores travel in its signed partial, the coordinator's
/// commit lists them, and every member applies them (`apply`) when it applies the commit. So a
/// trainer is judged on all its rounds, whichever aggregator had it, and every aggregator
/// leaves out the same trainers.
public struct ReputationBook<Peer: Hashable & Sendable>: Sendable {
  /// One trainer's record.
  public struct Record: Sendable, Equatable {
    /// The moving average of its cosines with the aggregate.
    public var score: Double
    /// Rounds it has been scored in.
    public var rounds: Int
  }

  /// Weight of the past in the moving average, in (0, 1).
  public let decay: Double
  /// Average cosine below which a trainer is left out.
  public let threshold: Double
  /// Rounds a trainer is scored before it can be left out.
  public let roundsBeforeJudging: Int
  public private(set) var records: [Peer: Record] = [:]
  /// Records kept at most; beyond it, new trainers are not tracked (and so are trusted).
  public static var recordsMax: Int { 100_000 }

  public init(decay: Double, threshold: Double = 0, roundsBeforeJudging: Int = 2) {
    precondition(decay > 0 && decay < 1, "the decay is in (0, 1)")
    precondition(roundsBeforeJudging >= 1, "a trainer is scored at least once before judging")
    self.decay = decay
    self.threshold = threshold
    self.roundsBeforeJudging = roundsBeforeJudging
  }

  /// Whether `peer`'s update is left out: scored long enough, and on average below threshold.
  public func isDistrusted(_ peer: Peer) -> Bool {
    guard let record = records[peer] else { return false }
    return record.rounds >= roundsBeforeJudging && record.score < threshold
  }

  /// Scores each update against the round's aggregate. A zero aggregate or update scores 0.
  /// - Complexity: O(k d) for k updates of d values.
  public mutating func record(_ updates: [(peer: Peer, values: [Float])], aggregate: [Float]) {
    let scores = Self.cosines(of: updates.map(\.values), with: aggregate)
    var scored: [(peer: Peer, score: Double)] = []
    for (update, score) in zip(updates, scores) {
      if let score { scored.append((update.peer, score)) }
    }
    apply(scored)
  }

  /// Each update's cosine with the aggregate, clamped to [-1, 1] (0 for a zero aggregate or
  /// update; nil for an update of another length, which is not scored).
  /// - Complexity: O(k d) for k updates of d values.
  public static func cosines(of updates: [[Float]], with aggregate: [Float]) -> [Double?] {
    let aggregateNorm = aggregate.isEmpty ? 0 : RowKernels.norm(aggregate)
    return updates.map { values in
      guard !aggregate.isEmpty, values.count == aggregate.count, !values.isEmpty else {
        return nil
      }
      let product = aggregateNorm * RowKernels.norm(values)
      let cosine = product > 0 ? RowKernels.dot(values, aggregate) / product : 0
      return min(max(cosine, -1), 1)
    }
  }

  /// Moves each peer's average by one round's score.
  public mutating func apply(_ scores: [(peer: Peer, score: Double)]) {
    for (peer, cosine) in scores {
      if var record = records[peer] {
        record.score = decay * record.score + (1 - decay) * cosine
        record.rounds += 1
        records[peer] = record
      } else if records.count < Self.recordsMax {
        records[peer] = Record(score: cosine, rounds: 1)
      }
    }
  }
}
