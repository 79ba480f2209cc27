import Coordination
import Wire

/// Council members check their coordinator (`NodeSettings.councilChecksCoordinator`): the
/// aggregators send their partials to every council member, the coordinator says which partials
/// each published model combines, and a member stores and acknowledges the model only once it
/// recomputed it from the partials it received itself. A member that gets another model refuses
/// it, logs the evidence and deposes the coordinator; whoever coordinates next bans it.
extension NodeController {
  /// Whether this node checks its coordinator's models: with the built-in mean, a rule over
  /// partials and central noise (from the round's committed seed), and the outer step (an
  /// optimizer that keeps state goes on from the replicated state, `keepsOuterState`).
  var checksCoordinator: Bool {
    settings.councilChecksCoordinator && settings.mode == .fdfl
  }

  /// The next model as the coordinator combines `partials` (in aggregator order) over `base`,
  /// and the outer optimizer's state after it: the built-in mean, or the project's rule over
  /// partials and central noise with `seed` and no warm start, then the outer step from the
  /// committed state (`CoordinatorRole.combine` with `isChecked`).
  func recombine(_ partials: [RoundCoordinator.Partial], base: [Float], seed: UInt64) -> (
    model: [Float], outerState: [Float]
  ) {
    guard let security = settings.security, security.needsCoordinatorCombination,
      !partials.isEmpty
    else {
      // No partial (a round that none reached publishes its base): no step, so the committed
      // outer state carries over.
      return (
        RoundCoordinator.meanCombination(
          base: base, partials: partials.map { ($0.weight, $0.values) }),
        keepsOuterState ? outerState.values : []
      )
    }
    let (delta, _) = security.combinePartials(
      partials, previousAggregate: nil, globalModel: base, seed: seed)
    var optimizer =
      keepsOuterState
      ? security.outerOptimizer?.make(restoring: outerState.values)
      : security.outerOptimizer?.make()
    let next = CoordinatorRole.step(base, by: delta, optimizer: &optimizer)
    return (next, optimizer?.state ?? [])
  }

  /// Copies of an outgoing partial for the council members other than its receiver; this
  /// aggregator keeps its own partial too, to check the model that combines it.
  mutating func councilCopies(of message: RoundMessage, besides receiver: PeerID) -> [NodeEffect] {
    guard checksCoordinator else { return [] }
    // Sent to itself (this aggregator coordinates), the partial was recorded on its arrival.
    let recorded: [NodeEffect]
    switch message {
    case .partial(let round, let weight, let trainers, let values, let scores) where receiver != me:
      recorded = recordPartial(
        round: round, weight: weight, values: values, digest: nil,
        judgements: RoundCoordinator.judgements([(trainers, scores)]), from: me)
    case .signedPartial(let round, let weight, let receipts, let values, _) where receiver != me:
      recorded = recordPartial(
        round: round, weight: weight, values: values, digest: nil,
        judgements: judgements(in: receipts), from: me)
    case .partial, .signedPartial:
      recorded = []
    default:
      return []
    }
    return recorded + copies(of: message, besides: receiver)
  }

  private func copies(of message: RoundMessage, besides receiver: PeerID) -> [NodeEffect] {
    (council?.members ?? []).filter { $0 != me && $0 != receiver }.map {
      .send(to: $0, .round(message))
    }
  }

  /// The judgements a signed partial's receipts carry (none when the project does not judge).
  func judgements(in receipts: [UpdateReceipt]) -> [TrainerJudgement] {
    guard reputation != nil else { return [] }
    return RoundCoordinator.judgements([(trainers(of: receipts), receipts.map(\.score))])
  }

  /// A partial as a checking member keeps it, with the digest of its values (hashed here when
  /// the caller has not) and its judgements, then the models that waited for it.
  mutating func recordPartial(
    round: UInt64, weight: UInt64, values: [Float], digest: Digest?,
    judgements: [TrainerJudgement], from aggregator: PeerID
  ) -> [NodeEffect] {
    guard checksCoordinator, round > committedRound else { return [] }
    combinationCheck.partials[round, default: [:]][aggregator] = (
      weight, values, digest ?? Digest.of(values: values), judgements
    )
    return checkWaitingModels()
  }

  /// The coordinator's note of what a model combines (only the leader's counts). The
  /// coordinator repeats it with every push of a model this member has not stored; a repeat
  /// that still finds a named partial missing asks the coordinator for the aggregator's signed
  /// partial (the aggregator may have died before its copies left).
  mutating func recordCombination(
    round: UInt64, digest: Digest, aggregators: [PeerID], partials: [Digest], seed: UInt64,
    outerState state: [Float], from sender: PeerID
  ) -> [NodeEffect] {
    guard checksCoordinator, sender == council?.leader, round > committedRound else { return [] }
    let isRepeat = combinationCheck.notes[digest].map {
      $0.round == round && $0.aggregators == aggregators && $0.partials == partials
        && $0.seed == seed
    }
    combinationCheck.notes[digest] = (round, aggregators, partials, seed, state)
    var effects = checkWaitingModels()
    if isRepeat == true, settings.signing != nil, combinationCheck.waiting[digest] != nil {
      effects += combinationCheck.missingPartials(for: digest).map {
        .send(to: sender, .round(.requestPartial(round: round, aggregator: $0)))
      }
    }
    return effects
  }

