import Coordination
import Testing
import Wire

@Suite struct CouncilPersistenceTests {
  @Test func followerAcknowledgesAppendsOnlyAfterTheyAreDurable() {
    let follower = CouncilNetwork.peer(0)
    let leader = CouncilNetwork.peer(1)
    var council = Council(
      id: follower, bootstrapMembers: [follower, leader, CouncilNetwork.peer(2)], seed: 1)
    let entries = [
      LogEntry(term: 1, index: 1, command: .noOperation),
      LogEntry(term: 1, index: 2, command: .ban(peer: CouncilNetwork.peer(9), reason: "x")),
    ]
    let actions = council.handle(
      .received(
        from: leader,
        .appendEntries(
          term: 1, leader: leader, previousLogIndex: 0, previousLogTerm: 0, entries: entries,
          leaderCommit: 2), now: 10))
    #expect(
      actions == [
        .persist(CouncilWrite(sequence: 1, term: 1, votedFor: nil, entries: [])),
        .becameFollower(term: 1, leader: leader),
        .persist(CouncilWrite(sequence: 2, term: 1, votedFor: nil, entries: entries)),
      ])
    #expect(council.commitIndex == 2)
    // The term alone is durable: still no acknowledgement, and nothing delivered.
    #expect(council.handle(.persisted(upTo: 1)) == [])
    #expect(
      council.handle(.persisted(upTo: 2)) == [
        .send(to: leader, .appendResult(term: 1, success: true, matchIndex: 2)),
        .commit(entries),
      ])
  }

  @Test func crashedMemberRestartsFromWhatItPersistedAndNeverAcknowledgedTheRest() throws {
    var network = CouncilNetwork(memberCount: 3, seed: 12)
    let settled = network.settleLeader()
    let leader = try #require(settled)
    let follower = try #require(network.ids.first { $0 != leader })
    let termBefore = network[follower].term
    let votedBefore = network[follower].votedFor
    // The follower's storage stops confirming writes.
    network.isPersistingImmediately = false
    for id in network.ids where id != follower { network.sync(id) }
    network.isolate(network.ids.filter { $0 != leader && $0 != follower })
    network.propose(leader)
    network.deliverAll()
    #expect(network[follower].lastLogIndex == 2)
    #expect(!network.nodes[follower]!.unsyncedWrites.isEmpty)
    // No acknowledgement left the follower, so the leader could not commit.
    #expect(network.inFlight.isEmpty)
    #expect(network[leader].commitIndex == 1)
    network.crash(follower)
    network.restart(follower)
    #expect(network[follower].lastLogIndex == 1)
    #expect(network[follower].term == termBefore)
    #expect(network[follower].votedFor == votedBefore)
    #expect(network[follower].appliedIndex == 1)
    // Back with working storage it catches up and the entry commits.
    network.isPersistingImmediately = true
    for id in network.ids { network.sync(id) }
    network.tickAll(advancing: 100)
    network.deliverAll()
    #expect(network[leader].commitIndex == 2)
    #expect(network.nodes[follower]!.applied.count == 2)
    #expect(network.violations.isEmpty, "\(network.violations)")
  }

  @Test func leaderCountsItselfOnlyForEntriesDurableOnIt() throws {
    var network = CouncilNetwork(memberCount: 3, seed: 13)
    let settled = network.settleLeader()
    let leader = try #require(settled)
    network.isPersistingImmediately = false
    network.isolate(network.ids.filter { $0 != leader }.suffix(1))
    network.propose(leader)
    // One follower acknowledges; with the leader's copy not yet durable that is one of three.
    let follower = try #require(network.ids.first { $0 != leader && network[$0].leader == leader })
    network.deliverAll()
    network.sync(follower)
    network.deliverAll()
    #expect(network[leader].lastLogIndex == 2)
    #expect(network[leader].commitIndex == 1)
    network.sync(leader)
    network.deliverAll()
    #expect(network[leader].commitIndex == 2)
  }

  struct StoreCase: Sendable, CustomTestStringConvertible {
    var name: String
    var store: CouncilDurableState
    var error: CouncilDurableStateError
    var testDescription: String { name }
  }

  @Test(arguments: [
    StoreCase(
      name: "gap",
      store: CouncilDurableState(
        currentTerm: 1, entries: [LogEntry(term: 1, index: 2, command: .noOperation)]),
      error: .entriesNotContiguous(index: 2)),
    StoreCase(
      name: "entry term beyond current term",
      store: CouncilDurableState(
        currentTerm: 1, entries: [LogEntry(term: 2, index: 1, command: .noOperation)]),
      error: .entryTermOutOfOrder(index: 1)),
    StoreCase(
      name: "applied beyond log", store: CouncilDurableState(currentTerm: 1, appliedIndex: 1),
      error: .appliedIndexBeyondLog),
  ])
  func restartRejectsAnInconsistentStore(_ storeCase: StoreCase) {
    let id = CouncilNetwork.peer(0)
    #expect(throws: storeCase.error) {
      _ = try Council(id: id, bootstrapMembers: [id], seed: 1, restoring: storeCase.store)
    }
  }
}
