import Configuration
import Coordination
import Foundation
import NodeRuntime
import Platform
import Tensors
import Transport

func percentile(_ values: [Double], _ fraction: Double) -> Double {
  guard !values.isEmpty else { return 0 }
  let sorted = values.sorted()
  return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
}

/// `starling cluster`: a project of real `starling node` processes on this machine, with a live
/// failover: the real-process `make demo`.
struct ClusterCommand {
  static let usage = """
    usage: starling cluster --config FILE [--peers N] [--council N] [--dir DIR]
                            [--kill-coordinator-at ROUND] [--restart-after SECONDS]
                            [--kill-aggregator-at ROUND] [--kill-trainer-at ROUND]
                            [--random-kills N] [--seed N] [--byzantine I:FAULT]...
                            [--flood ATTEMPTS_PER_SECOND] [--flood-kind replay|client]
                            [--flood-sources N] [--sybils N]
                            [--out MODEL.safetensors] [--timeout SECONDS] [--quiet] [--json]
    Starts N peers (default 8) as separate `starling node` processes on 127.0.0.1 (free ports),
    the first --council of them (default 3) the founding council, each training its shard of the
    configured partition. One line per committed round. At --kill-coordinator-at it kills the
    coordinator with SIGKILL, shows the election, restarts the killed peer from its store after
    --restart-after seconds (default 3) and trains on. At training.rounds it stops every peer
    with SIGTERM, checks that every peer's committed history agrees, and exports the model.
    --kill-aggregator-at kills an aggregator the same way, --kill-trainer-at a trainer (a peer
    outside the council: with topology.membership, SWIM tells the round to stop waiting for it). --random-kills N kills a random council
    member (the coordinator included) N times at random instants, each restarted once a round
    committed without it, and reports the recovery times (kill to the next commit). --byzantine
    I:FAULT runs peer I with `starling node --fault FAULT` (nan-partials, alter-updates,
    forge-model, withhold-copies, assign-colluder, assign-self, forge-entries, sum-other-values, stall), and the summary says which peers banned whom through the council log, which
    refused or deposed which coordinator, and whether anyone kept a forged model. --flood R attacks every peer's listener
    from 127.0.0.2 with R connection attempts a second and --sybils N identities without proof of
    work that keep reconnecting, from the moment every peer listens to the end. Each attempt is,
    by --flood-kind, a raw TCP connection that replays a CurveZMQ hello made ahead of time for
    its listener (replay, the default: the listener opens and answers it, the attacker does no
    cryptography), or a ZeroMQ CURVE client with a key from a pool of 256 (client: a whole
    handshake on both sides, then no hello). --flood-sources N spreads the attempts and the Sybils
    over N addresses of 127.0.1.0/24 (127.0.1.1 to 127.0.1.N) instead of 127.0.0.2. --quiet prints
    only kills and the summary. Ctrl-C stops every process it started.
    """

  let configPath: String
  let peerCount: Int
  let councilSize: Int
  let directory: String
  let killCoordinatorAt: UInt64?
  let killAggregatorAt: UInt64?
  let killTrainerAt: UInt64?
  let randomKills: Int
  let seed: UInt64
  let isQuiet: Bool
  let restartAfterSeconds: Double
  let out: String
  let timeoutSeconds: Double
  let isJSON: Bool
  let rounds: Int
  /// Peers that misbehave on purpose: index and `--fault` name.
  let byzantine: [Int: NodeRuntime.Fault]
  let floodAttemptsPerSecond: Double
  let floodKind: ConnectionFlood.AttemptKind
  /// Where the flood comes from: 127.0.0.2, or N addresses of 127.0.1.0/24.
  let floodSources: [String]
  let sybils: Int

