import Configuration
import Datasets
import Foundation
import Learning

/// The `starling` command line: parses, runs one command, reports errors, returns the exit code.
public enum StarlingCLI {
  public static let version = "0.1.0"

  static let usage = """
    starling \(version): volunteer deep learning

    usage: starling <command> [options]
      train       train a model on this machine (--config FILE or --template NAME)
      simulate    many peers training together in the deterministic simulator
      experiment  a grid of aggregation rules x attacks x Byzantine fractions in the simulator
      bench       the PyTorch reference recipe on Fashion-MNIST, for side-by-side timing;
                  with --aggregation, the aggregation rules against the NumPy reference
      config      show a resolved configuration, or list the built-in templates
      init        write a ready configuration from a template (--template NAME --out FILE)
      keygen      create or load this peer's key and print its peer ID (--out FILE)
      node        run one real peer of a project (--config FILE --data-dir DIR ...)
      status      ask a running node for the project's state (--peer CONTACT)
      export      write a node's last committed model as safetensors (--data-dir DIR --out FILE)
      cluster     run a project of real node processes on this machine, with a live failover
      help        this text; `starling <command> --help` for a command's options

    Commands that report results take --json and then print one JSON object as the last line.
    """

  /// Runs `arguments` (without the program name). Exit codes: 0 success, 1 failure, 2 usage.
  public static func run(_ arguments: [String], output: Output) -> Int32 {
    guard let command = arguments.first else {
      output.line(usage)
      return 2
    }
    let rest = Array(arguments.dropFirst())
    if rest.contains("--help") || rest.contains("-h") {
      output.line(help(for: command))
      return 0
    }
    do {
      switch command {
      case "train":
        let train = try TrainCommand(arguments: rest)
        let result = try train.run(output: output)
        if train.isJSON { output.json(result) }
      case "bench" where rest.contains("--signatures"):
        try SignatureBenchmark(arguments: rest).run(output: output)
      case "bench" where rest.contains("--aggregation"):
        try AggregationBenchmark(arguments: rest).run(output: output)
      case "bench":
        try BenchCommand(arguments: rest).run(output: output)
      case "simulate":
        let simulate = try SimulateCommand(arguments: rest)
        let result = try simulate.run(output: output)
        if simulate.isJSON { output.json(result) }
        return exitStatus(of: result)
      case "experiment":
        let experiment = try ExperimentCommand(arguments: rest)
        let result = try experiment.run(output: output)
        if experiment.isJSON { output.json(result) }
      case "config":
        try ConfigCommand(arguments: rest).run(output: output)
      case "keygen": try KeygenCommand(arguments: rest).run(output: output)
      case "init": try InitCommand(arguments: rest).run(output: output)
      case "node": try NodeCommand(arguments: rest).run(output: output)
      case "status":
        let status = try StatusCommand(arguments: rest)
        let result = try status.run(output: output)
        if status.isJSON { output.json(result) }
      case "export": try ExportCommand(arguments: rest).run(output: output)
      case "cluster":
        let cluster = try ClusterCommand(arguments: rest)
        let result = try cluster.run(output: output)
        if cluster.isJSON { output.json(result) }
        return exitStatus(of: result)
      case "help", "--help", "-h":
        output.line(rest.first.map(help(for:)) ?? usage)
      case "version", "--version":
        output.line("starling \(version)")
      default:
        throw UsageError("unknown command '\(command)'\n\(usage)")
      }
      return 0
    } catch let error as UsageError {
      output.error(error.description)
      return 2
    } catch {
      output.error(String(describing: error))
      return 1
    }
  }

  /// 1 when a run's figures say its checks failed (a sweep's failing seed, histories that
  /// disagree, a restart behind its committed round), else 0: scripts and CI see the failure.
  static func exitStatus(of result: [String: Any]) -> Int32 {
    let failed =
      (result["failed"] as? Int ?? 0) > 0 || result["historiesAgree"] as? Bool == false
      || (result["restartsBehindCommittedRound"] as? Int ?? 0) > 0
    return failed ? 1 : 0
  }

