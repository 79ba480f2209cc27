import Testing

@testable import Datasets

@Suite struct OpenFileTests {
  let directory = TemporaryDirectory()

  @Test func readsSequentiallyAndAtAnOffset() throws {
    let file = try OpenFile(path: directory.write(Array(0..<100), to: "numbers"))
    #expect(file.size == 100)
    var buffer = [UInt8](repeating: 0, count: 60)
    let first = try buffer.withUnsafeMutableBytes { bytes throws(DatasetError) in
      try file.read(into: bytes)
    }
    #expect(first == 60 && buffer == Array(0..<60))
    let second = try buffer.withUnsafeMutableBytes { bytes throws(DatasetError) in
      try file.read(into: bytes)
    }
    #expect(second == 40 && Array(buffer.prefix(40)) == Array(60..<100))
    let atOffset = try buffer.withUnsafeMutableBytes { bytes throws(DatasetError) in
      try file.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<5]), at: 95)
    }
    #expect(atOffset == 5 && Array(buffer.prefix(5)) == Array(95..<100))
  }

  @Test func missingFileThrowsFileMissing() {
    let path = directory.path + "/absent"
    #expect(throws: DatasetError.fileMissing(path: path)) { try OpenFile(path: path) }
  }

  @Test func directoryThrowsUnreadable() {
    #expect(throws: DatasetError.unreadable(path: directory.path, reason: "is a directory")) {
      try OpenFile(path: directory.path)
    }
  }

  @Test func pathThroughAFileThrowsUnreadableWithTheSystemReason() {
    let file = directory.write([1], to: "plain")
    #expect(
      throws: DatasetError.unreadable(
        path: file + "/child", reason: "cannot open: a component of the path is not a directory")
    ) {
      try OpenFile(path: file + "/child")
    }
  }
}
