import Testing

@testable import Datasets

@Suite struct ByteStreamTests {
  let directory = TemporaryDirectory()
  let contents = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }

  @Test(arguments: [false, true])
  func readToEndExactlyReturnsTheRestAfterAHeader(isGzipped: Bool) throws {
    let path =
      isGzipped
      ? directory.writeGzipped(contents, to: "data.gz") : directory.write(contents, to: "data")
    let stream = try ByteStream(path: path)
    #expect(stream.isGzip == isGzipped)
    var header = [UInt8](repeating: 0, count: 10)
    _ = try header.withUnsafeMutableBytes { bytes throws(DatasetError) in
      try stream.read(into: bytes)
    }
    #expect(header == Array(contents.prefix(10)))
    #expect(try stream.readToEnd(exactly: contents.count - 10) == Array(contents.dropFirst(10)))
  }

  @Test(arguments: [false, true])
  func readToEndExactlyReportsTruncationInDecodedBytes(isGzipped: Bool) throws {
    let path =
      isGzipped
      ? directory.writeGzipped(contents, to: "data.gz") : directory.write(contents, to: "data")
    #expect(throws: DatasetError.truncated(path: path, expectedBytes: 10_001, actualBytes: 10_000))
    {
      try ByteStream(path: path).readToEnd(exactly: 10_001)
    }
  }

  @Test(arguments: [false, true])
  func readToEndExactlyReportsExtraData(isGzipped: Bool) throws {
    let path =
      isGzipped
      ? directory.writeGzipped(contents, to: "data.gz") : directory.write(contents, to: "data")
    #expect(throws: DatasetError.tooLong(path: path, expectedBytes: 9_999)) {
      try ByteStream(path: path).readToEnd(exactly: 9_999)
    }
  }

  @Test(arguments: [false, true])
  func readToEndAcceptsAFileOfExactlyTheLimit(isGzipped: Bool) throws {
    let path =
      isGzipped
      ? directory.writeGzipped(contents, to: "data.gz") : directory.write(contents, to: "data")
    #expect(try ByteStream(path: path).readToEnd(limit: contents.count) == contents)
  }

  @Test func readToEndRejectsAPlainFileAboveTheLimitBeforeReading() {
    let path = directory.write(contents, to: "data")
    #expect(throws: DatasetError.fileTooLarge(path: path, bytes: 10_000, limit: 9_999)) {
      try ByteStream(path: path).readToEnd(limit: 9_999)
    }
  }

  @Test func readToEndRejectsAGzipFileThatInflatesAboveTheLimit() {
    let path = directory.writeGzipped(contents, to: "data.gz")
    #expect(throws: DatasetError.fileTooLarge(path: path, bytes: 10_000, limit: 9_999)) {
      try ByteStream(path: path).readToEnd(limit: 9_999)
    }
  }

  @Test func emptyFileReadsAsNoBytes() throws {
    let path = directory.write([], to: "empty")
    #expect(try ByteStream(path: path).readToEnd(limit: 10).isEmpty)
  }
}
