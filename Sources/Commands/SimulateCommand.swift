import Configuration
import Coordination
import Datasets
import Foundation
import Learning
import Node
import Simulation
import Tensors
import Wire

/// `starling simulate`: many peers training one model in the deterministic simulator.
struct SimulateCommand {
  static let usage = """
    usage: starling simulate (--config FILE | --template NAME) [options]
      --mode federated|fdfl     topology (default fdfl)
      --council N               council members in fdfl: the coordinator and N-1 aggregators (default 5)
      --crash-coordinator-at S  crash the coordinator at these virtual seconds (comma-separated)
      --crash-fraction F        share of peers that crash and restart during the fault phase
      --fault-seconds S         length of the fault phase; then faults stop (liveness phase)
      --sweep N                 run N seeds (from --seed) of the fault sweep: small fdfl projects with
                                synthetic updates and random faults, checked for safety and liveness
      --failover                with --sweep: the only crash is one of the coordinator (failover time)
      --compare                 run federated, fdfl, and fdfl with failures (30% churn and two coordinator
                                crashes, unless --crash-fraction/--crash-coordinator-at say otherwise)
      --plot FILE.svg           with --compare: accuracy per round of the three runs on one chart
      --synthetic P             synthetic updates of P parameters instead of real training (for scale)
      --aggregators N           aggregators per round, ranked among the council members (default: all
                                council members but the coordinator)
      --rotate-every N          re-rank the aggregators every N committed rounds (default 10)
      --fixed-council           keep the bootstrap council and its elected coordinator: no
                                replacement of silent members, no rotation, no ranked coordinator
      --membership              run SWIM failure detection on every peer; trainers are sampled among
                                members believed alive
      --peers N                 simulated peers (data.peers; default 8)
      --rounds N                rounds to commit (training.rounds)
      --trainers-per-round N    trainers sampled per round (default: all)
      --seed N                  the run's seed: the same seed replays the run bit for bit
      --train-limit N, --test-limit N, --set PATH=VALUE, --json  as for train
    Peers train the real model on their shard of the data (data.partition) for one local epoch
    (or training.localSteps steps) per round.
    """

  let configuration: ProjectConfiguration
  let mode: TopologyMode
  let trainersPerRound: Int?
  let seed: UInt64
  let councilSize: Int
  let coordinatorCrashes: [UInt64]
  let crashFraction: Double
  let faultMilliseconds: UInt64?
  let sweepCount: UInt64?
  let isFailoverOnly: Bool
  let isComparison: Bool
  let plotPath: String?
  let syntheticParameters: Int?
  let usesMembership: Bool
  let aggregatorCount: Int?
  let rotateEvery: Int
  let roundDeadlineMilliseconds: UInt64
  /// Crash the coordinator at a third and at two thirds of the fault phase.
  var crashCoordinatorTwice = false
  let isJSON: Bool

