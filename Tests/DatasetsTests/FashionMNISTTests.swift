import Foundation
import Testing

@testable import Datasets

/// Checks against the real files of Debian's `dataset-fashion-mnist`; skipped where it is absent.
@Suite(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory)))
struct FashionMNISTTests {
  /// Loaded once for all tests (Swift Testing builds the suite anew for every test).
  static let loaded = Result { () throws(DatasetError) in try FashionMNIST.load(cache: nil) }
  let split: TrainTestSplit

  init() throws {
    split = try Self.loaded.get()
  }

  @Test func hasSixtyThousandTrainingAndTenThousandTestImages() {
    #expect(split.train.count == 60_000)
    #expect(split.test.count == 10_000)
    #expect(split.train.sampleShape == [28, 28, 1])
    #expect(split.train.classCount == 10)
  }

  @Test func classesAreBalanced() {
    #expect(split.train.labelCounts() == [Int](repeating: 6_000, count: 10))
    #expect(split.test.labelCounts() == [Int](repeating: 1_000, count: 10))
  }

  @Test func firstLabelsAreTheKnownOnes() {
    // The first training images are an ankle boot, a T-shirt, a T-shirt, a dress, a T-shirt.
    #expect(Array(split.train.labels.prefix(5)) == [9, 0, 0, 3, 0])
    #expect(Array(split.test.labels.prefix(5)) == [9, 2, 1, 1, 6])
  }

  @Test func storesBytesNotFloats() {
    #expect(split.train.isByteStorage)
    #expect(split.train.sampleStorageBytes == 60_000 * 784)
  }

  @Test func batchAppliesTheReferenceNormalisation() throws {
    let indices = [0, 59_999, 12_345]
    let (inputs, labels) = split.train.batch(indices)
    #expect(inputs.shape == [3, 28, 28, 1])
    #expect(labels == indices.map { split.train.labels[$0] })
    let bytes = try IDXFile(
      contentsOf: FashionMNIST.defaultDirectory + "/train-images-idx3-ubyte.gz",
      expectedMagic: IDXFile.imagesMagic
    ).elements
    for (row, index) in indices.enumerated() {
      for pixel in [0, 300, 405, 783] {
        let byte = Float(bytes[index * 784 + pixel])
        let expected = (byte / 255 - 0.2860) / 0.3530
        #expect(inputs[row, pixel / 28, pixel % 28, 0] == expected)
      }
    }
  }

  @Test func pixelStatisticsMatchTheNormalisationConstants() {
    let fitted = split.train.fittedNormalization()
    #expect(abs(fitted.means[0] - 0.2860) < 0.0005)
    #expect(abs(fitted.standardDeviations[0] - 0.3530) < 0.0005)
  }
}
