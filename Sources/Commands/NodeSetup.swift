import Configuration
import Coordination
import Datasets
import Learning
import Node
import NodeRuntime
import Simulation
import Wire

/// What `simulate` and `node` build alike from a configuration: the settings every node of the
/// project agrees on.
enum NodeSetup {
  /// The settings of a project whose founding council is `council` and whose rounds sample up
  /// to `trainersPerRound` trainers.
  static func settings(
    _ configuration: ProjectConfiguration, mode: TopologyMode, council: [PeerID],
    modelLength: Int, trainersPerRound: Int, samplingRate: Double
  ) throws -> NodeSettings {
    let topology = configuration.topology
    var node = NodeSettings(
      mode: mode,
      plan: RoundPlan(
        trainersPerRound: max(trainersPerRound, 1),
        roundDurationMilliseconds: UInt64((topology.roundDeadlineSeconds * 1000).rounded())),
      modelLength: modelLength, council: council)
    if topology.membership { node.membership = MembershipConfiguration() }
    node.aggregatorCount = topology.aggregators
    node.replacesCouncilMembers = topology.replaceCouncilMembers
    node.rotatesCouncilMembers = topology.rotateCouncil
    node.handsOverToRankedCoordinator = topology.rankedCoordinator
    node.rotateEvery = topology.rotateEvery
    node.councilMembersTrain = topology.councilTrains
    node.councilEligibleAfterRounds = topology.councilEligibleAfterRounds
    node.bansMisbehavingAggregators = configuration.security.admission.banMisbehavingAggregators
    node.auditFraction = configuration.security.auditFraction
    node.security = try SecuritySetup.nodeSecurity(configuration, samplingRate: samplingRate)
    return node
  }
}

/// A real node's training: the configured model on this peer's own shard.
final class ShardLocalTraining: LocalTraining {
  let training: ShardTraining
  let hasTestSet: Bool

  init(training: ShardTraining, hasTestSet: Bool) {
    self.training = training
    self.hasTestSet = hasTestSet
  }

  var modelLength: Int { training.modelLength }
  var samplesPerRound: Int { training.sampleCount(peer: 0) }
  var batchSize: Int { training.batchSize }

  func train(from model: [Float], samplesMax: Int) -> (weight: UInt32, delta: [Float]) {
    training.train(peer: 0, from: model, samplesMax: samplesMax)
  }

  func evaluate(_ model: [Float]) -> Double? {
    hasTestSet ? training.accuracy(of: model) : nil
  }
}
