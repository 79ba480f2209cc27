import Commands
import Foundation
import Learning
import Tensors
import Testing

@Suite struct OutputTests {
  @Test func nonFiniteNumbersBecomeNullAndAreListed() throws {
    let output = Output.capturing()
    output.json([
      "loss": Double.nan, "accuracy": 0.5,
      "epochs": [["meanLoss": -Double.infinity], ["meanLoss": 1.0]],
      "speed": Float.infinity,
    ])
    let line = try #require(output.lines.last)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(object["loss"] is NSNull)
    #expect(object["accuracy"] as? Double == 0.5)
    #expect(object["speed"] is NSNull)
    #expect(
      object["nonFiniteFields"] as? [String] == ["epochs[0].meanLoss", "loss", "speed"])
  }

  @Test func aModelHoldingANaNIsNotWrittenAsACheckpoint() throws {
    let model = ModelArchitecture.mlp(inputs: 4, classes: 2).makeModel(seed: 1)
    let parameter = try #require(model.namedParameters.first)
    var value = parameter.parameter.value
    value.withUnsafeMutableBufferPointer { $0[0] = .nan }
    parameter.parameter.value = value
    let path = NSTemporaryDirectory() + "starling-nan-\(UUID().uuidString).safetensors"
    #expect(throws: CheckpointError.nonFinite(path: path, tensor: parameter.name)) {
      try model.saveCheckpoint(to: path)
    }
    #expect(!FileManager.default.fileExists(atPath: path))
  }
}

@Suite struct InitCommandTests {
  @Test func writesATemplateThatLoadsBackAndKeepsAnExistingFile() throws {
    let directory = NSTemporaryDirectory() + "starling-init-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/project.json"
    let output = Output.capturing()
    #expect(
      StarlingCLI.run(
        ["init", "--template", "fmnist-cnn", "--out", path, "--set", "project.name=mine"],
        output: output) == 0, "\(output.lines)")
    let shown = Output.capturing()
    #expect(StarlingCLI.run(["config", "show", "--config", path], output: shown) == 0)
    #expect(shown.lines.joined().contains("\"name\": \"mine\""))
    let again = Output.capturing()
    #expect(
      StarlingCLI.run(["init", "--template", "fmnist-cnn", "--out", path], output: again) == 2)
    #expect(again.lines.last == "error: '\(path)' exists; give --force to replace it")
    #expect(
      StarlingCLI.run(
        ["init", "--template", "fmnist-mlp", "--out", path, "--force"], output: .capturing()) == 0)
  }
}
