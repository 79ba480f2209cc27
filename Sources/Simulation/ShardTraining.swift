import Datasets
import Learning
import Tensors

/// What simulated peers train with: the real engine on data shards, or synthetic updates.
public protocol TrainingBackend: AnyObject {
  var modelLength: Int { get }
  /// Samples peer `peer` trains on per round (its update's weight, and its training time).
  func sampleCount(peer: Int) -> Int
  /// Trains peer `peer` from `parameters`; returns the samples used and the parameter delta.
  func train(peer: Int, from parameters: [Float]) -> (weight: UInt32, delta: [Float])
  /// Quality of a model in 0...1 (test accuracy, or closeness to the optimum for synthetic runs).
  func accuracy(of parameters: [Float]) -> Double
}

/// Real-training fidelity: every simulated peer trains the real model on its own shard.
///
/// One model instance serves all peers in turn (load the round's parameters, train, take the
/// delta), so memory does not grow with the number of peers.
public final class ShardTraining: TrainingBackend {
  public let model: any Layer
  public let shards: [LabeledDataset]
  public let test: LabeledDataset
  public let batchSize: Int
  public let learningRate: Float
  public let momentum: Float
  /// Optimizer steps per round; nil means one pass over the shard.
  public let localSteps: Int?
  private var generator: SeededGenerator

  public init(
    model: any Layer, shards: [LabeledDataset], test: LabeledDataset, batchSize: Int,
    learningRate: Float,
    momentum: Float, localSteps: Int?, seed: UInt64
  ) {
    self.model = model
    self.shards = shards
    self.test = test
    self.batchSize = batchSize
    self.learningRate = learningRate
    self.momentum = momentum
    self.localSteps = localSteps
    self.generator = SeededGenerator(seed: seed)
  }

  public var modelLength: Int { model.parameterCount }

  public func sampleCount(peer: Int) -> Int {
    let shard = shards[peer].count
    return localSteps.map { min(shard, $0 * batchSize) } ?? shard
  }

  /// Trains peer `peer` from `parameters`; returns the samples used and the parameter delta.
  public func train(peer: Int, from parameters: [Float]) -> (weight: UInt32, delta: [Float]) {
    train(peer: peer, from: parameters, samplesMax: nil)
  }

  /// Trains peer `peer` from `parameters` on at most `samplesMax` samples (whole batches, at
  /// least one): a real node that must meet a deadline trains on fewer.
  public func train(peer: Int, from parameters: [Float], samplesMax: Int?) -> (
    weight: UInt32, delta: [Float]
  ) {
    let shard = shards[peer]
    guard shard.count > 0 else { return (0, [Float](repeating: 0, count: parameters.count)) }
    model.assignParameters(from: parameters)
    let trainer = Trainer(
      model: model, optimizer: SGD(momentum: momentum), learningRate: learningRate)
    var order = Array(0..<shard.count)
    order.shuffle(using: &generator)
    var steps = localSteps ?? (shard.count + batchSize - 1) / batchSize
    if let samplesMax { steps = max(1, min(steps, samplesMax / max(batchSize, 1))) }
    var used = 0
    for step in 0..<steps {
      let start = (step * batchSize) % shard.count
      let indices = order[start..<min(start + batchSize, shard.count)]
      let batch = shard.batch(indices)
      trainer.train(inputs: batch.inputs, labels: batch.labels)
      used += indices.count
    }
    let trained = model.flattenedParameters()
    var delta = trained
    for index in 0..<delta.count { delta[index] -= parameters[index] }
    return (UInt32(min(used, Int(UInt32.max))), delta)
  }

  /// Test accuracy of `parameters`.
  public func accuracy(of parameters: [Float]) -> Double {
    model.assignParameters(from: parameters)
    let trainer = Trainer(model: model, optimizer: SGD(), learningRate: 1)
    var correct = 0
    var first = 0
    while first < test.count {
      let batch = test.batch(first..<min(first + 250, test.count))
      correct += trainer.evaluate(inputs: batch.inputs, labels: batch.labels).correct
      first += 250
    }
    return test.count == 0 ? 0 : Double(correct) / Double(test.count)
  }
}
