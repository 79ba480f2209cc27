import Datasets
import Learning
import Simulation

/// The small federated task the security simulation tests share: bright squares of 4 classes,
/// IID shards for `peers - 1` trainers behind one data-less coordinator, an mlp.
struct BrightSquaresFederation {
  let honest: ShardTraining
  let initialModel: [Float]

  init(peers: Int) throws {
    let train = LabeledDataset.brightSquares(classCount: 4, count: 1_000, seed: 1)
    let test = LabeledDataset.brightSquares(classCount: 4, count: 200, seed: 2)
    let parts = try Partitioning.iid.partition(
      labels: train.labels, classCount: 4, peerCount: peers - 1, seed: 3)
    let model = ModelArchitecture.mlp(inputs: 784, classes: 4).makeModel(seed: 3)
    honest = ShardTraining(
      model: model, shards: [train.subset([])] + parts.map { train.subset($0) }, test: test,
      batchSize: 16, learningRate: 0.05, momentum: 0.9, localSteps: 5, seed: 4)
    initialModel = model.flattenedParameters()
  }
}
