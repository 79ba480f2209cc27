/// Client-side worker momentum (Karimireddy et al. 2021): a trainer sends `m <- beta m + (1 -
/// beta) g` instead of its raw update g, which averages out the noise that robust rules would
/// otherwise mistake for an attack (and that attackers hide in).
public struct WorkerMomentum: Sendable, Hashable {
  /// The momentum coefficient beta in [0, 1).
  public let beta: Float
  /// The current momentum; empty before the first update.
  public private(set) var momentum: [Float] = []

  public init(beta: Float = 0.9) {
    precondition(beta >= 0 && beta < 1, "momentum beta must be in [0, 1)")
    self.beta = beta
  }

  /// Folds `update` into the momentum and returns the new momentum (the value to send). The
  /// first call starts the momentum at `update` itself, so the first message is not shrunk by
  /// 1 - beta. Every update must have the first one's length (the trainer's own model).
  /// - Complexity: O(d).
  public mutating func apply(to update: [Float]) -> [Float] {
    if momentum.isEmpty {
      momentum = update
      return momentum
    }
    precondition(momentum.count == update.count, "worker momentum: the model size changed")
    let (kept, added) = (beta, 1 - beta)
    for index in momentum.indices {
      momentum[index] = kept * momentum[index] + added * update[index]
    }
    return momentum
  }
}
