import Wire

/// SWIM membership and failure detection (Das, Gupta and Motivala 2002) with the parts of
/// Lifeguard (Dadgar et al. 2018) that need no extra messages, as a pure state machine: events
/// in, actions out, no clock and no IO. Randomness comes from a generator seeded at creation.
///
/// The rules:
/// - **Probing.** Each protocol period the node pings one member, taken round-robin from a list
///   shuffled every round (so each member is probed by each prober within `2 * (n - 1)` periods).
///   Without an ack after `probeTimeoutMilliseconds` it sends `pingRequest` to `indirectProbes`
///   other members, which ping the target and relay its ack. Without any ack by the end of the
///   period the target becomes suspect.
/// - **Suspicion.** Every node that learns of a suspicion starts its own timer of
///   `suspicionMultiplier * ceil(log2(n + 1))` periods; a suspect not refuted by then is dead.
/// - **Refutation.** A node that hears it is suspect, dead or left at an incarnation at least its
///   own takes that incarnation plus one and spreads `alive`. Precedence is `MemberVersion`'s.
/// - **Dissemination.** Every change is a rumour piggybacked on pings, acks and ping requests,
///   at most `gossipPerMessageMax` per message, least-sent first, each sent
///   `retransmitMultiplier * ceil(log2(n + 1))` times. Lifeguard's buddy rule: a message carries
///   the rumour about its recipient first, so a suspect learns of it from its next ping.
/// - **Joining.** A newcomer sends `join` to a bootstrap member, which answers `joinAccepted` with
///   itself and a random sample of at most `MembershipLimits.joinSampleMax` members and spreads
///   the newcomer's `alive`. A join from a member known dead, left or with another record (a
///   restart) is its own statement that it lives, so the bootstrap member raises the incarnation
///   it knows by one; the newcomer adopts the incarnation it hears about itself.
/// - **Leaving.** A leaving node spreads `left`, which beats `alive` at its incarnation.
///
/// Traffic: per period a node sends one ping, one ack per ping received (one on average),
/// and, only when a probe times out, `indirectProbes` ping requests; an intermediary sends one
/// ping and one relayed ack per request. Each message carries O(1) rumours (bounded by
/// `gossipPerMessageMax`), and each rumour lives for O(log n) transmissions.
public struct Membership: Sendable {
  /// A member as this node knows it.
  public struct Member: Hashable, Sendable {
    public var record: MemberRecord
    public var status: MemberStatus
    public var incarnation: UInt64

    public init(record: MemberRecord, status: MemberStatus, incarnation: UInt64) {
      self.record = record
      self.status = status
      self.incarnation = incarnation
    }

    public var peer: PeerID { record.peer }
    public var version: MemberVersion { MemberVersion(status: status, incarnation: incarnation) }

    /// Time since the member joined, by the member's own join time (0 if that is in the future).
    public func uptimeMilliseconds(now: UInt64) -> UInt64 {
      Timestamps.elapsed(from: record.joinedAtMilliseconds, to: now)
    }
  }

  enum Phase: Hashable, Sendable {
    /// Created, not yet asked to join.
    case idle
    /// Waiting for a bootstrap member's `joinAccepted`.
    case joining(bootstrap: [PeerID], attempts: Int, lastAttemptMilliseconds: UInt64)
    case member
    case left
  }

  /// This node's probe of the current period.
  struct Probe: Sendable {
    var target: PeerID
    var sequence: UInt64
    var startedAtMilliseconds: UInt64
    var isIndirectSent = false
    var isAcknowledged = false
  }

  /// A ping this node sent on someone else's behalf; its ack is relayed to `requester`.
  struct Relay: Sendable {
    var requester: PeerID
    var sequence: UInt64
    var target: PeerID
    var createdAtMilliseconds: UInt64
  }

  public let configuration: MembershipConfiguration
  /// This node's own record.
  public let myself: MemberRecord
  /// This node's incarnation: raised to refute suspicion.
  public internal(set) var incarnation: UInt64

