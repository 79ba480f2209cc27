import Testing
import Wire

@testable import NodeRuntime

/// What `starling node --fault` changes in what a node sends.
struct FaultInjectionTests {
  static let peer = PeerID(simulatedIndex: 1)

  @Test func nanPartialsPoisonsPartialsAndNeverCampaigns() {
    let partial = Message.round(
      .partial(round: 3, weight: 2, trainers: [Self.peer], values: [1, 2]))
    guard
      case .round(.partial(_, _, _, let values))? = NodeRuntime.injecting(
        .nanPartials, into: partial)
    else {
      Issue.record("a partial is still sent")
      return
    }
    #expect(values[0].isNaN && values[1] == 2)
    let requestVote = Message.council(
      .requestVote(
        term: 2, candidate: Self.peer, lastLogIndex: 0, lastLogTerm: 0,
        isLeadershipTransfer: false))
    let requestPreVote = Message.council(
      .requestPreVote(term: 2, candidate: Self.peer, lastLogIndex: 0, lastLogTerm: 0))
    #expect(NodeRuntime.injecting(.nanPartials, into: requestVote) == nil)
    #expect(NodeRuntime.injecting(.nanPartials, into: requestPreVote) == nil)
    // Everything else goes out as the controller decided, and without a fault nothing changes.
    let vote = Message.council(.vote(term: 2, granted: true))
    #expect(NodeRuntime.injecting(.nanPartials, into: vote) == vote)
    #expect(NodeRuntime.injecting(nil, into: requestVote) == requestVote)
    #expect(NodeRuntime.injecting(nil, into: partial) == partial)
  }
}
