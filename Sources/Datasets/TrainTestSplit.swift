/// A training set and a test set of the same kind of samples.
public struct TrainTestSplit: Sendable {
  public var train: LabeledDataset
  public var test: LabeledDataset

  public init(train: LabeledDataset, test: LabeledDataset) {
    self.train = train
    self.test = test
  }
}
