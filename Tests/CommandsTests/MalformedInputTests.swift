import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Hostile and careless input to the real `starling` binary: each case must end in a clear
/// error that names the flag, field or file and the cause, with exit status 2 (usage) or 1
/// (everything else), never in a crash, a hang, an allocation failure or a silent success.
/// Every run is capped in address space and time by `StarlingProcess`.
@Suite(.serialized) struct MalformedInputTests {
  /// A scratch directory with the fixtures a case writes, removed by `finish`.
  final class Scratch {
    let path: String

    init() {
      path = NSTemporaryDirectory() + "starling-malformed-\(UUID().uuidString)"
      try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String, _ text: String) -> String {
      let target = path + "/" + name
      try! FileManager.default.createDirectory(
        atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try! Data(text.utf8).write(to: URL(fileURLWithPath: target))
      return target
    }

    func bytes(_ name: String, _ bytes: [UInt8]) -> String {
      let target = path + "/" + name
      try! Data(bytes).write(to: URL(fileURLWithPath: target))
      return target
    }

    func fifo(_ name: String) -> String {
      let target = path + "/" + name
      try! FileManager.default.createDirectory(
        atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      precondition(mkfifo(target, 0o600) == 0, "mkfifo \(target)")
      return target
    }

    func directory(_ name: String) -> String {
      let target = path + "/" + name
      try! FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
      return target
    }

    /// A sparse file of `size` bytes that starts with `header`.
    func sparse(_ name: String, header: [UInt8], size: Int) -> String {
      let target = bytes(name, header)
      precondition(truncate(target, off_t(size)) == 0, "truncate \(target)")
      return target
    }
  }

  /// Big-endian header of an unsigned-byte IDX file.
  static func idxHeader(magic: UInt32, dimensions: [Int]) -> [UInt8] {
    ([magic] + dimensions.map { UInt32($0) }).flatMap { word in
      [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> $0) }
    }
  }

  /// Four IDX files of `count` training and test images of `rows` x `columns` in `directory`.
  static func writeIDXDirectory(_ directory: String, trainCount: Int, testCount: Int) {
    for (prefix, count) in [("train", trainCount), ("t10k", testCount)] {
      let images =
        idxHeader(magic: 0x803, dimensions: [count, 28, 28])
        + (0..<count * 784).map { UInt8(truncatingIfNeeded: $0 &* 31) }
      let labels =
        idxHeader(magic: 0x801, dimensions: [count]) + (0..<count).map { UInt8($0 % 10) }
      try! Data(images).write(to: URL(fileURLWithPath: "\(directory)/\(prefix)-images-idx3-ubyte"))
      try! Data(labels).write(to: URL(fileURLWithPath: "\(directory)/\(prefix)-labels-idx1-ubyte"))
    }
  }

  /// Runs `arguments` and expects a refusal with `status` whose standard error holds every one
  /// of `messages`.
  @discardableResult
  func expectRefusal(
    _ arguments: [String], in scratch: Scratch, status: Int32 = 1, _ messages: String...,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> StarlingProcess.Result {
    let result = try StarlingProcess.run(arguments, in: scratch.path)
    #expect(!result.isTimedOut, "hung: \(arguments)", sourceLocation: sourceLocation)
    #expect(!result.isSignalled, "crashed: \(result.summary)", sourceLocation: sourceLocation)
    #expect(result.status == status, "\(result.summary)", sourceLocation: sourceLocation)
    for message in messages {
      #expect(
        result.standardError.contains(message), "expected '\(message)' in: \(result.standardError)",
        sourceLocation: sourceLocation)
    }
    return result
  }

  // MARK: Numbers from the user

  @Test(arguments: [
    (["--crash-coordinator-at", "inf"], "--crash-coordinator-at must be a finite number"),
    (["--crash-coordinator-at", "1e300"], "--crash-coordinator-at must be a finite number"),
    (["--crash-coordinator-at", "10,nan"], "--crash-coordinator-at must be a finite number"),
    (["--fault-seconds", "18446744073709551615"], "--fault-seconds must be a finite number in"),
    (["--crash-fraction", "-0.5"], "--crash-fraction must be a finite number in 0.0...1.0"),
    (["--sweep", "2", "--seed", "18446744073709551615"], "runs past the last seed"),
    (["--seed", "-1"], "--seed must be an integer in 0...18446744073709551615, got '-1'"),
    (["--trainers-per-round", "1e9"], "--trainers-per-round must be an integer"),
    (["--peers", "1"], "needs at least 6 peers (data.peers is 1): give --peers 6 or more"),
    (["--rounds", "3", "--rounds", "4"], "--rounds is given more than once"),
    (["--mode", "gossip"], "--mode must be federated or fdfl, got 'gossip'"),
    (["--max-memory", "lots"], "--max-memory must be a size such as 512MiB"),
  ])
  func simulateRefusesBadNumbers(flags: [String], message: String) throws {
    let scratch = Scratch()
    try expectRefusal(
      ["simulate", "--template", "fmnist-mlp"] + flags, in: scratch, status: 2, message)
  }

