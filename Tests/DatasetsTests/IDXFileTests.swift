import Foundation
import Testing

@testable import Datasets

@Suite struct IDXFileTests {
  let directory = TemporaryDirectory()
  let images = makeMNISTFiles(count: 5).images

  @Test func plainFileRoundTripsThroughEncodedBytes() throws {
    let path = directory.write(images.encoded(), to: "images")
    let read = try IDXFile(contentsOf: path, expectedMagic: IDXFile.imagesMagic)
    #expect(read == images)
    #expect(read.dimensions == [5, 4, 3])
  }

  @Test func gzippedFileRoundTrips() throws {
    let path = directory.writeGzipped(images.encoded(), to: "images.gz")
    #expect(try IDXFile(contentsOf: path, expectedMagic: IDXFile.imagesMagic) == images)
  }

  @Test func gzipIsRecognisedByContentNotByName() throws {
    let path = directory.writeGzipped(images.encoded(), to: "images-without-suffix")
    #expect(try IDXFile(contentsOf: path, expectedMagic: IDXFile.imagesMagic) == images)
  }

  @Test func headerIsBigEndian() {
    let bytes = images.encoded()
    #expect(Array(bytes.prefix(16)) == [0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 3])
  }

  @Test(arguments: [0, 1, 3, 4, 7, 15, 16, 17, 75])
  func plainFileTruncatedAtAnyOffsetThrowsTruncated(length: Int) {
    let bytes = images.encoded()
    let path = directory.write(Array(bytes.prefix(length)), to: "short-\(length)")
    // Inside the header the reader knows only the header size; after it, the whole size.
    let expectedBytes = length < 16 ? (length < 4 ? 4 : 16) : bytes.count
    #expect(
      throws: DatasetError.truncated(path: path, expectedBytes: expectedBytes, actualBytes: length)
    ) {
      try IDXFile(contentsOf: path, expectedMagic: IDXFile.imagesMagic)
    }
  }

  @Test(arguments: [5, 16, 40, 75])
  func gzippedFileTruncatedBeforeCompressionThrowsTruncated(length: Int) {
    let bytes = images.encoded()
    let path = directory.writeGzipped(Array(bytes.prefix(length)), to: "short-\(length).gz")
    let expectedBytes = length < 16 ? 16 : bytes.count
    #expect(
      throws: DatasetError.truncated(path: path, expectedBytes: expectedBytes, actualBytes: length)
    ) {
      try IDXFile(contentsOf: path, expectedMagic: IDXFile.imagesMagic)
    }
  }

  @Test func plainFileWithExtraBytesThrowsTooLong() {
    let bytes = images.encoded()
    let path = directory.write(bytes + [0], to: "long")
    #expect(throws: DatasetError.tooLong(path: path, expectedBytes: bytes.count)) {
      try IDXFile(contentsOf: path, expectedMagic: IDXFile.imagesMagic)
    }
  }

  @Test func gzippedFileWithExtraBytesThrowsTooLong() {
    let bytes = images.encoded()
    let path = directory.writeGzipped(bytes + [1, 2, 3], to: "long.gz")
    #expect(throws: DatasetError.tooLong(path: path, expectedBytes: bytes.count)) {
      try IDXFile(contentsOf: path, expectedMagic: IDXFile.imagesMagic)
    }
  }

  @Test func labelsFileReadAsImagesThrowsBadMagicWithTheValueFound() {
    let labels = makeMNISTFiles(count: 5).labels
    let path = directory.write(labels.encoded(), to: "labels")
    #expect(throws: DatasetError.badMagic(path: path, found: 0x801, expected: 0x803)) {
      try IDXFile(contentsOf: path, expectedMagic: IDXFile.imagesMagic)
    }
  }

  @Test func textFileThrowsBadMagic() {
    let path = directory.write(Array("hello, world".utf8), to: "text")
    #expect(throws: DatasetError.badMagic(path: path, found: 0x6865_6C6C, expected: 0x803)) {
      try IDXFile(contentsOf: path, expectedMagic: IDXFile.imagesMagic)
    }
  }

  @Test func dimensionAboveTheLimitThrowsBeforeAnyAllocation() {
    let size = IDXFile.idxDimensionSizeMax + 1
    let header: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 1] + bigEndian(size) + [0, 0, 0, 1]
    let path = directory.write(header, to: "huge-dimension")
    #expect(
      throws: DatasetError.dimensionTooLarge(
        path: path, axis: 1, size: size, limit: IDXFile.idxDimensionSizeMax)
    ) {
      try IDXFile(contentsOf: path, expectedMagic: IDXFile.imagesMagic)
    }
  }

  @Test func dimensionAtTheLimitIsAccepted() throws {
    let size = IDXFile.idxDimensionSizeMax
    let file = [0, 0, 8, 1] + bigEndian(size) + [UInt8](repeating: 7, count: size)
    let path = directory.write(file, to: "largest-dimension")
    let read = try IDXFile(contentsOf: path, expectedMagic: IDXFile.labelsMagic)
    #expect(read.dimensions == [size])
  }

  @Test func elementCountAboveTheLimitThrows() {
    let side = 1 << 11  // 2^33 elements in all, more than the 2^30 limit.
    let header: [UInt8] = [0, 0, 8, 3] + bigEndian(side) + bigEndian(side) + bigEndian(side)
    let path = directory.write(header, to: "too-many-elements")
    #expect(throws: DatasetError.tooManyElements(path: path, limit: IDXFile.idxElementCountMax)) {
      try IDXFile(contentsOf: path, expectedMagic: IDXFile.imagesMagic)
    }
  }

  @Test func gzippedHeaderClaimingMoreThanTheFileHoldsThrowsTruncated() {
    // The gzip trailer disagrees with the header, so the reader grows its buffer in chunks
    // instead of allocating the 2^19 bytes the header claims (below the inflation check).
    let bytes: [UInt8] = [0, 0, 8, 1] + bigEndian(1 << 19) + [1, 2, 3]
    let path = directory.writeGzipped(bytes, to: "claims-too-much.gz")
    #expect(
      throws: DatasetError.truncated(
        path: path, expectedBytes: 8 + (1 << 19), actualBytes: 11)
    ) {
      try IDXFile(contentsOf: path, expectedMagic: IDXFile.labelsMagic)
    }
  }

  @Test func gzippedHeaderClaimingAnImplausibleInflationIsRefusedBeforeReading() throws {
    // 2^24 bytes from about 30: far past the 256:1 ratio any dataset file compresses by.
    let bytes: [UInt8] = [0, 0, 8, 1] + bigEndian(1 << 24) + [1, 2, 3]
    let path = directory.writeGzipped(bytes, to: "bomb.gz")
    let size = try #require(
      try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    #expect(
      throws: DatasetError.implausibleInflation(
        path: path, declaredBytes: 8 + (1 << 24), compressedBytes: size, ratioMax: 256)
    ) {
      try IDXFile(contentsOf: path, expectedMagic: IDXFile.labelsMagic)
    }
  }

  @Test func missingFileThrowsFileMissing() {
    let path = directory.path + "/absent"
    #expect(throws: DatasetError.fileMissing(path: path)) {
      try IDXFile(contentsOf: path, expectedMagic: IDXFile.imagesMagic)
    }
  }
}

/// `value` as four big-endian bytes.
func bigEndian(_ value: Int) -> [UInt8] {
  [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
}
