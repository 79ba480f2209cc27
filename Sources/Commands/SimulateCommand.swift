import Configuration
import Coordination
import Datasets
import Foundation
import Learning
import Node
import Platform
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
      --signed                  with --sweep: every peer signs its updates and partials and checks
                                those it receives, as real nodes do
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

  var configuration: ProjectConfiguration
  let mode: TopologyMode
  /// Peers simulated when neither `--peers` nor `data.peers` gives a count.
  static let simulatedPeersDefault = 8
  /// Said before the run when the peer count is the simulation's default.
  var peerCountNote: String?
  let trainersPerRound: Int?
  let seed: UInt64
  let councilSize: Int
  let coordinatorCrashes: [UInt64]
  let crashFraction: Double
  let faultMilliseconds: UInt64?
  let sweepCount: UInt64?
  let memoryBudget: MemoryBudget
  let isFailoverOnly: Bool
  /// With `--sweep`: every simulated peer signs and checks contributions.
  let signsContributions: Bool
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

  /// The longest virtual time a flag may name (about 11.6 days): far beyond any simulated run,
  /// and small enough that sums of such times never overflow.
  static let virtualSecondsMax = 1_000_000.0
  /// Coordinator crashes one run may schedule.
  static let coordinatorCrashesMax = 64
  /// Seeds one sweep may run.
  static let sweepCountMax: UInt64 = 100_000_000

  /// Models (of `parameters` floats) the simulator holds per peer at its peak: the peer's
  /// committed model, its update in flight and in link queues, and a council member's held
  /// models, less what copy-on-write shares. Measured 0.72 copies per peer (8 and 16 peers,
  /// 2M parameters) and 0.92 (10,000 peers, 100k parameters, BENCHMARKS.md); 200 peers of 16M
  /// parameters died in the allocator on 24 GiB, over 1.9 copies. Two copies cover all three.
  static let modelCopiesPerPeer = 2

  /// What a simulation of `peers` peers over a model of `parameters` allocates: the models each
  /// peer holds (calibrated on `simulate --synthetic`, BENCHMARKS.md), and for real training one
  /// model with its activations, which peers train in turn.
  static func memoryEstimate(
    peers: Int, parameters: Int, architecture: ModelArchitecture?, batchSize: Int
  ) -> MemoryEstimate {
    var estimate = MemoryEstimate(
      purpose: "the simulation of \(peers) peers with \(parameters) parameters each",
      hint: "use fewer peers (--peers) or a smaller model (--synthetic)")
    estimate.add(
      "\(modelCopiesPerPeer) model copies per peer",
      product: [peers, modelCopiesPerPeer, parameters])
    if let architecture {
      estimate.add(
        "training activations", product: [2, batchSize, architecture.activationFloatsPerSample])
    }
    return estimate
  }

  /// Flags of `simulate` that set configuration fields, applied in order with `--set`.
  static let fieldFlags: [Arguments.FieldFlag] = [
    Arguments.FieldFlag(flag: "mode") { text throws(UsageError) in
      guard let text, text == "federated" || text == "fdfl" else {
        throw UsageError("--mode must be federated or fdfl, got '\(text ?? "")'")
      }
      return [ConfigurationOverride(path: "topology.mode", value: text)]
    },
    .value("council", "topology.council"), .value("aggregators", "topology.aggregators"),
    .value("rotate-every", "topology.rotateEvery"), .value("peers", "data.peers"),
    .value("rounds", "training.rounds"),
    .setting("membership", [("topology.membership", "true")]),
    .setting(
      "fixed-council",
      [
        ("topology.replaceCouncilMembers", "false"), ("topology.rotateCouncil", "false"),
        ("topology.rankedCoordinator", "false"),
      ]),
  ]

  init(arguments raw: [String]) throws {
    var arguments = try Arguments(
      raw, booleanFlags: ["json", "membership", "fixed-council", "compare", "failover", "signed"])
    // `--seed` is the run's seed here, not `model.seed` as in `train`: take it first.
    let seed = try arguments.unsigned("seed") ?? 1
    let trainersPerRound = try arguments.integer(
      "trainers-per-round", in: 1...DataConfiguration.peersRange.upperBound)
    let sweepCount = try arguments.unsigned("sweep", in: 1...Self.sweepCountMax)
    if let sweepCount, seed.addingReportingOverflow(sweepCount - 1).overflow {
      throw UsageError(
        "--seed \(seed) with --sweep \(sweepCount) runs past the last seed \(UInt64.max)")
    }
    let syntheticParameters = try arguments.integer("synthetic", in: 1...RoundLimits.valuesMax)
    let crashFraction = try arguments.number("crash-fraction", in: 0...1) ?? 0
    let faultMilliseconds = try arguments.milliseconds(
      "fault-seconds", secondsMax: Self.virtualSecondsMax)
    let coordinatorCrashes =
      try arguments.millisecondsList(
        "crash-coordinator-at", secondsMax: Self.virtualSecondsMax,
        countMax: Self.coordinatorCrashesMax) ?? []
    let plotPath = try arguments.nonEmptyOption("plot")
    let isComparison = arguments.flag("compare")
    let isFailoverOnly = arguments.flag("failover")
    let signsContributions = arguments.flag("signed")
    let defaultsToTemplate =
      (sweepCount != nil || syntheticParameters != nil) && !arguments.contains("config")
      && !arguments.contains("template")
    let containsPeers =
      arguments.contains("peers") || arguments.containsAssignment(to: "data.peers")
    let train = try TrainCommand(
      parsing: &arguments, extraFieldFlags: Self.fieldFlags,
      defaultTemplate: defaultsToTemplate ? "fmnist-mlp" : nil)
    try arguments.finish()
    configuration = train.configuration
    isJSON = train.isJSON
    memoryBudget = train.memoryBudget
    let topology = configuration.topology
    mode = topology.mode == .federated ? .federated : .fdfl
    self.trainersPerRound = trainersPerRound
    self.seed = seed
    councilSize = mode == .federated ? 1 : topology.council
    self.coordinatorCrashes = coordinatorCrashes
    self.crashFraction = crashFraction
    self.faultMilliseconds = faultMilliseconds
    self.sweepCount = sweepCount
    self.isFailoverOnly = isFailoverOnly
    self.signsContributions = signsContributions
    self.isComparison = isComparison
    self.plotPath = plotPath
    self.syntheticParameters = syntheticParameters
    usesMembership = topology.membership
    aggregatorCount = topology.aggregators
    rotateEvery = topology.rotateEvery
    roundDeadlineMilliseconds = UInt64((topology.roundDeadlineSeconds * 1000).rounded())
    if plotPath != nil && !isComparison {
      throw UsageError("--plot draws the --compare runs; add --compare")
    }
    if isFailoverOnly && sweepCount == nil {
      throw UsageError("--failover measures failover over a sweep; add --sweep N")
    }
    if signsContributions && sweepCount == nil {
      throw UsageError("--signed runs the fault sweep with signatures; add --sweep N")
    }
    // `data.peers` defaults to 1 (train alone); a simulation without a peer count of its own
    // takes `simulatedPeersDefault` and says so. A count that is given must be large enough.
    let isPeerCountGiven = containsPeers || configuration.data.peers > 1
    if !isPeerCountGiven {
      configuration = try configuration.applying([
        ConfigurationOverride(path: "data.peers", value: String(Self.simulatedPeersDefault))
      ])
    }
    peerCountNote =
      isPeerCountGiven
      ? nil : "data.peers is not set: simulating \(Self.simulatedPeersDefault) peers (--peers N)"
    if sweepCount == nil && configuration.data.peers < councilSize + 1 {
      throw UsageError(
        "\(mode.rawValue) with a council of \(councilSize) needs at least \(councilSize + 1) peers "
          + "(data.peers is \(configuration.data.peers)): give --peers \(councilSize + 1) or more"
          + (mode == .fdfl ? ", or a smaller --council" : ""))
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
    if let plotPath { try OutputError.checkFile(plotPath, for: "chart (--plot)") }
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
      try OutputError.write(chart.render(), to: plotPath, for: "chart (--plot)")
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
    signsContributions = false
    isComparison = false
    plotPath = nil
    syntheticParameters = other.syntheticParameters
    usesMembership = other.usesMembership
    aggregatorCount = other.aggregatorCount
    rotateEvery = other.rotateEvery
    roundDeadlineMilliseconds = other.roundDeadlineMilliseconds
    faultMilliseconds = other.faultMilliseconds
    memoryBudget = other.memoryBudget
    peerCountNote = other.peerCountNote
    // Two coordinator crashes spread over the run unless given: a third and two thirds of the
    // fault phase, which then covers two thirds of an estimated run.
    self.coordinatorCrashes = isFailureRun && coordinatorCrashes.isEmpty ? [] : coordinatorCrashes
    crashCoordinatorTwice = isFailureRun && coordinatorCrashes.isEmpty
  }

  /// Real-training fidelity: the configured model on shards of the configured data.
  private func realTraining(peerCount: Int) throws -> (
    training: ShardTraining, initialModel: [Float], name: String
  ) {
    let data = try TrainingSetup.loadData(
      configuration.data, seed: configuration.model.seed, memoryBudget: memoryBudget)
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
    try memoryBudget.check(
      Self.memoryEstimate(
        peers: peerCount, parameters: architecture.parameterCount, architecture: architecture,
        batchSize: configuration.training.batchSize))
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
    var objections = 0
    var objectingSeeds = 0
    var timeout: UInt64 = 1
    let started = ProcessMetrics.now()
    // `init` checked that `seed + count - 1` fits.
    for current in seed...(seed + (count - 1)) {
      let result = FaultSweep.run(
        seed: current, isFailoverOnly: isFailoverOnly, usesMembership: usesMembership,
        signsContributions: signsContributions)
      failovers += result.failoverMilliseconds
      objections += result.objectedCoordinators
      objectingSeeds += result.objectedCoordinators > 0 ? 1 : 0
      timeout = result.electionTimeoutMaximumMilliseconds
      if !result.isPassing {
        failures.append([
          "seed": current, "rounds": result.roundsCommitted,
          "violations": result.violations.map(\.description),
          "refusedCoordinators": result.refusedCoordinators,
          "stalledCoordinators": result.stalledCoordinators,
        ])
        output.line(
          "seed \(current) FAILED: \(result.roundsCommitted)/\(result.roundsWanted) rounds, "
            + "\(result.refusedCoordinators) refused and \(result.stalledCoordinators) stalled coordinators, "
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
        + "(election timeout at most \(format(Double(timeout) / 1000, digits: 1)) s)"
        + (objections > 0
          ? "; \(objections) objections to a coordinator (a live member listed absent or passed over), in "
            + "\(objectingSeeds) seeds" : ""))
    return [
      "command": "simulate", "sweep": count, "firstSeed": seed, "failed": failures.count,
      "failures": failures, "objections": objections, "objectingSeeds": objectingSeeds,
      "failovers": failovers.count, "failoverMedianSeconds": percentile(0.5),
      "failoverP99Seconds": percentile(0.99),
      "electionTimeoutMaximumSeconds": Double(timeout) / 1000,
      "wallSeconds": rounded(ProcessMetrics.now() - started, 2),
    ]
  }

  func simulate(output: Output) throws -> [String: Any] {
    let peerCount = configuration.data.peers
    let training: any TrainingBackend
    let initialModel: [Float]
    let modelName: String
    if let syntheticParameters {
      try memoryBudget.check(
        Self.memoryEstimate(
          peers: peerCount, parameters: syntheticParameters, architecture: nil, batchSize: 0))
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
    if let peerCountNote { output.line(peerCountNote) }
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
