import Tensors
import Testing

@testable import Datasets

@Suite struct SyntheticDatasetTests {
  @Test func clustersAreDeterministicFromTheSeed() {
    let first = LabeledDataset.gaussianClusters(classCount: 3, featureCount: 4, count: 30, seed: 7)
    let again = LabeledDataset.gaussianClusters(classCount: 3, featureCount: 4, count: 30, seed: 7)
    let other = LabeledDataset.gaussianClusters(classCount: 3, featureCount: 4, count: 30, seed: 8)
    #expect(first.batch(0..<30).inputs == again.batch(0..<30).inputs)
    #expect(first.batch(0..<30).inputs != other.batch(0..<30).inputs)
  }

  @Test func clustersHaveTheAskedShapeAndBalancedClasses() {
    let dataset = LabeledDataset.gaussianClusters(
      classCount: 4, featureCount: 2, count: 402, seed: 1)
    #expect(dataset.sampleShape == [2])
    #expect(dataset.classCount == 4)
    #expect(dataset.labelCounts() == [101, 101, 100, 100])
  }

  /// Class means fitted on the first half classify the second half: the clusters are
  /// separable, which is what a small MLP needs to reach high accuracy.
  @Test(arguments: [(4, 2), (10, 8), (3, 20)])
  func nearestClassMeanSeparatesClusters(classCount: Int, featureCount: Int) {
    let count = 2_000
    let dataset = LabeledDataset.gaussianClusters(
      classCount: classCount, featureCount: featureCount, count: count, seed: 42)
    let values = dataset.batch(0..<count).inputs.scalars
    var means = [[Float]](repeating: [Float](repeating: 0, count: featureCount), count: classCount)
    for sample in 0..<count / 2 {
      for feature in 0..<featureCount {
        means[Int(dataset.labels[sample])][feature] +=
          values[sample * featureCount + feature] / Float(count / 2 / classCount)
      }
    }
    var correct = 0
    for sample in count / 2..<count {
      let point = values[sample * featureCount..<(sample + 1) * featureCount]
      let distances = means.map { mean in
        zip(mean, point).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
      }
      if distances.firstIndex(of: distances.min()!) == Int(dataset.labels[sample]) { correct += 1 }
    }
    #expect(Double(correct) / Double(count / 2) > 0.95)
  }

  @Test func squaresAreDeterministicAndBalanced() {
    let first = LabeledDataset.brightSquares(classCount: 10, count: 50, seed: 3)
    let again = LabeledDataset.brightSquares(classCount: 10, count: 50, seed: 3)
    let other = LabeledDataset.brightSquares(classCount: 10, count: 50, seed: 4)
    #expect(first.sampleShape == [28, 28, 1])
    #expect(first.isByteStorage)
    #expect(first.labelCounts() == [Int](repeating: 5, count: 10))
    #expect(first.batch(0..<50).inputs == again.batch(0..<50).inputs)
    #expect(first.batch(0..<50).inputs != other.batch(0..<50).inputs)
  }

  @Test func brightestCellOfEachSquareImageIsItsClass() {
    let dataset = LabeledDataset.brightSquares(classCount: 16, count: 64, seed: 11)
    let values = dataset.batch(0..<64).inputs.scalars
    for sample in 0..<64 {
      var cellSums = [Float](repeating: 0, count: 16)
      for row in 0..<28 {
        for column in 0..<28 {
          cellSums[row / 7 * 4 + column / 7] += values[sample * 784 + row * 28 + column]
        }
      }
      #expect(cellSums.firstIndex(of: cellSums.max()!) == Int(dataset.labels[sample]))
    }
  }
}
