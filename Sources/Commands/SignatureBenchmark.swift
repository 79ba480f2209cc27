import Foundation
import Identity
import Node
import Wire

/// `starling bench --signatures`: what signed contributions cost one round, measured on the
/// statements and keys the nodes use: each trainer hashes and signs its update, each aggregator
/// hashes and checks its group's updates and signs its partial, the coordinator hashes and
/// checks every partial and every receipt in it, and the council's leader signs the round's
/// log entries, which every other member checks.
struct SignatureBenchmark {
  static let usage = """
    usage: starling bench --signatures [--trainers N] [--aggregators A] [--parameters D]
                          [--repeats N] [--json]
    Times one round's signing and checking for N trainers in A groups with updates of D
    parameters (default 100 trainers, 4 aggregators, 101,770 parameters: fmnist-mlp) and prints
    the median of --repeats runs (default 5) for each role.
    """

  let trainerCount: Int
  let aggregatorCount: Int
  let parameterCount: Int
  let repeats: Int
  let isJSON: Bool

  init(arguments raw: [String]) throws {
    var arguments = try Arguments(raw, booleanFlags: ["json", "signatures"])
    _ = arguments.flag("signatures")
    isJSON = arguments.flag("json")
    trainerCount = try arguments.integer("trainers", in: 1...100_000) ?? 100
    aggregatorCount = try arguments.integer("aggregators", in: 1...256) ?? 4
    parameterCount = try arguments.integer("parameters", in: 1...16_000_000) ?? 101_770
    repeats = try arguments.integer("repeats", in: 1...100) ?? 5
    try arguments.finish()
  }

  static func seconds(_ body: () -> Void) -> Double {
    let started = ProcessMetrics.now()
    body()
    return ProcessMetrics.now() - started
  }

  func run(output: Output) throws {
    let project = [UInt8](repeating: 1, count: 32)
    let values = (0..<parameterCount).map { Float($0 % 97) * 0.01 }
    let trainerKeys = (0..<trainerCount).map { index in
      SigningKeyPair(seed: (0..<32).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0) })
    }
    let aggregatorKey = SigningKeyPair.generate()
    let aggregator = PeerID(publicKey: aggregatorKey.publicKey)
    var samples: [String: [Double]] = [:]
    for _ in 0..<repeats {
      // One trainer: hash its update and sign the statement.
      var receipts: [UpdateReceipt] = []
      samples["trainerSign", default: []].append(
        Self.seconds {
          let digest = Digest.of(values: values)
          let statement = SignedStatement.update(
            project: project, round: 1, aggregator: aggregator, weight: 32, valuesDigest: digest,
            nonce: 1)
          _ = trainerKeys[0].sign(statement)
        })
      // The receipts of the round (signed outside the timing).
      let digest = Digest.of(values: values)
      for (index, key) in trainerKeys.enumerated() {
        let statement = SignedStatement.update(
          project: project, round: 1, aggregator: aggregator, weight: 32, valuesDigest: digest,
          nonce: UInt64(index))
        receipts.append(
          UpdateReceipt(
            weight: 32, valuesDigest: digest,
            attestation: Attestation(
              publicKey: key.publicKey, nonce: UInt64(index), signature: key.sign(statement))))
      }
      // One aggregator: hash and check each update of its group, then sign its partial.
      let group = max(trainerCount / aggregatorCount, 1)
      var partialAttestation: Attestation?
      samples["aggregator", default: []].append(
        Self.seconds {
          for receipt in receipts.prefix(group) {
            let statement = SignedStatement.update(
              project: project, round: 1, aggregator: aggregator, weight: receipt.weight,
              valuesDigest: Digest.of(values: values), nonce: receipt.attestation.nonce)
            precondition(receipt.attestation.verifies(statement), "benchmark receipt")
          }
          let statement = SignedStatement.partial(
            project: project, round: 1, weight: UInt64(32 * group),
            receipts: Array(receipts.prefix(group)), valuesDigest: Digest.of(values: values),
            nonce: 9)
          partialAttestation = Attestation(
            publicKey: aggregatorKey.publicKey, nonce: 9, signature: aggregatorKey.sign(statement))
        })
      // The coordinator: every partial's hash and signature, and every receipt.
      let attestation = partialAttestation!
      samples["coordinator", default: []].append(
        Self.seconds {
          for part in 0..<aggregatorCount {
            let slice = Array(
              receipts[min(part * group, trainerCount)..<min((part + 1) * group, trainerCount)])
            let statement = SignedStatement.partial(
              project: project, round: 1, weight: UInt64(32 * group), receipts: slice,
              valuesDigest: Digest.of(values: values), nonce: 9)
            _ = attestation.verifies(statement)
            for receipt in slice {
              let update = SignedStatement.update(
                project: project, round: 1, aggregator: aggregator, weight: receipt.weight,
                valuesDigest: receipt.valuesDigest, nonce: receipt.attestation.nonce)
              precondition(receipt.attestation.verifies(update), "benchmark receipt")
            }
          }
        })
      // The council: the leader signs one round's entries (the roles, the round start with an
      // assignment per trainer, the commit with a judgement per trainer), and each member
      // checks them as they arrive.
      let entries = roundEntries(trainers: receipts.map(\.trainer), aggregator: aggregator)
      let leader = ContributionSigning(project: project, keyPair: aggregatorKey)
      var signed: [LogEntry] = []
      samples["leaderEntries", default: []].append(
        Self.seconds {
          signed = entries.map { entry in
            var entry = entry
            entry.attestation = leader.attestation(of: entry, nonce: entry.index)
            return entry
          }
        })
      samples["memberEntries", default: []].append(
        Self.seconds {
          for entry in signed {
            let attestation = entry.attestation!
            precondition(
              attestation.verifies(
                SignedStatement.entry(project: project, entry, nonce: attestation.nonce)),
              "benchmark entry")
          }
        })
    }
    let medians = samples.mapValues { $0.sorted()[$0.count / 2] }
    output.line(
      "\(trainerCount) trainers, \(aggregatorCount) aggregators, \(parameterCount) parameters")
    for role in ["trainerSign", "aggregator", "coordinator", "leaderEntries", "memberEntries"] {
      output.line(
        "\(role.padding(toLength: 14, withPad: " ", startingAt: 0)) "
          + String(format: "%9.3f ms", medians[role]! * 1_000))
    }
    if isJSON {
      output.json([
        "command": "bench-signatures", "entriesPerRound": 3, "trainers": trainerCount,
        "aggregators": aggregatorCount,
        "parameters": parameterCount, "repeats": repeats,
        "milliseconds": medians.mapValues { $0 * 1_000 },
      ])
    }
  }

  /// The entries a round adds to the council log: the epoch's roles, the round start and the
  /// commit, each naming every trainer.
  func roundEntries(trainers: [PeerID], aggregator: PeerID) -> [LogEntry] {
    let model = Digest(words: (1, 2, 3, 4))
    let commands: [CouncilCommand] = [
      .assignRoles(
        RoleAssignment(epoch: 1, coordinator: aggregator, aggregators: [aggregator])),
      .startRound(
        RoundStart(
          round: 1, baseModel: model, deadlineMilliseconds: 10_000,
          assignments: trainers.map { TrainerAssignment(trainer: $0, aggregator: aggregator) })),
      .commitRound(
        RoundCommit(
          round: 1, model: model, aggregators: [aggregator], trainers: trainers,
          judgements: trainers.map { TrainerJudgement(trainer: $0, score: 0.5) })),
    ]
    return commands.enumerated().map {
      LogEntry(term: 2, index: UInt64($0.offset + 1), command: $0.element)
    }
  }
}
