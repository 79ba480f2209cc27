import Testing
import Wire

@testable import Coordination

/// A member held as dead learns it the next time it talks to us, even after the original rumour
/// has been retold and dropped (found by the simulator's fault sweep: a one-way partition left
/// live trainers "dead" until their tombstones expired).
struct MembershipRefutationTests {
  func record(_ index: UInt64) -> MemberRecord {
    MemberRecord(
      peer: PeerID(simulatedIndex: index), address: PeerAddress("simulated:\(index)"),
      capacity: Capacity(samplesPerSecond: 1, bandwidthBytesPerSecond: 1), joinedAtMilliseconds: 0)
  }

  @Test func aMemberHeldDeadIsToldSoWhenItPings() {
    let (a, b, c) = (record(1), record(2), record(3))
    var membership = Membership(myself: a, seed: 1, knownMembers: [b, c])
    let deadB = MemberUpdate(peer: b.peer, status: .dead, incarnation: 0)
    _ = membership.handle(.received(from: c.peer, .ping(sequence: 1, gossip: [deadB]), now: 10))
    #expect(membership.member(b.peer)?.status == .dead)
    // C keeps pinging until A has retold and dropped the rumour about B.
    var sequence: UInt64 = 2
    func gossip(in actions: [MembershipAction]) -> [MemberUpdate] {
      actions.flatMap { action -> [MemberUpdate] in
        if case .send(_, .ack(_, _, let updates)) = action { return updates }
        return []
      }
    }
    var rounds = 0
    while gossip(
      in: membership.handle(.received(from: c.peer, .ping(sequence: sequence, gossip: []), now: 20))
    )
    .contains(where: { $0.peer == b.peer }) {
      sequence += 1
      rounds += 1
      if rounds > 100 { break }
    }
    #expect(rounds < 100, "the rumour is dropped after a bounded number of retransmissions")
    // Now B, unaware, pings A: the ack must tell B it is held dead so that it refutes.
    let reply = membership.handle(.received(from: b.peer, .ping(sequence: 99, gossip: []), now: 30))
    #expect(gossip(in: reply).contains(deadB))
  }
}
