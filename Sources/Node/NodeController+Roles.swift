import Coordination
import Wire

/// Roles: the ranked coordinator of each epoch, its aggregators, leadership handovers, and the
/// council's own membership (replacement of silent members, rotation of better-ranked trainers).
extension NodeController {
  /// What the ranking knows of `peer`: the capacity and uptime it declared when it joined (its
  /// uptime as SWIM sees it when the project runs membership); a peer that declared nothing (a
  /// simulated one) counts with `PeerProfile.assumedCapacity` and the uptime of this node's
  /// clock; and whether the replicated trainer reputation distrusts it.
  func roleCandidate(_ peer: PeerID) -> RoleCandidate {
    let declared = directory.profiles[peer]?.profile
    let uptime =
      liveness.membership?.member(peer).map { $0.uptimeMilliseconds(now: now) }
      ?? directory.uptimeMilliseconds(of: peer, now: now) ?? now
    // A trainer the replicated reputation leaves out weighs nothing: it is ranked last, after
    // every peer in good standing, and never into the council while another can go.
    return RoleCandidate(
      peer: peer, capacity: declared?.capacity ?? PeerProfile.assumedCapacity,
      uptimeMilliseconds: uptime, reputation: reputation?.isDistrusted(peer) == true ? 0 : 1)
  }

  /// The ranking of `peers`, seeded by the last committed model's digest: state every member
  /// holds, so any member can recompute it and no peer picks its own role.
  func rank(_ peers: [PeerID]) -> [PeerID] {
    RoleRanking.rank(peers.map(roleCandidate), seed: modelDigest)
  }

  var roleEpoch: UInt64 { committedRound / UInt64(max(settings.rotateEvery, 1)) }

  /// The roles for the next round, from the committed ranking (`CommittedRoles`) of the council
  /// members this coordinator does not list as absent: silent, banned or believed down. With
  /// none absent and no rotation under way, the first-ranked coordinates (leadership is handed
  /// to it) and the next ones aggregate. Otherwise this coordinator keeps the role, with the
  /// others in ranked order, and says whom it left out. While the epoch lasts its roles stay,
  /// except that a failed aggregator is replaced at once, and so is a ranked coordinator that
  /// did not take over when leadership was handed to it (this node keeps the role; the one
  /// passed over aggregates). Every follower re-derives these roles and refuses others
  /// (`entryRefusal`).
  mutating func chooseRoles(among live: [PeerID]) -> RoleAssignment {
    guard let state = committedRoles(through: council?.lastLogIndex ?? 0), state.seed != nil
    else {
      // No seed: a node restarted before the first commit ranks by what it observes.
      let count = settings.aggregatorCount ?? live.count
      return RoleAssignment(
        epoch: roleEpoch, coordinator: me, aggregators: Array(rank(live).prefix(count)))
    }
    let epoch = state.epoch(rotateEvery: settings.rotateEvery)
    let count = settings.aggregatorCount ?? state.members.count
    let absent = state.members.subtracting(live + [me])
    var holdsRole = false
    if let current = coordinatorRole.proposedRoles ?? roles, current.epoch == epoch {
      holdsRole = current.coordinator == me
      if current.coordinator == me, settings.aggregatorCount != nil,
        Set(current.aggregators).isSubset(of: live)
      {
        return current
      }
      if current.coordinator != me, coordinatorRole.handoverEpoch != epoch, absent.isEmpty,
        !isRotating
      {
        return current
      }
      // The ranked coordinator did not take over: this node keeps the role for the epoch,
      // and the one passed over stays an aggregator.
      if current.coordinator != me, coordinatorRole.handoverEpoch == epoch { holdsRole = true }
    }
    let ranked = state.ranking(excluding: absent) ?? []
    if settings.handsOverToRankedCoordinator, !holdsRole, absent.isEmpty, !isRotating,
      let first = ranked.first, first != me
    {
      return RoleAssignment(
        epoch: epoch, coordinator: first, aggregators: Array(ranked.dropFirst().prefix(count)))
    }
    return RoleAssignment(
      epoch: epoch, coordinator: me, aggregators: Array(ranked.filter { $0 != me }.prefix(count)),
      absent: absent.sorted())
  }

  /// Whether every council member is live, as far as this coordinator can tell: it has
  /// coordinated for a silence period (at first it takes every member for live) and heard from
  /// every member within it.
  func isCouncilWhole(live: [PeerID]) -> Bool {
    now
      >= Timestamps.adding(
        settings.aggregatorSilenceMilliseconds, to: coordinatorRole.coordinatingSince)
      && live.count + 1 >= (council?.members.count ?? settings.council.count)
  }

  /// Whether a council rotation is half done: a newcomer joined and a member has yet to retire.
  /// No leadership moves meanwhile (a newcomer is still catching up).
  var isRotating: Bool {
    (council?.members.count ?? 0) > settings.council.count
  }

