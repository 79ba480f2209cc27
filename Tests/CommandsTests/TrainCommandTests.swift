import Commands
import Foundation
import Learning
import Testing

/// The `starling` command line, run in process on small synthetic data.
struct TrainCommandTests {
  func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "starling-cli-\(UUID().uuidString)"
    ).path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  func lastJSON(_ output: Output) throws -> [String: Any] {
    let last = try #require(output.lines.last)
    return try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
  }

  @Test func trainLearnsSyntheticImagesAndWritesACheckpointAndJSON() throws {
    let directory = temporaryDirectory()
    let checkpoint = directory + "/model.safetensors"
    let output = Output.capturing()
    let status = StarlingCLI.run(
      [
        "train", "--template", "fmnist-mlp", "--set", "data.source=synthetic", "--train-limit",
        "600",
        "--test-limit", "200", "--epochs", "2", "--threads", "1", "--checkpoint", checkpoint,
        "--json",
      ], output: output)
    #expect(status == 0, "\(output.lines)")
    let result = try lastJSON(output)
    #expect(result["command"] as? String == "train")
    #expect((result["epochs"] as? [[String: Any]])?.count == 2)
    let accuracy = try #require(result["testAccuracy"] as? Double)
    #expect(accuracy > 0.9, "bright squares are easy: accuracy \(accuracy)")
    #expect(output.lines.contains { $0.hasPrefix("epoch 2/2") && $0.contains("test accuracy") })
    let model = ModelArchitecture.mlp(inputs: 784, classes: 10).makeModel(seed: 0)
    let metadata = try model.loadCheckpoint(from: checkpoint)
    #expect(metadata["architecture"] == "mlp")
  }

  @Test func plainOutputShowsProgressLinesWithRateAndETA() throws {
    let output = Output.capturing()
    let status = StarlingCLI.run(
      [
        "train", "--template", "fmnist-cnn", "--set", "data.source=synthetic", "--train-limit",
        "256",
        "--test-limit", "64", "--epochs", "1", "--threads", "2", "--batch-size", "16",
        "--checkpoint", temporaryDirectory() + "/cnn.safetensors",
      ], output: output)
    #expect(status == 0, "\(output.lines)")
    let progress = output.lines.filter {
      $0.hasPrefix("epoch 1/1 ") && $0.contains("samples/s") && $0.contains("ETA")
    }
    #expect(progress.count == 10, "one line per 10% on a non-terminal: \(output.lines)")
  }

  @Test func trainOnCSVFeatures() throws {
    let directory = temporaryDirectory()
    var rows = ["a,b,label"]
    for index in 0..<200 {
      let label = index % 2
      rows.append("\(Float(label) * 3 + Float(index % 7) * 0.1),\(Float(index % 5) * 0.1),\(label)")
    }
    try rows.joined(separator: "\n").write(
      toFile: directory + "/points.csv", atomically: true, encoding: .utf8)
    let output = Output.capturing()
    let status = StarlingCLI.run(
      [
        "train", "--template", "fmnist-mlp", "--set", "data.source=csv", "--data",
        directory + "/points.csv",
        "--set", "data.csv.labelColumn=2", "--epochs", "3", "--threads", "1",
        "--checkpoint", directory + "/csv.safetensors", "--json",
      ], output: output)
    #expect(status == 0, "\(output.lines)")
    #expect(try lastJSON(output)["testAccuracy"] as? Double ?? 0 > 0.9)
  }

  @Test func tinyTransformerLearnsARepetitiveText() throws {
    let directory = temporaryDirectory()
    let text = String(repeating: "the quick brown fox jumps over the lazy dog. ", count: 60)
    try text.write(toFile: directory + "/fox.txt", atomically: true, encoding: .utf8)
    let output = Output.capturing()
    let status = StarlingCLI.run(
      [
        "train", "--template", "text-transformer", "--data", directory + "/fox.txt", "--epochs",
        "3",
        "--set", "model.contextLength=16", "--set", "model.embeddingSize=32", "--set",
        "model.heads=2",
        "--batch-size", "16", "--threads", "1", "--checkpoint", directory + "/text.safetensors",
        "--json",
      ], output: output)
    #expect(status == 0, "\(output.lines)")
    let result = try lastJSON(output)
    let accuracy = try #require(result["testAccuracy"] as? Double)
    #expect(accuracy > 0.5, "a repeated sentence is easy to predict: accuracy \(accuracy)")
  }

  @Test(arguments: [
    (["train"], "give --config FILE or --template NAME"),
    (["train", "--template", "fmnist-mlp", "--epocs", "3"], "unknown option --epocs"),
    (["train", "--template", "fmnist-mlp", "--epochs", "0"], "training.epochs"),
    (["train", "--template", "nope"], "unknown template 'nope'"),
    (["train", "--config", "/nonexistent/starling.json"], "/nonexistent/starling.json"),
    (
      ["train", "--template", "fmnist-mlp", "--set", "trainig.epochs=2"], "did you mean 'training'"
    ),
    (["fly"], "unknown command 'fly'"),
  ])
  func badCommandLinesAreClearErrors(arguments: [String], message: String) {
    let output = Output.capturing()
    let status = StarlingCLI.run(arguments, output: output)
    #expect(status != 0)
    #expect(
      output.lines.contains { $0.hasPrefix("error: ") && $0.contains(message) }, "\(output.lines)")
  }

  @Test func missingDataIsATypedErrorNamingThePath() {
    let output = Output.capturing()
    let status = StarlingCLI.run(
      [
        "train", "--template", "fmnist-mlp", "--set", "data.source=idx-directory", "--data",
        "/nonexistent",
      ],
      output: output)
    #expect(status == 1)
    #expect(output.lines.contains { $0.contains("/nonexistent") }, "\(output.lines)")
  }

  @Test func configShowPrintsTheResolvedConfiguration() throws {
    let output = Output.capturing()
    #expect(
      StarlingCLI.run(
        ["config", "show", "--template", "fmnist-cnn", "--epochs", "7"], output: output) == 0)
    let json = output.lines.joined(separator: "\n")
    #expect(json.contains("\"cnn-small\""))
    #expect(json.contains("\"epochs\" : 7") || json.contains("\"epochs\": 7"))
  }
}

extension TrainCommandTests {
  @Test func sameSeedAndThreadsGiveTheSameTrainedBits() throws {
    let directory = temporaryDirectory()
    func train(_ name: String) throws -> [UInt32] {
      let output = Output.capturing()
      let status = StarlingCLI.run(
        [
          "train", "--template", "fmnist-cnn", "--set", "data.source=synthetic", "--train-limit",
          "192",
          "--test-limit", "32", "--epochs", "1", "--threads", "2", "--seed", "11",
          "--checkpoint", directory + "/\(name).safetensors",
        ], output: output)
      #expect(status == 0, "\(output.lines)")
      let model = ModelArchitecture.cnnSmall.makeModel(seed: 0)
      try model.loadCheckpoint(from: directory + "/\(name).safetensors")
      return model.flattenedParameters().map(\.bitPattern)
    }
    let first = try train("first")
    let second = try train("second")
    #expect(first == second)
  }
}
