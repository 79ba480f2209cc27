import Foundation
import Testing

@testable import Datasets

@Suite struct MNISTFormatTests {
  let directory = TemporaryDirectory()

  /// Writes a training set of `trainCount` and a test set of `testCount` samples.
  func writeDataset(trainCount: Int = 6, testCount: Int = 4, isGzipped: Bool = false) {
    let suffix = isGzipped ? ".gz" : ""
    let train = makeMNISTFiles(count: trainCount)
    let test = makeMNISTFiles(count: testCount)
    let files = [
      (MNISTFormat.trainImagesName, train.images), (MNISTFormat.trainLabelsName, train.labels),
      (MNISTFormat.testImagesName, test.images), (MNISTFormat.testLabelsName, test.labels),
    ]
    for (name, file) in files {
      if isGzipped {
        directory.writeGzipped(file.encoded(), to: name + suffix)
      } else {
        directory.write(file.encoded(), to: name)
      }
    }
  }

  func path(_ name: String) -> String { directory.path + "/" + name }

  @Test(arguments: [false, true])
  func loadsTrainAndTestSetsFromPlainOrGzippedFiles(isGzipped: Bool) throws {
    writeDataset(isGzipped: isGzipped)
    let split = try MNISTFormat.load(directory: directory.path)
    #expect(split.train.count == 6)
    #expect(split.test.count == 4)
    #expect(split.train.sampleShape == [4, 3, 1])
    #expect(split.train.classCount == 10)
    #expect(split.train.labels == [0, 1, 2, 3, 4, 5])
    #expect(split.train.isByteStorage)
    let (inputs, labels) = split.train.batch([1])
    #expect(labels == [1])
    // Sample 1 holds file pixels 12..<24, stored as `i % 251`; identity gives byte / 255.
    #expect(inputs.scalars == (12..<24).map { Float($0) / 255 })
  }

  @Test func plainFileIsPreferredOverGzippedOne() throws {
    writeDataset(trainCount: 6)
    directory.writeGzipped(
      makeMNISTFiles(count: 2).labels.encoded(), to: "train-labels-idx1-ubyte.gz")
    #expect(try MNISTFormat.load(directory: directory.path).train.count == 6)
  }

  @Test func missingFileIsNamedInTheError() {
    writeDataset()
    try? FileManager.default.removeItem(atPath: path(MNISTFormat.testLabelsName))
    #expect(throws: DatasetError.fileMissing(path: path(MNISTFormat.testLabelsName))) {
      try MNISTFormat.load(directory: directory.path)
    }
  }

  @Test func fewerLabelsThanImagesThrowsCountMismatch() {
    writeDataset()
    directory.write(makeMNISTFiles(count: 5).labels.encoded(), to: MNISTFormat.trainLabelsName)
    #expect(
      throws: DatasetError.countMismatch(
        path: path(MNISTFormat.trainImagesName), count: 6,
        otherPath: path(MNISTFormat.trainLabelsName), otherCount: 5)
    ) {
      try MNISTFormat.load(directory: directory.path)
    }
  }

  @Test func labelOfTenThrowsLabelOutOfRange() {
    writeDataset()
    let labels = IDXFile(
      magic: IDXFile.labelsMagic, dimensions: [6], elements: [0, 1, 2, 10, 4, 5])
    directory.write(labels.encoded(), to: MNISTFormat.trainLabelsName)
    #expect(
      throws: DatasetError.labelOutOfRange(
        path: path(MNISTFormat.trainLabelsName), index: 3, label: 10, classCount: 10)
    ) {
      try MNISTFormat.load(directory: directory.path)
    }
  }

  @Test func testImagesOfAnotherSizeThrowShapeMismatch() {
    writeDataset()
    let test = makeMNISTFiles(count: 4, rows: 5, columns: 3)
    directory.write(test.images.encoded(), to: MNISTFormat.testImagesName)
    #expect(
      throws: DatasetError.shapeMismatch(
        path: path(MNISTFormat.testImagesName), shape: [5, 3, 1],
        otherPath: path(MNISTFormat.trainImagesName), otherShape: [4, 3, 1])
    ) {
      try MNISTFormat.load(directory: directory.path)
    }
  }

  @Test func imagesWithoutColumnsThrowEmptyDimension() {
    writeDataset()
    let empty = IDXFile(magic: IDXFile.imagesMagic, dimensions: [6, 4, 0], elements: [])
    directory.write(empty.encoded(), to: MNISTFormat.trainImagesName)
    #expect(throws: DatasetError.emptyDimension(path: path(MNISTFormat.trainImagesName), axis: 2)) {
      try MNISTFormat.load(directory: directory.path)
    }
  }

  @Test func gzipFailingItsChecksumThrowsCorruptGzip() throws {
    writeDataset(isGzipped: true)
    let name = MNISTFormat.trainImagesName + ".gz"
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    bytes[bytes.count - 8] ^= 0xFF  // The first byte of the CRC-32 in the trailer.
    directory.write(bytes, to: name)
    #expect {
      try MNISTFormat.load(directory: directory.path)
    } throws: { error in
      guard case .corruptGzip(let file, _) = error as? DatasetError else { return false }
      return file == path(name)
    }
  }
}
