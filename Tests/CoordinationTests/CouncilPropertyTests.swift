import Coordination
import Testing
import Wire

/// Seed sweeps: random delivery order, drops, partitions, slow storage, crashes that lose unsynced
/// writes and restarts; then faults stop and the council must make progress.
@Suite struct CouncilPropertyTests {
  static let seedCount: UInt64 = 1_500
  static let faultStepCount = 250

  @Test func atMostOneLeaderPerTermAndIdenticalCommitsAcrossRandomSeeds() {
    for seed in 0..<Self.seedCount {
      let violations = Self.run(seed: seed)
      guard violations.isEmpty else {
        Issue.record("seed \(seed): \(violations.prefix(3))")
        return
      }
    }
  }

  static func run(seed: UInt64) -> [String] {
    var random = TestGenerator(seed: seed)
    let memberCount = seed % 2 == 0 ? 3 : 5
    var network = CouncilNetwork(memberCount: memberCount, seed: seed)
    network.isPersistingImmediately = false
    let ids = network.ids
    for _ in 0..<faultStepCount {
      let id = ids[Int(random.next() % UInt64(ids.count))]
      switch random.next() % 100 {
      case 0..<45:
        guard !network.inFlight.isEmpty else { continue }
        let envelope = network.inFlight.remove(
          at: Int(random.next() % UInt64(network.inFlight.count)))
        if random.next() % 10 != 0 { network.deliver(envelope) }
      case 45..<65:
        network.tickAll(advancing: 1 + random.next() % 300)
      case 65..<80:
        network.sync(id)
      case 80..<88:
        if network.nodes[id]!.council != nil { network.propose(id) }
      case 88..<93:
        if random.next() % 2 == 0 {
          network.heal()
        } else {
          network.isolate([id])
        }
      case 93..<96:
        if network.nodes[id]!.council != nil {
          let kept = Int(random.next() % UInt64(network.nodes[id]!.unsyncedWrites.count + 1))
          network.crash(id, keepingUnsyncedWrites: kept)
        }
      default:
        network.restart(id)
      }
      guard network.violations.isEmpty else { return network.violations }
    }
    // Liveness: faults stop; a leader must emerge and commit a new entry everywhere.
    network.heal()
    for id in ids { network.restart(id) }
    network.isPersistingImmediately = true
    for id in ids { network.sync(id) }
    guard let leader = network.settleLeader(timeMax: 60_000) else {
      return network.violations + ["no leader after faults stopped"]
    }
    network.propose(leader)
    network.tickAll(advancing: 100)
    network.deliverAll()
    let target = network[leader].lastLogIndex
    for id in ids where network.nodes[id]!.applied.count != Int(target) {
      network.violations.append("\(id) applied \(network.nodes[id]!.applied.count) of \(target)")
    }
    return network.violations
  }
}
