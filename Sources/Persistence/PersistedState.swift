import Coordination
import Wire

/// A peer this node has heard of, and how to reach it.
public struct KnownPeer: Hashable, Sendable {
  public var peer: PeerID
  public var address: PeerAddress
  /// When this node last heard from the peer, on the runtime's clock.
  public var lastSeenMilliseconds: UInt64

  public init(peer: PeerID, address: PeerAddress, lastSeenMilliseconds: UInt64) {
    self.peer = peer
    self.address = address
    self.lastSeenMilliseconds = lastSeenMilliseconds
  }
}

/// What replaces the council log up to `lastIndex` once it is compacted (Raft §7).
///
/// `state` is the application's encoding of everything the compacted entries built, council
/// membership included; the store keeps it whole and guards it with a checksum. The council
/// keeps its whole log today and takes no snapshots, so no batch installs one yet.
public struct CouncilSnapshot: Hashable, Sendable {
  /// The index of the last entry the snapshot replaces (at least 1).
  public var lastIndex: UInt64
  /// That entry's term.
  public var lastTerm: UInt64
  public var state: [UInt8]

  public init(lastIndex: UInt64, lastTerm: UInt64, state: [UInt8]) {
    self.lastIndex = lastIndex
    self.lastTerm = lastTerm
    self.state = state
  }
}

/// Everything a store holds that a node restarts from.
public struct PersistedState: Hashable, Sendable {
  /// The council's term, vote, log and applied index; nil when none was ever written. With a
  /// snapshot, `entries` starts at `councilSnapshot.lastIndex + 1` instead of at 1.
  public var council: CouncilDurableState?
  public var councilSnapshot: CouncilSnapshot?
  /// The newest committed model (nil before the first commit).
  public var committedModel: StoredModel?
  /// Models held and acknowledged but not committed yet, by round then hash.
  public var heldModels: [StoredModel]
  /// The last round this node saw start (0 if none was recorded).
  public var lastStartedRound: UInt64
  /// By peer ID.
  public var knownPeers: [KnownPeer]
  /// The ε spent, per accountant (a privacy budget's name).
  public var privacySpent: [String: Double]
  /// The outer optimizer's state, with the committed model it follows as its `digest` (nil when
  /// none was stored).
  public var outerState: StoredModel?

  public init(
    council: CouncilDurableState? = nil, councilSnapshot: CouncilSnapshot? = nil,
    committedModel: StoredModel? = nil, heldModels: [StoredModel] = [],
    lastStartedRound: UInt64 = 0, knownPeers: [KnownPeer] = [],
    privacySpent: [String: Double] = [:], outerState: StoredModel? = nil
  ) {
    self.outerState = outerState
    self.council = council
    self.councilSnapshot = councilSnapshot
    self.committedModel = committedModel
    self.heldModels = heldModels
    self.lastStartedRound = lastStartedRound
    self.knownPeers = knownPeers
    self.privacySpent = privacySpent
  }
}
