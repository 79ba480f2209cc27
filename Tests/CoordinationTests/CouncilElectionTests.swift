import Coordination
import Testing
import Wire

@Suite struct CouncilElectionTests {
  @Test(arguments: [3, 5], [UInt64(1), 2, 3, 4])
  func electsExactlyOneLeaderThatEveryMemberFollows(memberCount: Int, seed: UInt64) throws {
    var network = CouncilNetwork(memberCount: memberCount, seed: seed)
    let settled = network.settleLeader()
    let leader = try #require(settled)
    // Stable afterwards: heartbeats keep the same leader in the same term.
    let term = network[leader].term
    for _ in 0..<50 {
      network.tickAll(advancing: 100)
      network.deliverAll()
    }
    #expect(network.leaders == [leader])
    #expect(network[leader].term == term)
    #expect(network.violations.isEmpty, "\(network.violations)")
    // The leader's noOperation commits everywhere.
    for id in network.ids {
      #expect(network[id].commitIndex == 1)
      #expect(network.nodes[id]!.applied.map(\.command) == [.noOperation])
    }
  }

  @Test func singleMemberCouncilLeadsOnlyAfterItsVoteIsDurable() {
    let id = CouncilNetwork.peer(0)
    var council = Council(id: id, bootstrapMembers: [id], seed: 7)
    _ = council.handle(.tick(now: 0))
    let actions = council.handle(.tick(now: 2_001))
    #expect(council.role == .candidate)
    #expect(actions == [.persist(CouncilWrite(sequence: 1, term: 1, votedFor: id, entries: []))])
    let afterPersisting = council.handle(.persisted(upTo: 1))
    #expect(council.role == .leader)
    #expect(afterPersisting.first == .becameLeader(term: 1))
    // The noOperation commits once it is durable: one member is a quorum.
    #expect(!afterPersisting.contains { if case .commit = $0 { true } else { false } })
    let committed = council.handle(.persisted(upTo: 2))
    #expect(committed == [.commit([LogEntry(term: 1, index: 1, command: .noOperation)])])
  }

  struct VoteCase: Sendable, CustomTestStringConvertible {
    var name: String
    var candidateLastIndex: UInt64
    var candidateLastTerm: UInt64
    var isGranted: Bool
    var testDescription: String { name }
  }