  @Test func repeatedFlagsAndEmptyListsAreRefused() throws {
    let scratch = Scratch()
    try expectRefusal(
      ["simulate", "--template", "fmnist-mlp", "--peers", "100000"], in: scratch,
      "data.peers: 100000 is out of range (allowed: [1, 65536])")
    try expectRefusal(
      ["train", "--template", "fmnist-mlp", "--epochs", "2", "--epochs=3"], in: scratch,
      status: 2, "--epochs is given more than once")
    try expectRefusal(
      ["bench", "--aggregation", "--rules", ""], in: scratch, status: 2,
      "--rules must list rule names separated by commas, got ''")
    try expectRefusal(
      ["bench", "--aggregation", "--rules", "mean,,median"], in: scratch, status: 2,
      "--rules must list rule names")
    try expectRefusal(
      ["train", "--template", "fmnist-mlp", "--json=yes"], in: scratch, status: 2,
      "--json takes no value")
  }

  @Test func flagsAndSetApplyInCommandLineOrder() throws {
    let scratch = Scratch()
    for (arguments, epochs) in [
      (["--epochs", "3", "--set", "training.epochs=5"], 5),
      (["--set", "training.epochs=5", "--epochs", "3"], 3),
    ] {
      let result = try StarlingProcess.run(
        ["config", "show", "--template", "fmnist-mlp"] + arguments, in: scratch.path)
      #expect(result.status == 0, "\(result.summary)")
      #expect(result.standardOutput.contains("\"epochs\": \(epochs)"), "\(arguments)")
    }
  }

  @Test func aTinyPrivacyTargetIsPrintedAsGiven() throws {
    let scratch = Scratch()
    try expectRefusal(
      [
        "train", "--template", "fmnist-mlp", "--set", "data.source=synthetic", "--train-limit",
        "500", "--test-limit", "100", "--dp-clip", "1", "--epsilon-target", "1e-300",
      ], in: scratch, "no noise multiplier reaches ε = 1e-300")
  }

  // MARK: Non-finite results and empty sets

  @Test func divergedTrainingStopsAndWritesNoCheckpoint() throws {
    let scratch = Scratch()
    let checkpoint = scratch.path + "/model.safetensors"
    let result = try expectRefusal(
      [
        "train", "--template", "fmnist-mlp", "--train-limit", "2000", "--test-limit", "100",
        "--learning-rate", "100", "--checkpoint", checkpoint,
        "--json",
      ], in: scratch, "training diverged at step", "of epoch 1: the loss is",
      "no checkpoint was written", "training.optimizer.learningRate, now 100.0; try 10.0")
    #expect(!FileManager.default.fileExists(atPath: checkpoint))
    #expect(!result.standardOutput.contains("final test accuracy"))
  }

