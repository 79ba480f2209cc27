import Coordination
import Wire

/// Messages: council and membership messages go to their state machines, round messages to the
/// role they are for, and models' bytes to replication.
extension NodeController {
  mutating func receive(_ message: Message, from sender: PeerID) -> [NodeEffect] {
    switch message {
    case .council(let councilMessage):
      if settings.councilChecksCoordinator, settings.mode == .fdfl,
        case .appendEntries(
          let term, let leader, let previousIndex, let previousTerm, let entries, _) =
          councilMessage,
        leader == sender
      {
        heardFromLeader(sender, term: term)
        switch entries.isEmpty
          ? nil
          : entryRefusal(
            in: entries, after: previousIndex, previousTerm: previousTerm, from: sender,
            term: term)
        {
        case .rule(let evidence):
          return refuseCoordinator(
            sender, evidence: "appended an entry against the rules: \(evidence)")
        case .absentClaim(let evidence, let entry):
          return objectToCoordinator(
            sender, evidence: "listed a member absent that answers it: \(evidence)", entry: entry)
            + councilStep(.received(from: sender, councilMessage, now: now))
        case nil:
          break
        }
      }
      return councilStep(.received(from: sender, councilMessage, now: now))
    case .membership(let membershipMessage):
      return membershipStep(.received(from: sender, membershipMessage, now: now))
    case .round(let round):
      return receiveRound(round, from: sender)
    }
  }

  mutating func receiveRound(_ message: RoundMessage, from sender: PeerID) -> [NodeEffect] {
    switch message {
    case .aggregate(let start):
      return aggregate(
        aggregatorRole.group.handle(.roundStarted(start, coordinator: sender, now: now)))
    case .train(let number, let base, let deadline):
      return trainerRole.handleTrainRequest(
        round: number, base: base, deadline: deadline, from: sender, model: model,
        modelDigest: modelDigest
      ).map { [$0] } ?? []
    case .update where settings.signing != nil, .partial where settings.signing != nil:
      return [.rejected(from: sender, .unsigned)]
    case .update(let number, let weight, let values):
      return aggregate(
        aggregatorRole.group.handle(
          .update(from: sender, round: number, weight: weight, values: values, now: now)))
    case .signedUpdate(let number, let weight, let values, let attestation):
      if let rejection = checkSignedUpdate(
        round: number, weight: weight, values: values, attestation: attestation, from: sender)
      {
        return [.rejected(from: sender, rejection)]
      }
      return aggregate(
        aggregatorRole.group.handle(
          .update(from: sender, round: number, weight: weight, values: values, now: now)))
    case .signedPartial(let number, let weight, let receipts, let values, let attestation):
      guard isCoordinator || checksCoordinator && isCouncilMember else { return [] }
      let digest = Digest.of(values: values)
      if let rejection = checkSignedPartial(
        round: number, weight: weight, receipts: receipts, valuesDigest: digest,
        attestation: attestation, from: sender)
      {
        guard isCoordinator else { return [.rejected(from: sender, rejection)] }
        return coordinate(
          coordinatorRole.rounds!.handle(.refused(from: sender, round: number, rejection)))
      }
      if isCoordinator, checksCoordinator, number > committedRound {
        coordinatorRole.relayablePartials[number, default: [:]][sender] = message
      }
      let accepted = acceptPartial(
        round: number, weight: weight, trainers: trainers(of: receipts), values: values,
        scores: reputation == nil ? [] : receipts.map(\.score), digest: digest, from: sender)
      let counted = !accepted.contains {
        if case .rejected(sender, _) = $0 { true } else { false }
      }
      return accepted
        + (counted
          ? auditIfPicked(round: number, receipts: receipts, values: values, from: sender) : [])
    case .partial(let number, let weight, let trainers, let values, let scores):
      return acceptPartial(
        round: number, weight: weight, trainers: trainers, values: values, scores: scores,
        digest: nil, from: sender)
    case .model(let number, let digest, let values):
      guard values.count == settings.modelLength, Digest.of(values: values) == digest else {
        return []
      }
      let effects = receiveModel(round: number, digest: digest, values: values, from: sender)
      guard !replication.waitingRequests.isEmpty else { return effects }
      return effects
        + replication.answerWaitingRequests(
          model: model, modelDigest: modelDigest, committedRound: committedRound)
    case .modelStored(let digest):
      return acknowledgeModel(digest, from: sender)
    case .combination(let number, let digest, let aggregators, let partials, let seed, let state):
      return recordCombination(
        round: number, digest: digest, aggregators: aggregators, partials: partials, seed: seed,
        outerState: state, from: sender)
    case .requestOuterState(let digest):
      guard council?.members.contains(sender) == true else { return [] }
      return answerOuterStateRequest(for: digest, from: sender)
    case .outerState(let digest, let values):
      guard council?.members.contains(sender) == true else { return [] }
      return receiveOuterState(model: digest, values: values)
    case .requestPartial(let number, let aggregator):
      guard isCoordinator, council?.members.contains(sender) == true,
        let partial = coordinatorRole.relayablePartials[number]?[aggregator],
        case .signedPartial(_, let weight, let receipts, let values, let attestation) = partial
      else { return [] }
      return [
        .send(
          to: sender,
          .round(
            .relayedPartial(
              round: number, weight: weight, receipts: receipts, values: values,
              attestation: attestation)))
      ]
    case .auditRequest(let number):
      return answerAudit(round: number, from: sender)
    case .auditResponse(let number, let updates):
      return checkAudit(round: number, updates: updates, from: sender)
    case .relayedPartial(let number, let weight, let receipts, let values, let attestation):
      return receiveRelayedPartial(
        round: number, weight: weight, receipts: receipts, values: values,
        attestation: attestation, from: sender)
    case .requestModel(let digest):
      if let answer = replication.answer(
        for: digest, model: model, modelDigest: modelDigest,
        committedRound: committedRound)
      {
        return [.send(to: sender, .round(answer))]
      }
      replication.wait(sender, for: digest)
      return []
    }
  }

