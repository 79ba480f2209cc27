import Coordination
import Wire

/// The council: its actions become effects, its committed entries apply here, and its leader
/// becomes the coordinator once the term's first entry commits.
extension NodeController {
  mutating func councilStep(_ event: CouncilEvent) -> [NodeEffect] {
    guard council != nil else { return [] }
    var effects: [NodeEffect] = []
    var actions = council!.handle(event)
    // The runtime makes this step's writes durable before it sends anything (the ordering
    // contract), so the council may take them as durable now: messages it held for them are
    // released into this step, behind the writes.
    if let sequence = actions.lazy.compactMap(\.writeSequence).last {
      actions += council!.handle(.persisted(upTo: sequence))
    }
    for action in actions {
      switch action {
      case .persist(let write):
        effects.append(.persist(.council(write)))
      case .send(let peer, let message):
        effects.append(.send(to: peer, .council(message)))
      case .commit(let entries):
        for entry in entries { effects += apply(entry.command) }
        // A new leader knows what is committed only once an entry of its own term commits
        // (its no-op); by then every earlier entry has been applied here, so it coordinates
        // from the true committed state and never reuses a started round's number.
        if let term = coordinatorRole.leadershipTerm, !isCoordinator,
          entries.contains(where: { $0.term == term })
        {
          becomeCoordinator()
        }
      case .becameLeader(let term):
        coordinatorRole.leadershipTerm = term
        effects.append(.becameCoordinator(term: term))
      case .becameFollower(_, let leader):
        if let leader, leader != me { lastFollowedLeader = leader }
        coordinatorRole.stop()
      case .rejectedProposal:
        break
      }
    }
    return effects
  }

  mutating func becomeCoordinator() {
    // Every member gets a full silence period from now: a coordinator that just restarted has
    // heard from nobody yet, and a follower hears only from its leader, so neither may take that
    // for silence. The leader this node last followed is the exception: its silence is what
    // made this node campaign, so it keeps what was last heard from it (a crashed coordinator
    // gets no aggregators in the first round, a handed-over one stays live by its messages).
    for member in council?.members ?? [] where member != me && member != lastFollowedLeader {
      liveness.refresh(member, now: now)
    }
    coordinatorRole.start(
      plan: settings.plan, committedRound: committedRound, model: model,
      lastStartedRound: lastStartedRound, security: settings.security, now: now,
      heartbeatMilliseconds: settings.councilOptions.heartbeatMilliseconds)
  }

  /// Applies a committed log entry (idempotent: a restarted member re-applies its log).
  mutating func apply(_ command: CouncilCommand) -> [NodeEffect] {
    switch command {
    case .startRound(let start):
      var effects = noteProgress(started: start.round)
      if start.round > lastStartedRound {
        lastStartedRound = start.round
        effects.append(.persist(.startedRound(start.round)))
      }
      if checksCoordinator, start.round > committedRound {
        combinationCheck.starts[start.round] = (start.baseModel, start.seedCommitment)
        effects += checkWaitingModels()
      }
      guard isCoordinator else { return effects }
      // A combination the council recomputes needs the seed the start commits to: without it
      // (a predecessor's start), the round is not run, and the next opens under a new number.
      if checksCoordinator, settings.security?.needsCoordinatorCombination == true,
        coordinatorRole.combinationSeeds[start.round].map({
          Digest.combinationSeedCommitment(round: start.round, seed: $0) != start.seedCommitment
        }) ?? true
      {
        return effects + coordinate(coordinatorRole.rounds!.handle(.startPassed(start)))
      }
      return effects + coordinate(coordinatorRole.rounds!.handle(.startCommitted(start)))
    case .commitRound(let commit):
      countContributions(of: commit)
      let accounted =
        adoptOuterState(of: commit) + accountPrivacy(of: commit)
        + noteProgress(committed: commit.round)
      guard commit.round > committedRound else { return accounted }
      if commit.model == modelDigest { return accounted + adopt(commit, values: model) }
      if let values = replication.published[commit.model] {
        return accounted + adopt(commit, values: values)
      }
      replication.awaitedCommits[commit.model] = commit
      let source = council?.leader ?? settings.council[0]
      return accounted
        + (source == me ? [] : [.send(to: source, .round(.requestModel(digest: commit.model)))])
    case .assignRoles(let assignment):
      roles = assignment
      return []
    case .removeCouncilMember(let peer):
      // Removed because it fell silent: set aside, so no coordinator waits on it soon again.
      if peer != me,
        liveness.silenceMilliseconds(of: peer, now: now) > settings.aggregatorSilenceMilliseconds
      {
        liveness.setAside(peer, now: now)
      }
      return [.councilChanged(members: council?.members ?? [])] + proposeHeldCommitIfHeld()
    case .addCouncilMember, .retireCouncilMember:
      return [.councilChanged(members: council?.members ?? [])] + proposeHeldCommitIfHeld()
    case .ban(let peer, let reason):
      guard bannedPeers[peer] == nil else { return [] }
      bannedPeers[peer] = reason
      liveness.setAside(peer, now: now)
      return [.banned(peer, reason: reason)]
    case .noOperation:
      return []
    }
  }

  /// Makes `commit` this node's committed round, with its model's bytes `values`.
  mutating func adopt(_ commit: RoundCommit, values: [Float]) -> [NodeEffect] {
    guard commit.round > committedRound else { return [] }
    committedRound = commit.round
    model = values
    lastAccuracy = nil
    replication.published = [:]
    seenAttestations = []
    combinationCheck.prune(through: commit.round)
    coordinatorRole.relayablePartials = coordinatorRole.relayablePartials.filter {
      $0.key > commit.round
    }
    coordinatorRole.combinationSeeds = coordinatorRole.combinationSeeds.filter {
      $0.key > commit.round
    }
    // An audit's answer may come after its round committed; one that never comes is dropped.
    coordinatorRole.audits = coordinatorRole.audits.filter { $0.key + 2 > commit.round }
    var effects: [NodeEffect] = [
      .persist(
        .committedModel(
          round: commit.round, digest: commit.model, values: values, releasesHeldModels: true))
    ]
    if commit.round > lastStartedRound {
      lastStartedRound = commit.round
      effects.append(.persist(.startedRound(commit.round)))
    }
    // Older commits still waiting for bytes are superseded: nobody needs their models now.
    replication.awaitedCommits = replication.awaitedCommits.filter { $0.value.round > commit.round }
    coordinatorRole.nextOpenTime = Timestamps.adding(settings.roundGapMilliseconds, to: now)
    coordinatorRole.lastContributors = commit.trainers
    effects.append(.committed(commit))
    if let open = coordinatorRole.rounds?.openRound, open.round == commit.round {
      // Trainers that did not contribute (crashed, unreachable, too slow): a later coordinator
      // does not wait for them again soon.
      let contributed = Set(commit.trainers)
      for assignment in open.assignments where !contributed.contains(assignment.trainer) {
        liveness.setAside(assignment.trainer, now: now)
      }
    }
    if isCoordinator {
      effects += coordinate(
        coordinatorRole.rounds!.handle(.commitCommitted(commit, values: values)))
    }
    // The next round's model may have come before this commit: its base is here now.
    if checksCoordinator { effects += checkWaitingModels() }
    return effects
  }
}
