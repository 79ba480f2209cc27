import Coordination
import Tensors
import Wire

/// What Byzantine trainers send instead of an honest update.
public enum ByzantineAttack: String, Sendable, CaseIterable, Hashable {
  /// The honest update, negated.
  case signFlip = "signflip"
  /// Gaussian noise, N(0, 1) per parameter (`gaussianStandardDeviation`).
  case gaussian
  /// Honest training on flipped labels (y -> classes - 1 - y): the shard is poisoned.
  case labelFlip = "labelflip"
  /// "A Little Is Enough" (Baruch et al. 2019): the colluders' mean minus z standard deviations
  /// per coordinate, z from the number of updates needed for a majority.
  case alie
  /// Inner-product manipulation (Xie et al. 2020): minus epsilon times the colluders' mean.
  case ipm
  /// An attacker that knows the rule is distance-based (Shejwalkar and Houmansadr 2021,
  /// "min-max"): the mean minus gamma standard deviations, gamma as large as keeps the update
  /// within the largest distance between two honest updates, so distance filters keep it.
  case adaptive
  /// Model-replacement backdoor (Bagdasaryan et al. 2020): training on a shard where some
  /// images carry a trigger patch and the target label, the update scaled up.
  case backdoor
  /// A free-rider that sends the model back unchanged (a zero update) and claims its samples.
  case freeRider = "freerider"
  /// A free-rider that sends small random noise instead of training.
  case noiseFreeRider = "noisefreerider"
  /// Not an attack but the experiment's control: the Byzantine peers answer with weight 0 (no
  /// samples), so every aggregator refuses them. The run is what a perfect defence would give
  /// (the honest peers' data alone), the ceiling for every rule under the other attacks.
  case abstain

  /// Whether the attack works by poisoning the attacker's shard (the experiment builds it).
  public var poisonsData: Bool { self == .labelFlip || self == .backdoor }
}

/// A training backend in which some peers are Byzantine: they train on their (possibly
/// poisoned) shards through the honest backend, then send what their attack says. Colluding
/// attackers (ALIE, IPM, adaptive) estimate the honest distribution from their own honest
/// updates of the same base model, as the published attacks do without omniscience.
public final class ByzantineTraining: TrainingBackend {
  public let honest: any TrainingBackend
  public let attackers: [Int]
  public let attack: ByzantineAttack
  /// The backdoor's update scale (model replacement boosts the poisoned update).
  public var backdoorBoost: Float = 5
  /// The Gaussian attack's standard deviation per parameter.
  public var gaussianStandardDeviation: Float = 1
  /// IPM's epsilon.
  public var inProductEpsilon: Float = 0.5
  private let attackerSet: Set<Int>
  private var generator: SeededGenerator
  private var colluders: (base: Digest, deltas: [[Float]], weights: [UInt32])?

  public init(honest: any TrainingBackend, attackers: [Int], attack: ByzantineAttack, seed: UInt64)
  {
    self.honest = honest
    self.attackers = attackers.sorted()
    self.attackerSet = Set(attackers)
    self.attack = attack
    self.generator = SeededGenerator(seed: seed ^ 0xB1_2A47)
  }

  public var modelLength: Int { honest.modelLength }
  public func sampleCount(peer: Int) -> Int { honest.sampleCount(peer: peer) }
  public func accuracy(of parameters: [Float]) -> Double { honest.accuracy(of: parameters) }

  public func train(peer: Int, from parameters: [Float]) -> (weight: UInt32, delta: [Float]) {
    guard attackerSet.contains(peer) else { return honest.train(peer: peer, from: parameters) }
    switch attack {
    case .labelFlip:
      return honest.train(peer: peer, from: parameters)
    case .backdoor:
      let (weight, delta) = honest.train(peer: peer, from: parameters)
      return (weight, delta.map { $0 * backdoorBoost })
    case .signFlip:
      let (weight, delta) = honest.train(peer: peer, from: parameters)
      return (weight, delta.map { -$0 })
    case .gaussian:
      return (claimedWeight(peer), gaussianVector(standardDeviation: gaussianStandardDeviation))
    case .freeRider:
      return (claimedWeight(peer), [Float](repeating: 0, count: parameters.count))
    case .noiseFreeRider:
      return (claimedWeight(peer), gaussianVector(standardDeviation: 0.001))
    case .abstain:
      return (0, [Float](repeating: 0, count: parameters.count))
    case .alie, .ipm, .adaptive:
      let shared = colludersUpdates(from: parameters)
      let index = attackers.firstIndex(of: peer)!
      return (
        shared.weights[index],
        CollusionAttacks.craft(attack, from: shared.deltas, epsilon: inProductEpsilon)
      )
    }
  }

