import Aggregation
import Coordination
import Wire

/// What the roles of a log entry follow from, replayed from the log before it: the council's
/// membership, the last committed model (the ranking's seed) and round (the epoch), the
/// replicated trainer reputation, and the last role assignment. Every member holds the same
/// prefix (Raft's log matching), so the leader that appends roles and each follower that checks
/// them derive the same ranking.
///
/// Within the council every member in good standing weighs the same: capacity and uptime are
/// declared or observed by each node and differ between them, so they choose who enters the
/// council (`NodeController.maintainCouncil`) and not who serves in it.
struct CommittedRoles: Sendable {
  var members: Set<PeerID>
  /// The digest of the last committed model in the log, or of the initial model; nil when
  /// neither is known (a restarted node checking entries from before the first commit).
  var seed: Digest?
  var lastCommittedRound: UInt64 = 0
  var reputation: ReputationBook<PeerID>?
  var lastAssignment: RoleAssignment?

  mutating func apply(_ command: CouncilCommand) {
    switch command {
    case .addCouncilMember(let peer):
      members.insert(peer)
    case .removeCouncilMember(let peer), .retireCouncilMember(let peer):
      members.remove(peer)
    case .commitRound(let commit) where commit.round > lastCommittedRound:
      lastCommittedRound = commit.round
      seed = commit.model
      // As `NodeController.countContributions` applies them: once per round, in log order.
      reputation?.apply(commit.judgements.map { ($0.trainer, Double($0.score)) })
    case .assignRoles(let roles):
      lastAssignment = roles
    default:
      break
    }
  }

  func epoch(rotateEvery: Int) -> UInt64 { lastCommittedRound / UInt64(max(rotateEvery, 1)) }

  /// The members other than `absent`, first choice first; nil without a seed. A member the
  /// replicated reputation distrusts weighs 0 and comes last.
  func ranking(excluding absent: Set<PeerID>) -> [PeerID]? {
    guard let seed else { return nil }
    let candidates = members.subtracting(absent).map {
      RoleCandidate(
        peer: $0, capacity: PeerProfile.assumedCapacity,
        uptimeMilliseconds: UInt64(RoleRanking.uptimeSaturationMilliseconds),
        reputation: reputation?.isDistrusted($0) == true ? 0 : 1)
    }
    return RoleRanking.rank(candidates, seed: seed)
  }

  /// Why `roles`, appended by `leader` after this state, contradict the committed ranking, or
  /// nil. An honest coordinator names the ranking of the members it does not list as absent:
  /// the first-ranked coordinates and the next `aggregatorCount` (every one when nil)
  /// aggregate. Or it keeps the coordinator's role itself, with the others in ranked order, but
  /// only when it lists a member absent, while the council rotates (it holds more than
  /// `councilSize` members), or after the epoch's first assignment (it holds the role, or the
  /// coordinator named did not take over). Whether a listed member is truly absent, or a
  /// passed-over one was handed the leadership, only that member can tell
  /// (`NodeController.entryRefusal`).
  func violation(
    of roles: RoleAssignment, appendedBy leader: PeerID, rotateEvery: Int, aggregatorCount: Int?,
    councilSize: Int
  ) -> String? {
    let epoch = epoch(rotateEvery: rotateEvery)
    guard roles.epoch == epoch else {
      return "assigns roles for epoch \(roles.epoch) after round \(lastCommittedRound) committed "
        + "(epoch \(epoch))"
    }
    let absent = Set(roles.absent)
    guard absent.count == roles.absent.count, absent.isSubset(of: members),
      !absent.contains(leader), !absent.contains(roles.coordinator)
    else {
      return "lists as absent \(roles.absent): not distinct council members other than "
        + "\(leader) and the coordinator"
    }
    guard let ranked = ranking(excluding: absent) else { return nil }
    let count = aggregatorCount ?? members.count
    let ranksFirst = Array(ranked.dropFirst().prefix(count))
    if roles.coordinator == ranked.first, roles.aggregators == ranksFirst { return nil }
    // After the epoch's first assignment, a leader may keep the role: it holds it already, or
    // the coordinator named did not take over (a new leader, or a failed handover). Only the
    // member passed over can tell the latter from no handover at all (`entryRefusal`).
    let mayKeep =
      !absent.isEmpty || members.count > councilSize || lastAssignment?.epoch == epoch
    let keeps = Array(ranked.filter { $0 != leader }.prefix(count))
    if mayKeep, roles.coordinator == leader, roles.aggregators == keeps { return nil }
    let given = "coordinator \(roles.coordinator), aggregators \(roles.aggregators)"
    guard mayKeep else {
      return "assigns \(given) where the committed ranking gives coordinator "
        + "\(ranked.first.map(String.init(describing:)) ?? "none"), aggregators \(ranksFirst)"
    }
    return "assigns \(given) where the committed ranking gives coordinator "
      + "\(ranked.first.map(String.init(describing:)) ?? "none"), aggregators \(ranksFirst), "
      + "or coordinator \(leader), aggregators \(keeps)"
  }
}

/// The committed roles state as of a log index, kept so that each new entry extends it.
struct CommittedRolesCache: Sendable {
  var index: UInt64 = 0
  /// The term of the entry at `index` (an overwritten entry invalidates the cache).
  var term: UInt64 = 0
  var state: CommittedRoles?
}

extension NodeController {
  /// The committed roles state after the log's first `index` entries.
  /// - Complexity: O(entries since the last call) when the log only grew; O(n) in the log's
  ///   length after a suffix was overwritten or for an index before the last call's.
  mutating func committedRoles(through index: UInt64) -> CommittedRoles? {
    guard let council, index <= council.lastLogIndex else { return nil }
    let log = council.log(from: 1)
    var cached = committedRolesCache
    if cached.state == nil || cached.index > index
      || (cached.index > 0 && log[log.startIndex + Int(cached.index - 1)].term != cached.term)
    {
      cached = CommittedRolesCache(
        index: 0, term: 0,
        state: CommittedRoles(
          members: Set(council.bootstrapMembers), seed: genesisDigest,
          reputation: Self.emptyReputation(settings)))
    }
    for entry in log[(log.startIndex + Int(cached.index))..<(log.startIndex + Int(index))] {
      cached.state!.apply(entry.command)
    }
    cached.index = index
    cached.term = index == 0 ? 0 : log[log.startIndex + Int(index - 1)].term
    committedRolesCache = cached
    return cached.state
  }
}
