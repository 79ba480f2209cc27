import Foundation
import Platform
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A fresh directory for one test, removed afterwards by the caller.
func makeScratchDirectory() -> String {
  let path = NSTemporaryDirectory() + "starling-platform-\(UUID().uuidString)"
  try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

@Suite struct RegularFileTests {
  @Test func readsAWholeFileWithinItsLimit() throws {
    let directory = makeScratchDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/a.txt"
    try Data("hello".utf8).write(to: URL(fileURLWithPath: path))
    #expect(try RegularFile.contents(of: path, bytesMax: 5) == Array("hello".utf8))
    #expect(throws: FileError.tooLarge(path: path, bytes: 5, bytesMax: 4)) {
      try RegularFile.contents(of: path, bytesMax: 4)
    }
  }

  @Test func refusesAFIFOWithoutBlocking() throws {
    let directory = makeScratchDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/pipe"
    #expect(mkfifo(path, 0o600) == 0)
    let error = #expect(throws: FileError.self) { try RegularFile(path: path) }
    #expect(error == .notRegularFile(path: path, kind: "a FIFO (named pipe)"))
    #expect(error?.description == "'\(path)' is a FIFO (named pipe), not a regular file")
  }

  @Test func namesADirectoryAMissingFileAndASymbolicLinkLoop() throws {
    let directory = makeScratchDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    #expect(throws: FileError.isDirectory(path: directory)) { try RegularFile(path: directory) }
    #expect(throws: FileError.missing(path: directory + "/none")) {
      try RegularFile(path: directory + "/none")
    }
    let loop = directory + "/loop"
    #expect(symlink(loop, loop) == 0)
    let error = #expect(throws: FileError.self) { try RegularFile(path: loop) }
    #expect(
      error?.description
        == "'\(loop)' cannot open: too many levels of symbolic links (a symbolic link loop?)")
  }

  @Test func refusesACharacterDevice() {
    let error = #expect(throws: FileError.self) { try RegularFile(path: "/dev/zero") }
    #expect(error == .notRegularFile(path: "/dev/zero", kind: "a character device"))
  }
}

@Suite struct OutputPathTests {
  @Test func acceptsANewFileInANewDirectoryAndWritesItAtomically() throws {
    let directory = makeScratchDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/a/b/out.bin"
    try OutputPath.checkFile(path)
    #expect(!FileManager.default.fileExists(atPath: directory + "/a"), "checking creates nothing")
    try OutputPath.write([1, 2, 3], to: path)
    #expect(try RegularFile.contents(of: path, bytesMax: 10) == [1, 2, 3])
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory + "/a/b")
    #expect(leftovers == ["out.bin"])
  }

  @Test func refusesADirectoryAPathUnderAFileAndProc() throws {
    let directory = makeScratchDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    #expect(throws: FileError.isDirectory(path: directory)) { try OutputPath.checkFile(directory) }
    let file = directory + "/plain"
    try Data().write(to: URL(fileURLWithPath: file))
    #expect(throws: FileError.notDirectory(path: file)) {
      try OutputPath.checkFile(file + "/under.bin")
    }
    #expect(throws: FileError.notDirectory(path: file)) { try OutputPath.checkDirectory(file) }
    let proc = #expect(throws: FileError.self) { try OutputPath.checkFile("/proc/starling.bin") }
    #expect(proc?.path == "/proc/starling.bin")
    #expect(proc?.description.hasPrefix("'/proc/starling.bin' cannot create: ") == true)
  }

  @Test func refusesAFIFOAsOutput() throws {
    let directory = makeScratchDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/pipe"
    #expect(mkfifo(path, 0o600) == 0)
    #expect(throws: FileError.notRegularFile(path: path, kind: "a FIFO (named pipe)")) {
      try OutputPath.checkFile(path)
    }
  }
}

@Suite struct MemoryBudgetTests {
  @Test(arguments: [
    ("512MiB", 512 << 20), ("2GiB", 2 << 30), ("1.5G", 3 << 29), ("800M", 800 << 20),
    ("1000", 1000), ("1KB", 1000), ("3GB", 3_000_000_000), ("7B", 7),
  ])
  func parsesSizes(text: String, bytes: Int) {
    #expect(MemoryBudget.parseSize(text) == bytes)
  }

  @Test(arguments: ["", "x", "-1G", "inf", "nan", "1e300", "GiB", "1 GiB", "99999999999T"])
  func refusesMalformedSizes(text: String) {
    #expect(MemoryBudget.parseSize(text) == nil)
  }

  @Test func refusesAnEstimateAboveTheBudgetAndListsIt() {
    var estimate = MemoryEstimate(purpose: "training", hint: "lower model.layers")
    estimate.add("parameters", count: 1 << 30)
    estimate.add("activations", product: [64, 1 << 20])
    let budget = MemoryBudget(bytesMax: 1 << 30, source: "--max-memory")
    let error = #expect(throws: MemoryBudgetError.self) { try budget.check(estimate) }
    #expect(
      error?.description
        == "training needs about 4.3 GiB of memory (parameters 4.0 GiB, activations 256.0 MiB), "
        + "more than the 1.0 GiB allowed by --max-memory; lower model.layers, "
        + "or raise --max-memory")
  }

  @Test func saturatesInsteadOfOverflowing() {
    var estimate = MemoryEstimate(purpose: "x", hint: "")
    estimate.add("huge", product: [Int.max, 3])
    estimate.add("more", count: 10)
    #expect(estimate.totalBytes == Int.max)
  }

  @Test func theSystemBudgetIsBoundedByTheCap() {
    let budget = MemoryBudget.system(cappedAt: 1 << 20)
    #expect(budget.bytesMax == 1 << 20)
    #expect(budget.source == "--max-memory")
    #expect(MemoryBudget.system().bytesMax > 1 << 20)
  }
}

@Suite struct ConcurrentOutputChecksTests {
  @Test func manyChecksAtOnceInOneDirectoryAllSucceed() async throws {
    let directory = makeScratchDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try await withThrowingTaskGroup(of: Void.self) { group in
      for index in 0..<64 {
        group.addTask { try OutputPath.checkFile(directory + "/out-\(index).bin") }
      }
      try await group.waitForAll()
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
  }
}
