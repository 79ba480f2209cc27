import Tensors
import Testing

@testable import Datasets

@Suite struct LabeledDatasetTests {
  /// Four 2×2×1 byte images; image `i` holds bytes `10 i ..< 10 i + 4`.
  let images = LabeledDataset(
    sampleShape: [2, 2, 1], classCount: 3, labels: [0, 1, 2, 1],
    bytes: (0..<4).flatMap { image in (0..<4).map { UInt8(10 * image + $0) } },
    normalization: Normalization(mean: 0.5, standardDeviation: 0.25))

  /// Three samples of two features.
  let features = LabeledDataset(
    sampleShape: [2], classCount: 2, labels: [1, 0, 1], features: [1, 2, 3, 4, 5, 6])

  @Test func batchHasTheBatchAxisFirstAndTheLabelsInOrder() {
    let (inputs, labels) = images.batch([3, 0])
    #expect(inputs.shape == [2, 2, 2, 1])
    #expect(labels == [1, 0])
  }

  @Test func batchNormalisesBytesWithTheReferenceFormula() {
    let (inputs, _) = images.batch([2, 1])
    let expected = [20, 21, 22, 23, 10, 11, 12, 13].map { (Float($0) / 255 - 0.5) / 0.25 }
    #expect(inputs.scalars == expected)
  }

  @Test func batchAcceptsAnyCollectionOfIndices() {
    #expect(images.batch(1..<3).labels == [1, 2])
    #expect(images.batch([0, 3][...]).labels == [0, 1])
    #expect(images.batch([Int]()).inputs.shape == [0, 2, 2, 1])
  }

  @Test func batchOfFeaturesCopiesThemUnderTheIdentity() {
    let (inputs, labels) = features.batch([2, 0])
    #expect(inputs.shape == [2, 2])
    #expect(inputs.scalars == [5, 6, 1, 2])
    #expect(labels == [1, 1])
  }

  @Test func settingTheNormalisationChangesLaterBatches() {
    var dataset = images
    dataset.normalization = .identity
    #expect(dataset.batch([1]).inputs.scalars == [10, 11, 12, 13].map { Float($0) / 255 })
    var standardised = features
    standardised.normalization = Normalization(means: [1, 2], standardDeviations: [2, 4])
    let expected: [Float] = [(3 - 1) / 2, (4 - 2) / 4]
    #expect(standardised.batch([1]).inputs.scalars == expected)
  }

  @Test func perChannelNormalisationAppliesToTheLastAxis() {
    // One 1×2×3 image: two pixels of three channels, bytes 0, 51, 102 and 153, 204, 255.
    let dataset = LabeledDataset(
      sampleShape: [1, 2, 3], classCount: 1, labels: [0], bytes: [0, 51, 102, 153, 204, 255],
      normalization: Normalization(means: [0, 0.5, 1], standardDeviations: [1, 0.5, 0.25]))
    let values = dataset.batch([0]).inputs.scalars
    let expected: [Float] = [
      0, (0.2 - 0.5) / 0.5, (0.4 - 1) / 0.25, 0.6, (0.8 - 0.5) / 0.5, (1 - 1) / 0.25,
    ]
    for (value, reference) in zip(values, expected) { #expect(abs(value - reference) < 1e-6) }
  }

  @Test func subsetKeepsTheChosenSamplesInOrder() {
    let subset = images.subset([3, 1, 3])
    #expect(subset.count == 3)
    #expect(subset.labels == [1, 1, 1])
    #expect(subset.normalization == images.normalization)
    #expect(subset.batch(0..<3).inputs == images.batch([3, 1, 3]).inputs)
    #expect(features.subset([1]).batch([0]).inputs.scalars == [3, 4])
  }

  @Test func prefixTakesTheFirstSamplesAndAllWhenAskedForMore() {
    #expect(images.prefix(2).labels == [0, 1])
    #expect(images.prefix(0).count == 0)
    #expect(images.prefix(100).count == 4)
  }

  @Test func labelCountsCountEachClass() {
    #expect(images.labelCounts() == [1, 2, 1])
  }

  @Test func storageIsBytesForImagesAndFloatsForFeatures() {
    #expect(images.isByteStorage && images.sampleStorageBytes == 16)
    #expect(!features.isByteStorage && features.sampleStorageBytes == 24)
  }

  @Test func fittedNormalisationStandardisesEachFeature() {
    let fitted = features.fittedNormalization()
    #expect(fitted.means == [3, 4])
    let deviation = Float((8.0 / 3).squareRoot())
    #expect(fitted.standardDeviations.allSatisfy { abs($0 - deviation) < 1e-5 })
    var standardised = features
    standardised.normalization = fitted
    let values = standardised.batch(0..<3).inputs.scalars
    #expect(abs(values.reduce(0, +)) < 1e-5)
  }

  @Test func fittedNormalisationOfBytesUsesUnitIntensities() {
    let dataset = LabeledDataset(sampleShape: [2, 1], classCount: 1, labels: [0], bytes: [0, 255])
    let fitted = dataset.fittedNormalization()
    #expect(fitted.means == [0.5])
    #expect(fitted.standardDeviations == [0.5])
  }

  @Test func constantFeatureGetsUnitDeviation() {
    let dataset = LabeledDataset(
      sampleShape: [1], classCount: 1, labels: [0, 0], features: [7, 7])
    #expect(dataset.fittedNormalization().standardDeviations == [1])
  }

  @Test func indexOutsideTheDatasetIsAProgrammerError() async {
    await #expect(processExitsWith: .failure) {
      let dataset = LabeledDataset(
        sampleShape: [1], classCount: 1, labels: [0], features: [1])
      _ = dataset.batch([1])
    }
  }
}
