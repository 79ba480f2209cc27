import Testing

@testable import Datasets

@Suite struct CIFAR10Tests {
  let directory = TemporaryDirectory()

  /// A record whose label is `label` and whose byte at plane `c`, position `p` is
  /// `(label + 3 c + p) % 256`, so every byte tells where it came from.
  func record(label: UInt8) -> [UInt8] {
    [label]
      + (0..<3).flatMap { channel in
        (0..<1024).map { UInt8(truncatingIfNeeded: Int(label) + 3 * channel + $0) }
      }
  }

  @Test func recordsAreReorderedFromPlanesToInterleavedPixels() throws {
    let path = directory.write(record(label: 7) + record(label: 2), to: "batch.bin")
    let (images, labels) = try CIFAR10.readBatch(path: path)
    #expect(labels == [7, 2])
    #expect(images.count == 2 * 3072)
    for (image, label) in [(0, 7), (1, 2)] {
      for (row, column) in [(0, 0), (0, 31), (17, 5), (31, 31)] {
        for channel in 0..<3 {
          let position = row * 32 + column
          let hwc = image * 3072 + position * 3 + channel
          #expect(images[hwc] == UInt8(truncatingIfNeeded: label + 3 * channel + position))
        }
      }
    }
  }

  @Test func loadReadsFiveTrainingFilesAndTheTestFile() throws {
    for (index, name) in CIFAR10.trainFileNames.enumerated() {
      directory.write(record(label: UInt8(index)) + record(label: 9), to: name)
    }
    directory.write(record(label: 4), to: CIFAR10.testFileName)
    let split = try CIFAR10.load(directory: directory.path)
    #expect(split.train.count == 10)
    #expect(split.train.labels == [0, 9, 1, 9, 2, 9, 3, 9, 4, 9])
    #expect(split.test.count == 1)
    #expect(split.train.sampleShape == [32, 32, 3])
    #expect(split.train.normalization == CIFAR10.normalization)
  }

  @Test func batchNormalisesEachChannelWithItsOwnConstants() throws {
    let path = directory.write(record(label: 0), to: "batch.bin")
    let dataset = try CIFAR10.loadSet(paths: [path])
    let inputs = dataset.batch([0]).inputs
    let means: [Float] = [0.4914, 0.4822, 0.4465]
    let deviations: [Float] = [0.2470, 0.2435, 0.2616]
    for channel in 0..<3 {
      let byte = Float(3 * channel + 33)  // Row 1, column 1: position 33.
      #expect(inputs[0, 1, 1, channel] == (byte / 255 - means[channel]) / deviations[channel])
    }
  }

  @Test(arguments: [1, 3072, 3074, 6145])
  func sizeNotAMultipleOfTheRecordThrowsPartialRecord(length: Int) {
    let bytes = Array((record(label: 1) + record(label: 2)).prefix(length))
    let path = directory.write(bytes, to: "batch.bin")
    #expect(throws: DatasetError.partialRecord(path: path, bytes: length, recordBytes: 3073)) {
      try CIFAR10.readBatch(path: path)
    }
  }

  @Test func labelOfTenThrowsLabelOutOfRange() {
    let path = directory.write(record(label: 3) + record(label: 10), to: "batch.bin")
    #expect(throws: DatasetError.labelOutOfRange(path: path, index: 1, label: 10, classCount: 10)) {
      try CIFAR10.readBatch(path: path)
    }
  }

  @Test func missingTrainingFileIsNamed() {
    directory.write(record(label: 0), to: CIFAR10.testFileName)
    let path = directory.path + "/" + CIFAR10.trainFileNames[0]
    #expect(throws: DatasetError.fileMissing(path: path)) {
      try CIFAR10.load(directory: directory.path)
    }
  }
}
