import Coordination
import Testing
import Wire

@Suite struct CouncilReplicationTests {
  func isCommit(_ action: CouncilAction) -> Bool {
    if case .commit = action { true } else { false }
  }

  @Test func entryCommitsOnceAMajorityHoldsItAndNotBefore() throws {
    var network = CouncilNetwork(memberCount: 5, seed: 11)
    let settled = network.settleLeader()
    let leader = try #require(settled)
    let followers = network.ids.filter { $0 != leader }
    // Leader plus one follower: two of five, no majority.
    network.isolate(Array(followers[1...]))
    network.propose(leader)
    network.deliverAll()
    #expect(network[leader].lastLogIndex == 2)
    #expect(network[leader].commitIndex == 1)
    // A third member hears of it: three of five commit it.
    network.heal()
    network.isolate(Array(followers[2...]))
    network.tickAll(advancing: 100)
    network.deliverAll()
    #expect(network[leader].commitIndex == 2)
    for id in [leader, followers[0], followers[1]] {
      #expect(network.nodes[id]!.applied.count == 2)
    }
    for id in followers[2...] { #expect(network.nodes[id]!.applied.count == 1) }
    // After healing everyone holds the same committed entries.
    network.heal()
    network.tickAll(advancing: 100)
    network.deliverAll()
    for id in network.ids { #expect(network.nodes[id]!.applied == network.committed) }
    #expect(network.violations.isEmpty, "\(network.violations)")
  }

  @Test func nonLeaderRejectsProposalsNamingTheLeader() throws {
    var network = CouncilNetwork(memberCount: 3, seed: 2)
    let settled = network.settleLeader()
    let leader = try #require(settled)
    let follower = try #require(network.ids.first { $0 != leader })
    let actions = network.handle(follower, .propose(.noOperation))
    #expect(actions == [.rejectedProposal(.noOperation, reason: .notLeader(leader: leader))])
    let fresh = CouncilNetwork.peer(0)
    var lone = Council(id: fresh, bootstrapMembers: [fresh, CouncilNetwork.peer(1)], seed: 1)
    #expect(
      lone.handle(.propose(.noOperation)) == [
        .rejectedProposal(.noOperation, reason: .notLeader(leader: nil))
      ])
  }

  @Test func followerWithConflictingEntriesIsTruncatedToTheLeadersLog() throws {
    func entry(_ term: UInt64, _ index: UInt64) -> LogEntry {
      LogEntry(
        term: term, index: index,
        command: .ban(peer: CouncilNetwork.peer(99), reason: "\(term)/\(index)"))
    }
    let stores = [
      CouncilDurableState(currentTerm: 3, entries: [entry(1, 1), entry(3, 2)]),
      CouncilDurableState(currentTerm: 3, entries: [entry(1, 1)]),
      CouncilDurableState(
        currentTerm: 2, entries: [entry(1, 1), entry(2, 2), entry(2, 3), entry(2, 4)]),
    ]
    var network = CouncilNetwork(memberCount: 3, seed: 3, stores: stores)
    network.isRecordingSends = true
    let leader = CouncilNetwork.peer(0)
    let conflicting = CouncilNetwork.peer(2)
    network.campaign(leader)
    #expect(network[leader].role == .leader)
    network.tickAll(advancing: 100)
    network.deliverAll()
    let leaderLog = Array(network[leader].log(from: 1))
    #expect(leaderLog.map(\.term) == [1, 3, 4])
    #expect(Array(network[conflicting].log(from: 1)) == leaderLog)
    #expect(network.nodes[conflicting]!.store.entries == leaderLog)
    #expect(network[conflicting].commitIndex == 3)
    #expect(network.violations.isEmpty, "\(network.violations)")
  }

  /// Raft §5.4.2 (Figure 8): an entry of an earlier term held by a majority is not committed by
  /// counting replicas, because a later leader may still overwrite it.
  @Test func entryOfAnEarlierTermIsNotCommittedByCountingReplicas() throws {
    func entry(_ term: UInt64, _ index: UInt64) -> LogEntry {
      LogEntry(
        term: term, index: index,
        command: .ban(peer: CouncilNetwork.peer(99), reason: "\(term)/\(index)"))
    }
    let first = entry(1, 1)
    let stores = [
      CouncilDurableState(currentTerm: 3, entries: [first, entry(2, 2)]),  // S1
      CouncilDurableState(currentTerm: 3, entries: [first, entry(2, 2)]),  // S2
      CouncilDurableState(currentTerm: 3, entries: [first]),  // S3
      CouncilDurableState(currentTerm: 3, entries: [first]),  // S4
      CouncilDurableState(currentTerm: 3, entries: [first, entry(3, 2)]),  // S5
    ]
    var network = CouncilNetwork(
      memberCount: 5, seed: 4, options: CouncilOptions(entriesPerAppendMax: 1), stores: stores)
    let s = network.ids
    network.isolate([s[4]])
    // S1 leads term 4 and copies its term-2 entry to S3 and S4, but not its own noOperation.
    let noOperationIndex: UInt64 = 3
    let isNoOperationToS3OrS4 = { (envelope: Envelope) -> Bool in
      guard case .appendEntries(_, _, _, _, let entries, _) = envelope.message else { return false }
      return (envelope.recipient == s[2] || envelope.recipient == s[3])
        && entries.contains { $0.index == noOperationIndex }
    }
    network.campaign(s[0], isSettling: false)
    network.deliverAll(dropping: isNoOperationToS3OrS4)
    #expect(network[s[0]].role == .leader)
    #expect(network[s[0]].term == 4)
    network.tickAll(advancing: 100)
    network.deliverAll(dropping: isNoOperationToS3OrS4)
    for id in s[0...3] { #expect(network[id].log(from: 2).first == entry(2, 2)) }
    for id in s { #expect(network[id].commitIndex == 0) }
    // S1 fails; S5 wins with S3 and S4 and overwrites the term-2 entry held by four of five.
    network.crash(s[0])
    network.heal()
    network.campaign(s[4])
    if network[s[4]].role != .leader { network.campaign(s[4]) }
    #expect(network[s[4]].role == .leader)
    network.tickAll(advancing: 100)
    network.deliverAll()
    for id in [s[2], s[3], s[4]] { #expect(network[id].log(from: 2).first == entry(3, 2)) }
    #expect(network.committed.map(\.term).prefix(2) == [1, 3])
    #expect(network.violations.isEmpty, "\(network.violations)")
  }

  @Test func partitionedLeaderStepsDownAndItsUncommittedEntriesAreDiscarded() throws {
    var network = CouncilNetwork(memberCount: 5, seed: 6)
    let settled = network.settleLeader()
    let oldLeader = try #require(settled)
    let oldTerm = network[oldLeader].term
    let minority = [oldLeader, try #require(network.ids.first { $0 != oldLeader })]
    network.isolate(minority)
    let lostProposal = CouncilCommand.ban(peer: CouncilNetwork.peer(50), reason: "never committed")
    network.propose(oldLeader, lostProposal)
    network.deliverAll()
    // Check-quorum: it steps down within the shortest election timeout (plus one tick).
    var elapsed: UInt64 = 0
    while network[oldLeader].role == .leader && elapsed <= 2_000 {
      network.tickAll(advancing: 50)
      network.deliverAll()
      elapsed += 50
    }
    #expect(network[oldLeader].role != .leader)
    #expect(elapsed <= network.options.electionTimeoutMilliseconds.lowerBound + 50)
    // The majority elects a new leader and commits without the old one.
    var newLeader: PeerID?
    for _ in 0..<100 where newLeader == nil {
      network.tickAll(advancing: 100)
      network.deliverAll()
      newLeader = network.leaders.first { !minority.contains($0) }
    }
    let leader = try #require(newLeader)
    #expect(network[leader].term > oldTerm)
    network.propose(leader)
    network.deliverAll()
    // After healing, the old leader's entry disappears everywhere.
    network.heal()
    let healedLeader = network.settleLeader()
    #expect(healedLeader != nil)
    for id in network.ids {
      #expect(!network[id].log(from: 1).contains { $0.command == lostProposal })
      #expect(network[id].log(from: 1).elementsEqual(network[leader].log(from: 1)))
    }
    #expect(!network.committed.contains { $0.command == lostProposal })
    #expect(network.violations.isEmpty, "\(network.violations)")
  }

  @Test func laggingFollowerCatchesUpInBoundedBatches() throws {
    var network = CouncilNetwork(
      memberCount: 3, seed: 8, options: CouncilOptions(uncommittedEntriesMax: 500))
    let settled = network.settleLeader()
    let leader = try #require(settled)
    let lagging = try #require(network.ids.first { $0 != leader })
    network.isolate([lagging])
    for _ in 0..<200 { network.propose(leader) }
    network.deliverAll()
    #expect(network[leader].commitIndex == 201)
    network.heal()
    network.isRecordingSends = true
    network.tickAll(advancing: 100)
    network.deliverAll()
    #expect(network.nodes[lagging]!.applied.count == 201)
    let batchSizes = network.sent.compactMap { envelope -> Int? in
      guard envelope.recipient == lagging,
        case .appendEntries(_, _, _, _, let entries, _) = envelope.message
      else { return nil }
      return entries.count
    }
    #expect(batchSizes.max() == CouncilLimits.entriesPerAppendMax)
    #expect(network.violations.isEmpty, "\(network.violations)")
  }

  @Test func leaderRejectsProposalsBeyondTheUncommittedBound() throws {
    var network = CouncilNetwork(
      memberCount: 3, seed: 9, options: CouncilOptions(uncommittedEntriesMax: 4))
    let settled = network.settleLeader()
    let leader = try #require(settled)
    network.isolate(network.ids.filter { $0 != leader })
    for _ in 0..<4 { network.propose(leader) }
    let actions = network.handle(leader, .propose(.noOperation))
    #expect(actions == [.rejectedProposal(.noOperation, reason: .uncommittedEntriesFull)])
  }
}