  init(arguments raw: [String]) throws {
    var arguments = try Arguments(raw, booleanFlags: ["json", "quiet"])
    isJSON = arguments.flag("json")
    guard let configPath = try arguments.nonEmptyOption("config") else {
      throw UsageError("give --config FILE\n\(Self.usage)")
    }
    self.configPath = configPath
    peerCount = try arguments.integer("peers", in: 2...64) ?? 8
    councilSize = try arguments.integer("council", in: 1...15) ?? 3
    directory = try arguments.nonEmptyOption("dir") ?? "starling-cluster"
    killCoordinatorAt = try arguments.unsigned("kill-coordinator-at", in: 1...1_000_000)
    killAggregatorAt = try arguments.unsigned("kill-aggregator-at", in: 1...1_000_000)
    killTrainerAt = try arguments.unsigned("kill-trainer-at", in: 1...1_000_000)
    randomKills = try arguments.integer("random-kills", in: 0...10_000) ?? 0
    seed = try arguments.unsigned("seed") ?? 1
    isQuiet = arguments.flag("quiet")
    restartAfterSeconds = try arguments.number("restart-after", in: 0...600) ?? 3
    out = try arguments.nonEmptyOption("out") ?? directory + "/model.safetensors"
    timeoutSeconds = try arguments.number("timeout", in: 1...86_400) ?? 900
    floodAttemptsPerSecond = try arguments.number("flood", in: 0...100_000) ?? 0
    let kindText =
      arguments.option("flood-kind") ?? ConnectionFlood.AttemptKind.replayedHello.rawValue
    guard let floodKind = ConnectionFlood.AttemptKind(rawValue: kindText) else {
      throw UsageError(
        "--flood-kind takes one of \(ConnectionFlood.AttemptKind.allCases.map(\.rawValue)), "
          + "got '\(kindText)'")
    }
    self.floodKind = floodKind
    let sourceCount = try arguments.integer("flood-sources", in: 1...254) ?? 0
    floodSources = sourceCount == 0 ? ["127.0.0.2"] : (1...sourceCount).map { "127.0.1.\($0)" }
    sybils = try arguments.integer("sybils", in: 0...10_000) ?? 0
    var byzantine: [Int: NodeRuntime.Fault] = [:]
    for text in arguments.options("byzantine") {
      let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
      guard parts.count == 2, let index = Int(parts[0]), index >= 0,
        let fault = NodeRuntime.Fault(rawValue: parts[1])
      else {
        throw UsageError(
          "--byzantine takes I:FAULT, FAULT one of \(NodeRuntime.Fault.allCases.map(\.rawValue)), "
            + "got '\(text)'")
      }
      byzantine[index] = fault
    }
    self.byzantine = byzantine
    try arguments.finish()
    let peerCount = peerCount
    if let index = byzantine.keys.first(where: { $0 >= peerCount }) {
      throw UsageError("--byzantine \(index): there are only \(peerCount) peers")
    }
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
      councilSize: councilSize, extraArguments: ["--set", "training.threads=1"],
      peerArguments: byzantine.mapValues { ["--fault", $0.rawValue] })
    Self.runningPIDs = { cluster.processIdentifiers }
    for number in [SIGINT, SIGTERM] {
      signal(number) { received in
        for pid in ClusterCommand.runningPIDs() { kill(pid, SIGKILL) }
        _exit(128 + received)
      }
    }
    defer {
      cluster.stopAll()
      signal(SIGINT, SIG_DFL)
      signal(SIGTERM, SIG_DFL)
    }
    let started = Date()
    func elapsed() -> String { String(format: "%6.1f s", Date().timeIntervalSince(started)) }
    output.line("starting \(peerCount) peers (council of \(councilSize)) in \(directory)")
    for index in 0..<peerCount { try cluster.start(index) }
    output.line("\(elapsed())  all \(peerCount) peers listening; project \(cluster.projectID)")
    var flood: ConnectionFlood?
    if floodAttemptsPerSecond > 0 || sybils > 0 {
      let attack = ConnectionFlood(
        targets: cluster.peers.compactMap(\.contact), attemptsPerSecond: floodAttemptsPerSecond,
        sybils: sybils, sourceHosts: floodSources, kind: floodKind)
      attack.start()
      flood = attack
      output.line(
        "\(elapsed())  flooding every listener from "
          + (floodSources.count == 1
            ? floodSources[0] : "\(floodSources.count) addresses of 127.0.1.0/24")
          + ": \(floodAttemptsPerSecond) "
          + "connection attempts/s (\(floodKind.rawValue)) and \(sybils) Sybil identities")
    }

