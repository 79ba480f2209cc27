import Coordination
import Wire

/// What one node knows of the project at a moment: for the CLI and the dashboard.
public struct NodeStatus: Hashable, Sendable {
  /// The part a peer plays, as this node sees it.
  public enum Role: String, Hashable, Sendable {
    case coordinator
    case aggregator
    /// A council member that neither coordinates nor aggregates this epoch.
    case councilMember
    case trainer
  }

  /// One peer as this node sees it.
  public struct Member: Hashable, Sendable {
    public var peer: PeerID
    public var role: Role
    /// Whether the peer is believed up: SWIM's view when the project runs membership, otherwise
    /// whether this council member heard from it recently; nil when this node cannot tell.
    public var isAlive: Bool?
  }

  public var peer: PeerID
  public var role: Role
  /// The council's term (nil in federated mode).
  public var term: UInt64?
  public var committedRound: UInt64
  public var coordinator: PeerID?
  public var aggregators: [PeerID]
  /// Every peer of the project, this one included, in peer order.
  public var members: [Member]
  /// The committed model's accuracy, when the runtime evaluated it (`NodeInput.evaluated`).
  public var lastAccuracy: Double?
  /// The privacy spent by the committed rounds, with client-level differential privacy.
  public var epsilonSpent: Double?
}

extension NodeController {
  /// This node's view of the project now.
  public var status: NodeStatus {
    let coordinator = currentCoordinator
    let aggregators = currentAggregators(coordinator: coordinator)
    let councilMembers = Set(council?.members ?? settings.council)
    func role(of peer: PeerID) -> NodeStatus.Role {
      if peer == coordinator { return .coordinator }
      if aggregators.contains(peer) { return .aggregator }
      if settings.mode == .fdfl, councilMembers.contains(peer) { return .councilMember }
      return .trainer
    }
    let everyone = Set(peers).union(councilMembers).sorted()
    let members = everyone.map {
      NodeStatus.Member(peer: $0, role: role(of: $0), isAlive: isAlive($0))
    }
    return NodeStatus(
      peer: me, role: role(of: me), term: council?.term, committedRound: committedRound,
      coordinator: coordinator, aggregators: aggregators, members: members,
      lastAccuracy: lastAccuracy, epsilonSpent: spentEpsilon)
  }

  /// The coordinator this node knows of: the council's leader (fdfl), the fixed one (federated).
  var currentCoordinator: PeerID? {
    switch settings.mode {
    case .federated: return settings.council[0]
    case .fdfl: return council?.leader
    }
  }

  func currentAggregators(coordinator: PeerID?) -> [PeerID] {
    switch settings.mode {
    case .federated:
      return coordinator.map { [$0] } ?? []
    case .fdfl:
      if let assigned = (coordinatorRole.proposedRoles ?? roles)?.aggregators { return assigned }
      return (council?.members ?? settings.council).filter { $0 != coordinator }
    }
  }

  func isAlive(_ peer: PeerID) -> Bool? {
    if peer == me { return true }
    if let membership, membership.isMember, let member = membership.member(peer) {
      return member.status == .alive
    }
    guard isCouncilMember, council?.members.contains(peer) ?? false,
      let heard = liveness.lastHeard[peer]
    else { return nil }
    return Timestamps.elapsed(from: heard, to: now) <= settings.aggregatorSilenceMilliseconds
  }
}
