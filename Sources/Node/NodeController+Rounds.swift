import Coordination
import Wire

/// Rounds on the clock: the coordinator opens them, holds each commit until a majority of the
/// council stores its model, and turns its and the aggregators' actions into effects.
extension NodeController {
  mutating func tick() -> [NodeEffect] {
    var effects =
      councilStep(.tick(now: now)) + requestAwaitedModel() + requestOuterState() + pushHeldModel()
      + membershipStep(.tick(now: now)) + watchProgress()
    // A trainer that restarted mid-round is not counted lost: its announce after the restart
    // brings it the round's request again (`peerJoined`), and it trains to the deadline.
    effects += aggregate(
      aggregatorRole.group.handle(
        .tick(
          now: now, unreachable: liveness.peersKnownDown(), lost: liveness.peersDeclaredDown())))
    guard isCoordinator else { return effects }
    // An aggregator that restarted since the open round began lost its group: not waited for.
    let roundOpened = coordinatorRole.rounds?.openRound.map {
      Timestamps.subtracting(settings.plan.roundDurationMilliseconds, from: $0.deadlineMilliseconds)
    }
    let silent = Set(
      (council?.members ?? []).filter {
        $0 != me
          && liveness.silenceMilliseconds(of: $0, now: now) > settings.aggregatorSilenceMilliseconds
      }
    ).union(roundOpened.map { directory.restarted(since: $0) } ?? [])
    effects += coordinate(coordinatorRole.rounds!.handle(.tick(now: now, unreachable: silent)))
    effects += banSuspectedCoordinators()
    effects += maintainCouncil()
    if coordinatorRole.rounds?.openRound == nil, now >= coordinatorRole.nextOpenTime,
      replication.awaitedCommits.isEmpty, holdsOuterState,
      committedRound < settings.roundsMax ?? .max
    {
      effects += openRound()
    }
    return effects
  }

  /// Counts a council member that holds the held commit's model; proposes the commit once a
  /// majority of the council does.
  mutating func acknowledgeModel(_ digest: Digest, from member: PeerID) -> [NodeEffect] {
    guard let commit = coordinatorRole.heldCommit, commit.model == digest, let council else {
      return []
    }
    guard council.members.contains(member) else { return [] }
    coordinatorRole.modelHolders.insert(member)
    return proposeHeldCommitIfHeld()
  }

  /// Proposes the held commit once a majority of the current council holds its model (checked
  /// again when the council changes: a retired member no longer counts, and a smaller council
  /// needs fewer holders).
  mutating func proposeHeldCommitIfHeld() -> [NodeEffect] {
    guard let council, let commit = coordinatorRole.releaseHeldCommit(members: council.members)
    else { return [] }
    return councilStep(.propose(.commitRound(commit)))
  }

  /// Re-sends the held commit's model to members that have not said they store it.
  mutating func pushHeldModel() -> [NodeEffect] {
    guard let commit = coordinatorRole.heldCommit, now >= coordinatorRole.nextModelPush,
      let values = replication.published[commit.model]
    else {
      return []
    }
    coordinatorRole.nextModelPush = Timestamps.adding(
      CoordinatorRole.modelPushIntervalMilliseconds, to: now)
    return combinationNotes(for: commit)
      + (council?.members ?? []).filter { !coordinatorRole.modelHolders.contains($0) }.map {
        .send(to: $0, .round(.model(round: commit.round, digest: commit.model, values: values)))
      }
  }

  /// The share of the trainers one round samples (the privacy accountant's sampling rate).
  var samplingRate: Double {
    let population = max(peers.count - (council?.members.count ?? settings.council.count), 1)
    return min(Double(settings.plan.trainersPerRound) / Double(population), 1)
  }

  /// The epsilon spent by the committed rounds, with client-level privacy: each round at the
  /// sampling rate its commit records. Nil without central privacy, and on an fdfl peer outside
  /// the council, which does not hold the log the figure is composed from.
  public var spentEpsilon: Double? {
    guard let central = settings.security?.centralPrivacy else { return nil }
    guard settings.mode == .federated || isCouncilMember else { return nil }
    return privacy.accountant.epsilon(delta: central.delta)
  }

  /// Whether one more round, at today's sampling rate, would take the privacy spent past the
  /// budget.
  var isPastPrivacyBudget: Bool {
    guard let central = settings.security?.centralPrivacy, let budget = central.epsilonBudget
    else { return false }
    return privacy.epsilon(
      afterOneMoreAt: samplingRate, noiseMultiplier: central.noiseMultiplier, delta: central.delta)
      > budget
  }