  init(arguments raw: [String]) throws {
    var passthrough: [String] = []
    var coordinatorCrashes: [UInt64] = []
    var crashFraction = 0.0
    var faultSeconds: UInt64?
    var sweepCount: UInt64?
    var isFailoverOnly = false
    var isComparison = false
    var syntheticParameters: Int?
    var plotPath: String?
    var trainersPerRound: Int?
    var seed: UInt64 = 1
    var index = 0
    while index < raw.count {
      let argument = raw[index]
      let value = index + 1 < raw.count ? raw[index + 1] : nil
      /// The option's value parsed by `parse`, or a usage error saying what it must be.
      func take<Value>(_ requirement: String, _ parse: (String) -> Value?) throws -> Value {
        guard let value, let parsed = parse(value) else {
          throw UsageError("\(argument) must be \(requirement)")
        }
        index += 2
        return parsed
      }
      func positive(_ text: String) -> Int? { Int(text).flatMap { $0 >= 1 ? $0 : nil } }
      switch argument {
      case "--mode":
        passthrough += [
          "--set",
          "topology.mode=\(try take("federated or fdfl") { TopologyMode(rawValue: $0)?.rawValue })",
        ]
      case "--trainers-per-round": trainersPerRound = try take("a positive integer", positive)
      case "--seed": seed = try take("a non-negative integer") { UInt64($0) }
      case "--council":
        passthrough += ["--set", "topology.council=\(try take("a positive integer", positive))"]
      case "--aggregators":
        passthrough += [
          "--set", "topology.aggregators=\(try take("a positive integer", positive))",
        ]
      case "--rotate-every":
        passthrough += [
          "--set", "topology.rotateEvery=\(try take("a positive integer", positive))",
        ]
      case "--sweep": sweepCount = try take("a positive integer") { positive($0).map(UInt64.init) }
      case "--synthetic":
        syntheticParameters = try take("a parameter count in 1...\(RoundLimits.valuesMax)") {
          positive($0).flatMap { $0 <= RoundLimits.valuesMax ? $0 : nil }
        }
      case "--crash-fraction":
        crashFraction = try take("a fraction in 0...1") {
          Double($0).flatMap { (0...1).contains($0) ? $0 : nil }
        }
      case "--fault-seconds": faultSeconds = try take("a whole number of seconds") { UInt64($0) }
      case "--plot": plotPath = try take("a file name") { $0 }
      case "--crash-coordinator-at":
        coordinatorCrashes = try take("comma-separated seconds") { text in
          let times = text.split(separator: ",").map {
            Double($0).flatMap { $0 >= 0 ? UInt64($0 * 1000) : nil }
          }
          return times.contains(nil) ? nil : times.compactMap { $0 }
        }
      case "--peers": passthrough += ["--set", "data.peers=\(try take("a value") { $0 })"]
      case "--rounds": passthrough += ["--set", "training.rounds=\(try take("a value") { $0 })"]
      case "--membership":
        passthrough += ["--set", "topology.membership=true"]
        index += 1
      case "--fixed-council":
        passthrough += [
          "--set", "topology.replaceCouncilMembers=false", "--set", "topology.rotateCouncil=false",
          "--set", "topology.rankedCoordinator=false",
        ]
        index += 1
      case "--compare", "--failover":
        isComparison = isComparison || argument == "--compare"
        isFailoverOnly = isFailoverOnly || argument == "--failover"
        index += 1
      default:
        passthrough.append(argument)
        index += 1
      }
    }
    if sweepCount != nil || syntheticParameters != nil, !passthrough.contains("--config"),
      !passthrough.contains("--template")
    {
      passthrough += ["--template", "fmnist-mlp"]
    }
    let train = try TrainCommand(arguments: passthrough)
    configuration = train.configuration
    isJSON = train.isJSON
    let topology = configuration.topology
    mode = topology.mode == .federated ? .federated : .fdfl
    self.trainersPerRound = trainersPerRound
    self.seed = seed
    councilSize = mode == .federated ? 1 : topology.council
    self.coordinatorCrashes = coordinatorCrashes
    self.crashFraction = crashFraction
    self.faultMilliseconds = faultSeconds.map { $0 * 1000 }
    self.sweepCount = sweepCount
    self.isFailoverOnly = isFailoverOnly
    self.isComparison = isComparison
    self.plotPath = plotPath
    self.syntheticParameters = syntheticParameters
    usesMembership = topology.membership
    aggregatorCount = topology.aggregators
    rotateEvery = topology.rotateEvery
    roundDeadlineMilliseconds = UInt64(topology.roundDeadlineSeconds * 1000)
    if plotPath != nil && !isComparison {
      throw UsageError("--plot draws the --compare runs; add --compare")
    }
  }

  func run(output: Output) throws -> [String: Any] {
    if let sweepCount { return sweep(count: sweepCount, output: output) }
    if isComparison { return try compare(output: output) }
    return try Parallel.withThreads(configuration.training.threadCount) {
      try simulate(output: output)
    }
  }

  /// The same project three ways: the classic FL baseline, fdfl, and fdfl under failures.
  private func compare(output: Output) throws -> [String: Any] {
    let rounds = configuration.training.rounds
    let failing = SimulateCommand(
      copying: self, mode: .fdfl,
      coordinatorCrashes: coordinatorCrashes.isEmpty ? [] : coordinatorCrashes,
      crashFraction: crashFraction > 0 ? crashFraction : 0.3, isFailureRun: true)
    let runs: [(String, SimulateCommand)] = [
      (
        "federated",
        SimulateCommand(copying: self, mode: .federated, coordinatorCrashes: [], crashFraction: 0)
      ),
      (
        "fdfl",
        SimulateCommand(copying: self, mode: .fdfl, coordinatorCrashes: [], crashFraction: 0)
      ),
      ("fdfl with failures", failing),
    ]
    var results: [[String: Any]] = []
    var series: [SVGChart.Series] = []
    for (name, run) in runs {
      output.line("== \(name)")
      let result = try Parallel.withThreads(configuration.training.threadCount) {
        try run.simulate(output: output)
      }
      results.append(["name": name, "result": result])
      let points = (result["rounds"] as? [[String: Any]] ?? []).enumerated().map { index, round in
        (x: Double(index + 1), y: round["accuracy"] as? Double ?? 0)
      }
      series.append(SVGChart.Series(name: name, points: points))
    }
    if let plotPath {
      let chart = SVGChart(
        title:
          "\(configuration.project.name): test accuracy per committed round (\(rounds) rounds)",
        xLabel: "committed round", yLabel: "test accuracy", series: series)
      let url = URL(fileURLWithPath: plotPath)
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try chart.render().write(to: url, atomically: true, encoding: .utf8)
      output.line("chart written to \(plotPath)")
    }
    return ["command": "simulate", "compare": results, "plot": plotPath ?? NSNull()]
  }

