import Coordination
import Node
import Wire

/// Small scripts against one `NodeController`, as etcd's raft tests drive one node: inputs in,
/// the effects checked.
enum NodeScript {
  static let modelLength = 4
  static let initialModel = [Float](repeating: 0, count: modelLength)

  static func peer(_ index: UInt64) -> PeerID { PeerID(simulatedIndex: index) }

  /// A node of a project with `peerCount` peers whose first `councilSize` form the council.
  static func node(
    _ index: UInt64, mode: TopologyMode = .fdfl, peerCount: UInt64 = 5, councilSize: UInt64 = 3
  ) -> NodeController {
    let peers = (0..<peerCount).map(peer)
    let settings = NodeSettings(
      mode: mode, plan: RoundPlan(trainersPerRound: 2, roundDurationMilliseconds: 5_000),
      modelLength: modelLength, council: Array(peers.prefix(Int(councilSize))))
    let durable = NodeDurableState(
      council: nil, committedRound: 0, model: initialModel, lastStartedRound: 0)
    return NodeController(
      me: peer(index), settings: settings, peers: peers, durable: durable, seed: 7)
  }

  /// The messages among `effects`, in order.
  static func sends(_ effects: [NodeEffect]) -> [(to: PeerID, message: Message)] {
    effects.compactMap {
      if case .send(let receiver, let message) = $0 { return (receiver, message) }
      return nil
    }
  }

  static func writes(_ effects: [NodeEffect]) -> [DurableWrite] {
    effects.compactMap {
      if case .persist(let write) = $0 { return write }
      return nil
    }
  }

  static func roundMessages(_ effects: [NodeEffect]) -> [(to: PeerID, message: RoundMessage)] {
    sends(effects).compactMap {
      if case .round(let message) = $0.message { return ($0.to, message) }
      return nil
    }
  }
}