  static func help(for command: String) -> String {
    switch command {
    case "train": TrainCommand.usage
    case "bench":
      BenchCommand.usage + "\n" + AggregationBenchmark.usage + "\n" + SignatureBenchmark.usage
    case "simulate": SimulateCommand.usage
    case "experiment": ExperimentCommand.usage
    case "config": ConfigCommand.usage
    case "keygen": KeygenCommand.usage
    case "init": InitCommand.usage
    case "node": NodeCommand.usage
    case "status": StatusCommand.usage
    case "export": ExportCommand.usage
    case "cluster": ClusterCommand.usage
    default: usage
    }
  }
}

/// `starling bench`: the recipe of `shared/bench/torch_fmnist.py` (Fashion-MNIST, batch 64, SGD
/// 0.05 with momentum 0.9, same normalisation) through `train`, reporting the same figures.
struct BenchCommand {
  static let usage = """
    usage: starling bench [--model mlp|cnn-small] [--threads N] [--epochs N] [--seed N]
                          [--max-memory SIZE] [--json]
    Trains with the PyTorch reference recipe and reports samples/s (per epoch), launch-to-first-
    step time and peak resident memory, measured as the reference script measures them.
    """

  let train: TrainCommand
  let isJSON: Bool

  init(arguments raw: [String]) throws {
    var arguments = try Arguments(raw, booleanFlags: ["json"])
    isJSON = arguments.flag("json")
    let model = arguments.option("model") ?? "mlp"
    guard ["mlp", "cnn-small"].contains(model) else {
      throw UsageError("--model must be mlp or cnn-small")
    }
    let threads = try arguments.integer("threads", in: 1...256) ?? 1
    let epochs = try arguments.integer("epochs", in: 1...1000) ?? 1
    let seed = try arguments.unsigned("seed") ?? 0
    let maximumMemory = arguments.option("max-memory")
    try arguments.finish()
    let checkpoint = FileManager.default.temporaryDirectory.appendingPathComponent(
      "starling-bench-\(model).safetensors"
    ).path
    train = try TrainCommand(
      arguments: [
        "--template", model == "mlp" ? "fmnist-mlp" : "fmnist-cnn", "--epochs", String(epochs),
        "--threads", String(threads), "--seed", String(seed), "--checkpoint", checkpoint,
      ] + (maximumMemory.map { ["--max-memory", $0] } ?? []))
  }

  func run(output: Output) throws {
    let result = try train.run(output: output)
    let epochs = result["epochs"] as! [[String: Any]]
    var summary: [String: Any] = [
      "command": "bench", "model": result["model"]!, "threads": result["threads"]!,
      "epochs": epochs.count, "samplesPerSecond": epochs.map { $0["samplesPerSecond"]! },
      "testAccuracy": result["testAccuracy"]!,
      "peakResidentMegabytes": result["peakResidentMegabytes"]!,
      "dataLoadSeconds": result["dataLoadSeconds"]!,
    ]
    summary["launchToFirstStepSeconds"] = result["launchToFirstStepSeconds"]
    if isJSON { output.json(summary) }
  }
}

/// `starling config show --config FILE | --template NAME` and `starling config templates`.
struct ConfigCommand {
  static let usage = """
    usage: starling config show (--config FILE | --template NAME) [--set PATH=VALUE ...]
           starling config templates
    """

  let arguments: [String]

  init(arguments: [String]) throws { self.arguments = arguments }

  func run(output: Output) throws {
    switch arguments.first {
    case "templates":
      for name in ProjectConfiguration.templateNames { output.line(name) }
    case "show":
      let command = try TrainCommand(arguments: Array(arguments.dropFirst()))
      output.line(command.configuration.resolvedJSON())
    default:
      throw UsageError(Self.usage)
    }
  }
}
