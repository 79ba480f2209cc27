import Configuration
import Foundation
import Platform
import Tensors

/// `starling cluster`: a project of real `starling node` processes on this machine, with a live
/// failover: the real-process `make demo`.
struct ClusterCommand {
  static let usage = """
    usage: starling cluster --config FILE [--peers N] [--council N] [--dir DIR]
                            [--kill-coordinator-at ROUND] [--restart-after SECONDS]
                            [--out MODEL.safetensors] [--timeout SECONDS] [--json]
    Starts N peers (default 8) as separate `starling node` processes on 127.0.0.1 (free ports),
    the first --council of them (default 3) the founding council, each training its shard of the
    configured partition. One line per committed round. At --kill-coordinator-at it kills the
    coordinator with SIGKILL, shows the election, restarts the killed peer from its store after
    --restart-after seconds (default 3) and trains on. At training.rounds it stops every peer
    with SIGTERM, checks that every peer's committed history agrees, and exports the model.
    Ctrl-C stops every process it started.
    """

  let configPath: String
  let peerCount: Int
  let councilSize: Int
  let directory: String
  let killAtRound: UInt64?
  let restartAfterSeconds: Double
  let out: String
  let timeoutSeconds: Double
  let isJSON: Bool
  let rounds: Int

  init(arguments raw: [String]) throws {
    var arguments = try Arguments(raw, booleanFlags: ["json"])
    isJSON = arguments.flag("json")
    guard let configPath = try arguments.nonEmptyOption("config") else {
      throw UsageError("give --config FILE\n\(Self.usage)")
    }
    self.configPath = configPath
    peerCount = try arguments.integer("peers", in: 2...64) ?? 8
    councilSize = try arguments.integer("council", in: 1...15) ?? 3
    directory = try arguments.nonEmptyOption("dir") ?? "starling-cluster"
    killAtRound = try arguments.unsigned("kill-coordinator-at", in: 1...1_000_000)
    restartAfterSeconds = try arguments.number("restart-after", in: 0...600) ?? 3
    out = try arguments.nonEmptyOption("out") ?? directory + "/model.safetensors"
    timeoutSeconds = try arguments.number("timeout", in: 1...86_400) ?? 900
    try arguments.finish()
    guard councilSize < peerCount else {
      throw UsageError("--council \(councilSize) leaves no trainer among \(peerCount) peers")
    }
    rounds = try ProjectConfiguration.load(path: configPath).training.rounds
  }

  /// Set while a cluster runs, for the SIGINT handler.
  nonisolated(unsafe) static var runningPIDs: () -> [Int32] = { [] }

