/// One peer's contribution to a round: a flat parameter delta, its weight and its sender.
///
/// `values` is a *delta* (the sender's locally trained model minus the model of the round), so the
/// zero vector means "no change" and its L2 norm measures how far the sender moved. All updates of
/// one aggregation have the same length.
public struct Update: Sendable, Hashable {
  /// The parameter delta, one entry per model parameter.
  public var values: [Float]
  /// The number of training samples behind the update (FedAvg weight). Peers report it, so only
  /// the weighted mean and the geometric median use it; the other robust rules ignore it.
  public var weight: Float
  /// An opaque identity of the sender (an index into the round's participant list), reported back
  /// when a rule selects, rejects or clips updates.
  public var sender: Int

  public init(values: [Float], weight: Float = 1, sender: Int) {
    self.values = values
    self.weight = weight
    self.sender = sender
  }
}

/// Why an aggregation could not run. Every case is caused by input (peer data or configuration),
/// never by a bug, so a node logs it and moves on.
public enum AggregationError: Error, Sendable, Equatable {
  /// No update arrived.
  case noUpdates
  /// More updates than `AggregationLimits.updateCountMax`.
  case tooManyUpdates(count: Int, limit: Int)
  /// The update at `index` is empty.
  case emptyUpdate(index: Int)
  /// The update at `index` has `actual` values where the first one has `expected`.
  case mismatchedLength(index: Int, expected: Int, actual: Int)
  /// The update at `index` contains NaN or an infinity.
  case nonFiniteValue(index: Int)
  /// The weight of the update at `index` is negative, NaN or infinite.
  case invalidWeight(index: Int)
  /// The previous aggregate (or a model) does not have the updates' length.
  case mismatchedReferenceLength(expected: Int, actual: Int)
  /// The previous aggregate (or a model) contains NaN or an infinity.
  case nonFiniteReference
  /// A rule's parameter is out of range (the message names it).
  case invalidParameter(String)
  /// The rule cannot run with this many updates and assumed Byzantine senders.
  case requirementNotMet(rule: AggregationRuleKind, reason: String)
  /// No rule of a fallback list can run; one reason per rule tried.
  case noRunnableRule(reasons: [String])
}

extension AggregationError: CustomStringConvertible {
  /// One line for a node's log.
  public var description: String {
    switch self {
    case .noUpdates: "no update arrived"
    case .tooManyUpdates(let count, let limit): "\(count) updates, more than the \(limit) allowed"
    case .emptyUpdate(let index): "update \(index) is empty"
    case .mismatchedLength(let index, let expected, let actual):
      "update \(index) has \(actual) values, the first has \(expected)"
    case .nonFiniteValue(let index): "update \(index) contains NaN or an infinity"
    case .invalidWeight(let index): "update \(index) has a negative, NaN or infinite weight"
    case .mismatchedReferenceLength(let expected, let actual):
      "the reference (previous aggregate or model) has \(actual) values, the updates \(expected)"
    case .nonFiniteReference: "the reference (previous aggregate or model) is not finite"
    case .invalidParameter(let message): message
    case .requirementNotMet(_, let reason): reason
    case .noRunnableRule(let reasons): reasons.joined(separator: "; ")
    }
  }
}

/// Bounds on aggregation inputs, checked before any work.
public enum AggregationLimits {
  /// Updates accepted in one aggregation. Pairwise rules keep an n x n matrix of Doubles, which is
  /// 8 MiB at this bound.
  public static let updateCountMax = 1024
}

extension Update {
  /// Checks that `updates` is non-empty, within bounds, equal in length, finite, with valid weights,
  /// and returns the common length.
  /// - Complexity: O(n d) for n updates of d values (one read of every value).
  static func validate(_ updates: [Update]) throws(AggregationError) -> Int {
    guard let first = updates.first else { throw .noUpdates }
    guard updates.count <= AggregationLimits.updateCountMax else {
      throw .tooManyUpdates(count: updates.count, limit: AggregationLimits.updateCountMax)
    }
    let dimension = first.values.count
    for (index, update) in updates.enumerated() {
      guard !update.values.isEmpty else { throw .emptyUpdate(index: index) }
      guard update.values.count == dimension else {
        throw .mismatchedLength(index: index, expected: dimension, actual: update.values.count)
      }
      guard update.weight.isFinite, update.weight >= 0 else { throw .invalidWeight(index: index) }
    }
    var firstNonFinite: Int?
    let flags = RowKernels.finiteFlags(updates.map(\.values))
    for index in flags.indices where !flags[index] {
      firstNonFinite = index
      break
    }
    if let index = firstNonFinite { throw .nonFiniteValue(index: index) }
    return dimension
  }

  /// Checks a reference vector (a previous aggregate, a model) against the updates' length.
  static func validateReference(_ reference: [Float], dimension: Int) throws(AggregationError) {
    guard reference.count == dimension else {
      throw .mismatchedReferenceLength(expected: dimension, actual: reference.count)
    }
    guard RowKernels.finiteFlags([reference])[0] else { throw .nonFiniteReference }
  }
}
