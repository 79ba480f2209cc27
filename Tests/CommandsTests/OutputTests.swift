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
