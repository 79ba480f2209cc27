import Configuration
import Platform

/// `starling init --template NAME --out FILE`: writes a ready configuration file to start a
/// project from.
struct InitCommand {
  static let usage = """
    usage: starling init --template NAME --out FILE [--set PATH=VALUE ...] [--force]
    Writes the built-in template NAME (fmnist-mlp, fmnist-cnn, text-transformer), with every field
    resolved and the overrides applied, as a configuration file to edit and share. An existing
    file is kept unless --force is given.
    """

  let configuration: ProjectConfiguration
  let path: String
  let isOverwriting: Bool

  init(arguments raw: [String]) throws {
    var arguments = try Arguments(raw, booleanFlags: ["force"])
    isOverwriting = arguments.flag("force")
    guard let template = try arguments.nonEmptyOption("template") else {
      throw UsageError(
        "give --template NAME (\(ProjectConfiguration.templateNames.joined(separator: ", ")))")
    }
    guard let path = try arguments.nonEmptyOption("out") else {
      throw UsageError("give --out FILE, the configuration file to write")
    }
    let overrides = try arguments.overrides([])
    try arguments.finish()
    configuration = try ProjectConfiguration.template(named: template, overrides: overrides)
    self.path = path
  }

  func run(output: Output) throws {
    if !isOverwriting, (try? RegularFile(path: path)) != nil {
      throw UsageError("'\(path)' exists; give --force to replace it")
    }
    try OutputError.checkFile(path, for: "configuration (--out)")
    try OutputError.write(
      configuration.resolvedJSON() + "\n", to: path, for: "configuration (--out)")
    output.line(
      "wrote \(path): project '\(configuration.project.name)'; edit it, then run "
        + "`starling train --config \(path)` or `starling simulate --config \(path)`")
  }
}