  var phase = Phase.idle
  /// Every other member known, with the probe list (alive and suspect members).
  var table = MemberTable()
  var schedule = ProbeSchedule()
  /// Suspects, each with the time its suspicion started.
  var suspects: [PeerID: UInt64] = [:]
  /// Dead and left members, each with the time it died or left.
  var tombstones: [PeerID: UInt64] = [:]
  var rumours = RumourQueue()
  var probe: Probe?
  var relays: [UInt64: Relay] = [:]
  var sequenceNext: UInt64 = 1
  var probeNextAtMilliseconds: UInt64?
  var nowMilliseconds: UInt64 = 0
  var random: SplitMixGenerator

  /// A node that has not joined yet, or, with `knownMembers`, one that starts as a member of a
  /// group it already knows (restored from its store, or a simulation's converged group): those
  /// members are taken as alive at incarnation 0 and probed like any other.
  public init(
    myself: MemberRecord, configuration: MembershipConfiguration = MembershipConfiguration(),
    seed: UInt64, incarnation: UInt64 = 0, knownMembers: [MemberRecord] = []
  ) {
    configuration.validate()
    self.myself = myself
    self.configuration = configuration
    self.incarnation = incarnation
    self.random = SplitMixGenerator(seed: seed)
    guard !knownMembers.isEmpty else { return }
    phase = .member
    var ignored: [MembershipAction] = []
    for record in knownMembers { learn(record, now: 0, into: &ignored) }
  }

  /// Feeds one event and returns what to do, in order.
  public mutating func handle(_ event: MembershipEvent) -> [MembershipAction] {
    var actions: [MembershipAction] = []
    switch event {
    case .tick(let now):
      tick(now: advance(to: now), into: &actions)
    case .received(let sender, let message, let now):
      receive(message, from: sender, now: advance(to: now), into: &actions)
    case .join(let bootstrap, let now):
      join(through: bootstrap, now: advance(to: now), into: &actions)
    case .leave(let now):
      leave(now: advance(to: now), into: &actions)
    }
    return actions
  }

  /// The runtime's clock is monotonic; a reading from the past is treated as the latest one.
  private mutating func advance(to now: UInt64) -> UInt64 {
    nowMilliseconds = max(nowMilliseconds, now)
    return nowMilliseconds
  }
}

// MARK: - Reading the membership

extension Membership {
  /// Whether this node has joined and not left.
  public var isMember: Bool { phase == .member }

  /// Members that are alive or suspect, this node included once it has joined: the `n` that
  /// suspicion and retransmission scale with.
  public var count: Int { table.probeableCount + 1 }

  /// Every known member, this node first, then the others by peer ID; dead and left members are
  /// included until their tombstone expires.
  ///
  /// - Complexity: O(n log n).
  public var members: [Member] {
    [selfMember] + table.allMembers.sorted { $0.peer < $1.peer }
  }

  /// Members held as suspect, dead or left (tombstones not yet expired), this node included once
  /// it has left: the complement of `aliveMembers` without listing the alive ones.
  ///
  /// - Complexity: O(suspects + tombstones), independent of the number of alive members.
  public var membersNotAlive: Set<PeerID> {
    var peers = Set(suspects.keys).union(tombstones.keys)
    if phase == .left { peers.insert(myself.peer) }
    return peers
  }

  /// Members declared dead or gone (tombstones not yet expired): past suspicion, for certain.
  public var membersDeadOrLeft: Set<PeerID> { Set(tombstones.keys) }

  /// Members currently alive (not suspect), this node first.
  ///
  /// - Complexity: O(n log n).
  public var aliveMembers: [Member] { members.filter { $0.status == .alive } }

  /// What this node knows about `peer`.
  public func member(_ peer: PeerID) -> Member? {
    peer == myself.peer ? selfMember : table.member(peer)
  }

  var selfMember: Member {
    Member(record: myself, status: phase == .left ? .left : .alive, incarnation: incarnation)
  }
}
