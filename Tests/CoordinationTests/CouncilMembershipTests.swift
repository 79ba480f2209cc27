import Coordination
import Testing
import Wire

@Suite struct CouncilMembershipTests {
  @Test func addedMemberCatchesUpAndCountsTowardsTheQuorumWhileASecondChangeWaits() throws {
    var network = CouncilNetwork(memberCount: 3, seed: 21)
    let settled = network.settleLeader()
    let leader = try #require(settled)
    let joiner = CouncilNetwork.peer(3)
    network.addNode(joiner)
    #expect(network[joiner].members == network.bootstrapMembers)
    network.propose(leader, .addCouncilMember(joiner))
    // Appended, not yet committed: the new configuration is already in force on the leader.
    #expect(network[leader].members.contains(joiner))
    let second = network.handle(leader, .propose(.addCouncilMember(CouncilNetwork.peer(4))))
    #expect(
      second == [
        .rejectedProposal(
          .addCouncilMember(CouncilNetwork.peer(4)), reason: .configurationChangePending)
      ])
    network.tickAll(advancing: 100)
    network.deliverAll()
    network.tickAll(advancing: 100)
    network.deliverAll()
    for id in network.ids {
      #expect(network[id].members == (network.bootstrapMembers + [joiner]).sorted())
      #expect(network.nodes[id]!.applied == network.committed)
    }
    #expect(network[leader].commitIndex == 2)
    let duplicate = network.handle(leader, .propose(.addCouncilMember(joiner)))
    #expect(
      duplicate == [
        .rejectedProposal(.addCouncilMember(joiner), reason: .configurationChangeInvalid)
      ])
    // Four members: the leader and the joiner alone are no majority.
    network.isolate(network.ids.filter { $0 != leader && $0 != joiner })
    network.propose(leader)
    network.deliverAll()
    #expect(network[leader].commitIndex == 2)
    network.heal()
    network.tickAll(advancing: 100)
    network.deliverAll()
    #expect(network[leader].commitIndex == 3)
    #expect(network.violations.isEmpty, "\(network.violations)")
  }

  @Test func removedLeaderStepsDownAfterCommittingItsRemovalAndTheRestElectAnother() throws {
    var network = CouncilNetwork(memberCount: 3, seed: 22)
    let settled = network.settleLeader()
    let leader = try #require(settled)
    network.propose(leader, .removeCouncilMember(leader))
    #expect(!network[leader].members.contains(leader))
    network.deliverAll()
    #expect(network[leader].role == .follower)
    #expect(network[leader].commitIndex == 2)
    let remaining = network.ids.filter { $0 != leader }
    for id in remaining { #expect(network[id].members == remaining) }
    let elected = network.settleLeader()
    let newLeader = try #require(elected)
    #expect(remaining.contains(newLeader))
    // The removed member never campaigns again, and the two remaining members commit alone.
    network.isolate([leader])
    network.propose(newLeader)
    network.deliverAll()
    #expect(network[newLeader].commitIndex == network[newLeader].lastLogIndex)
    for _ in 0..<60 { network.tickAll(advancing: 100) }
    network.deliverAll()
    #expect(network[leader].role == .follower)
    #expect(network.violations.isEmpty, "\(network.violations)")
  }

  @Test func removedFollowerIsNoLongerCountedTowardsTheQuorum() throws {
    var network = CouncilNetwork(memberCount: 3, seed: 23)
    let settled = network.settleLeader()
    let leader = try #require(settled)
    let removed = try #require(network.ids.first { $0 != leader })
    network.propose(leader, .removeCouncilMember(removed))
    network.deliverAll()
    #expect(network[leader].members == network.ids.filter { $0 != removed })
    network.isolate([removed])
    network.propose(leader)
    network.deliverAll()
    #expect(network[leader].commitIndex == network[leader].lastLogIndex)
    #expect(network.nodes[removed]!.applied.count < network.committed.count)
    #expect(network.violations.isEmpty, "\(network.violations)")
  }

  @Test func lastMemberCannotBeRemoved() throws {
    var network = CouncilNetwork(memberCount: 1, seed: 24)
    let settled = network.settleLeader()
    let leader = try #require(settled)
    let actions = network.handle(leader, .propose(.removeCouncilMember(leader)))
    #expect(
      actions == [
        .rejectedProposal(.removeCouncilMember(leader), reason: .configurationChangeInvalid)
      ])
  }
}