  /// A copy with another topology and other faults (for `--compare`).
  private init(
    copying other: SimulateCommand, mode: TopologyMode, coordinatorCrashes: [UInt64],
    crashFraction: Double,
    isFailureRun: Bool = false
  ) {
    configuration = other.configuration
    isJSON = other.isJSON
    self.mode = mode
    trainersPerRound = other.trainersPerRound
    seed = other.seed
    councilSize = mode == .federated ? 1 : other.councilSize
    self.crashFraction = crashFraction
    sweepCount = nil
    isFailoverOnly = false
    isComparison = false
    plotPath = nil
    syntheticParameters = other.syntheticParameters
    usesMembership = other.usesMembership
    aggregatorCount = other.aggregatorCount
    rotateEvery = other.rotateEvery
    roundDeadlineMilliseconds = other.roundDeadlineMilliseconds
    faultMilliseconds = other.faultMilliseconds
    // Two coordinator crashes spread over the run unless given: a third and two thirds of the
    // fault phase, which then covers two thirds of an estimated run.
    self.coordinatorCrashes = isFailureRun && coordinatorCrashes.isEmpty ? [] : coordinatorCrashes
    crashCoordinatorTwice = isFailureRun && coordinatorCrashes.isEmpty
  }

  /// Real-training fidelity: the configured model on shards of the configured data.
  private func realTraining(peerCount: Int) throws -> (
    training: ShardTraining, initialModel: [Float], name: String
  ) {
    let data = try TrainingSetup.loadData(configuration.data, seed: configuration.model.seed)
    let partitioning = TrainingSetup.partitioning(configuration.data.partition)
    // Council members coordinate and aggregate; every other peer trains on its shard. When the
    // council replaces its members, peers move between the council and the trainers, so every
    // peer holds a shard (a member's lies idle while it serves).
    let holders =
      configuration.topology.replaceCouncilMembers ? 0 : councilSize
    let parts = try partitioning.partition(
      labels: data.train.labels, classCount: data.train.classCount,
      peerCount: peerCount - holders, seed: seed)
    let shards =
      Array(repeating: data.train.subset([]), count: holders)
      + parts.map { data.train.subset($0) }
    let architecture = try TrainingSetup.architecture(
      configuration.model, sampleShape: data.train.sampleShape, classCount: data.train.classCount)
    let model = architecture.makeModel(seed: configuration.model.seed)
    let optimizer = configuration.training.optimizer
    let training = ShardTraining(
      model: model, shards: shards, test: data.test, batchSize: configuration.training.batchSize,
      learningRate: Float(optimizer.learningRate), momentum: Float(optimizer.momentum),
      localSteps: configuration.training.localSteps, seed: seed)
    return (training, model.flattenedParameters(), architecture.name)
  }

  /// The fault sweep: seeds `seed ..< seed + count`.
  private func sweep(count: UInt64, output: Output) -> [String: Any] {
    var failures: [[String: Any]] = []
    var failovers: [UInt64] = []
    var timeout: UInt64 = 1
    let started = ProcessMetrics.now()
    for current in seed..<(seed + count) {
      let result = FaultSweep.run(
        seed: current, isFailoverOnly: isFailoverOnly, usesMembership: usesMembership)
      failovers += result.failoverMilliseconds
      timeout = result.electionTimeoutMaximumMilliseconds
      if !result.isPassing {
        failures.append([
          "seed": current, "rounds": result.roundsCommitted,
          "violations": result.violations.map(\.description),
        ])
        output.line(
          "seed \(current) FAILED: \(result.roundsCommitted)/\(result.roundsWanted) rounds, "
            + "\(result.violations.map(\.description).joined(separator: "; ")); replay: \(result.replayCommand)"
        )
      }
    }
    failovers.sort()
    func percentile(_ fraction: Double) -> Double {
      failovers.isEmpty
        ? 0
        : Double(failovers[min(failovers.count - 1, Int(Double(failovers.count) * fraction))])
          / 1000
    }
    output.line(
      "\(count) seeds, \(failures.count) failed; \(failovers.count) coordinator failovers: median "
        + "\(format(percentile(0.5), digits: 2)) s, 99th percentile \(format(percentile(0.99), digits: 2)) s "
        + "(election timeout at most \(format(Double(timeout) / 1000, digits: 1)) s)")
    return [
      "command": "simulate", "sweep": count, "firstSeed": seed, "failed": failures.count,
      "failures": failures,
      "failovers": failovers.count, "failoverMedianSeconds": percentile(0.5),
      "failoverP99Seconds": percentile(0.99),
      "electionTimeoutMaximumSeconds": Double(timeout) / 1000,
      "wallSeconds": rounded(ProcessMetrics.now() - started, 2),
    ]
  }

