import Coordination
import Node
import Testing
import Wire

/// The peer list grows as peers join and shrinks as they leave: a newcomer is sampled in the
/// next round, a peer that left is not, and only a reachable peer may join the council.
@Suite struct PeerJoinTests {
  let profile = PeerProfile(
    capacity: Capacity(samplesPerSecond: 2_000, bandwidthBytesPerSecond: 1e6),
    uptimeMilliseconds: 1_000, isReachable: false)

  /// A federated coordinator that starts knowing nobody but itself.
  func lonelyCoordinator() -> NodeController {
    let me = NodeScript.peer(0)
    let settings = NodeSettings(
      mode: .federated, plan: RoundPlan(trainersPerRound: 4, roundDurationMilliseconds: 5_000),
      modelLength: NodeScript.modelLength, council: [me])
    let durable = NodeDurableState(
      council: nil, committedRound: 0, model: NodeScript.initialModel, lastStartedRound: 0)
    return NodeController(me: me, settings: settings, peers: [], durable: durable, seed: 3)
  }

  func trainersAsked(_ effects: [NodeEffect]) -> Set<PeerID> {
    Set(
      NodeScript.roundMessages(effects).compactMap {
        if case .train = $0.message { return $0.to }
        return nil
      })
  }

  @Test func aNewcomerIsSampledFromTheNextRound() {
    var coordinator = lonelyCoordinator()
    #expect(coordinator.peers == [NodeScript.peer(0)])
    let newcomer = NodeScript.peer(7)
    #expect(coordinator.handle(.peerJoined(newcomer, profile, now: 1_000)).isEmpty)
    #expect(coordinator.peers.contains(newcomer))
    var asked: Set<PeerID> = []
    for time in stride(from: UInt64(1_050), through: 2_000, by: 50) {
      asked.formUnion(trainersAsked(coordinator.handle(.tick(now: time))))
    }
    #expect(asked == [newcomer])
  }

  @Test func aPeerThatLeftIsNotSampled() {
    var coordinator = lonelyCoordinator()
    let staying = NodeScript.peer(5)
    let leaving = NodeScript.peer(6)
    _ = coordinator.handle(.peerJoined(staying, profile, now: 1_000))
    _ = coordinator.handle(.peerJoined(leaving, profile, now: 1_000))
    _ = coordinator.handle(.peerLeft(leaving, now: 1_010))
    #expect(!coordinator.peers.contains(leaving))
    var asked: Set<PeerID> = []
    for time in stride(from: UInt64(1_050), through: 2_000, by: 50) {
      asked.formUnion(trainersAsked(coordinator.handle(.tick(now: time))))
    }
    #expect(asked == [staying])
  }

  @Test func joiningTwiceKeepsOneEntryAndTheNewestProfile() {
    var node = lonelyCoordinator()
    let peer = NodeScript.peer(9)
    _ = node.handle(.peerJoined(peer, profile, now: 1_000))
    var faster = profile
    faster.capacity.samplesPerSecond = 9_000
    _ = node.handle(.peerJoined(peer, faster, now: 2_000))
    #expect(node.peers.filter { $0 == peer }.count == 1)
    #expect(node.peers == node.peers.sorted())
  }
}
