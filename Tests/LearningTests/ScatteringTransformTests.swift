import Tensors
import Testing

@testable import Learning

@Test("J = 2, L = 8 on 28 × 28 images gives 81 channels on a 7 × 7 grid")
func outputShape() {
  let transform = ScatteringTransform(scales: 2, orientations: 8)
  #expect(transform.channelCount == 81)
  var generator = SeededGenerator(seed: 1)
  let images = Tensor.randomUniform(shape: [3, 28, 28, 1], lower: 0, upper: 1, using: &generator)
  let features = transform(images)
  #expect(features.shape == [3, 7, 7, 81])
  #expect(features.scalars.allSatisfy { $0.isFinite })
}

@Test("Wavelets have zero mean and the low-pass filter sums to about 1")
func filterNormalisation() {
  let transform = ScatteringTransform()
  for bank in transform.wavelets {
    let size = bank.shape[1] * bank.shape[2]
    let values = bank.scalars
    for filter in 0..<bank.shape[0] {
      let sum = values[(filter * size)..<((filter + 1) * size)].reduce(0, +)
      #expect(abs(sum) < 1e-4)
    }
  }
  for lowPass in transform.lowPasses { #expect(abs(lowPass.sum() - 1) < 0.02) }
}

@Test("A blank image has zero wavelet responses; moduli are non-negative")
func blankAndNonNegative() {
  let transform = ScatteringTransform()
  let blank = transform(Tensor(zeros: [1, 28, 28, 1]))
  #expect(blank.scalars.allSatisfy { $0 == 0 })
  var generator = SeededGenerator(seed: 2)
  let features = transform(
    Tensor.randomUniform(shape: [2, 28, 28, 1], lower: 0, upper: 1, using: &generator))
  // Channel 0 is the low-pass of a non-negative image; the others are low-passed moduli.
  #expect(features.scalars.allSatisfy { $0 >= -1e-5 })
}

@Test("Each example is transformed independently of the rest of the batch")
func examplesAreIndependent() {
  let transform = ScatteringTransform()
  var generator = SeededGenerator(seed: 3)
  let images = Tensor.randomUniform(shape: [4, 28, 28, 1], lower: 0, upper: 1, using: &generator)
  let batch = transform(images)
  let alone = transform(images.slice(alongAxis: 0, 2..<3))
  #expect(batch.slice(alongAxis: 0, 2..<3).maximumAbsoluteDifference(alone) < 1e-5)
}

@Test("Group normalisation gives each example's channel groups mean 0 and variance 1")
func groupNormalisation() {
  var generator = SeededGenerator(seed: 4)
  let features = Tensor.randomUniform(shape: [2, 3, 3, 6], lower: 0, upper: 5, using: &generator)
  let normalized = ScatteringTransform.normalizedInGroups(features, groups: 3, epsilon: 0)
  let values = normalized.scalars
  for example in 0..<2 {
    for group in 0..<3 {
      var members: [Float] = []
      for position in 0..<9 {
        for channel in (2 * group)..<(2 * group + 2) {
          members.append(values[example * 54 + position * 6 + channel])
        }
      }
      let mean = members.reduce(0, +) / 18
      let variance = members.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 18
      #expect(abs(mean) < 1e-5 && abs(variance - 1) < 1e-4)
    }
  }
}