  /// An aggregator's signed partial relayed by the coordinator: kept for the check when the
  /// aggregator's signature and its receipts hold (the coordinator cannot alter it), refused
  /// otherwise.
  mutating func receiveRelayedPartial(
    round: UInt64, weight: UInt64, receipts: [UpdateReceipt], values: [Float],
    attestation: Attestation, from sender: PeerID
  ) -> [NodeEffect] {
    guard checksCoordinator, isCouncilMember, sender == council?.leader, round > committedRound,
      values.count == settings.modelLength,
      let aggregator = settings.signing?.peerOfKey(attestation.publicKey)
    else { return [] }
    let digest = Digest.of(values: values)
    if let rejection = checkSignedPartial(
      round: round, weight: weight, receipts: receipts, valuesDigest: digest,
      attestation: attestation, from: aggregator, checksReplay: false)
    {
      return [.rejected(from: sender, rejection)]
    }
    return recordPartial(
      round: round, weight: weight, values: values, digest: digest,
      judgements: judgements(in: receipts), from: aggregator)
  }

  /// The notes for the held commit's model, for the members that have not stored it.
  func combinationNotes(for commit: RoundCommit) -> [NodeEffect] {
    guard checksCoordinator else { return [] }
    let received = combinationCheck.partials[commit.round] ?? [:]
    let note = RoundMessage.combination(
      round: commit.round, digest: commit.model, aggregators: commit.aggregators,
      partials: commit.aggregators.map { received[$0]?.digest ?? Digest.of(values: []) },
      seed: coordinatorRole.combinationSeeds[commit.round] ?? 0,
      outerState: keepsOuterState ? outerStateValues(after: commit) : [])
    return (council?.members ?? []).filter {
      $0 != me && !coordinatorRole.modelHolders.contains($0)
    }
    .map { .send(to: $0, .round(note)) }
  }

  /// A published model that is not committed yet, on a checking member: stored and acknowledged
  /// once it is reproduced, refused (with the evidence, and the coordinator deposed) when it is
  /// not, kept aside while something is missing.
  mutating func checkPublishedModel(round: UInt64, digest: Digest, values: [Float])
    -> [NodeEffect]
  {
    guard combinationCheck.refused[digest] == nil else { return [] }
    let base = model
    // Over a base whose outer state this member lacks (it is being fetched), nothing is checked.
    let outcome =
      holdsOuterState
      ? combinationCheck.check(
        round: round, digest: digest, values: values, base: base, baseDigest: modelDigest,
        baseState: keepsOuterState ? outerState.values : [],
        usesSeed: settings.security?.needsCoordinatorCombination ?? false,
        combine: { recombine($0, base: base, seed: $1) }) : .waiting
    switch outcome {
    case .reproduced:
      combinationCheck.waiting[digest] = nil
      if keepsOuterState, let note = combinationCheck.notes[digest] {
        outerState.pending[digest] = (round, note.outerState)
      }
      return storePublishedModel(round: round, digest: digest, values: values)
    case .waiting:
      combinationCheck.waiting[digest] = (round, values)
      return []
    case .forged(let evidence):
      combinationCheck.waiting[digest] = nil
      combinationCheck.refused[digest] = evidence
      guard let coordinator = council?.leader, coordinator != me else { return [] }
      return refuseCoordinator(coordinator, evidence: "forged a model: \(evidence)")
    }
  }

  /// This member's leader listed it absent from a role assignment while the member heard from
  /// it without a gap: it logs the evidence, once per entry, and appends the entry all the same.
  /// It neither deposes nor bans the leader: a leader whose view of this member's answers is
  /// late (they queue behind large messages on the member's link) makes the same claim
  /// honestly, and in the fault sweep 40 of 1,000 signed seeds did; deposing it cost elections and once
  /// the council's progress (a deposed leader is never voted for again).
  mutating func objectToCoordinator(_ coordinator: PeerID, evidence: String, entry: UInt64)
    -> [NodeEffect]
  {
    guard coordinator != me, objectedEntries.insert(entry).inserted else { return [] }
    return [.coordinatorObjected(coordinator, evidence: evidence)]
  }