  func run(output: Output) throws -> [String: Any] {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    try? FileManager.default.removeItem(atPath: directory)
    let cluster = try LocalCluster(
      binary: binary, configuration: configPath, directory: directory, peerCount: peerCount,
      councilSize: councilSize, extraArguments: ["--set", "training.threads=1"])
    Self.runningPIDs = { cluster.processIdentifiers }
    signal(SIGINT) { _ in
      for pid in ClusterCommand.runningPIDs() { kill(pid, SIGKILL) }
      _exit(130)
    }
    defer {
      cluster.stopAll()
      signal(SIGINT, SIG_DFL)
    }
    let started = Date()
    func elapsed() -> String { String(format: "%6.1f s", Date().timeIntervalSince(started)) }
    output.line("starting \(peerCount) peers (council of \(councilSize)) in \(directory)")
    for index in 0..<peerCount { try cluster.start(index) }
    output.line("\(elapsed())  all \(peerCount) peers listening; project \(cluster.projectID)")

    var lastRound: UInt64 = 0
    var accuracyByRound: [UInt64: Double] = [:]
    var killed: (index: Int, at: Date, round: UInt64)?
    var restartedAt: Date?
    var failoverSeconds: Double?
    var coordinatorBeforeKill: String?
    var lines: [[String: Any]] = []
    let deadline = started.addingTimeInterval(timeoutSeconds)
    while Date() < deadline {
      Thread.sleep(forTimeInterval: 0.5)
      var statuses: [Int: [String: Any]] = [:]
      for index in 0..<peerCount { statuses[index] = cluster.status(index, timeoutSeconds: 2) }
      guard
        let coordinatorID = statuses.values.compactMap({ $0["coordinator"] as? String })
          .max(by: { a, b in
            (statuses.values.first { ($0["coordinator"] as? String) == a }?["term"] as? Int ?? 0)
              < (statuses.values.first { ($0["coordinator"] as? String) == b }?["term"] as? Int ?? 0)
          }),
        let coordinator = cluster.index(of: coordinatorID), let leader = statuses[coordinator]
      else { continue }
      let round = (leader["round"] as? NSNumber)?.uint64Value ?? 0
      if let accuracy = leader["accuracy"] as? Double { accuracyByRound[round] = accuracy }
      if let (index, at, _) = killed, failoverSeconds == nil, coordinator != index,
        round > killed!.round
      {
        failoverSeconds = Date().timeIntervalSince(at)
        output.line(
          "\(elapsed())  peer \(coordinator) elected coordinator (term \(leader["term"] ?? "?")); round \(round) committed "
            + String(format: "%.1f s after the kill", failoverSeconds!))
      }
      if let (index, at, _) = killed, restartedAt == nil,
        Date().timeIntervalSince(at) >= restartAfterSeconds
      {
        try cluster.start(index)
        restartedAt = Date()
        let status = cluster.status(index)
        output.line(
          "\(elapsed())  peer \(index) restarted from its store at round \((status?["round"] as? NSNumber)?.uint64Value ?? 0)"
        )
      }
      guard round > lastRound, accuracyByRound[round] != nil || round >= UInt64(rounds) else {
        continue
      }
      lastRound = round
      let alive = (0..<peerCount).filter { cluster.isRunning($0) }.count
      let bytes = statuses.values.reduce(0) { $0 + (($1["bytesSent"] as? NSNumber)?.intValue ?? 0) }
      let aggregators = (leader["aggregators"] as? [String] ?? []).compactMap(cluster.index(of:))
      let accuracy = accuracyByRound[round]
      output.line(
        "\(elapsed())  round \(round)  accuracy \(accuracy.map { String(format: "%.4f", $0) } ?? "  -   ")  "
          + "coordinator peer \(coordinator)  aggregators \(aggregators.map { "peer \($0)" }.joined(separator: ", "))  "
          + "peers alive \(alive)  bytes sent \(formatBytes(bytes))")
      lines.append([
        "round": round, "accuracy": accuracy ?? NSNull(), "coordinator": coordinator,
        "aggregators": aggregators, "peersAlive": alive, "bytesSent": bytes,
        "seconds": Date().timeIntervalSince(started),
      ])
      if let killAtRound, killed == nil, round >= killAtRound {
        coordinatorBeforeKill = coordinatorID
        output.line("\(elapsed())  killing the coordinator, peer \(coordinator), with SIGKILL")
        cluster.kill(coordinator)
        killed = (coordinator, Date(), round)
      }
      if round >= UInt64(rounds) { break }
    }
    let finalAccuracy = accuracyByRound[lastRound] ?? accuracyByRound.max { $0.key < $1.key }?.value
    let statuses = cluster.stopAll()
    let cleanExits = statuses.values.filter { $0 == 0 }.count
    output.line(
      "\(elapsed())  stopped every peer with SIGTERM: \(cleanExits) of \(statuses.count) exited 0")
    // Every pair of peers agrees on every round both committed, and nobody lost one.
    let histories = (0..<peerCount).map { cluster.committedHistory($0) }
    var disagreements = 0
    for first in histories.indices {
      for second in histories.indices where second > first {
        for (round, model) in histories[first]
        where histories[second][round].map({ $0 != model }) ?? false {
          disagreements += 1
        }
      }
    }
    output.line(
      disagreements == 0
        ? "committed histories agree on every peer"
        : "committed histories DISAGREE in \(disagreements) places")
    let best =
      (0..<peerCount).max { (histories[$0].keys.max() ?? 0) < (histories[$1].keys.max() ?? 0) } ?? 0
    try ExportCommand(arguments: ["--data-dir", cluster.peers[best].directory, "--out", out]).run(
      output: output)
    output.line(
      "final accuracy \(finalAccuracy.map { String(format: "%.4f", $0) } ?? "-") after \(lastRound) rounds; model: \(out)"
    )
    _ = coordinatorBeforeKill
    return [
      "command": "cluster", "peers": peerCount, "council": councilSize, "rounds": lastRound,
      "finalAccuracy": finalAccuracy ?? NSNull(), "model": out,
      "failoverSeconds": failoverSeconds ?? NSNull(), "historiesAgree": disagreements == 0,
      "cleanExits": cleanExits, "seconds": Date().timeIntervalSince(started), "roundLines": lines,
    ]
  }
}