  /// A partial that passed its signature checks (or an unsigned project's): kept for the check
  /// of the coordinator, and counted by the coordinator.
  mutating func acceptPartial(
    round: UInt64, weight: UInt64, trainers: [PeerID], values: [Float], scores: [Float],
    digest: Digest?, from sender: PeerID
  ) -> [NodeEffect] {
    let recorded = recordPartial(
      round: round, weight: weight, values: values, digest: digest,
      judgements: RoundCoordinator.judgements([(trainers, scores)]), from: sender)
    guard isCoordinator else { return recorded }
    return recorded
      + coordinate(
        coordinatorRole.rounds!.handle(
          .partial(
            from: sender, round: round, weight: weight, trainers: trainers, values: values,
            now: now, scores: scores)))
  }

  mutating func receiveModel(
    round: UInt64, digest: Digest, values: [Float], from sender: PeerID
  ) -> [NodeEffect] {
    var effects: [NodeEffect] = []
    let isTrainingBase = trainerRole.isWaiting(for: digest, from: sender)
    if let commit = replication.awaitedCommits.removeValue(forKey: digest) {
      effects += adopt(commit, values: values)
    } else if settings.mode == .fdfl, let council, sender == council.leader, !isTrainingBase,
      round > committedRound
    {
      // A published model that is not committed yet (pushed to council members, this one
      // included even while the entry that adds it is still on its way): keep it (durably)
      // until its commit applies, and tell the coordinator, who commits only once a majority
      // holds it. Only the leader publishes: a model another peer pushes is neither stored nor
      // held against the leader (the leader pushes its own again until this node holds it).
      // A member that checks its coordinator does so first (the coordinator's own model is
      // its combination).
      effects +=
        checksCoordinator && council.leader != me
        ? checkPublishedModel(round: round, digest: digest, values: values)
        : storePublishedModel(round: round, digest: digest, values: values)
    } else if isTrainingBase, round >= committedRound, round < trainerRole.pending?.round ?? 0 {
      // A committed model: a round's base (rounds train from the last committed model, so its
      // label is below the round's). A peer outside the council holds no log, so it takes a
      // model as committed only as the base it asked its aggregator for: a model pushed to it
      // unasked, sent by another peer, or labelled with the round it trains or a later one,
      // is not (the training starts on any copy with the digest asked for).
      committedRound = round
      model = values
      if !isCouncilMember { replication.published = [:] }
      effects.append(
        .persist(
          .committedModel(
            round: round, digest: digest, values: values, releasesHeldModels: !isCouncilMember)))
    }
    if let training = trainerRole.modelArrived(digest, values: values) {
      effects.append(training)
    }
    return effects
  }

  /// Asks the council members in turn for the bytes of the newest committed model this node
  /// lacks; any member that holds it answers (the model of a committed round is held by a
  /// majority, so someone always can once enough members are up).
  mutating func requestAwaitedModel() -> [NodeEffect] {
    guard !replication.awaitedCommits.isEmpty else { return [] }
    let others = (council?.members ?? settings.council).filter { $0 != me }
    return replication.nextRequest(now: now, among: others).map { [$0] } ?? []
  }

  // MARK: Membership

  mutating func membershipStep(_ event: MembershipEvent) -> [NodeEffect] {
    guard liveness.membership != nil else { return [] }
    var effects: [NodeEffect] = []
    if !liveness.membership!.isMember, !liveness.isJoining {
      // The first council member founds the group; everyone else joins through the council.
      liveness.isJoining = true
      let bootstrap = me == settings.council[0] ? [] : settings.council.filter { $0 != me }
      effects += Self.translate(liveness.membership!.handle(.join(bootstrap: bootstrap, now: now)))
    }
    return effects + Self.translate(liveness.membership!.handle(event))
  }

  /// Static on purpose: `translate(membership!.handle(event))` as an instance method would copy
  /// `self` before the argument mutates `membership`, so every membership event would copy the
  /// whole member table (copy-on-write), O(n) per event.
  static func translate(_ actions: [MembershipAction]) -> [NodeEffect] {
    actions.compactMap { action in
      if case .send(let peer, let message) = action { return .send(to: peer, .membership(message)) }
      return nil
    }
  }
}