  /// What a restarted node derives from the commits it already applied (later entries are
  /// applied again as they commit): fdfl members read their log up to its applied index; a
  /// federated coordinator, which keeps no log, counts its earlier rounds' privacy at today's
  /// sampling rate.
  mutating func restoreFromAppliedLog(_ durable: NodeDurableState) {
    appliedRounds = (durable.lastStartedRound, durable.committedRound)
    if let stored = durable.council {
      for entry in stored.entries.prefix(Int(clamping: stored.appliedIndex)) {
        switch entry.command {
        case .startRound(let start):
          appliedRounds.started = max(appliedRounds.started, start.round)
        case .commitRound(let commit):
          appliedRounds.committed = max(appliedRounds.committed, commit.round)
          appliedRounds.started = max(appliedRounds.started, commit.round)
          _ = accountPrivacy(of: commit)
          countContributions(of: commit)
        case .ban(let peer, let reason):
          bannedPeers[peer] = reason
        default:
          break
        }
      }
    }
    guard let central = settings.security?.centralPrivacy else { return }
    if settings.mode == .federated {
      privacy.assumeRounds(
        upTo: durable.committedRound, samplingRate: samplingRate,
        noiseMultiplier: central.noiseMultiplier)
    }
  }

  /// Counts the trainers of a committed round once (council eligibility).
  mutating func countContributions(of commit: RoundCommit) {
    guard commit.round > contributionsCountedRound else { return }
    contributionsCountedRound = commit.round
    for trainer in commit.trainers { contributedRounds[trainer, default: 0] += 1 }
    reputation?.apply(commit.judgements.map { ($0.trainer, Double($0.score)) })
  }

  /// Whether `peer` may join the council: not banned, not distrusted by the replicated trainer
  /// reputation, and a founding member or a peer that trained in `councilEligibleAfterRounds`
  /// committed rounds.
  func isEligibleForCouncil(_ peer: PeerID) -> Bool {
    bannedPeers[peer] == nil && reputation?.isDistrusted(peer) != true
      && (settings.council.contains(peer)
        || contributedRounds[peer, default: 0] >= settings.councilEligibleAfterRounds)
  }

  /// The coordinator's answer to a partial that breaks the protocol: a `ban` proposal (once per
  /// peer), when the project bans misbehaving aggregators.
  mutating func banIfMisbehaving(_ peer: PeerID, _ reason: ContributionRejection) -> [NodeEffect] {
    guard settings.bansMisbehavingAggregators, settings.mode == .fdfl, reason.closesTheSendersTurn,
      peer != me, bannedPeers[peer] == nil, coordinatorRole.proposedBans.insert(peer).inserted
    else { return [] }
    var text = "partial refused: \(reason)"
    while text.utf8.count > CouncilLimits.banReasonBytesMax { text.removeLast() }
    return councilStep(.propose(.ban(peer: peer, reason: text)))
  }

  /// Composes a committed round into the ledger; the epsilon it brings is written with it.
  mutating func accountPrivacy(of commit: RoundCommit) -> [NodeEffect] {
    guard let central = settings.security?.centralPrivacy,
      privacy.account(commit, noiseMultiplier: central.noiseMultiplier)
    else { return [] }
    return [.persist(.privacySpent(epsilon: privacy.accountant.epsilon(delta: central.delta)))]
  }

  mutating func openRound() -> [NodeEffect] {
    if isPastPrivacyBudget {
      guard !coordinatorRole.isPrivacyBudgetExhausted else { return [] }
      coordinatorRole.isPrivacyBudgetExhausted = true
      return [.privacyBudgetExhausted(epsilon: spentEpsilon ?? 0)]
    }
    var roleEffects: [NodeEffect] = []
    let aggregators: [PeerID]
    switch settings.mode {
    case .federated:
      aggregators = [me]
    case .fdfl:
      let live = liveCouncilMembers()
      if live.isEmpty {
        aggregators = [me]
      } else {
        let chosen = chooseRoles(among: live)
        if chosen != (coordinatorRole.proposedRoles ?? roles) {
          coordinatorRole.proposedRoles = chosen
          roleEffects += councilStep(.propose(.assignRoles(chosen)))
        }
        if chosen.coordinator != me {
          return roleEffects + handOver(to: chosen.coordinator)
        }
        aggregators = chosen.aggregators
      }
    }
    let trainers = trainerCandidates()
    seed &+= 0x9E37_79B9_7F4A_7C15
    coordinatorRole.nextOpenTime = Timestamps.adding(
      settings.plan.roundDurationMilliseconds, to: now)
    let round = coordinatorRole.rounds!.lastStartedRound + 1
    var derived = SplitMixGenerator(seed: seed ^ 0xC0FF_EE11_5EED)
    let combinationSeed = settings.drawsSecretSeed?() ?? derived.next()
    coordinatorRole.combinationSeeds[round] = combinationSeed
    return roleEffects
      + coordinate(
        coordinatorRole.rounds!.handle(
          .open(
            now: now, trainers: trainers.map { TrainerCandidate(peer: $0) },
            aggregators: aggregators, seed: seed,
            seedCommitment: Digest.combinationSeedCommitment(round: round, seed: combinationSeed)))
      )
  }

