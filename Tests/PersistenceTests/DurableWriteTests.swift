import Coordination
import Testing
import Wire

@testable import Persistence

@Suite struct DurableWriteTests {
  @Test func aCouncilWriteBecomesTermAndVoteThenEntries() {
    let write = CouncilWrite(
      sequence: 4, term: 2, votedFor: peer(1), entries: entries(3...4, term: 2))
    #expect(
      DurableWrite(write).operations == [
        .setTermAndVote(term: 2, votedFor: peer(1)), .appendEntries(entries(3...4, term: 2)),
      ])
    let voteOnly = CouncilWrite(sequence: 5, term: 3, votedFor: nil, entries: [])
    #expect(DurableWrite(voteOnly).operations == [.setTermAndVote(term: 3, votedFor: nil)])
  }

  @Test func joinedBatchesKeepTheirOrder() {
    var first = DurableWrite([.setLastStartedRound(1)])
    first.append(.forgetPeer(peer(1)))
    first.append(contentsOf: DurableWrite([.setLastStartedRound(2)]))
    #expect(
      first.operations == [.setLastStartedRound(1), .forgetPeer(peer(1)), .setLastStartedRound(2)])
    #expect(DurableWrite().isEmpty)
  }
}
