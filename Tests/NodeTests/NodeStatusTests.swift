import Coordination
import Node
import Testing
import Wire

@Suite struct NodeStatusTests {
  @Test func freshFDFLNodeKnowsTheCouncilButNoCoordinator() {
    let status = NodeScript.node(3).status
    #expect(status.peer == NodeScript.peer(3))
    #expect(status.role == .trainer)
    #expect(status.term == 0 && status.committedRound == 0)
    #expect(status.coordinator == nil)
    #expect(status.members.map(\.peer) == (0..<5).map(NodeScript.peer))
    #expect(status.members.first { $0.peer == NodeScript.peer(3) }?.isAlive == true)
    #expect(status.lastAccuracy == nil && status.epsilonSpent == nil)
  }

  @Test func followerStatusNamesItsLeaderAndTerm() {
    var follower = NodeScript.node(1)
    let leader = NodeScript.peer(0)
    _ = follower.handle(
      .received(
        from: leader,
        .council(
          .appendEntries(
            term: 4, leader: leader, previousLogIndex: 0, previousLogTerm: 0, entries: [],
            leaderCommit: 0)), now: 50))
    let status = follower.status
    #expect(status.term == 4)
    #expect(status.coordinator == leader)
    #expect(status.aggregators == [NodeScript.peer(1), NodeScript.peer(2)])
    #expect(status.role == .aggregator)
    let roles = Dictionary(uniqueKeysWithValues: status.members.map { ($0.peer, $0.role) })
    #expect(roles[leader] == .coordinator && roles[NodeScript.peer(4)] == .trainer)
    // Heard from the leader just now.
    #expect(status.members.first { $0.peer == leader }?.isAlive == true)
  }

  @Test func federatedStatusFollowsCommitsAndTheReportedAccuracy() {
    var coordinator = NodeScript.node(0, mode: .federated, peerCount: 2, councilSize: 1)
    _ = coordinator.handle(.tick(now: 300))
    _ = coordinator.handle(
      .received(
        from: NodeScript.peer(1), .round(.update(round: 1, weight: 1, values: [1, 1, 1, 1])),
        now: 400))
    _ = coordinator.handle(.evaluated(round: 1, accuracy: 0.75))
    let status = coordinator.status
    #expect(status.role == .coordinator && status.term == nil)
    #expect(status.committedRound == 1)
    #expect(status.aggregators == [NodeScript.peer(0)])
    #expect(status.lastAccuracy == 0.75)
    // A report for an older round says nothing about the current model.
    _ = coordinator.handle(.evaluated(round: 0, accuracy: 0.1))
    #expect(coordinator.status.lastAccuracy == 0.75)
  }

  /// A real clock starts near 1.7e12 ms and can step back: a peer heard "in the future" reads
  /// as just heard, and neither the status nor a tick traps on the subtraction.
  @Test func aClockThatStepsBackNeitherTrapsNorForgetsALivePeer() {
    var follower = NodeScript.node(1)
    let leader = NodeScript.peer(0)
    let heardAt: UInt64 = 1_764_000_000_000
    _ = follower.handle(
      .received(
        from: leader,
        .council(
          .appendEntries(
            term: 4, leader: leader, previousLogIndex: 0, previousLogTerm: 0, entries: [],
            leaderCommit: 0)), now: heardAt))
    _ = follower.handle(.tick(now: heardAt - 60_000))
    #expect(follower.status.members.first { $0.peer == leader }?.isAlive == true)
    _ = follower.handle(.tick(now: UInt64.max - 1_000))
    #expect((follower.status.term ?? 0) >= 4)
  }
}
