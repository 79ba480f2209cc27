import Datasets
import Testing

@testable import Commands

@Test("Scattering features of 28 × 28 images are 7 × 7 × 81, group-normalised per example")
func scatteringFeaturesOfImages() {
  let images = LabeledDataset.brightSquares(classCount: 10, count: 20, seed: 1)
  let features = ScatteringFeatures.features(of: images)
  #expect(features.sampleShape == [7, 7, 81])
  #expect(features.count == 20 && features.labels == images.labels)
  let first = features.batch([0]).inputs.scalars
  let mean = first.reduce(0, +) / Float(first.count)
  #expect(abs(mean) < 1e-3)
}
