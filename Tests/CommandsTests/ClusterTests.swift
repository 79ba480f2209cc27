import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Real `starling node` processes on loopback, driven by `starling cluster`: SIGKILL of the
/// coordinator and of an aggregator at random rounds, restarts from the store, and the check
/// that every peer's committed history agrees with every other's.
@Suite(.serialized) struct ClusterTests {
  static let configuration = """
    {"extends": "fmnist-mlp", "project": {"name": "cluster-test"},
     "data": {"trainLimit": 2000, "testLimit": 500, "peers": 5,
              "partition": {"kind": "dirichlet", "alpha": 0.5}},
     "topology": {"mode": "fdfl", "council": 3, "aggregators": 2, "roundDeadlineSeconds": 10},
     "training": {"rounds": 14, "batchSize": 64}}
    """

  /// Kills every node the cluster started (their PIDs are in peer-I/pid), whatever happened.
  static func killNodes(in directory: String) {
    let peers = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    for peer in peers {
      guard let text = try? String(contentsOfFile: "\(directory)/\(peer)/pid", encoding: .utf8),
        let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
      else { continue }
      kill(pid, SIGKILL)
    }
  }

  @Test func killedCoordinatorAndAggregatorLoseNoCommittedRound() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "starling-cluster-\(UUID().uuidString)"
    ).path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer {
      Self.killNodes(in: directory + "/cluster")
      try? FileManager.default.removeItem(atPath: directory)
    }
    try Self.configuration.write(
      toFile: directory + "/project.json", atomically: true, encoding: .utf8)
    let coordinatorRound = Int.random(in: 2...5)
    let aggregatorRound = Int.random(in: 7...10)
    let result = try StarlingProcess.run(
      [
        "cluster", "--config", "project.json", "--peers", "5", "--dir", "cluster",
        "--kill-coordinator-at", String(coordinatorRound), "--kill-aggregator-at",
        String(aggregatorRound), "--restart-after", "1", "--json",
      ], in: directory, secondsMax: 300)
    let comment = Comment(
      rawValue: "kills at rounds \(coordinatorRound) and \(aggregatorRound); " + result.summary
        + "\n" + result.standardOutput)
    #expect(result.status == 0, comment)
    let last = result.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
    let summary = try #require(
      try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], comment)
    #expect(summary["historiesAgree"] as? Bool == true, comment)
    #expect(summary["restartsBehindCommittedRound"] as? Int == 0, comment)
    #expect(summary["allRestartsOpened"] as? Bool == true, comment)
    #expect(summary["kills"] as? Int == 2, comment)
    #expect((summary["rounds"] as? Int ?? 0) >= 14, comment)
    #expect(summary["cleanExits"] as? Int == 5, comment)
    #expect(summary["failoverSeconds"] as? Double != nil, comment)
    #expect(FileManager.default.fileExists(atPath: directory + "/cluster/model.safetensors"))
  }

  /// SWIM over real sockets: a trainer killed mid-round is declared dead by the others' probes,
  /// so its aggregator sends its partial (empty if need be) and the round commits long before
  /// its 60 s deadline. Without SWIM the same run waits the deadline out (60.1 s, BENCHMARKS.md).
  @Test func swimStopsARoundWaitingForAKilledTrainer() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "starling-swim-\(UUID().uuidString)"
    ).path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer {
      Self.killNodes(in: directory + "/cluster")
      try? FileManager.default.removeItem(atPath: directory)
    }
    // cnn-small on 4,000 samples a shard: rounds of a few seconds, so the kill lands mid-round.
    let configuration = """
      {"extends": "fmnist-cnn", "project": {"name": "swim-test"},
       "data": {"trainLimit": 20000, "testLimit": 500, "peers": 5,
                "partition": {"kind": "dirichlet", "alpha": 0.5}},
       "topology": {"mode": "fdfl", "council": 3, "aggregators": 2, "roundDeadlineSeconds": 60,
                    "membership": true},
       "training": {"rounds": 4, "batchSize": 64}}
      """
    try configuration.write(toFile: directory + "/project.json", atomically: true, encoding: .utf8)
    let result = try StarlingProcess.run(
      [
        "cluster", "--config", "project.json", "--peers", "5", "--dir", "cluster",
        "--kill-trainer-at", "2", "--restart-after", "1", "--json",
      ], in: directory, secondsMax: 300)
    let comment = Comment(rawValue: result.summary + "\n" + result.standardOutput)
    #expect(result.status == 0, comment)
    let last = result.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
    let summary = try #require(
      try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], comment)
    #expect(summary["kills"] as? Int == 1, comment)
    let recovery = try #require(summary["recoveryMedianSeconds"] as? Double, comment)
    #expect(recovery < 30, comment)
    #expect(summary["historiesAgree"] as? Bool == true, comment)
    #expect((summary["rounds"] as? Int ?? 0) >= 4, comment)
    #expect(summary["cleanExits"] as? Int == 5, comment)
  }

  /// A Byzantine aggregator over real processes: peer 2 (a founder that never campaigns, so an
  /// aggregator while peer 0 or 1 coordinates) sends partials with NaN in them. The coordinator
  /// refuses the first one, proposes a ban through the council log, and every honest peer
  /// applies it: peer 2 leaves the council, its transport connections are refused, and the
  /// rounds go on without it.
  /// The same with `alter-updates`: peer 2 alters a trainer's update inside each signed partial,
  /// and the trainer's signature in the partial's receipt no longer verifies.
  @Test(arguments: [("nan-partials", "NaN"), ("alter-updates", "altered: its signature")])
  func misbehavingAggregatorIsBannedThroughTheLog(fault: String, reason: String) throws {
    let summary = try runCluster(
      named: fault, peers: 5, council: 3, byzantine: ["2:\(fault)"])
    let comment = Comment(rawValue: "\(summary)")
    let bans = summary["bans"] as? [[String: Any]] ?? []
    // Only peer 2 is banned, by the four honest peers at least, for the NaN in its partial.
    #expect(bans.map { $0["peer"] as? Int } == [2], comment)
    expectTheBanReachedTheCouncil(summary, banned: 2, honestFounders: [0, 1])
    #expect((bans.first?["reason"] as? String ?? "").contains(reason), comment)
    #expect((summary["rounds"] as? Int ?? 0) >= 6, comment)
    #expect(summary["historiesAgree"] as? Bool == true, comment)
    // Peer 2 coordinates no round after the ban, and is never an aggregator again.
    let lines = summary["roundLines"] as? [[String: Any]] ?? []
    let afterBan = lines.suffix(2)
    #expect(!afterBan.isEmpty, comment)
    for line in afterBan {
      #expect(line["coordinator"] as? Int != 2, comment)
      #expect(!(line["aggregators"] as? [Int] ?? []).contains(2), comment)
    }
  }

  /// A peer that pushes forged models unasked over real processes: peer 2 (a founder that
  /// never campaigns) sends every peer it knows a forged model, labelled a million rounds
  /// ahead, after each commit it applies. The council members take a published model only from
  /// their leader and the trainers take a model as committed only as the base they asked their
  /// aggregator for, so nobody holds or commits it, no peer's committed round passes the
  /// council's, and the rounds go on.
  @Test func modelsPushedUnaskedAreNeitherHeldNorTakenAsCommitted() throws {
    let summary = try runCluster(named: "push", peers: 5, council: 3, byzantine: ["2:push-models"])
    let comment = Comment(rawValue: "\(summary)")
    #expect((summary["forgedModels"] as? Int ?? 0) >= 1, comment)
    #expect(summary["forgedModelsKeptByOthers"] as? Int == 0, comment)
    #expect(summary["peersAheadOfTheCouncil"] as? [Int] == [], comment)
    #expect((summary["rounds"] as? Int ?? 0) >= 6, comment)
    #expect(summary["historiesAgree"] as? Bool == true, comment)
  }

  /// The same with `sum-other-values` and every partial audited: peer 2 keeps its trainers'
  /// receipts but sends another sum, and the coordinator's audit (the signed updates, summed
  /// again) finds it.
  @Test func anAggregatorThatSumsOtherValuesIsCaughtByTheAuditAndBanned() throws {
    let summary = try runCluster(
      named: "audit", peers: 5, council: 3, byzantine: ["2:sum-other-values"],
      security: #", "auditFraction": 1"#)
    let comment = Comment(rawValue: "\(summary)")
    let bans = summary["bans"] as? [[String: Any]] ?? []
    #expect(bans.map { $0["peer"] as? Int } == [2], comment)
    expectTheBanReachedTheCouncil(summary, banned: 2, honestFounders: [0, 1])
    #expect((bans.first?["reason"] as? String ?? "").contains("audit failed"), comment)
    #expect((summary["rounds"] as? Int ?? 0) >= 6, comment)
    #expect(summary["historiesAgree"] as? Bool == true, comment)
  }

  /// A Byzantine coordinator over real processes: peer 0, a founder that campaigns early and
  /// never hands its leadership over, either publishes a forged model for every round it
  /// coordinates (`forge-model`), or appends role assignments naming a colluder outside the
  /// council as aggregator (`assign-colluder`), or itself as coordinator where the committed
  /// ranking names another (`assign-self`, signed again; `forge-entries`, under the honest
  /// entries' signatures, which then fail). The honest council members recompute each model
  /// from the aggregators' partials, or check each assignment against the council and the
  /// ranking they re-derive, refuse it and depose peer 0; the next coordinator bans it through
  /// the log. No other peer holds or
  /// commits a forged model, and peer 0 coordinates no committed round.
  /// The forgery is caught with a median over partials and central noise too: the members
  /// recompute both with the seed the round's start committed to; and with Nesterov's outer
  /// step, whose momentum the council replicates (the next coordinator goes on from it).
  @Test(arguments: [
    ("forge-model", "forged a model", "", ""),
    ("assign-colluder", "appended an entry against the rules", "", ""),
    ("assign-self", "appended an entry against the rules", "", ""),
    ("forge-entries", "appended an entry against the rules", "", ""),
    (
      "forge-model", "forged a model",
      #", "partialAggregation": "median", "privacy": {"noiseMultiplier": 0.3, "clipNorm": 5}"#, ""
    ),
    ("forge-model", "forged a model", "", #", "outer": {"kind": "nesterov"}"#),
  ])
  func aByzantineCoordinatorIsDeposedAndBanned(
    fault: String, reason: String, security: String, training: String
  ) throws {
    let summary = try runCluster(
      named: fault, peers: 5, council: 3, byzantine: ["0:\(fault)"], security: security,
      training: training)
    let comment = Comment(rawValue: "\(summary)")
    let bans = summary["bans"] as? [[String: Any]] ?? []
    #expect(bans.map { $0["peer"] as? Int } == [0], comment)
    expectTheBanReachedTheCouncil(summary, banned: 0, honestFounders: [1, 2])
    #expect((bans.first?["reason"] as? String ?? "").hasPrefix(reason), comment)
    if fault == "assign-self" {
      #expect((bans.first?["reason"] as? String ?? "").contains("the committed ranking"), comment)
    }
    if fault == "forge-entries" {
      #expect(
        (bans.first?["reason"] as? String ?? "").contains("has a signature that does not verify"),
        comment)
    }
    let refused = summary["refusedCoordinators"] as? [[String: Any]] ?? []
    #expect(refused.map { $0["peer"] as? Int } == [0], comment)
    #expect(refused.first?["refusedBy"] as? [Int] == [1, 2], comment)
    if fault == "forge-model" {
      #expect((summary["forgedModels"] as? Int ?? 0) >= 1, comment)
    }
    #expect(summary["forgedModelsKeptByOthers"] as? Int == 0, comment)
    #expect((summary["rounds"] as? Int ?? 0) >= 6, comment)
    #expect(summary["historiesAgree"] as? Bool == true, comment)
    let lines = summary["roundLines"] as? [[String: Any]] ?? []
    #expect(!lines.isEmpty && lines.allSatisfy { $0["coordinator"] as? Int != 0 }, comment)
  }

  /// A stalling coordinator over real processes: peer 0 campaigns early, wins the first
  /// election and never hands over, but every append it sends stops before its round's start,
  /// so no round opens while its heartbeats hold off every election. The other founders depose
  /// it once the opening is overdue (`openingTimeoutMilliseconds`, 14 s here), elect another,
  /// and the rounds go on. A stall proves nothing, so nobody refuses or bans it.
  @Test func aStallingCoordinatorIsDeposedAndTheRoundsGoOn() throws {
    let summary = try runCluster(named: "stall", peers: 5, council: 3, byzantine: ["0:stall"])
    let comment = Comment(rawValue: "\(summary)")
    let stalled = summary["stalledCoordinators"] as? [[String: Any]] ?? []
    #expect(stalled.map { $0["peer"] as? Int } == [0], comment)
    #expect(stalled.first?["deposedBy"] as? [Int] == [1, 2], comment)
    #expect((summary["bans"] as? [Any] ?? [1]).isEmpty, comment)
    #expect((summary["refusedCoordinators"] as? [Any] ?? [1]).isEmpty, comment)
    #expect((summary["rounds"] as? Int ?? 0) >= 6, comment)
    #expect(summary["historiesAgree"] as? Bool == true, comment)
    let lines = summary["roundLines"] as? [[String: Any]] ?? []
    #expect(!lines.isEmpty && lines.allSatisfy { $0["coordinator"] as? Int != 0 }, comment)
  }

  /// Aggregators that send their partials to the coordinator only (as if each died right after
  /// its partial left): four of the five founders withhold their copies and never campaign, so
  /// peer 4 coordinates and every other member lacks a partial in every round. The members get
  /// each one from the coordinator, check its aggregator's signature, recompute the model, and
  /// every round commits with nothing refused.
  @Test
  func membersGetWithheldPartialsFromTheCoordinator() throws {
    let summary = try runCluster(
      named: "relay", peers: 7, council: 5,
      byzantine: (0..<4).map { "\($0):withhold-copies" })
    let comment = Comment(rawValue: "\(summary)")
    #expect((summary["rounds"] as? Int ?? 0) >= 6, comment)
    #expect(summary["historiesAgree"] as? Bool == true, comment)
    #expect((summary["bans"] as? [Any] ?? [1]).isEmpty, comment)
    #expect((summary["refusedCoordinators"] as? [Any] ?? [1]).isEmpty, comment)
    // Each round, at least the members outside the round's aggregators lack both partials.
    #expect((summary["relayedPartials"] as? Int ?? 0) >= 6 * 2, comment)
  }

  /// The ban of `banned` reached everyone who holds the council log at the end: the honest
  /// founders, and whoever replaced the banned member, if anyone did before the run ended (6
  /// quick rounds may end first). Whether the banned peer itself logs its ban is a race with
  /// the listener's refusal, and a trainer outside the council holds no log, so neither is
  /// counted on.
  func expectTheBanReachedTheCouncil(
    _ summary: [String: Any], banned: Int, honestFounders: [Int],
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let comment = Comment(rawValue: "\(summary)")
    let ban = (summary["bans"] as? [[String: Any]] ?? []).first { $0["peer"] as? Int == banned }
    let appliedBy = Set(ban?["appliedByPeers"] as? [Int] ?? [])
    let council = Set(summary["councilAtEnd"] as? [Int] ?? []).subtracting([banned])
    #expect(council.isSuperset(of: honestFounders), comment, sourceLocation: sourceLocation)
    #expect(appliedBy.isSuperset(of: council), comment, sourceLocation: sourceLocation)
  }

  /// `starling cluster --json` over a small project (6 rounds of a 2,000-sample slice, bans on),
  /// with `byzantine` peers, and `security` and `training` fields added; its summary.
  func runCluster(
    named name: String, peers: Int, council: Int, byzantine: [String], security: String = "",
    training: String = ""
  ) throws -> [String: Any] {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "starling-\(name)-\(UUID().uuidString)"
    ).path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer {
      Self.killNodes(in: directory + "/cluster")
      try? FileManager.default.removeItem(atPath: directory)
    }
    let configuration = """
      {"extends": "fmnist-mlp", "project": {"name": "\(name)-test"},
       "data": {"trainLimit": 2000, "testLimit": 500, "peers": \(peers),
                "partition": {"kind": "dirichlet", "alpha": 0.5}},
       "topology": {"mode": "fdfl", "council": \(council), "aggregators": 2,
                    "roundDeadlineSeconds": 10},
       "security": {"admission": {"banMisbehavingAggregators": true}\(security)},
       "training": {"rounds": 6, "batchSize": 64\(training)}}
      """
    try configuration.write(toFile: directory + "/project.json", atomically: true, encoding: .utf8)
    let result = try StarlingProcess.run(
      [
        "cluster", "--config", "project.json", "--peers", "\(peers)", "--council", "\(council)",
        "--dir", "cluster", "--json",
      ] + byzantine.flatMap { ["--byzantine", $0] }, in: directory, secondsMax: 240)
    let comment = Comment(rawValue: result.summary + "\n" + result.standardOutput)
    #expect(result.status == 0, comment)
    let last = result.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
    return try #require(
      try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], comment)
  }

  @Test func nodeRefusesAnFdflProjectWithoutAFoundingCouncil() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "starling-node-\(UUID().uuidString)"
    ).path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try Self.configuration.write(
      toFile: directory + "/project.json", atomically: true, encoding: .utf8)
    let noCouncil = try StarlingProcess.run(
      ["node", "--config", "project.json", "--listen", "127.0.0.1:0", "--shard", "0/5"],
      in: directory)
    #expect(noCouncil.status == 2, Comment(rawValue: noCouncil.summary))
    #expect(noCouncil.standardError.contains("network.council is empty"))
    let badShard = try StarlingProcess.run(
      ["node", "--config", "project.json", "--shard", "5/5"], in: directory)
    #expect(badShard.status == 2)
    #expect(badShard.standardError.contains("--shard must be I/N"))
    let bareAddress = try StarlingProcess.run(
      [
        "node", "--config", "project.json", "--shard", "0/5", "--bootstrap", "127.0.0.1:7400",
      ], in: directory)
    #expect(bareAddress.status == 2)
    #expect(bareAddress.standardError.contains("bootstrap contact '127.0.0.1:7400'"))
  }
}
