import Foundation
import Testing

@testable import Datasets

@Suite struct GzipInflaterTests {
  let directory = TemporaryDirectory()
  /// Data that compresses (repetitive) but not trivially (a varying pattern).
  let original = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7 / 3 + $0 / 1000) }

  func inflateAll(_ path: String, chunkBytes: Int = 1 << 16) throws -> [UInt8] {
    let file = try OpenFile(path: path)
    let inflater = try GzipInflater(file: file)
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: chunkBytes)
    while true {
      let count = try chunk.withUnsafeMutableBytes { bytes throws(DatasetError) in
        try inflater.read(into: bytes)
      }
      result += chunk[0..<count]
      if count < chunkBytes { return result }
    }
  }

  @Test(arguments: [1, 1000, 1 << 16, 1 << 20])
  func inflatesWhatGzipCompressedWhateverTheOutputChunk(chunkBytes: Int) throws {
    let path = directory.writeGzipped(original, to: "data.gz")
    #expect(try inflateAll(path, chunkBytes: chunkBytes) == original)
  }

  @Test func inputLargerThanOneInputChunkInflates() throws {
    var generator = SystemRandomNumberGenerator()
    // Random bytes do not compress, so the file spans several input chunks.
    let random = (0..<(GzipInflater.inputChunkBytes * 2 + 123)).map { _ in
      UInt8.random(in: 0...255, using: &generator)
    }
    let path = directory.writeGzipped(random, to: "random.gz")
    #expect(try inflateAll(path) == random)
  }

  @Test func concatenatedMembersInflateToTheConcatenation() throws {
    let first = Array(original[0..<1000])
    let second = Array(original[1000..<5000])
    let path = directory.write(gzipped(first) + gzipped(second), to: "members.gz")
    #expect(try inflateAll(path) == first + second)
  }

  @Test func recordedSizeIsTheTrailerSize() throws {
    let path = directory.writeGzipped(original, to: "data.gz")
    let inflater = try GzipInflater(file: try OpenFile(path: path))
    #expect(try inflater.recordedSize() == original.count)
  }

  @Test func damagedDeflateDataThrowsCorruptGzip() {
    var bytes = gzipped(original)
    for index in 20..<60 { bytes[index] ^= 0x5A }
    let path = directory.write(bytes, to: "damaged.gz")
    #expect {
      try inflateAll(path)
    } throws: { error in
      guard case .corruptGzip(let file, _) = error as? DatasetError else { return false }
      return file == path
    }
  }

  @Test(arguments: [2, 10, 100, 2000])
  func compressedFileCutShortThrowsCorruptGzip(length: Int) {
    let path = directory.write(Array(gzipped(original).prefix(length)), to: "cut.gz")
    #expect(
      throws: DatasetError.corruptGzip(
        path: path, reason: "the file ends inside the compressed stream")
    ) {
      try inflateAll(path)
    }
  }

  @Test func garbageAfterTheLastMemberThrowsCorruptGzip() {
    let path = directory.write(gzipped(original) + [1, 2, 3, 4], to: "garbage.gz")
    #expect {
      try inflateAll(path)
    } throws: { error in
      guard case .corruptGzip = error as? DatasetError else { return false }
      return true
    }
  }
}
