import Coordination
import Testing
import Wire

@Suite struct CouncilTransferTests {
  @Test(arguments: [UInt64(1), 2, 3])
  func leadershipMovesToTheTargetInTheNextTermWithoutAnElectionTimeout(seed: UInt64) throws {
    var network = CouncilNetwork(memberCount: 5, seed: seed)
    let settled = network.settleLeader()
    let leader = try #require(settled)
    network.propose(leader)
    network.deliverAll()
    let target = try #require(network.ids.first { $0 != leader })
    let term = network[leader].term
    let start = network.now
    network.handle(leader, .transferLeadership(to: target))
    network.deliverAll()
    #expect(network.leaders == [target])
    #expect(network[target].term == term + 1)
    // No clock advanced: the handover took message delays only, not an election timeout.
    #expect(network.now == start)
    let resettled = network.settleLeader()
    let newLeader = try #require(resettled)
    #expect(newLeader == target)
    #expect(network.violations.isEmpty, "\(network.violations)")
    // The committed entries survive the handover and the new leader commits its own.
    network.propose(target)
    network.deliverAll()
    network.tickAll(advancing: 100)
    network.deliverAll()
    for id in network.ids { #expect(network[id].commitIndex == network[target].lastLogIndex) }
  }

  @Test func aLaggingTargetIsBroughtUpToDateBeforeItIsToldToCampaign() throws {
    var network = CouncilNetwork(memberCount: 3, seed: 4)
    let settled = network.settleLeader()
    let leader = try #require(settled)
    let target = try #require(network.ids.first { $0 != leader })
    // The target misses three entries.
    network.isolate([target])
    for _ in 0..<3 { network.propose(leader) }
    network.deliverAll()
    network.heal()
    network.isRecordingSends = true
    network.handle(leader, .transferLeadership(to: target))
    let firstTimeoutNow = network.inFlight.firstIndex {
      if case .timeoutNow = $0.message { true } else { false }
    }
    #expect(firstTimeoutNow == nil, "timeoutNow before the target's log matches")
    network.deliverAll()
    #expect(network.leaders == [target])
    #expect(network[target].lastLogIndex >= 4)
    #expect(network.violations.isEmpty, "\(network.violations)")
  }

  @Test func proposalsAreRefusedWhileATransferIsUnderWayAndAcceptedAfterItExpires() throws {
    var network = CouncilNetwork(memberCount: 3, seed: 5)
    let settled = network.settleLeader()
    let leader = try #require(settled)
    let target = try #require(network.ids.first { $0 != leader })
    network.isolate([target])  // The target never answers: the transfer cannot finish.
    network.handle(leader, .transferLeadership(to: target))
    #expect(network[leader].leadershipTransferTarget == target)
    let refused = network.propose(leader)
    #expect(
      refused.contains {
        $0
          == .rejectedProposal(
            .ban(peer: CouncilNetwork.peer(1000), reason: "proposal 1"),
            reason: .leadershipTransferPending)
      })
    for _ in 0..<10 {
      network.tickAll(advancing: network.options.electionTimeoutMilliseconds.lowerBound / 10)
      network.deliverAll()
    }
    #expect(network[leader].role == .leader)
    #expect(network[leader].leadershipTransferTarget == nil)
    let accepted = network.propose(leader)
    #expect(!accepted.contains { if case .rejectedProposal = $0 { true } else { false } })
  }

  @Test func onlyTheCurrentLeaderCanTriggerACampaignWithTimeoutNow() throws {
    var network = CouncilNetwork(memberCount: 3, seed: 6)
    let settled = network.settleLeader()
    let leader = try #require(settled)
    let follower = try #require(network.ids.first { $0 != leader })
    let other = try #require(network.ids.first { $0 != leader && $0 != follower })
    let term = network[follower].term
    // A follower that is not the leader, or a stale term: ignored.
    network.handle(follower, .received(from: other, .timeoutNow(term: term), now: network.now))
    network.handle(
      follower, .received(from: leader, .timeoutNow(term: term - 1), now: network.now))
    #expect(network[follower].role == .follower)
    #expect(network[follower].term == term)
  }

  @Test func aTransferVoteIsGrantedInsideTheLeaderLeaseButAnOrdinaryOneIsNot() throws {
    var network = CouncilNetwork(memberCount: 3, seed: 7)
    let settled = network.settleLeader()
    let leader = try #require(settled)
    let voter = try #require(network.ids.first { $0 != leader })
    let candidate = try #require(network.ids.first { $0 != leader && $0 != voter })
    let term = network[voter].term
    let last = network[voter].lastLogIndex
    let lastTerm = network[voter].lastLogTerm
    network.handle(
      voter,
      .received(
        from: candidate,
        .requestVote(
          term: term + 1, candidate: candidate, lastLogIndex: last, lastLogTerm: lastTerm,
          isLeadershipTransfer: false), now: network.now))
    #expect(network[voter].term == term)
    network.isRecordingSends = true
    network.handle(
      voter,
      .received(
        from: candidate,
        .requestVote(
          term: term + 1, candidate: candidate, lastLogIndex: last, lastLogTerm: lastTerm,
          isLeadershipTransfer: true), now: network.now))
    #expect(network[voter].term == term + 1)
    #expect(
      network.sent.contains {
        $0.recipient == candidate && $0.message == .vote(term: term + 1, granted: true)
      })
  }
}