  /// The voter holds entries of terms 1 and 2 (last index 2, last term 2).
  @Test(arguments: [
    VoteCase(
      name: "longer log, older term", candidateLastIndex: 5, candidateLastTerm: 1, isGranted: false),
    VoteCase(
      name: "same term, shorter log", candidateLastIndex: 1, candidateLastTerm: 2, isGranted: false),
    VoteCase(
      name: "same term, same length", candidateLastIndex: 2, candidateLastTerm: 2, isGranted: true),
    VoteCase(
      name: "same term, longer log", candidateLastIndex: 3, candidateLastTerm: 2, isGranted: true),
    VoteCase(
      name: "newer term, shorter log", candidateLastIndex: 1, candidateLastTerm: 3, isGranted: true),
    VoteCase(name: "empty log", candidateLastIndex: 0, candidateLastTerm: 0, isGranted: false),
  ])
  func grantsVotesOnlyToUpToDateLogs(_ voteCase: VoteCase) throws {
    let voter = CouncilNetwork.peer(0)
    let candidate = CouncilNetwork.peer(1)
    let stored = CouncilDurableState(
      currentTerm: 2,
      entries: [
        LogEntry(term: 1, index: 1, command: .noOperation),
        LogEntry(term: 2, index: 2, command: .noOperation),
      ])
    var council = try Council(
      id: voter, bootstrapMembers: [voter, candidate, CouncilNetwork.peer(2)], seed: 1,
      restoring: stored)
    var actions = council.handle(
      .received(
        from: candidate,
        .requestVote(
          term: 3, candidate: candidate, lastLogIndex: voteCase.candidateLastIndex,
          lastLogTerm: voteCase.candidateLastTerm, isLeadershipTransfer: false), now: 10))
    let write = try #require(
      actions.compactMap { if case .persist(let w) = $0 { w } else { nil } }.last)
    #expect(!actions.contains { if case .send = $0 { true } else { false } })
    actions = council.handle(.persisted(upTo: write.sequence))
    #expect(actions == [.send(to: candidate, .vote(term: 3, granted: voteCase.isGranted))])
    #expect(council.term == 3)
    #expect(council.votedFor == (voteCase.isGranted ? candidate : nil))
  }

  @Test func grantsAtMostOneVotePerTermEvenAcrossARestart() throws {
    let voter = CouncilNetwork.peer(0)
    let first = CouncilNetwork.peer(1)
    let second = CouncilNetwork.peer(2)
    let members = [voter, first, second]
    var council = Council(id: voter, bootstrapMembers: members, seed: 1)
    var store = CouncilDurableState()
    func request(_ candidate: PeerID) -> CouncilEvent {
      .received(
        from: candidate,
        .requestVote(
          term: 4, candidate: candidate, lastLogIndex: 0, lastLogTerm: 0,
          isLeadershipTransfer: false), now: 5)
    }
    func persistAll(_ actions: [CouncilAction], into council: inout Council) -> [CouncilAction] {
      var sent: [CouncilAction] = []
      for case .persist(let write) in actions {
        store.apply(write)
        sent += council.handle(.persisted(upTo: write.sequence))
      }
      return sent + actions.filter { if case .send = $0 { true } else { false } }
    }
    #expect(
      persistAll(council.handle(request(first)), into: &council) == [
        .send(to: first, .vote(term: 4, granted: true))
      ])
    #expect(
      persistAll(council.handle(request(second)), into: &council) == [
        .send(to: second, .vote(term: 4, granted: false))
      ])
    // A restarted voter remembers its vote.
    var restarted = try Council(id: voter, bootstrapMembers: members, seed: 2, restoring: store)
    #expect(restarted.term == 4)
    #expect(restarted.votedFor == first)
    #expect(
      persistAll(restarted.handle(request(second)), into: &restarted) == [
        .send(to: second, .vote(term: 4, granted: false))
      ])
    // Asking again is answered the same way (a lost reply is retried).
    #expect(
      persistAll(restarted.handle(request(first)), into: &restarted) == [
        .send(to: first, .vote(term: 4, granted: true))
      ])
  }

  @Test func memberInLeaderLeaseIgnoresVoteRequestsFromADisruptiveMember() throws {
    var network = CouncilNetwork(memberCount: 3, seed: 5)
    let settled = network.settleLeader()
    let leader = try #require(settled)
    let follower = try #require(network.ids.first { $0 != leader })
    let term = network[leader].term
    let disruptive = try #require(network.ids.first { $0 != leader && $0 != follower })
    network.handle(
      follower,
      .received(
        from: disruptive,
        .requestVote(
          term: term + 5, candidate: disruptive, lastLogIndex: 9, lastLogTerm: term,
          isLeadershipTransfer: false),
        now: network.now))
    #expect(network[follower].term == term)
    #expect(network[follower].leader == leader)
  }

  /// Every follower deposes a healthy leader: they ignore its appends and elect another among
  /// themselves. Pardoned, it is followed again once it wins an election.
  @Test func deposedLeaderIsReplacedAndFollowedAgainOncePardoned() throws {
    var network = CouncilNetwork(memberCount: 3, seed: 5)
    let settled = network.settleLeader()
    let first = try #require(settled)
    let followers = network.ids.filter { $0 != first }
    for follower in followers { network.handle(follower, .depose(first)) }
    for _ in 0..<60 {
      network.tickAll(advancing: 100)
      network.deliverAll()
    }
    let second = try #require(network.leaders.first { $0 != first })
    #expect(network.leaders == [second])
    #expect(followers.allSatisfy { network[$0].deposed == [first] })
    // The deposed member follows the new leader (it was deposed, not cut off).
    #expect(network[first].leader == second)
    for follower in followers { network.handle(follower, .pardon(first)) }
    #expect(followers.allSatisfy { network[$0].deposed.isEmpty })
    // The new leader crashes: the pardoned member can win the vote of the other one.
    network.crash(second)
    let third = try #require(followers.first { $0 != second })
    network.campaign(first)
    #expect(network.leaders == [first])
    #expect(network[third].leader == first)
    #expect(network.violations.isEmpty, "\(network.violations)")
  }
}
