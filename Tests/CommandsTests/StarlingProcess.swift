import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The built `starling` binary run as a child process under an address-space cap and a time
/// bound, so that a regression that allocates without limit or blocks forever fails its test
/// instead of taking the machine down or hanging the suite.
struct StarlingProcess {
  /// Address space each run may map (`ulimit -v`): enough for the debug binary and small data,
  /// far below what the malformed inputs would allocate unchecked.
  static let addressSpaceKibibytesMax = 4 << 20
  /// How long one run may take before it is killed and the test fails.
  static let secondsMax = 60.0

  struct Result {
    var status: Int32
    var standardOutput: String
    var standardError: String
    var isTimedOut: Bool
    var isSignalled: Bool

    /// Standard error, for expectations' comments.
    var summary: String { "status \(status), stderr: \(standardError)" }
  }

  /// `starling` next to the test bundle (`.build/debug`), or `$STARLING_BINARY`.
  static func binaryPath() throws -> String {
    if let path = ProcessInfo.processInfo.environment["STARLING_BINARY"] { return path }
    let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
    // On Linux the test runner is `.build/debug/StarlingPackageTests.xctest`; on other platforms
    // it sits inside a bundle.
    while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("starling").path)
    {
      guard directory.pathComponents.count > 1 else {
        throw StarlingProcessError.binaryMissing(near: executable)
      }
      directory.deleteLastPathComponent()
    }
    return directory.appendingPathComponent("starling").path
  }

  /// Runs `starling arguments...` in `directory` and waits at most `secondsMax`.
  static func run(
    _ arguments: [String], in directory: String, secondsMax: Double = secondsMax
  ) throws -> Result {
    let binary = try binaryPath()
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_NUM_THREADS"] = "1"
    environment["XDG_CACHE_HOME"] = directory + "/.cache"
    return try run(
      executable: "/bin/sh",
      ["-c", "ulimit -v \(addressSpaceKibibytesMax) && exec \"$0\" \"$@\"", binary] + arguments,
      in: directory, environment: environment, secondsMax: secondsMax)
  }

  /// Runs `executable arguments...` to completion, killed after `secondsMax`; its output goes
  /// through files (in `directory`, or the temporary directory), so that a full pipe cannot
  /// block it.
  static func run(
    executable: String, _ arguments: [String], in directory: String? = nil,
    environment: [String: String]? = nil, secondsMax: Double = secondsMax
  ) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment { process.environment = environment }
    let stem =
      (directory ?? FileManager.default.temporaryDirectory.path) + "/.run-\(UUID().uuidString)"
    let outputPath = stem + ".out"
    let errorPath = stem + ".err"
    FileManager.default.createFile(atPath: outputPath, contents: nil)
    FileManager.default.createFile(atPath: errorPath, contents: nil)
    defer {
      try? FileManager.default.removeItem(atPath: outputPath)
      try? FileManager.default.removeItem(atPath: errorPath)
    }
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(secondsMax)
    var isTimedOut = false
    while process.isRunning {
      if Date() > deadline {
        isTimedOut = true
        kill(process.processIdentifier, SIGKILL)
        break
      }
      usleep(20_000)
    }
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus,
      standardOutput: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
      standardError: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "",
      isTimedOut: isTimedOut, isSignalled: process.terminationReason == .uncaughtSignal)
  }
}

enum StarlingProcessError: Error, CustomStringConvertible {
  case binaryMissing(near: String)

  var description: String {
    switch self {
    case .binaryMissing(let near):
      "no 'starling' binary near \(near): build it (swift build) or set STARLING_BINARY"
    }
  }
}