  /// Keeps the council whole: removes one member silent for `councilMemberSilenceMilliseconds`,
  /// or, when the council is below its bootstrap size, adds the best-ranked peer that contributed
  /// to the last committed round. One configuration change at a time (Raft's rule); a proposal
  /// made while another is pending is refused by the council and retried on a later tick.
  mutating func maintainCouncil() -> [NodeEffect] {
    guard settings.replacesCouncilMembers, let council, council.role == .leader,
      now >= coordinatorRole.nextCouncilChange
    else { return [] }
    coordinatorRole.nextCouncilChange = Timestamps.adding(
      settings.councilOptions.heartbeatMilliseconds * 5, to: now)
    let members = council.members
    if let banned = members.first(where: { $0 != me && bannedPeers[$0] != nil }) {
      return councilStep(.propose(.removeCouncilMember(banned)))
    }
    if let silent = members.first(where: {
      $0 != me
        && liveness.silenceMilliseconds(of: $0, now: now)
          > settings.councilMemberSilenceMilliseconds
    }) {
      liveness.setAside(silent, now: now)
      return councilStep(.propose(.removeCouncilMember(silent)))
    }
    let outsiders = coordinatorRole.lastContributors.filter {
      !members.contains($0) && liveness.isBelievedAlive($0) && !liveness.isSetAside($0, now: now)
        && directory.isReachable($0) && directory.contains($0) && isEligibleForCouncil($0)
    }
    guard members.count < settings.council.count else {
      return settings.rotatesCouncilMembers || members.count > settings.council.count
        ? rotateCouncil(outsiders) : []
    }
    guard let best = rank(outsiders).first else { return [] }
    liveness.lastHeard[best] = now  // a fresh member gets one silence period to catch up
    return councilStep(.propose(.addCouncilMember(best)))
  }

  /// Role rotation reaches the council itself: once per epoch, when the whole council is live
  /// and a live outsider (a trainer of the last committed round) ranks among the council's size
  /// best of members and outsiders, the outsider joins; the next change retires the
  /// lowest-ranked member. Adding first keeps a majority through one more failure meanwhile.
  /// One member per epoch bounds the churn (each newcomer replays the log and fetches a model).
  mutating func rotateCouncil(_ outsiders: [PeerID]) -> [NodeEffect] {
    guard let council else { return [] }
    let members = council.members
    if members.count > settings.council.count {
      // A member that fell silent meanwhile leaves as failed (nobody samples it as a trainer).
      if let silent = members.first(where: {
        $0 != me
          && liveness.silenceMilliseconds(of: $0, now: now) > settings.aggregatorSilenceMilliseconds
      }) {
        liveness.setAside(silent, now: now)
        return councilStep(.propose(.removeCouncilMember(silent)))
      }
      // The coordinator, the aggregators of the open round, and the newcomer stay (a round
      // committed since the newcomer joined reseeds the ranking).
      let serving = Set(
        (coordinatorRole.rounds?.openRound?.assignments.map(\.aggregator) ?? [])
          + (coordinatorRole.rotationIncoming.map { [$0] } ?? []))
      guard
        let outgoing = rank(members).reversed().first(where: {
          $0 != me && !serving.contains($0)
        })
      else { return [] }
      coordinatorRole.rotationIncoming = nil
      return councilStep(.propose(.retireCouncilMember(outgoing)))
    }
    // Rotate only while a round is open: between rounds the coordinator decides the epoch's
    // roles, and a rotation under way then would keep it from handing over to the ranked
    // coordinator (whoever coordinates the epoch rotates during its first round).
    guard coordinatorRole.rotationEpoch != roleEpoch, !outsiders.isEmpty,
      coordinatorRole.rounds?.openRound != nil
    else {
      return []
    }
    guard isCouncilWhole(live: liveCouncilMembers()) else { return [] }
    let desired = Set(rank(members + outsiders).prefix(members.count))
    guard let incoming = rank(outsiders).first, desired.contains(incoming) else { return [] }
    coordinatorRole.rotationEpoch = roleEpoch
    coordinatorRole.rotationIncoming = incoming
    liveness.lastHeard[incoming] = now  // a fresh member gets one silence period to catch up
    return councilStep(.propose(.addCouncilMember(incoming)))
  }

  /// Hands leadership to the ranked coordinator between rounds: the council brings its log up to
  /// date and tells it to campaign. If it has not taken over within the shortest election
  /// timeout, this node opens the next round itself under new roles.
  mutating func handOver(to target: PeerID) -> [NodeEffect] {
    coordinatorRole.handoverEpoch = roleEpoch
    coordinatorRole.nextOpenTime =
      Timestamps.adding(settings.councilOptions.electionTimeoutMilliseconds.lowerBound, to: now)
    return councilStep(.transferLeadership(to: target))
  }
}
