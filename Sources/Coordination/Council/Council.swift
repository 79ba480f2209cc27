import Wire

/// One council member: Raft as a plain state machine (the coordinator is the Raft leader, the
/// council members are the voters).
///
/// The runtime feeds events to `handle(_:)` and executes the returned actions in order. The member
/// does no IO and reads no clock: time arrives in events, randomness from a seeded generator.
///
/// Persist first: a vote, an append result or a vote request leaves the member only after every
/// write issued before it is reported durable by `.persisted(upTo:)`; until then it is held. A
/// leader sends its own new entries before they are durable (dissertation §10.2.1) but counts
/// itself towards a quorum only for durable entries, and no member delivers an entry in
/// `.commit` before it is durable locally.
///
/// Disruption by a member that returns from a partition, or that was removed without learning
/// it, is prevented twice: by pre-vote (`CouncilOptions.preVote`, on by default), so such a member
/// never raises its term, and by the leader lease (see
/// `CouncilOptions.electionTimeoutMilliseconds`): vote requests are ignored while a leader is
/// known to be alive. A leader that loses contact with a quorum for the shortest election timeout
/// steps down (check-quorum).
///
/// The log is kept whole (no snapshots yet), so a member that joins later receives it from index 1.
public struct Council: Sendable {
  public let id: PeerID
  public let options: CouncilOptions
  /// The configuration before any `addCouncilMember`/`removeCouncilMember` entry; every member,
  /// including later joiners, is started with the same list.
  public let bootstrapMembers: [PeerID]

  public internal(set) var term: UInt64 = 0
  public internal(set) var votedFor: PeerID?
  /// Highest index known to be committed.
  public internal(set) var commitIndex: UInt64 = 0
  /// Highest index delivered in a `.commit` action (or restored as applied).
  public internal(set) var appliedIndex: UInt64 = 0
  /// The latest configuration in the log, committed or not (changes take effect when appended).
  public internal(set) var members: [PeerID]

  var log: [LogEntry] = []
  var state: State = .follower(leader: nil)
  var generator: SplitMixGenerator
  /// Index of the latest configuration entry in the log; 0 when the bootstrap list is in force.
  var configurationIndex: UInt64 = 0

  var writeSequenceIssued: UInt64 = 0
  var writeSequenceDurable: UInt64 = 0
  var writesInFlight: [WriteInFlight] = []
  /// The log is durable and identical to the stored one up to here.
  var stableIndex: UInt64 = 0
  var heldMessages: [HeldMessage] = []

  var now: UInt64 = 0
  var electionDeadline: UInt64?
  var lastLeaderContact: UInt64?
  var lastAnnouncement: Announcement?
  var actions: [CouncilAction] = []
  /// A pre-vote under way (a follower that timed out): the members that would vote for it.
  var preVoteGrants: Set<PeerID>?
  /// Leaders this member deposed: it no longer follows, votes for or hands over to them (kept
  /// in memory; a ban through the log is what lasts).
  public internal(set) var deposed: Set<PeerID> = []
  /// Signs every entry this member appends as leader, given the entry and a nonce (the
  /// member's clock); set by the node when the project signs. Unsigned entries otherwise.
  public var entrySigner: (@Sendable (LogEntry, UInt64) -> Attestation)?

  /// Starts a member with nothing stored.
  public init(
    id: PeerID, bootstrapMembers: [PeerID], options: CouncilOptions = CouncilOptions(),
    seed: UInt64
  ) {
    precondition(!bootstrapMembers.isEmpty, "a council needs at least one member")
    precondition(Set(bootstrapMembers).count == bootstrapMembers.count, "duplicate member")
    self.id = id
    self.options = options
    self.bootstrapMembers = bootstrapMembers.sorted()
    self.members = self.bootstrapMembers
    self.generator = SplitMixGenerator(seed: seed ^ id.words.1)
    self.lastAnnouncement = Announcement(term: 0, leader: nil)
  }