  @Test func emptyTrainingAndTestSetsAreErrors() throws {
    let scratch = Scratch()
    let noTrain = scratch.directory("no-train")
    Self.writeIDXDirectory(noTrain, trainCount: 0, testCount: 20)
    let config = scratch.file(
      "idx.json",
      #"{"extends": "fmnist-mlp", "data": {"source": "idx-directory", "path": "no-train"}}"#)
    try expectRefusal(
      ["train", "--config", config], in: scratch, "the training set has no samples")
    let csv = scratch.file("four.csv", "1,0.5,0.25\n0,0.1,0.2\n1,0.3,0.3\n0,0.4,0.1\n")
    let csvConfig = scratch.file(
      "csv.json", #"{"extends": "fmnist-mlp", "data": {"source": "csv", "path": "four.csv"}}"#)
    _ = csv
    try expectRefusal(
      ["train", "--config", csvConfig], in: scratch, "the test set has no samples",
      "give it at least 5 data lines")
  }

  // MARK: Special files

  @Test func aFIFOIsRefusedWhereverAFileIsRead() throws {
    let scratch = Scratch()
    let fifo = scratch.fifo("config.json")
    try expectRefusal(
      ["train", "--config", fifo], in: scratch,
      "cannot read '\(fifo)': is a FIFO (named pipe), not a regular file")
    _ = scratch.fifo("base.json")
    let extending = scratch.file("extends.json", #"{"extends": "./base.json"}"#)
    try expectRefusal(
      ["train", "--config", extending], in: scratch, "base.json': is a FIFO (named pipe)")

    let idx = scratch.directory("idx")
    Self.writeIDXDirectory(idx, trainCount: 20, testCount: 20)
    try FileManager.default.removeItem(atPath: idx + "/train-images-idx3-ubyte")
    _ = scratch.fifo("idx/train-images-idx3-ubyte")
    let idxConfig = scratch.file(
      "idx.json", #"{"extends": "fmnist-mlp", "data": {"source": "idx-directory", "path": "idx"}}"#)
    try expectRefusal(
      ["train", "--config", idxConfig], in: scratch,
      "train-images-idx3-ubyte: cannot be read: is a FIFO (named pipe), not a regular file")

    _ = scratch.fifo("data.csv")
    let csvConfig = scratch.file(
      "csv.json", #"{"extends": "fmnist-mlp", "data": {"source": "csv", "path": "data.csv"}}"#)
    try expectRefusal(
      ["train", "--config", csvConfig], in: scratch, "data.csv: cannot be read: is a FIFO")

    _ = scratch.fifo("cifar/data_batch_1.bin")
    let cifarConfig = scratch.file(
      "cifar.json", #"{"extends": "fmnist-mlp", "data": {"source": "cifar10", "path": "cifar"}}"#)
    try expectRefusal(
      ["train", "--config", cifarConfig], in: scratch, "data_batch_1.bin: cannot be read: is a FIFO"
    )

    _ = scratch.fifo("corpus.txt")
    let textConfig = scratch.file(
      "text.json", #"{"extends": "text-transformer", "data": {"path": "corpus.txt"}}"#)
    try expectRefusal(
      ["train", "--config", textConfig], in: scratch, "corpus.txt: cannot be read: is a FIFO")
  }

  @Test func aSymbolicLinkLoopAndOversizedFilesAreNamed() throws {
    let scratch = Scratch()
    let loop = scratch.path + "/loop.json"
    #expect(symlink(loop, loop) == 0)
    let config = scratch.file("config.json", #"{"extends": "./loop.json"}"#)
    try expectRefusal(
      ["train", "--config", config], in: scratch,
      "loop.json': cannot open: too many levels of symbolic links")
    let large = scratch.sparse("large.json", header: Array("{".utf8), size: 2 << 20)
    try expectRefusal(
      ["train", "--config", large], in: scratch,
      "is larger than the 1048576-byte limit for configuration files")
    _ = scratch.sparse("large.txt", header: Array("abc".utf8), size: 65 << 20)
    let textConfig = scratch.file(
      "text.json", #"{"extends": "text-transformer", "data": {"path": "large.txt"}}"#)
    try expectRefusal(
      ["train", "--config", textConfig], in: scratch,
      "large.txt: 68157440 bytes is more than the limit of 67108864")
  }

  // MARK: Memory

  @Test func aGzipBombIsRefusedBeforeInflating() throws {
    let scratch = Scratch()
    let directory = scratch.directory("bomb")
    Self.writeIDXDirectory(directory, trainCount: 10, testCount: 10)
    let plain = directory + "/train-images-idx3-ubyte"
    try FileManager.default.removeItem(atPath: plain)
    _ = scratch.sparse(
      "bomb/train-images-idx3-ubyte",
      header: Self.idxHeader(magic: 0x803, dimensions: [1, 8192, 8192]), size: 16 + (64 << 20))
    let gzip = Process()
    gzip.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
    gzip.arguments = ["-9", plain]
    try gzip.run()
    gzip.waitUntilExit()
    #expect(gzip.terminationStatus == 0)
    let size = try #require(
      try FileManager.default.attributesOfItem(atPath: plain + ".gz")[.size] as? Int)
    #expect(size < 100_000, "the bomb compresses to \(size) bytes")
    let config = scratch.file(
      "bomb.json",
      #"{"extends": "fmnist-mlp", "data": {"source": "idx-directory", "path": "bomb"}}"#)
    try expectRefusal(
      ["train", "--config", config], in: scratch,
      "the header declares 67108880 bytes, more than 256 times the \(size) compressed bytes")
  }

  @Test func hugeImagesAreRefusedByTheModelsMemoryEstimate() throws {
    let scratch = Scratch()
    let directory = scratch.directory("huge")
    Self.writeIDXDirectory(directory, trainCount: 1, testCount: 1)
    for prefix in ["train", "t10k"] {
      _ = scratch.sparse(
        "huge/\(prefix)-images-idx3-ubyte",
        header: Self.idxHeader(magic: 0x803, dimensions: [1, 8192, 8192]), size: 16 + (64 << 20))
    }
    let config = scratch.file(
      "huge.json",
      #"{"extends": "fmnist-mlp", "data": {"source": "idx-directory", "path": "huge"}}"#)
    try expectRefusal(
      ["train", "--config", config], in: scratch,
      "training mlp (17179903626 parameters) needs about",
      "more than the")
  }

  @Test(arguments: [
    (
      [
        "train", "--template", "fmnist-mlp", "--set", "data.source=synthetic", "--train-limit",
        "100000000",
      ], "synthetic data needs about 73.4 GiB"
    ),
    (
      ["simulate", "--template", "fmnist-mlp", "--synthetic", "16000000", "--peers", "200"],
      "the simulation of 200 peers with 16000000 parameters each needs about"
    ),
    (
      ["bench", "--aggregation", "--updates", "1024", "--parameters", "100000000"],
      "bench --aggregation needs about 763.7 GiB"
    ),
    (
      [
        "train", "--template", "fmnist-mlp", "--set", "data.source=synthetic", "--train-limit",
        "500", "--test-limit", "100", "--max-memory", "2MiB",
      ], "allowed by --max-memory; use a smaller model or training.batchSize, or raise --max-memory"
    ),
    (
      ["train", "--template", "fmnist-mlp", "--max-memory", "20MiB"],
      "train-images-idx3-ubyte.gz: reading it needs about 44.9 MiB"
    ),
  ])
  func inRangeValuesThatDoNotFitAreRefused(arguments: [String], message: String) throws {
    let scratch = Scratch()
    try expectRefusal(arguments, in: scratch, message)
  }

  @Test func aHugeTransformerIsRefusedBeforeItIsBuilt() throws {
    let scratch = Scratch()
    _ = scratch.file("corpus.txt", String(repeating: "the quick brown fox jumps. ", count: 200))
    let config = scratch.file(
      "text.json",
      #"{"extends": "text-transformer", "data": {"path": "corpus.txt"}, "model": {"layers": 64, "embeddingSize": 4096}}"#
    )
    try expectRefusal(
      ["train", "--config", config], in: scratch, "training tiny-transformer (", "needs about")
  }

  // MARK: Output paths

  @Test func unwritableOutputPathsAreFoundBeforeAnyWork() throws {
    let scratch = Scratch()
    let file = scratch.file("plain", "x")
    let base = [
      "train", "--template", "fmnist-mlp", "--set", "data.source=synthetic", "--train-limit",
      "300", "--test-limit", "50",
    ]
    let directoryRun = try expectRefusal(
      base + ["--checkpoint", scratch.path], in: scratch,
      "cannot write the checkpoint (training.checkpoint) '\(scratch.path)': is a directory")
    #expect(!directoryRun.standardOutput.contains("epoch 1"), "refused before training")
    try expectRefusal(
      base + ["--checkpoint", file + "/model.safetensors"], in: scratch,
      "'\(file)' is not a directory")
    try expectRefusal(
      base + ["--checkpoint", "/proc/starling-model.safetensors"], in: scratch,
      "cannot create: files cannot be created in '/proc'")
    let experiment = scratch.file(
      "grid.json",
      #"{"extends": "fmnist-mlp", "data": {"source": "synthetic", "trainLimit": 200, "testLimit": 50, "peers": 4}, "training": {"rounds": 1}, "experiment": {"rules": ["mean"], "attacks": ["none"], "byzantineFractions": [0.25], "seeds": [1]}}"#
    )
    try expectRefusal(
      ["experiment", "--config", experiment, "--out", file], in: scratch,
      "cannot write the output directory (--out) '\(file)': is not a directory")
    try expectRefusal(
      [
        "simulate", "--template", "fmnist-mlp", "--set", "data.source=synthetic", "--peers", "8",
        "--compare", "--plot", "/proc/chart.svg",
      ], in: scratch, "cannot write the chart (--plot) '/proc/chart.svg'")
  }

  // MARK: CSV text

  @Test func aNULInsideACSVCellIsRefused() throws {
    let scratch = Scratch()
    var rows = Array("label,a,b\n".utf8)
    rows += Array("1,1".utf8) + [0] + Array("garbage,2\n".utf8)
    _ = scratch.bytes("nul.csv", rows)
    let config = scratch.file(
      "csv.json",
      #"{"extends": "fmnist-mlp", "data": {"source": "csv", "path": "nul.csv", "csv": {"hasHeader": true}}}"#
    )
    try expectRefusal(
      ["train", "--config", config], in: scratch,
      "nul.csv: line 2: column 2: control character 0x00")
  }
}
