import Wire

/// Timing and bounds of one council member.
public struct CouncilOptions: Hashable, Sendable {
  /// Each election timeout is drawn uniformly from this range by the member's seeded generator.
  /// Its lower bound is also the leader lease: a leader that has not heard from a quorum within
  /// it steps down, and a follower that heard from its leader within it ignores vote requests.
  public var electionTimeoutMilliseconds: ClosedRange<UInt64>
  /// How often a leader sends `appendEntries` to every follower, entries or not.
  public var heartbeatMilliseconds: UInt64
  /// Entries per `appendEntries` sent by this member (at most `CouncilLimits.entriesPerAppendMax`).
  public var entriesPerAppendMax: Int
  /// Entries a leader holds beyond its commit index before it rejects proposals.
  public var uncommittedEntriesMax: Int
  /// Messages held back while their state is written (votes and append results).
  public var heldMessagesMax: Int
  /// Pre-vote (dissertation §9.6): a member whose election timer fires first asks whether a
  /// majority would vote for it, without raising its term, and campaigns only then. A member cut
  /// off from the council, or removed from it without knowing, then never raises its term and
  /// never deposes a healthy leader when it comes back.
  public var preVote: Bool

  public init(
    electionTimeoutMilliseconds: ClosedRange<UInt64> = 1000...2000,
    heartbeatMilliseconds: UInt64 = 100,
    entriesPerAppendMax: Int = CouncilLimits.entriesPerAppendMax,
    uncommittedEntriesMax: Int = 1024,
    heldMessagesMax: Int = 4096,
    preVote: Bool = true
  ) {
    precondition(heartbeatMilliseconds > 0, "heartbeat must be positive")
    precondition(
      heartbeatMilliseconds < electionTimeoutMilliseconds.lowerBound,
      "heartbeat must be shorter than the shortest election timeout")
    precondition(
      (1...CouncilLimits.entriesPerAppendMax).contains(entriesPerAppendMax),
      "entriesPerAppendMax out of 1...\(CouncilLimits.entriesPerAppendMax)")
    precondition(uncommittedEntriesMax >= 1, "uncommittedEntriesMax must be positive")
    precondition(heldMessagesMax >= 1, "heldMessagesMax must be positive")
    self.electionTimeoutMilliseconds = electionTimeoutMilliseconds
    self.heartbeatMilliseconds = heartbeatMilliseconds
    self.entriesPerAppendMax = entriesPerAppendMax
    self.uncommittedEntriesMax = uncommittedEntriesMax
    self.heldMessagesMax = heldMessagesMax
    self.preVote = preVote
  }
}

/// What happens to a council member.
public enum CouncilEvent: Hashable, Sendable {
  /// Time passed; `now` is the member's clock in milliseconds (monotonic).
  case tick(now: UInt64)
  case received(from: PeerID, CouncilMessage, now: UInt64)
  /// Append a command to the log (leader only).
  case propose(CouncilCommand)
  /// Storage made every `CouncilWrite` with `sequence <= upTo` durable.
  case persisted(upTo: UInt64)
  /// Hand leadership to `target` (leader only; dissertation §3.10): once the target's log matches,
  /// it is told to campaign at once. Proposals are refused meanwhile; the transfer is abandoned
  /// after the shortest election timeout if the leader still leads.
  case transferLeadership(to: PeerID)
  /// Stop following `leader` for good: this member caught it lying (a model that is not the
  /// combination of its partials). Its appends, vote requests and leadership transfers are
  /// ignored from now on, and this member asks for an election at once; every honest member that
  /// caught it does the same, so they elect another leader among themselves.
  case depose(PeerID)
  /// Follow, vote for and hand over to `peer` again: this member deposed it for a fault it can
  /// forgive (a coordinator under which the council made no progress), and the council has made
  /// progress since.
  case pardon(PeerID)
}

/// What a council member asks its runtime to do, in order.
public enum CouncilAction: Hashable, Sendable {
  /// Write to stable storage, then report `.persisted(upTo: write.sequence)`.
  case persist(CouncilWrite)
  case send(to: PeerID, CouncilMessage)
  /// Entries newly committed (and durable on this member), in log order, each exactly once.
  case commit([LogEntry])
  case becameLeader(term: UInt64)
  /// This member is a follower of `leader` (nil: none known yet) in `term`.
  case becameFollower(term: UInt64, leader: PeerID?)
  case rejectedProposal(CouncilCommand, reason: CouncilProposalRejection)
}

/// Why a proposal was not appended.
public enum CouncilProposalRejection: Hashable, Sendable {
  /// This member is not the leader; `leader` is the one it follows, if known.
  case notLeader(leader: PeerID?)
  /// A configuration change is not yet committed, or the leader has not yet committed an entry of
  /// its term (one change at a time, dissertation §4.1 and its 2015 erratum).
  case configurationChangePending
  /// Adding a member already in the council, removing one not in it, or removing the last one.
  case configurationChangeInvalid
  /// `CouncilOptions.uncommittedEntriesMax` entries are already waiting for a quorum.
  case uncommittedEntriesFull
  /// Leadership is being handed to another member.
  case leadershipTransferPending
}

/// The role a member plays in its current term.
public enum CouncilRole: Hashable, Sendable {
  case follower
  case candidate
  case leader
}

/// One write to stable storage. Apply writes in `sequence` order; `CouncilDurableState.apply(_:)`
/// is the reference semantics.
public struct CouncilWrite: Hashable, Sendable {
  /// Increases by one per write of a member's life (it restarts at 1 after a restart).
  public var sequence: UInt64
  public var term: UInt64
  public var votedFor: PeerID?
  /// Stored entries at index `entries.first.index` or later are deleted, then these are stored.
  /// Empty when only the term or the vote changed.
  public var entries: [LogEntry]

  public init(sequence: UInt64, term: UInt64, votedFor: PeerID?, entries: [LogEntry]) {
    self.sequence = sequence
    self.term = term
    self.votedFor = votedFor
    self.entries = entries
  }
}
