import Foundation

@testable import Datasets

/// A fresh directory under the system's temporary directory, deleted when the value goes away.
final class TemporaryDirectory {
  let path: String

  init() {
    let base = FileManager.default.temporaryDirectory.path
    path = base + "/starling-datasets-tests-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// Writes `bytes` to `name` in this directory and returns the file's path.
  @discardableResult
  func write(_ bytes: [UInt8], to name: String) -> String {
    let file = path + "/" + name
    let isCreated = FileManager.default.createFile(atPath: file, contents: Data(bytes))
    precondition(isCreated, "cannot write \(file)")
    return file
  }

  /// Writes `bytes` gzip-compressed (by `/usr/bin/gzip`) to `name` and returns the file's path.
  @discardableResult
  func writeGzipped(_ bytes: [UInt8], to name: String) -> String {
    write(gzipped(bytes), to: name)
  }
}

/// `bytes` compressed by `/usr/bin/gzip -c`, an independent encoder.
func gzipped(_ bytes: [UInt8]) -> [UInt8] {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
  process.arguments = ["-c", "-n"]
  let input = Pipe()
  let output = Pipe()
  process.standardInput = input
  process.standardOutput = output
  try! process.run()
  // Write on another thread: a large input would otherwise fill both pipes and deadlock.
  let writer = Thread {
    input.fileHandleForWriting.write(Data(bytes))
    try? input.fileHandleForWriting.close()
  }
  writer.start()
  let compressed = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return [UInt8](compressed)
}

/// An images IDX file of `count` images of `rows` × `columns` with pixel `i` of the file equal
/// to `i % 251`, and the matching labels file with label `i % 10`.
func makeMNISTFiles(count: Int, rows: Int = 4, columns: Int = 3) -> (
  images: IDXFile, labels: IDXFile
) {
  let images = IDXFile(
    magic: IDXFile.imagesMagic, dimensions: [count, rows, columns],
    elements: (0..<count * rows * columns).map { UInt8($0 % 251) })
  let labels = IDXFile(
    magic: IDXFile.labelsMagic, dimensions: [count], elements: (0..<count).map { UInt8($0 % 10) })
  return (images, labels)
}
