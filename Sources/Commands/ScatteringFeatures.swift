import Datasets
import Learning
import Tensors

/// Turns image datasets into scattering features for `scatternet-linear`.
///
/// The transform is fixed (J = 2, L = 8) and each example's features are group-normalised on
/// their own (27 groups of 3 channels, as Tramèr and Boneh 2021 do), so the features of one
/// image depend on that image only: computing them costs no privacy.
enum ScatteringFeatures {
  static let transform = ScatteringTransform(scales: 2, orientations: 8)
  static let groups = 27
  /// Images transformed at a time: bounds the wavelet responses held at once (about 100 MB).
  static let imagesPerChunk = 256

  /// The feature shape for images of `imageShape` (`[28, 28, 1]` gives `[7, 7, 81]`).
  static func featureShape(imageShape: [Int]) -> [Int] {
    let step = 1 << transform.scales
    return [
      (imageShape[0] + step - 1) / step, (imageShape[1] + step - 1) / step,
      transform.channelCount,
    ]
  }

  /// The features of every image of `dataset`, from its raw pixels in [0, 1] (so that the zero
  /// padding of the filters matches the black background).
  static func features(of dataset: LabeledDataset) -> LabeledDataset {
    var raw = dataset
    raw.normalization = .identity
    let shape = featureShape(imageShape: dataset.sampleShape)
    let featureCount = shape.reduce(1, *)
    var values = [Float]()
    values.reserveCapacity(dataset.count * featureCount)
    var first = 0
    while first < dataset.count {
      let images = raw.batch(first..<min(first + imagesPerChunk, dataset.count)).inputs
      let features = ScatteringTransform.normalizedInGroups(transform(images), groups: groups)
      features.withUnsafeBufferPointer { values.append(contentsOf: $0) }
      first += imagesPerChunk
    }
    return LabeledDataset(
      sampleShape: shape, classCount: dataset.classCount, labels: dataset.labels,
      features: values)
  }
}
