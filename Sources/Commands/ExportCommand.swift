import Configuration
import Foundation
import Learning
import NodeRuntime
import Platform

/// `starling export`: a node's last committed model as a safetensors file.
struct ExportCommand {
  static let usage = """
    usage: starling export --data-dir DIR --out FILE.safetensors [--config FILE]
    Writes the last committed model in DIR's store (the model architecture from DIR/config.json,
    or FILE) as safetensors, with the round and the model's hash in the metadata.
    """

  let dataDirectory: String
  let out: String
  let configPath: String

  init(arguments raw: [String]) throws {
    var arguments = try Arguments(raw, booleanFlags: [])
    guard let dataDirectory = try arguments.nonEmptyOption("data-dir") else {
      throw UsageError("give --data-dir DIR\n\(Self.usage)")
    }
    guard let out = try arguments.nonEmptyOption("out") else {
      throw UsageError("give --out FILE\n\(Self.usage)")
    }
    configPath = try arguments.nonEmptyOption("config") ?? dataDirectory + "/config.json"
    try arguments.finish()
    self.dataDirectory = dataDirectory
    self.out = out
  }

  func run(output: Output) throws {
    try OutputError.checkFile(out, for: "model (--out)")
    let configuration = try ProjectConfiguration.load(path: configPath)
    let store = try NodeStore(directory: dataDirectory)
    defer { store.close() }
    guard let committed = try store.committedModel() else {
      throw UsageError("the store in \(dataDirectory) holds no committed model yet")
    }
    let data = try TrainingSetup.loadData(
      configuration.data, seed: configuration.model.seed)
    let architecture = try TrainingSetup.architecture(
      configuration.model, sampleShape: data.train.sampleShape, classCount: data.train.classCount)
    let model = architecture.makeModel(seed: configuration.model.seed)
    guard committed.values.count == model.parameterCount else {
      throw UsageError(
        "the committed model has \(committed.values.count) parameters; \(configPath) describes "
          + "\(model.parameterCount)")
    }
    model.assignParameters(from: committed.values)
    try model.saveCheckpoint(
      to: out,
      metadata: [
        "round": String(committed.round), "modelHash": committed.digest.contentHash.hexadecimal,
        "architecture": architecture.name,
      ])
    output.line("round \(committed.round) written to \(out)")
  }
}