  /// The council members other than this one heard from within the aggregator silence period,
  /// not known down, and not deposed here for stalling.
  func liveCouncilMembers() -> [PeerID] {
    (council?.members ?? settings.council).filter {
      $0 != me && bannedPeers[$0] == nil && stalledCoordinators[$0] == nil
        && liveness.silenceMilliseconds(of: $0, now: now) <= settings.aggregatorSilenceMilliseconds
        && liveness.isBelievedAlive($0)
    }
  }

  /// The peers a round may sample as trainers. Peers set aside are left out while others can
  /// train. When none can, they are tried at once: a round without trainers would wait out
  /// their minute for nothing.
  func trainerCandidates() -> [PeerID] {
    let councilSet = Set(council?.members ?? settings.council)
    // With `councilMembersTrain`, the live council members (this coordinator included) train
    // their own shards too.
    let training =
      settings.councilMembersTrain && settings.mode == .fdfl
      ? Set(liveCouncilMembers() + [me]) : []
    let candidates = peers.filter {
      (!councilSet.contains($0) || training.contains($0)
        || settings.mode == .federated && $0 != me)
        && liveness.isBelievedAlive($0) && bannedPeers[$0] == nil
    }
    let fresh = candidates.filter { !liveness.isSetAside($0, now: now) }
    return fresh.isEmpty ? candidates : fresh
  }

  /// Aggregator actions become effects; messages to itself are handled at once.
  mutating func aggregate(_ actions: [GroupAggregation.Action]) -> [NodeEffect] {
    var effects: [NodeEffect] = []
    for action in actions {
      switch action {
      case .send(let peer, let message) where peer == me:
        let sent = signed(message)
        effects += receiveRound(sent, from: me) + councilCopies(of: sent, besides: me)
      case .send(let peer, let message):
        let sent = signed(message)
        effects.append(.send(to: peer, .round(sent)))
        effects += councilCopies(of: sent, besides: peer)
      case .rejected(let peer, let reason):
        effects.append(.rejected(from: peer, reason))
      case .combine(let round, let coordinator, let updates):
        guard let security = settings.security else { break }
        let (partial, report) = aggregatorRole.combine(
          round: round, updates: updates, security: security, globalModel: model, seed: seed,
          reputation: reputation)
        effects.append(.aggregated(round: round, report: report))
        let sent = signed(partial)
        effects +=
          coordinator == me
          ? receiveRound(sent, from: me) : [.send(to: coordinator, .round(sent))]
        effects += councilCopies(of: sent, besides: coordinator)
      }
    }
    return effects
  }

  /// Coordinator actions: proposals go to the council (fdfl) or commit at once (federated).
  mutating func coordinate(_ actions: [RoundCoordinator.Action]) -> [NodeEffect] {
    var effects: [NodeEffect] = []
    for action in actions {
      switch action {
      case .propose(let command) where settings.mode == .federated:
        effects += apply(command)
        if case .commitRound = command {
          let broadcast = RoundMessage.model(
            round: committedRound, digest: modelDigest, values: model)
          for peer in peers where peer != me { effects.append(.send(to: peer, .round(broadcast))) }
        }
      case .propose(.commitRound(var commit)):
        if keepsOuterState { commit.outerState = outerStateDigest(after: commit) }
        coordinatorRole.hold(commit, holder: me, now: now)
        effects += combinationNotes(for: commit)
        effects += acknowledgeModel(commit.model, from: me)
      case .propose(let command):
        effects += councilStep(.propose(command))
      case .publishModel(let round, let digest, let values):
        effects += publish(round: round, digest: digest, values: values)
      case .send(let peer, let message) where peer == me:
        effects += receiveRound(message, from: me)
      case .send(let peer, let message):
        effects.append(.send(to: peer, .round(message)))
      case .rejected(let peer, let reason):
        effects.append(.rejected(from: peer, reason))
        effects += banIfMisbehaving(peer, reason)
      case .combine(let round, let base, let partials):
        guard let security = settings.security, isCoordinator else { break }
        let (next, state, report) = coordinatorRole.combine(
          partials, base: base, round: round, security: security, seed: seed,
          isChecked: checksCoordinator, outerState: keepsOuterState ? outerState.values : nil)
        if keepsOuterState { outerState.pending[Digest.of(values: next)] = (round, state) }
        effects.append(.aggregated(round: round, report: "coordinator: " + report))
        effects += coordinate(coordinatorRole.rounds!.handle(.combined(round: round, model: next)))
      }
    }
    return effects
  }

  /// Holds a model the coordinator publishes (durable before the coordinator counts itself
  /// among the members that hold it) and sends it to the other council members (fdfl).
  mutating func publish(round: UInt64, digest: Digest, values: [Float]) -> [NodeEffect] {
    replication.published[digest] = values
    var effects: [NodeEffect] = [
      .persist(.heldModel(round: round, digest: digest, values: values))
    ]
    guard settings.mode == .fdfl else { return effects }
    for member in council?.members ?? [] where member != me {
      effects.append(
        .send(to: member, .round(.model(round: round, digest: digest, values: values))))
    }
    return effects
  }
}
