import Testing
import Wire

@testable import Coordination

/// The compact member table against a plain dictionary model, and its probe list against the
/// `PeerID` list it replaced (same order rules, same random draws).
struct MemberTableTests {
  static func member(_ index: Int, status: MemberStatus = .alive, incarnation: UInt64 = 0)
    -> Membership.Member
  {
    let record = MemberRecord(
      peer: PeerID(simulatedIndex: UInt64(index)), address: PeerAddress("sim-\(index):7400"),
      capacity: Capacity(samplesPerSecond: 100, bandwidthBytesPerSecond: 1e6),
      joinedAtMilliseconds: 0)
    return Membership.Member(record: record, status: status, incarnation: incarnation)
  }

  /// The probe list as `PeerList` kept it: append, remove by moving the last into the gap.
  struct ReferenceList {
    var peers: [PeerID] = []

    mutating func insert(_ peer: PeerID) { if !peers.contains(peer) { peers.append(peer) } }

    mutating func remove(_ peer: PeerID) {
      guard let position = peers.firstIndex(of: peer) else { return }
      let last = peers.removeLast()
      if position < peers.count { peers[position] = last }
    }

    func sample(
      _ count: Int, excluding excluded: PeerID?, using random: inout some RandomNumberGenerator
    ) -> [PeerID] {
      let eligible = peers.count - (excluded.map { peers.contains($0) ? 1 : 0 } ?? 0)
      guard count > 0, eligible > 0 else { return [] }
      if count * 2 >= eligible {
        return Array(peers.filter { $0 != excluded }.shuffled(using: &random).prefix(count))
      }
      var chosen: [PeerID] = []
      var seen: Set<Int> = []
      while chosen.count < count {
        let index = Int.random(in: 0..<peers.count, using: &random)
        guard peers[index] != excluded, seen.insert(index).inserted else { continue }
        chosen.append(peers[index])
      }
      return chosen
    }
  }

  @Test(arguments: [1, 2, 3])
  func randomStoresAndRemovesMatchADictionaryAndTheOldProbeList(seed: UInt64) {
    var random = SplitMixGenerator(seed: seed)
    var table = MemberTable()
    var model: [PeerID: Membership.Member] = [:]
    var list = ReferenceList()
    let statuses: [MemberStatus] = [.alive, .suspect, .dead, .left]
    for step in 0..<6_000 {
      let index = Int.random(in: 0..<400, using: &random)
      let peer = PeerID(simulatedIndex: UInt64(index))
      if Int.random(in: 0..<4, using: &random) == 0 {
        table.remove(peer)
        model[peer] = nil
        list.remove(peer)
      } else {
        let status = statuses[Int.random(in: 0..<4, using: &random)]
        let member = Self.member(index, status: status, incarnation: UInt64(step))
        table.store(member)
        model[peer] = member
        if status == .alive || status == .suspect { list.insert(peer) } else { list.remove(peer) }
      }
      #expect(table.count == model.count)
      #expect(table.member(peer) == model[peer])
    }
    for index in 0..<400 {
      let peer = PeerID(simulatedIndex: UInt64(index))
      #expect(table.member(peer) == model[peer])
      #expect(table.contains(peer) == (model[peer] != nil))
    }
    #expect(table.probeableReferences.compactMap(table.probeablePeer) == list.peers)
    for count in [0, 1, 3, 50, 1_000] {
      var tableRandom = SplitMixGenerator(seed: seed &+ UInt64(count))
      var listRandom = tableRandom
      let excluded = list.peers.first
      #expect(
        table.sampleProbeable(count, excluding: excluded, using: &tableRandom)
          == list.sample(count, excluding: excluded, using: &listRandom))
    }
  }

  @Test func aReferenceToAForgottenMemberStaysInvalidWhenItsSlotIsReused() throws {
    var table = MemberTable()
    let stored = table.store(Self.member(1))
    let first = try #require(stored)
    #expect(table.probeablePeer(first) == PeerID(simulatedIndex: 1))
    table.remove(PeerID(simulatedIndex: 1))
    let storedAgain = table.store(Self.member(2))
    let second = try #require(storedAgain)
    #expect(second.slot == first.slot, "the freed slot is reused")
    #expect(table.probeablePeer(first) == nil)
    #expect(table.probeablePeer(second) == PeerID(simulatedIndex: 2))
  }

  @Test func aDeadMemberLeavesTheProbeListAndReturnsWhenAlive() {
    var table = MemberTable()
    for index in 0..<3 { table.store(Self.member(index)) }
    #expect(table.store(Self.member(1, status: .dead)) == nil)
    #expect(table.probeableCount == 2)
    #expect(table.store(Self.member(1, status: .alive, incarnation: 1)) != nil)
    #expect(table.probeableCount == 3)
    #expect(table.count == 3)
  }
}