  /// The samples an attacker claims: what its shard would give an honest trainer.
  private func claimedWeight(_ peer: Int) -> UInt32 {
    UInt32(min(max(honest.sampleCount(peer: peer), 1), Int(GroupAggregation.updateWeightMax)))
  }

  private func gaussianVector(standardDeviation: Float) -> [Float] {
    (0..<honest.modelLength).map { _ in standardDeviation * generator.nextNormal() }
  }

  /// Every attacker's honest update from `parameters`, computed once per base model.
  private func colludersUpdates(from parameters: [Float]) -> (deltas: [[Float]], weights: [UInt32])
  {
    let base = Digest.of(values: parameters)
    if let colluders, colluders.base == base { return (colluders.deltas, colluders.weights) }
    let trained = attackers.map { honest.train(peer: $0, from: parameters) }
    colluders = (base, trained.map(\.delta), trained.map(\.weight))
    return (trained.map(\.delta), trained.map(\.weight))
  }
}

/// The attacks that colluders craft from their honest updates.
public enum CollusionAttacks {
  /// The crafted update for `attack` (ALIE, IPM or adaptive) from the colluders' honest
  /// updates. The total number of updates in a round is taken as four times the colluders
  /// (a 25% Byzantine share) for ALIE's z.
  /// - Complexity: O(k d) for k colluders of d values (adaptive: times its bisection steps).
  public static func craft(
    _ attack: ByzantineAttack, from honest: [[Float]], epsilon: Float = 0.5
  ) -> [Float] {
    let (mean, deviation) = meanAndDeviation(honest)
    switch attack {
    case .ipm:
      return mean.map { -epsilon * $0 }
    case .alie:
      let z = Float(alieZ(updateCount: 4 * honest.count, byzantineCount: honest.count))
      return zip(mean, deviation).map { $0 - z * $1 }
    default:
      return minMax(mean: mean, deviation: deviation, honest: honest)
    }
  }

  /// Per-coordinate mean and standard deviation.
  static func meanAndDeviation(_ updates: [[Float]]) -> (mean: [Float], deviation: [Float]) {
    let count = Float(updates.count)
    var mean = [Float](repeating: 0, count: updates[0].count)
    for update in updates { for index in mean.indices { mean[index] += update[index] / count } }
    var variance = [Float](repeating: 0, count: mean.count)
    for update in updates {
      for index in mean.indices {
        let difference = update[index] - mean[index]
        variance[index] += difference * difference / count
      }
    }
    return (mean, variance.map { $0.squareRoot() })
  }

  /// ALIE's z: the largest deviation that still leaves the attackers a majority-making share
  /// of honest updates farther from the mean, z = Phi^-1((n - s) / n), s = floor(n/2 + 1) - f.
  public static func alieZ(updateCount n: Int, byzantineCount f: Int) -> Double {
    let supporters = max(n / 2 + 1 - f, 0)
    let probability = min(max(Double(n - supporters) / Double(n), 0.5), 0.999)
    return inverseNormal(probability)
  }

  /// The standard normal quantile by bisection on erf (enough for ALIE's one value per run).
  static func inverseNormal(_ probability: Double) -> Double {
    var low = -8.0
    var high = 8.0
    for _ in 0..<80 {
      let middle = (low + high) / 2
      if 0.5 * (1 + erf(middle / 2.squareRoot())) < probability {
        low = middle
      } else {
        high = middle
      }
    }
    return (low + high) / 2
  }

  /// Min-max: mean - gamma * deviation with the largest gamma whose farthest distance to an
  /// honest update stays within the largest distance between two honest updates.
  static func minMax(mean: [Float], deviation: [Float], honest: [[Float]]) -> [Float] {
    func distance(_ first: [Float], _ second: [Float]) -> Float {
      var total: Float = 0
      for index in first.indices {
        let difference = first[index] - second[index]
        total += difference * difference
      }
      return total.squareRoot()
    }
    var bound: Float = 0
    for first in honest.indices {
      for second in honest.indices where second > first {
        bound = max(bound, distance(honest[first], honest[second]))
      }
    }
    func crafted(_ gamma: Float) -> [Float] { zip(mean, deviation).map { $0 - gamma * $1 } }
    var low: Float = 0
    var high: Float = 50
    for _ in 0..<30 {
      let gamma = (low + high) / 2
      let candidate = crafted(gamma)
      if honest.allSatisfy({ distance(candidate, $0) <= bound }) {
        low = gamma
      } else {
        high = gamma
      }
    }
    return crafted(low)
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
