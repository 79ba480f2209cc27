import Commands
import Foundation
import Testing

/// `starling train` with `training.privacy`, in process on small synthetic data.
struct PrivateImageTrainingTests {
  func checkpointPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent(
      "starling-dp-\(UUID().uuidString).safetensors"
    ).path
  }

  func run(_ extra: [String]) throws -> (status: Int32, output: Output, json: [String: Any]?) {
    let output = Output.capturing()
    let status = StarlingCLI.run(
      [
        "train", "--template", "fmnist-mlp", "--set", "data.source=synthetic", "--train-limit",
        "500", "--test-limit", "200", "--threads", "1", "--batch-size", "100",
        "--checkpoint", checkpointPath(), "--json",
      ] + extra, output: output)
    let json = output.lines.last.flatMap {
      try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
    return (status, output, json)
  }

  @Test func privateRunReportsEpsilonEveryEpochAndInTheJSON() throws {
    let (status, output, json) = try run([
      "--epochs", "2", "--dp-noise", "1.0", "--dp-clip", "1", "--learning-rate", "0.5",
    ])
    #expect(status == 0, "\(output.lines)")
    let result = try #require(json)
    let privacy = try #require(result["privacy"] as? [String: Any])
    let epsilon = try #require(result["epsilon"] as? Double)
    #expect(epsilon > 0 && epsilon.isFinite)
    #expect(privacy["sampling"] as? String == "poisson")
    #expect(privacy["samplingRate"] as? Double == 0.2)
    #expect(privacy["steps"] as? Int == 10)
    let epochs = try #require(result["epochs"] as? [[String: Any]])
    #expect(epochs.count == 2 && epochs.allSatisfy { $0["epsilon"] is Double })
    #expect(output.lines.contains { $0.hasPrefix("epoch 2/2") && $0.contains("ε") })
    let accuracy = try #require(result["testAccuracy"] as? Double)
    #expect(accuracy > 0.5, "bright squares stay learnable under DP: \(accuracy)")
  }

  @Test func aBudgetStopsTrainingBeforeItIsExceededAndSaysSo() throws {
    let (status, output, json) = try run([
      "--epochs", "50", "--dp-noise", "0.8", "--epsilon-target", "2",
    ])
    #expect(status == 0, "\(output.lines)")
    let result = try #require(json)
    let privacy = try #require(result["privacy"] as? [String: Any])
    #expect(try #require(result["epsilon"] as? Double) <= 2)
    #expect((privacy["stopReason"] as? String)?.contains("privacy budget exhausted") == true)
    #expect(output.lines.contains { $0.hasPrefix("stopped: privacy budget exhausted") })
    #expect(try #require(privacy["steps"] as? Int) < 250)
  }

  @Test func anEpsilonTargetAloneCalibratesTheNoise() throws {
    let (status, output, json) = try run(["--epochs", "3", "--epsilon-target", "4"])
    #expect(status == 0, "\(output.lines)")
    let privacy = try #require(json?["privacy"] as? [String: Any])
    #expect(privacy["noiseCalibrated"] as? Bool == true)
    let epsilon = try #require(privacy["epsilon"] as? Double)
    #expect(epsilon <= 4 && epsilon > 3.9, "calibration spends the budget: \(epsilon)")
    #expect(privacy["stopReason"] == nil)
  }
}