  /// Restarts a member from what its storage holds: it comes back as a follower of no one.
  public init(
    id: PeerID, bootstrapMembers: [PeerID], options: CouncilOptions = CouncilOptions(),
    seed: UInt64, restoring stored: CouncilDurableState
  ) throws(CouncilDurableStateError) {
    try stored.validate()
    self.init(id: id, bootstrapMembers: bootstrapMembers, options: options, seed: seed)
    term = stored.currentTerm
    votedFor = stored.votedFor
    log = stored.entries
    stableIndex = lastLogIndex
    commitIndex = stored.appliedIndex
    appliedIndex = stored.appliedIndex
    lastAnnouncement = Announcement(term: term, leader: nil)
    recomputeMembers()
  }

  /// Handles one event and returns what the runtime must do, in order.
  public mutating func handle(_ event: CouncilEvent) -> [CouncilAction] {
    switch event {
    case .tick(let time):
      advanceClock(to: time)
      tick()
    case .received(let sender, let message, let time):
      advanceClock(to: time)
      receive(message, from: sender)
    case .propose(let command):
      propose(command)
    case .persisted(let sequence):
      persisted(upTo: sequence)
    case .transferLeadership(let target):
      transferLeadership(to: target)
    case .depose(let leader):
      depose(leader)
    case .pardon(let peer):
      deposed.remove(peer)
    }
    deliverCommits()
    let result = actions
    actions = []
    return result
  }
}

// MARK: - Read-only state

extension Council {
  public var role: CouncilRole {
    switch state {
    case .follower: .follower
    case .candidate: .candidate
    case .leader: .leader
    }
  }

  /// The leader this member follows, itself when it leads, nil when none is known.
  public var leader: PeerID? {
    switch state {
    case .follower(let leader): leader
    case .candidate: nil
    case .leader: id
    }
  }

  public var lastLogIndex: UInt64 { UInt64(log.count) }
  public var lastLogTerm: UInt64 { log.last?.term ?? 0 }

  /// The entries from `index` (1-based) to the end of the log.
  public func log(from index: UInt64) -> ArraySlice<LogEntry> {
    precondition(index >= 1, "log indices start at 1")
    guard index <= lastLogIndex else { return [] }
    return log[Int(index - 1)...]
  }

  /// The term of the entry at `index`, 0 for index 0, nil beyond the log.
  func term(at index: UInt64) -> UInt64? {
    if index == 0 { return 0 }
    guard index <= lastLogIndex else { return nil }
    return log[Int(index - 1)].term
  }

  /// The member this leader is handing leadership to, if a transfer is under way.
  public var leadershipTransferTarget: PeerID? {
    guard case .leader(let leadership) = state else { return nil }
    return leadership.transfer?.target
  }

  var quorum: Int { members.count / 2 + 1 }
  var isMember: Bool { members.contains(id) }
}

// MARK: - State

extension Council {
  enum State: Sendable {
    case follower(leader: PeerID?)
    case candidate(Candidacy)
    case leader(Leadership)
  }

  struct Candidacy: Sendable {
    /// The write that records this member's vote for itself; it counts once that is durable.
    var selfVoteSequence: UInt64
    var grantedBy: Set<PeerID> = []
  }

  struct Leadership: Sendable {
    var progress: [PeerID: Progress]
    var heartbeatDue: UInt64
    /// Index of the `noOperation` this leader appended; configuration changes wait for its commit.
    var termStartIndex: UInt64
    /// A leadership transfer under way: proposals are refused until it ends.
    var transfer: Transfer?
  }

  struct Transfer: Sendable {
    var target: PeerID
    /// The transfer is abandoned (and proposals accepted again) if the leader still leads then.
    var deadline: UInt64
    var isTimeoutNowSent = false
  }

  struct Progress: Sendable {
    var nextIndex: UInt64
    var matchIndex: UInt64
    var lastHeard: UInt64
  }

  struct WriteInFlight: Sendable {
    var sequence: UInt64
    /// The log after this write agrees with the current log up to here.
    var agreedIndex: UInt64
  }

  struct HeldMessage: Sendable {
    var sequence: UInt64
    var recipient: PeerID
    var message: CouncilMessage
  }

  struct Announcement: Equatable, Sendable {
    var term: UInt64
    var leader: PeerID?
  }
}