  /// Records a message of `leader`'s in `term`: the contact goes on when the last one came
  /// within half an aggregator silence period, and starts again otherwise.
  mutating func heardFromLeader(_ leader: PeerID, term: UInt64) {
    if var contact = leaderContact, contact.leader == leader, contact.term == term,
      Timestamps.elapsed(from: contact.last, to: now) <= settings.aggregatorSilenceMilliseconds / 2
    {
      contact.last = now
      leaderContact = contact
    } else {
      leaderContact = LeaderContact(leader: leader, term: term, since: now, last: now)
    }
  }

  /// This member caught `coordinator` misbehaving: it logs the evidence, deposes it, and bans it
  /// once another coordinates.
  mutating func refuseCoordinator(_ coordinator: PeerID, evidence: String) -> [NodeEffect] {
    guard coordinator != me, suspectedCoordinators[coordinator] == nil else {
      return councilStep(.depose(coordinator))
    }
    suspectedCoordinators[coordinator] = evidence
    return [.coordinatorRefused(coordinator, evidence: evidence)]
      + councilStep(.depose(coordinator))
  }

  /// Why the entries a leader appends after `previousIndex` cannot come from an honest
  /// coordinator, or nil. An honest one names only council members (as of each entry's place in
  /// the log) as coordinator and aggregators, each aggregator once and never itself, at most
  /// `aggregatorCount` of them, and opens rounds only with the aggregators of the council or
  /// itself. With `handsOverToRankedCoordinator`, its roles are also the committed ranking's
  /// (`CommittedRoles.violation`); and it lists this member absent only when it may believe so
  /// (`EntryRefusal.absentClaim`). Entries this member already holds (same index and term) were checked when they
  /// arrived, and an append this member would refuse anyway (its log differs at
  /// `previousIndex`) is not judged.
  /// - Complexity: O(entries) when the append extends the log; O(n) in the log's length when
  /// `previousIndex` is before the last one judged (a resent or overwriting append: the state
  /// at `previousIndex` is replayed then, `committedRoles(through:)`).
  mutating func entryRefusal(
    in entries: [LogEntry], after previousIndex: UInt64, previousTerm: UInt64, from leader: PeerID,
    term: UInt64? = nil
  ) -> EntryRefusal? {
    guard let council else { return nil }
    let held = council.log(from: 1)
    // Only entries this member would append: its log must hold the leader's at
    // `previousIndex` (then, by log matching, the whole prefix is the leader's).
    guard previousIndex <= council.lastLogIndex,
      previousIndex == 0 || held[held.startIndex + Int(previousIndex - 1)].term == previousTerm
    else { return nil }
    func isHeld(_ entry: LogEntry) -> Bool {
      entry.index <= council.lastLogIndex && held[held.startIndex + Int(entry.index - 1)] == entry
    }
    // Entries of the leader's term, when given.
    func isOwn(_ entry: LogEntry) -> Bool { term.map { entry.term == $0 } ?? true }
    // Only the leader's own entries are judged against the ranking: an earlier leader's,
    // relayed to a member that catches up, were appended under that leader's roles. With
    // signed entries, its own are the ones it signed, whatever term they are labelled with;
    // without, the ones of its term.
    var author: PeerID?
    func isLeaders(_ entry: LogEntry) -> Bool { author.map { $0 == leader } ?? isOwn(entry) }
    // The membership and ranking state at `previousIndex`, then at each entry's place.
    guard var state = committedRoles(through: previousIndex) else { return nil }
    var signatures = settings.signing.map {
      EntrySignatures(
        signing: $0, leader: leader, term: term,
        previous: previousIndex == 0 ? nil : held[held.startIndex + Int(previousIndex - 1)])
    }
    var claim: EntryRefusal?
    for entry in entries {
      defer { state.apply(entry.command) }
      let isNew = !isHeld(entry)
      if signatures != nil {
        switch signatures!.author(of: entry, verifying: isNew, members: state.members) {
        case .success(let signer): author = signer
        case .failure(let refusal): return .rule("entry \(entry.index) \(refusal.reason)")
        }
      }
      guard isNew else { continue }
      switch entry.command {
      case .assignRoles(let roles):
        guard state.members.contains(roles.coordinator) else {
          return .rule(
            "entry \(entry.index) names \(roles.coordinator), not a council member, coordinator")
        }
        if let outsider = roles.aggregators.first(where: { !state.members.contains($0) }) {
          return .rule("entry \(entry.index) names \(outsider), not a council member, aggregator")
        }
        guard Set(roles.aggregators).count == roles.aggregators.count,
          !roles.aggregators.contains(roles.coordinator)
        else {
          return .rule("entry \(entry.index) names an aggregator twice, or the coordinator as one")
        }
        if let count = settings.aggregatorCount, roles.aggregators.count > count {
          return .rule(
            "entry \(entry.index) names \(roles.aggregators.count) aggregators, not at most \(count)"
          )
        }
        guard settings.handsOverToRankedCoordinator, isLeaders(entry) else { break }
        if let violation = state.violation(
          of: roles, appendedBy: leader, rotateEvery: settings.rotateEvery,
          aggregatorCount: settings.aggregatorCount, councilSize: settings.council.count)
        {
          return .rule("entry \(entry.index) \(violation)")
        }
        guard isOwn(entry) else { break }
        // Listed absent, or passed over as the epoch's coordinator, while this member hears
        // the leader without a gap in one term (a handover would have made it campaign, in a
        // new term).
        let passedOver =
          roles.coordinator == leader && state.lastAssignment?.epoch == roles.epoch
          && state.lastAssignment?.coordinator == me
        if roles.absent.contains(me) || passedOver, bannedPeers[me] == nil,
          let contact = leaderContact, contact.leader == leader,
          Timestamps.elapsed(from: contact.since, to: now)
            >= 2 * settings.aggregatorSilenceMilliseconds
        {
          claim =
            claim
            ?? .absentClaim(
              "entry \(entry.index) \(passedOver ? "passes over this member as the epoch's coordinator" : "lists this member absent") after "
                + "\(Timestamps.elapsed(from: contact.since, to: now)) ms of steady contact",
              entry: entry.index)
        }
      case .commitRound(let commit):
        // The outer state must be the one this member checked with the model.
        if let refusal = outerStateRefusal(of: commit) {
          return .rule("entry \(entry.index) \(refusal)")
        }
        // The judgements must be the combined partials' own, as this member holds them (it
        // does when it stored the round's model: it checked those very partials).
        guard reputation != nil, replication.published[commit.model] != nil,
          let held = combinationCheck.partials[commit.round],
          commit.aggregators.allSatisfy({ held[$0] != nil })
        else { break }
        let expected = commit.aggregators.flatMap { held[$0]!.judgements }.sorted {
          $0.trainer < $1.trainer
        }
        guard expected == commit.judgements else {
          return .rule(
            "entry \(entry.index) commits round \(commit.round) with judgements that are "
              + "not its aggregators' signed ones")
        }
      case .startRound(let start):
        if let outsider = start.assignments.map(\.aggregator).first(where: {
          !state.members.contains($0) && $0 != (author ?? leader)
        }) {
          return .rule(
            "entry \(entry.index) opens round \(start.round) with \(outsider), not a council member, as aggregator"
          )
        }
      default:
        break
      }
    }
    return claim
  }