    var lastRound: UInt64 = 0
    var accuracyByRound: [UInt64: Double] = [:]
    /// The peer down now: who, when, at which committed round, and whether it was the coordinator.
    var down: (index: Int, at: Date, round: UInt64, role: String)?
    var recovered = false
    var recoverySeconds: [Double] = []
    var failoverSeconds: Double?
    var plannedKills = [
      (killCoordinatorAt, "coordinator"), (killAggregatorAt, "aggregator"),
      (killTrainerAt, "trainer"),
    ]
    .compactMap { round, role in round.map { ($0, role) } }
    .sorted { $0.0 < $1.0 }
    var randomKillsLeft = randomKills
    var generator = SplitMixGenerator(seed: seed)
    var nextRandomKill = Date().addingTimeInterval(Double.random(in: 0.5...2, using: &generator))
    var lines: [[String: Any]] = []
    // Each committed round as first seen, for a round whose line would be skipped: its
    // coordinator handed over before evaluating it, and the next round came first.
    var firstSeen: [UInt64: (seconds: Double, coordinator: Int, aggregators: [Int])] = [:]
    var finalRoundSeen: Date?
    // The highest committed round each peer's status gave: none may pass the council's.
    var highestReportedRound: [Int: UInt64] = [:]
    let deadline = started.addingTimeInterval(timeoutSeconds)
    while Date() < deadline {
      let killsDone = randomKillsLeft == 0 && plannedKills.isEmpty && down == nil
      if killsDone && (lastRound >= UInt64(rounds) || randomKills > 0 && lastRound > 0) { break }
      Thread.sleep(forTimeInterval: 0.2)
      var statuses: [Int: [String: Any]] = [:]
      for index in 0..<peerCount { statuses[index] = cluster.status(index, timeoutSeconds: 2) }
      for (index, status) in statuses {
        let reported = (status["round"] as? NSNumber)?.uint64Value ?? 0
        highestReportedRound[index] = max(highestReportedRound[index] ?? 0, reported)
      }
      func term(_ status: [String: Any]) -> Int { (status["term"] as? NSNumber)?.intValue ?? 0 }
      // The newest view that names a coordinator: a peer of the same term that lost sight of
      // it (a member the council dropped, catching up) must not hide it, whatever the order
      // the dictionary yields the statuses in.
      guard
        let newest = statuses.values.filter({ $0["coordinator"] is String })
          .max(by: { term($0) < term($1) }),
        let coordinatorID = newest["coordinator"] as? String,
        let coordinator = cluster.index(of: coordinatorID), let leader = statuses[coordinator]
      else { continue }
      let round = (leader["round"] as? NSNumber)?.uint64Value ?? 0
      if let accuracy = leader["accuracy"] as? Double { accuracyByRound[round] = accuracy }
      if round > lastRound, firstSeen[round] == nil {
        firstSeen[round] = (
          Date().timeIntervalSince(started), coordinator,
          (leader["aggregators"] as? [String] ?? []).compactMap(cluster.index(of:))
        )
      }
      // Recovery: a round past the one committed at the kill commits without the killed peer.
      if let (index, at, atRound, role) = down, !recovered, round > atRound {
        recovered = true
        let seconds = Date().timeIntervalSince(at)
        recoverySeconds.append(seconds)
        if role == "coordinator", failoverSeconds == nil { failoverSeconds = seconds }
        if !isQuiet {
          output.line(
            "\(elapsed())  "
              + (coordinator != index && role == "coordinator"
                ? "peer \(coordinator) elected coordinator (term \(term(leader))); " : "")
              + "round \(round) committed " + String(format: "%.1f s after the kill", seconds))
        }
      }
      if let (index, at, _, _) = down, recovered || Date().timeIntervalSince(at) > 60,
        Date().timeIntervalSince(at) >= restartAfterSeconds
      {
        try cluster.start(index)
        down = nil
        let status = cluster.status(index)
        if !isQuiet {
          output.line(
            "\(elapsed())  peer \(index) restarted from its store at round \((status?["round"] as? NSNumber)?.uint64Value ?? 0)"
          )
        }
        nextRandomKill = Date().addingTimeInterval(Double.random(in: 0.2...2, using: &generator))
      }
      if down == nil, randomKillsLeft > 0, round > 0, Date() >= nextRandomKill {
        // A council member at a random instant: mid-round, mid-commit, or between rounds.
        let council = (leader["members"] as? [[String: Any]] ?? []).filter {
          ["coordinator", "aggregator", "councilMember"].contains($0["role"] as? String ?? "")
        }.compactMap { ($0["id"] as? String).flatMap(cluster.index(of:)) }
        if let victim = council.randomElement(using: &generator), cluster.isRunning(victim) {
          let role = victim == coordinator ? "coordinator" : "council member"
          cluster.kill(victim)
          randomKillsLeft -= 1
          down = (victim, Date(), round, role)
          recovered = false
          output.line(
            "\(elapsed())  SIGKILL \(randomKills - randomKillsLeft)/\(randomKills): peer \(victim) (\(role)) at round \(round)"
          )
        }
      }
      // The last round waits (a little) for the coordinator's evaluation of it.
      if round >= UInt64(rounds), accuracyByRound[round] == nil, !isQuiet {
        finalRoundSeen = finalRoundSeen ?? Date()
        if Date().timeIntervalSince(finalRoundSeen!) < 15 { continue }
      }
      guard round > lastRound, accuracyByRound[round] != nil || round >= UInt64(rounds) || isQuiet
      else { continue }
      let alive = (0..<peerCount).filter { cluster.isRunning($0) }.count
      let bytes = statuses.values.reduce(0) { $0 + (($1["bytesSent"] as? NSNumber)?.intValue ?? 0) }
      // Rounds committed since the last line without one of their own: a line each, as first
      // seen (its coordinator handed over before evaluating it), or with what is known (it
      // committed and the next one too between two looks, 0.2 s apart).
      for skipped in (lastRound + 1)..<max(round, lastRound + 1) {
        let seen = firstSeen[skipped]
        let accuracy = accuracyByRound[skipped]
        let text = accuracy.map { String(format: "%.4f", $0) } ?? "  -   "
        if !isQuiet {
          output.line(
            "\(elapsed())  round \(skipped)  accuracy \(text)  "
              + (seen.map {
                "coordinator peer \($0.coordinator)  (not evaluated: its coordinator handed over)"
              } ?? "(committed between two looks at the peers)"))
        }
        lines.append([
          "round": skipped, "accuracy": accuracy ?? NSNull(),
          "coordinator": seen?.coordinator ?? NSNull(), "aggregators": seen?.aggregators ?? [],
          "peersAlive": alive, "bytesSent": bytes,
          "seconds": seen?.seconds ?? Date().timeIntervalSince(started),
        ])
      }
      lastRound = round
      let aggregators = (leader["aggregators"] as? [String] ?? []).compactMap(cluster.index(of:))
      let accuracy = accuracyByRound[round]
      if !isQuiet {
        output.line(
          "\(elapsed())  round \(round)  accuracy \(accuracy.map { String(format: "%.4f", $0) } ?? "  -   ")  "
            + "coordinator peer \(coordinator)  aggregators \(aggregators.map { "peer \($0)" }.joined(separator: ", "))  "
            + "peers alive \(alive)  bytes sent \(formatBytes(bytes))")
      }
      lines.append([
        "round": round, "accuracy": accuracy ?? NSNull(), "coordinator": coordinator,
        "aggregators": aggregators, "peersAlive": alive, "bytesSent": bytes,
        "seconds": Date().timeIntervalSince(started),
      ])
      if down == nil, let (killRound, role) = plannedKills.first, round >= killRound {
        plannedKills.removeFirst()
        let trainers = (leader["members"] as? [[String: Any]] ?? []).filter {
          $0["role"] as? String == "trainer"
        }.compactMap { ($0["id"] as? String).flatMap(cluster.index(of:)) }.sorted()
        let victim =
          switch role {
          case "coordinator": coordinator
          case "aggregator": aggregators.first ?? coordinator
          default: trainers.last ?? coordinator
          }
        output.line("\(elapsed())  killing the \(role), peer \(victim), with SIGKILL")
        cluster.kill(victim)
        down = (victim, Date(), round, role)
        recovered = false
      }
    }
    let floodReport = flood?.stop()
    if let floodReport {
      output.line(
        "flood: \(floodReport.attempts) connection attempts in "
          + String(format: "%.1f s (%.0f/s)", floodReport.seconds, floodReport.attemptsPerSecond)
          + (floodKind == .replayedHello ? ", \(floodReport.hellosSent) hellos written," : "")
          + " and \(floodReport.sybils) Sybils")
    }
    let finalAccuracy = accuracyByRound[lastRound] ?? accuracyByRound.max { $0.key < $1.key }?.value
    let allRestartsOpened = cluster.restartFailures == 0
    let peakResident = cluster.peakResidentMegabytes()
    let roundCost = cluster.roundCosts()
    let statuses = cluster.stopAll()
    let cleanExits = statuses.values.filter { $0 == 0 }.count
    // CPU time: this process (the harness, and the flood's attacker when there is one) and
    // every node it reaped.
    let harnessCPUSeconds = ProcessMetrics.cpuSeconds(RUSAGE_SELF.rawValue)
    let nodesCPUSeconds = ProcessMetrics.cpuSeconds(RUSAGE_CHILDREN.rawValue)
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
    let lostRounds = (0..<peerCount).reduce(0) { $0 + cluster.roundsLostAtRestart($1) }
    output.line(
      "peak resident memory of all \(peerCount) nodes together \(String(format: "%.0f", peakResident)) MB; "
        + "median round \(String(format: "%.2f", roundCost.roundSeconds)) s, of which the slowest "
        + "trainer trained \(String(format: "%.2f", roundCost.trainingSeconds)) s (overhead "
        + "\(String(format: "%.1f", 100 * roundCost.overheadFraction))%)")
    output.line(
      lostRounds == 0
        ? "no restart lost a committed round"
        : "\(lostRounds) restarts came back BEHIND a round they had committed")
    output.line(
      disagreements == 0
        ? "committed histories agree on every peer"
        : "committed histories DISAGREE in \(disagreements) places")
    // Bans through the council log: who was banned, by how many peers, and why.
    var bannedBy: [Int: [Int]] = [:]
    var banReasons: [Int: String] = [:]
    for index in 0..<peerCount {
      for (peer, reason) in cluster.bans(index) {
        guard let banned = cluster.index(of: peer) else { continue }
        bannedBy[banned, default: []].append(index)
        banReasons[banned] = reason
      }
    }
    for (banned, peers) in bannedBy.sorted(by: { $0.key < $1.key }) {
      output.line(
        "peer \(banned) banned through the council log (applied by peers "
          + peers.map(String.init).joined(separator: ", ") + "): " + (banReasons[banned] ?? ""))
    }
    // Who holds the log at the end, each by its own last view: those are the peers a ban reaches.
    let councilAtEnd = (0..<peerCount).filter {
      cluster.lastCouncil(loggedBy: $0)?.contains($0) ?? ($0 < councilSize)
    }
    // The council's check of its coordinator: which members refused (and deposed) which
    // coordinator, and whether any other peer held or committed a model a forger published.
    // And which members deposed which coordinator because no round opened or committed.
    func coordinators(in event: String) -> [Int: [Int]] {
      var members: [Int: [Int]] = [:]
      for index in 0..<peerCount {
        for coordinator in Set(cluster.logged(event, "coordinator", by: index)) {
          guard let named = cluster.index(of: coordinator) else { continue }
          members[named, default: []].append(index)
        }
      }
      return members
    }
    let refusedBy = coordinators(in: "coordinatorRefused")
    let stalledBy = coordinators(in: "coordinatorStalled")
    for (coordinator, members) in refusedBy.sorted(by: { $0.key < $1.key }) {
      output.line(
        "peer \(coordinator) refused as coordinator, and deposed, by peers "
          + members.sorted().map(String.init).joined(separator: ", "))
    }
    for (coordinator, members) in stalledBy.sorted(by: { $0.key < $1.key }) {
      output.line(
        "peer \(coordinator) deposed as a stalled coordinator by peers "
          + members.sorted().map(String.init).joined(separator: ", "))
    }
    var forgedModels: [Int: Set<String>] = [:]
    for index in 0..<peerCount {
      let forged = Set(cluster.logged("forgedModel", "model", by: index))
      if !forged.isEmpty { forgedModels[index] = forged }
    }
    var forgedModelsKept = 0
    for (forger, forged) in forgedModels {
      for index in 0..<peerCount where index != forger {
        let kept = Set(cluster.logged("heldModel", "model", by: index)).union(
          histories[index].values)
        forgedModelsKept += kept.intersection(forged).count
      }
    }
    let relayedPartials = (0..<peerCount).reduce(0) {
      $0 + cluster.logged("relayedPartial", "to", by: $1).count
    }
    if relayedPartials > 0 {
      output.line("\(relayedPartials) signed partials relayed by coordinators to council members")
    }
    if !forgedModels.isEmpty {
      output.line(
        "\(forgedModels.values.reduce(0) { $0 + $1.count }) forged models published; "
          + "\(forgedModelsKept) held or committed by another peer")
    }
    let best =
      (0..<peerCount).max { (histories[$0].keys.max() ?? 0) < (histories[$1].keys.max() ?? 0) } ?? 0
    try ExportCommand(arguments: ["--data-dir", cluster.peers[best].directory, "--out", out]).run(
      output: output)
    output.line(
      "final accuracy \(finalAccuracy.map { String(format: "%.4f", $0) } ?? "-") after \(lastRound) rounds; model: \(out)"
    )
    return [
      "command": "cluster", "peers": peerCount, "council": councilSize, "rounds": lastRound,
      "finalAccuracy": finalAccuracy ?? NSNull(), "model": out,
      "failoverSeconds": failoverSeconds ?? NSNull(), "historiesAgree": disagreements == 0,
      "kills": recoverySeconds.count, "recoveryMedianSeconds": percentile(recoverySeconds, 0.5),
      "recoveryP99Seconds": percentile(recoverySeconds, 0.99),
      "allRestartsOpened": allRestartsOpened,
      "peakResidentMegabytesTotal": peakResident, "roundSecondsMedian": roundCost.roundSeconds,
      "slowestTrainingSecondsMedian": roundCost.trainingSeconds,
      "overheadFractionMedian": roundCost.overheadFraction,
      "bytesSentPerRound": roundCost.bytesPerRound,
      "restartsBehindCommittedRound": lostRounds,
      "bans": bannedBy.sorted { $0.key < $1.key }.map {
        [
          "peer": $0.key, "appliedBy": $0.value.count, "appliedByPeers": $0.value,
          "reason": banReasons[$0.key] ?? "",
        ] as [String: Any]
      },
      "councilAtEnd": councilAtEnd,
      "peersAheadOfTheCouncil": highestReportedRound.filter { $0.value > lastRound }.keys.sorted(),
      "refusedCoordinators": refusedBy.sorted { $0.key < $1.key }.map {
        ["peer": $0.key, "refusedBy": $0.value.sorted()] as [String: Any]
      },
      "stalledCoordinators": stalledBy.sorted { $0.key < $1.key }.map {
        ["peer": $0.key, "deposedBy": $0.value.sorted()] as [String: Any]
      },
      "forgedModels": forgedModels.values.reduce(0) { $0 + $1.count },
      "forgedModelsKeptByOthers": forgedModelsKept,
      "relayedPartials": relayedPartials,
      "floodAttempts": floodReport?.attempts ?? 0,
      "floodAttemptsPerSecond": floodReport?.attemptsPerSecond ?? 0,
      "floodKind": floodKind.rawValue, "floodHellosSent": floodReport?.hellosSent ?? 0,
      "floodSources": floodSources.count,
      "sybils": floodReport?.sybils ?? 0,
      "harnessCPUSeconds": harnessCPUSeconds, "nodesCPUSeconds": nodesCPUSeconds,
      "cleanExits": cleanExits, "seconds": Date().timeIntervalSince(started),
      "roundLines": isQuiet ? [] : lines,
    ]
  }
}
