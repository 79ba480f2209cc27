import Foundation
import Learning
import Tensors
import Testing

struct SafetensorsTests {
  func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent(
      "starling-\(UUID().uuidString)-\(name)"
    ).path
  }

  @Test func encodeDecodeRoundTripsValuesShapesAndMetadata() throws {
    let tensors = [
      ("a", Tensor(shape: [2, 3], scalars: [1, -2, 3.5, .infinity, 0, -0])),
      ("b", Tensor(scalar: 7)),
    ]
    let bytes = Safetensors.encode(tensors, metadata: ["epoch": "3"])
    let (decoded, metadata) = try Safetensors.decode(bytes)
    #expect(metadata == ["epoch": "3"])
    #expect(decoded.map(\.name) == ["a", "b"])
    #expect(decoded[0].tensor == tensors[0].1)
    #expect(decoded[1].tensor.shape == [])
    #expect((8 + Int(bytes[0])) % 8 == 0, "data starts 8-byte aligned")
  }

  @Test func checkpointRestoresEveryParameterAndBuffer() throws {
    let path = temporaryPath("cnn.safetensors")
    let model = ModelArchitecture.cnnSmall.makeModel(seed: 1)
    try model.saveCheckpoint(to: path, metadata: ["architecture": "cnn-small"])
    let restored = ModelArchitecture.cnnSmall.makeModel(seed: 2)
    let metadata = try restored.loadCheckpoint(from: path)
    #expect(metadata["architecture"] == "cnn-small")
    #expect(restored.flattenedParameters() == model.flattenedParameters())
  }

  @Test func loadingIntoAnotherArchitectureIsATypedError() throws {
    let path = temporaryPath("mlp.safetensors")
    try ModelArchitecture.mlp(inputs: 784, classes: 10).makeModel(seed: 1).saveCheckpoint(to: path)
    #expect(throws: CheckpointError.self) {
      try ModelArchitecture.cnnSmall.makeModel(seed: 1).loadCheckpoint(from: path)
    }
  }

  static let valid = Safetensors.encode([("w", Tensor([1, 2, 3]))])

  /// Corruptions of a valid file, each of which must be rejected with a typed error.
  static let corruptions: [(String, [UInt8])] = [
    ("empty", []),
    ("short length", Array(valid.prefix(5))),
    ("header longer than file", [255, 0, 0, 0, 0, 0, 0, 0] + Array(valid.dropFirst(8))),
    ("huge header length", [255, 255, 255, 255, 255, 255, 255, 127] + Array(valid.dropFirst(8))),
    ("truncated data", Array(valid.dropLast(4))),
    ("extra data", valid + [0, 0, 0, 0]),
    ("not JSON", corruptHeader(valid) { _ in Array("{nope".utf8) }),
    (
      "wrong dtype",
      corruptHeader(valid) {
        Array(String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "F32", with: "F64").utf8)
      }
    ),
    (
      "offsets out of range",
      corruptHeader(valid) {
        Array(
          String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "[0,12]", with: "[0,16]")
            .utf8)
      }
    ),
    (
      "shape disagrees",
      corruptHeader(valid) {
        Array(String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "[3]", with: "[4]").utf8)
      }
    ),
  ]

  static func corruptHeader(_ bytes: [UInt8], _ change: ([UInt8]) -> [UInt8]) -> [UInt8] {
    let length = Int(bytes[0]) | Int(bytes[1]) << 8
    var header = change(Array(bytes[8..<(8 + length)]))
    while header.count % 8 != 0 { header.append(32) }
    var result = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) }
    result += header + bytes[(8 + length)...]
    return result
  }

  @Test(arguments: corruptions.map(\.0))
  func malformedFilesAreTypedErrors(name: String) {
    let bytes = Self.corruptions.first { $0.0 == name }!.1
    #expect(throws: CheckpointError.self) { try Safetensors.decode(bytes, path: name) }
  }

  /// Opens a Starling checkpoint with Python's `safetensors` + `numpy` and compares values.
  /// `make test` sets STARLING_PYTHON to a venv that has both.
  @Test(.enabled(if: ProcessInfo.processInfo.environment["STARLING_PYTHON"] != nil))
  func checkpointOpensInPythonSafetensors() throws {
    let path = temporaryPath("interop.safetensors")
    let model = ModelArchitecture.mlp(inputs: 784, classes: 10).makeModel(seed: 9)
    try model.saveCheckpoint(to: path, metadata: ["architecture": "mlp"])
    let script = """
      import json, sys
      from safetensors.numpy import load_file
      from safetensors import safe_open
      tensors = load_file(sys.argv[1])
      with safe_open(sys.argv[1], framework="numpy") as f:
          metadata = f.metadata()
      print(json.dumps({"names": sorted(tensors), "metadata": metadata,
        "shape": list(tensors["1.weight"].shape), "dtype": str(tensors["1.weight"].dtype),
        "w00": float(tensors["1.weight"][0, 0]), "w_last": float(tensors["5.bias"][-1]),
        "sum": float(sum(t.astype("float64").sum() for t in tensors.values()))}))
      """
    let process = Process()
    process.executableURL = URL(
      fileURLWithPath: ProcessInfo.processInfo.environment["STARLING_PYTHON"]!)
    process.arguments = ["-c", script, path]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let result = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let named = Dictionary(
      uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.parameter.value) })
    #expect(result["names"] as? [String] == named.keys.sorted())
    #expect(result["metadata"] as? [String: String] == ["architecture": "mlp"])
    #expect(result["shape"] as? [Int] == [256, 784])
    #expect(result["dtype"] as? String == "float32")
    #expect(Float(result["w00"] as! Double) == named["1.weight"]![0, 0])
    #expect(Float(result["w_last"] as! Double) == named["5.bias"]![9])
    let total = model.flattenedParameters().reduce(0.0) { $0 + Double($1) }
    #expect(abs((result["sum"] as! Double) - total) < 1e-6)
  }
}
