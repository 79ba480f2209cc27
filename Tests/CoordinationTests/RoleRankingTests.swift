import Coordination
import Testing
import Wire

struct RoleRankingTests {
  func candidates(_ count: Int, speed: (Int) -> Float = { _ in 100 }) -> [RoleCandidate] {
    (0..<count).map {
      RoleCandidate(
        peer: PeerID(simulatedIndex: UInt64($0)),
        capacity: Capacity(samplesPerSecond: speed($0), bandwidthBytesPerSecond: 10_000_000),
        uptimeMilliseconds: 3_600_000)
    }
  }

  func seed(_ value: UInt64) -> Digest { Digest(words: (value, ~value, value &* 3, 7)) }

  @Test func everyMemberComputesTheSameRoles() {
    let pool = candidates(50)
    let first = RoleRanking.assign(pool, seed: seed(1), epoch: 3, aggregatorCount: 4)
    let shuffled = RoleRanking.assign(pool.reversed(), seed: seed(1), epoch: 3, aggregatorCount: 4)
    #expect(first == shuffled)
    #expect(first?.aggregators.count == 4)
    #expect(first.map { !$0.aggregators.contains($0.coordinator) } == true)
  }

  @Test func rolesRotateWithTheCommittedModel() {
    let pool = candidates(50)
    let coordinators = Set(
      (0..<20).compactMap {
        RoleRanking.assign(pool, seed: seed($0), epoch: 0, aggregatorCount: 4)?.coordinator
      })
    #expect(coordinators.count >= 10, "20 different models should pick many different coordinators")
  }

  @Test func strongerAndLongerLivedPeersServeMoreOften() {
    var pool = candidates(20) { $0 < 10 ? 10 : 10_000 }
    for index in 0..<20 where index % 2 == 0 { pool[index].uptimeMilliseconds = 60_000 }
    var fastPicks = 0
    for value in 0..<400 {
      let coordinator = RoleRanking.assign(
        pool, seed: seed(UInt64(value)), epoch: 0, aggregatorCount: 0)!.coordinator
      if pool.firstIndex(where: { $0.peer == coordinator })! >= 10 { fastPicks += 1 }
    }
    #expect(fastPicks > 240, "fast peers won \(fastPicks) of 400")
    #expect(fastPicks < 400, "slow peers still get a chance")
  }

  @Test func zeroReputationNeverServesWhileOthersCan() {
    var pool = candidates(5)
    pool[0].reputation = 0
    for value in 0..<50 {
      let ranked = RoleRanking.rank(pool, seed: seed(UInt64(value)))
      #expect(ranked.last == pool[0].peer)
    }
  }

  @Test func noCandidatesNoRoles() {
    #expect(RoleRanking.assign([], seed: seed(0), epoch: 0, aggregatorCount: 3) == nil)
  }
}