  func simulate(output: Output) throws -> [String: Any] {
    let peerCount = max(configuration.data.peers, councilSize + 1)
    let training: any TrainingBackend
    let initialModel: [Float]
    let modelName: String
    if let syntheticParameters {
      let synthetic = SyntheticTraining(modelLength: syntheticParameters, seed: seed)
      (training, initialModel, modelName) = (
        synthetic, synthetic.initialModel, "synthetic \(syntheticParameters)"
      )
    } else {
      let real = try realTraining(peerCount: peerCount)
      (training, initialModel, modelName) = (real.training, real.initialModel, real.name)
    }
    var generator = SplitMixGenerator(seed: seed ^ 0x5EED)
    // Heterogeneous peers: speeds spread log-uniformly from a slow phone to a fast server.
    let speeds = (0..<peerCount).map { _ in pow(10, Double.random(in: 2.5...4, using: &generator)) }
    var node = NodeSettings(
      mode: mode,
      plan: RoundPlan(
        trainersPerRound: trainersPerRound ?? peerCount - councilSize,
        roundDurationMilliseconds: roundDeadlineMilliseconds),
      modelLength: training.modelLength,
      council: (0..<councilSize).map { PeerID(simulatedIndex: UInt64($0)) })
    let shardSizes = (0..<peerCount).map { training.sampleCount(peer: $0) }
    if usesMembership { node.membership = MembershipConfiguration() }
    node.aggregatorCount = aggregatorCount
    node.replacesCouncilMembers = configuration.topology.replaceCouncilMembers
    node.rotatesCouncilMembers = configuration.topology.rotateCouncil
    node.handsOverToRankedCoordinator = configuration.topology.rankedCoordinator
    node.rotateEvery = rotateEvery
    let samplingRate = min(
      Double(node.plan.trainersPerRound) / Double(max(peerCount - councilSize, 1)), 1)
    node.security = try SecuritySetup.nodeSecurity(configuration, samplingRate: samplingRate)
    var settings = SimulationSettings(
      seed: seed, peerCount: peerCount, node: node, rounds: configuration.training.rounds,
      samplesPerSecond: speeds)
    settings.coordinatorCrashes = coordinatorCrashes
    settings.crashFraction = crashFraction
    if crashCoordinatorTwice {
      // A round lasts as long as its slowest trainer; faults cover the first two thirds.
      let slowest = zip(shardSizes, speeds).map { Double($0) / $1 }.max() ?? 1
      let roundMilliseconds = UInt64(slowest * 1000) + 2_000
      let phase = roundMilliseconds * UInt64(configuration.training.rounds) * 2 / 3
      settings.faultPhaseMilliseconds = phase
      settings.coordinatorCrashes = [phase / 3, 2 * phase / 3]
    }
    settings.downtimeMilliseconds = 5_000...30_000
    if let faultMilliseconds {
      settings.faultPhaseMilliseconds = faultMilliseconds
    } else if !crashCoordinatorTwice && (!coordinatorCrashes.isEmpty || crashFraction > 0) {
      settings.faultPhaseMilliseconds = (coordinatorCrashes.max() ?? 0) + 60_000
    }
    output.line(
      "simulating \(peerCount) peers (\(mode.rawValue)), \(modelName), \(configuration.data.partition.kind.rawValue) "
        + "partition, \(configuration.training.rounds) rounds, seed \(seed)")
    let simulator = Simulator(
      settings: settings, training: training, initialModel: initialModel)
    let started = ProcessMetrics.now()
    func seconds(_ milliseconds: UInt64) -> String {
      format(Double(milliseconds) / 1000, digits: 1)
    }
    var lastRound: UInt64 = 0
    let report = simulator.run(
      onRound: { round in
        if round.round > lastRound + 1 {
          let skipped =
            round.round - 1 == lastRound + 1
            ? "round \(lastRound + 1) was" : "rounds \(lastRound + 1)-\(round.round - 1) were"
          output.line(
            "  (\(skipped) started but never committed; restarted as round \(round.round) from the last committed model)"
          )
        }
        lastRound = round.round
        output.line(
          "round \(round.round)  accuracy \(format(round.accuracy ?? 0, digits: 4))  coordinator \(round.coordinator)  "
            + "aggregators \(round.aggregators.count)  trainers \(round.trainers.count)  "
            + "peers alive \(round.peersAlive)  t=\(seconds(round.virtualMilliseconds)) s")
      },
      onEvent: { event in
        switch event {
        case .crashed(let peer, let wasCoordinator, let time):
          output.line(
            "  t=\(seconds(time)) s  \(peer) crashed\(wasCoordinator ? " (the coordinator)" : "")")
        case .restarted(let peer, let round, let time):
          output.line("  t=\(seconds(time)) s  \(peer) restarted from its store at round \(round)")
        case .elected(let peer, let term, let time):
          output.line("  t=\(seconds(time)) s  \(peer) elected coordinator (term \(term))")
        }
      })
    let accuracy = report.rounds.last?.accuracy ?? 0
    let peers = Double(peerCount)
    let messagesPerPeerPerRound = rounded(
      Double(report.messages) / peers / Double(max(report.rounds.count, 1)), 2)
    let virtualSeconds = max(Double(report.virtualMilliseconds) / 1000, 0.001)
    let membershipPerPeerPerSecond = rounded(
      Double(report.membershipMessages) / peers / virtualSeconds, 3)
    let epsilon = node.security?.centralPrivacy.map {
      $0.epsilon(afterRounds: report.rounds.count, samplingRate: samplingRate)
    }
    if let epsilon, let privacy = node.security?.centralPrivacy {
      output.line(
        "client-level privacy: epsilon \(format(epsilon, digits: 3)) at delta \(privacy.delta) "
          + "(noise multiplier \(format(privacy.noiseMultiplier, digits: 3)), clip \(privacy.clipNorm))"
          + (report.privacyBudgetEpsilon != nil
            ? "; stopped: the next round would exceed the budget" : ""))
    }
    var localEpsilon: Double?
    if let local = node.security?.localPrivacy,
      let delta = configuration.security.localPrivacy?.delta,
      report.localPrivacyRoundsMax > 0
    {
      localEpsilon = NodeSecurity.localEpsilon(
        local, updates: report.localPrivacyRoundsMax, delta: delta)
      output.line(
        "local privacy: the most-sampled trainer spent epsilon \(format(localEpsilon!, digits: 3)) at delta \(delta) "
          + "over \(report.localPrivacyRoundsMax) updates")
    }
    output.line(
      "\(report.rounds.count) rounds committed; final accuracy \(format(accuracy, digits: 4)); "
        + "\(report.messages) messages; replay: starling simulate \(CommandLine.arguments.dropFirst(2).joined(separator: " "))"
    )
    return [
      "command": "simulate", "mode": mode.rawValue, "peers": peerCount, "seed": seed,
      "rounds": report.rounds.map {
        [
          "round": $0.round, "accuracy": rounded($0.accuracy ?? 0, 4),
          "virtualSeconds": Double($0.virtualMilliseconds) / 1000,
        ]
      },
      "finalAccuracy": rounded(accuracy, 4), "messages": report.messages, "bytes": report.bytes,
      "rejected": report.rejected, "virtualSeconds": Double(report.virtualMilliseconds) / 1000,
      "crashes": report.crashes, "membershipMessages": report.membershipMessages,
      "messagesPerPeerPerRound": messagesPerPeerPerRound,
      "membershipMessagesPerPeerPerSecond": membershipPerPeerPerSecond,
      "coordinatorChanges": report.coordinatorChanges,
      "failoverSeconds": report.failoverMilliseconds.map { Double($0) / 1000 },
      "invariantViolations": report.violations.map(\.description),
      "epsilon": epsilon.map { rounded($0, 4) as Any } ?? NSNull(),
      "stoppedByPrivacyBudget": report.privacyBudgetEpsilon != nil,
      "localEpsilon": localEpsilon.map { rounded($0, 4) as Any } ?? NSNull(),
      "messagesDroppedAtFullUplink": report.messagesDroppedAtFullUplink,
      "messagesLostWithCrashedSender": report.messagesLostWithCrashedSender,
      "uplinkWaitSecondsMaximum": Double(report.uplinkWaitMillisecondsMaximum) / 1000,
      "downlinkWaitSecondsMaximum": Double(report.downlinkWaitMillisecondsMaximum) / 1000,
      "wallSeconds": rounded(ProcessMetrics.now() - started, 2),
      "peakResidentMegabytes": rounded(ProcessMetrics.peakResidentMegabytes(), 1),
    ]
  }
}