  /// Checks again the models that waited for a note, a partial or their base.
  mutating func checkWaitingModels() -> [NodeEffect] {
    var effects: [NodeEffect] = []
    for (digest, waiting) in combinationCheck.waiting.sorted(by: { $0.value.round < $1.value.round }
    ) {
      effects += checkPublishedModel(round: waiting.round, digest: digest, values: waiting.values)
    }
    return effects
  }

  /// Holds a published model durably and tells the coordinator, who commits only once a
  /// majority holds it.
  mutating func storePublishedModel(round: UInt64, digest: Digest, values: [Float])
    -> [NodeEffect]
  {
    var effects: [NodeEffect] = []
    if replication.published[digest] == nil {
      replication.published[digest] = values
      effects.append(.persist(.heldModel(round: round, digest: digest, values: values)))
    }
    if isCouncilMember, let leader = council?.leader, leader != me {
      effects.append(.send(to: leader, .round(.modelStored(digest: digest))))
    }
    return effects
  }

  /// The coordinator's answer to a deposed predecessor that forged a model: a `ban` proposal
  /// (once per peer), when the project bans misbehaving peers.
  mutating func banSuspectedCoordinators() -> [NodeEffect] {
    guard settings.bansMisbehavingAggregators, isCoordinator else { return [] }
    var effects: [NodeEffect] = []
    for (peer, evidence) in suspectedCoordinators.sorted(by: { $0.key < $1.key })
    where bannedPeers[peer] == nil && coordinatorRole.proposedBans.insert(peer).inserted {
      var text = evidence
      while text.utf8.count > CouncilLimits.banReasonBytesMax { text.removeLast() }
      effects += councilStep(.propose(.ban(peer: peer, reason: text)))
    }
    return effects
  }
}

/// Why a member refuses what its leader appended.
enum EntryRefusal: Equatable {
  /// An entry no honest coordinator appends: the member deposes the leader, and the next
  /// coordinator bans it.
  case rule(String)
  /// A role assignment lists this member absent although it has heard from the leader without
  /// a gap for two aggregator silence periods: the member logs it (`coordinatorObjected`) and
  /// appends the entry.
  case absentClaim(String, entry: UInt64)
}

/// A leader a member hears from without a gap (`NodeController.heardFromLeader`).
struct LeaderContact: Sendable {
  var leader: PeerID
  var term: UInt64
  var since: UInt64
  var last: UInt64
}
