import Aggregation
import Coordination
import Wire

/// The coordinator's side of rounds while this node coordinates (`rounds` is set): the round
/// state machine, the commit it holds until a majority of the council stores its model, the
/// outer optimizer, and the bookkeeping of role handovers and council rotation.
struct CoordinatorRole: Sendable {
  /// The round state machine; nil while this node does not coordinate.
  var rounds: RoundCoordinator?
  /// When the next round may open.
  var nextOpenTime: UInt64 = 0
  /// The term this node leads, while it waits for the term's first commit to coordinate.
  var leadershipTerm: UInt64?
  /// When this node last became the coordinator.
  var coordinatingSince: UInt64 = 0
  /// The commit proposal waiting until a majority of the council holds its model.
  var heldCommit: RoundCommit?
  var modelHolders: Set<PeerID> = []
  var nextModelPush: UInt64 = 0
  /// The last roles this coordinator proposed (in force for its rounds until another ranking).
  var proposedRoles: RoleAssignment?
  /// The outer optimizer. Its momentum restarts when the coordinator changes, unless the
  /// council checks the coordinator: then every round goes on from the committed state.
  var outerOptimizer: (any OuterOptimizer)?
  /// The signed partials of rounds not committed yet, as their aggregators sent them, for the
  /// council members that check this coordinator and ask for one they lack
  /// (`requestPartial`).
  var relayablePartials: [UInt64: [PeerID: RoundMessage]] = [:]
  /// The combination seed of each round this coordinator opened and has not committed (the
  /// round's `seedCommitment` names it; the `combination` notes reveal it).
  var combinationSeeds: [UInt64: UInt64] = [:]
  /// Partials this coordinator audits, by round and aggregator, until the answer comes.
  var audits: [UInt64: [PeerID: (receipts: [UpdateReceipt], values: [Float])]] = [:]
  /// The last combined delta (the warm start of a rule over partials).
  var previousCombinedDelta: [Float]?
  var isPrivacyBudgetExhausted = false
  /// Peers this coordinator proposed to ban (each once).
  var proposedBans: Set<PeerID> = []
  var nextCouncilChange: UInt64 = 0
  /// Trainers of the last committed round: live peers the coordinator may bring into the council.
  var lastContributors: [PeerID] = []
  /// The epoch in which this coordinator last handed leadership to the ranked coordinator; it
  /// tries once per epoch, then keeps coordinating itself.
  var handoverEpoch: UInt64?
  /// The epoch whose council rotation this coordinator made.
  var rotationEpoch: UInt64?
  /// The member the last rotation brought in; it does not retire in the same rotation.
  var rotationIncoming: PeerID?

  /// How often the coordinator re-sends a published model to members that have not stored it.
  static let modelPushIntervalMilliseconds: UInt64 = 500

  var isCoordinating: Bool { rounds != nil }

  /// Starts coordinating from the committed state.
  mutating func start(
    plan: RoundPlan, committedRound: UInt64, model: [Float], lastStartedRound: UInt64,
    security: NodeSecurity?, now: UInt64, heartbeatMilliseconds: UInt64
  ) {
    coordinatingSince = now
    rounds = RoundCoordinator(
      plan: plan, committedRound: committedRound, model: model, lastStartedRound: lastStartedRound)
    rounds!.combinesPartialsExternally = security?.needsCoordinatorCombination ?? false
    outerOptimizer = security?.outerOptimizer?.make()
    previousCombinedDelta = nil
    // Wait two heartbeats so the new coordinator hears which council members are up.
    nextOpenTime = Timestamps.adding(2 * heartbeatMilliseconds, to: now)
  }

  /// Stops coordinating (this node follows another leader now).
  mutating func stop() {
    leadershipTerm = nil
    proposedRoles = nil
    rounds = nil
    heldCommit = nil
    relayablePartials = [:]
    combinationSeeds = [:]
    audits = [:]
  }

  /// Holds `commit` until a majority of the council stores its model; `holder` (this node)
  /// holds it already.
  mutating func hold(_ commit: RoundCommit, holder: PeerID, now: UInt64) {
    heldCommit = commit
    modelHolders = [holder]
    nextModelPush = Timestamps.adding(Self.modelPushIntervalMilliseconds, to: now)
  }

  /// The held commit, once a majority of `members` holds its model; it is no longer held then.
  mutating func releaseHeldCommit(members: [PeerID]) -> RoundCommit? {
    guard let commit = heldCommit else { return nil }
    let holders = modelHolders.intersection(members)
    guard holders.count * 2 > members.count else { return nil }
    heldCommit = nil
    return commit
  }

  /// Combines the aggregators' partials into the next model: the project's rule over partials,
  /// then the outer optimizer. The report says what ran.
  /// When the council checks this coordinator (`isChecked`), the rule and the noise take the
  /// round's combination seed, which the members learn, and the rule gets no warm start (the
  /// members do not hold the last combined delta), so that they can recompute the same model.
  /// With `outerState` (the committed state of an outer optimizer that keeps state, which the
  /// checking council replicates), the optimizer goes on from it, not from this coordinator's
  /// own; the state after the step comes back with the model.
  mutating func combine(
    _ partials: [RoundCoordinator.Partial], base: [Float], round: UInt64, security: NodeSecurity,
    seed: UInt64, isChecked: Bool, outerState: [Float]? = nil
  ) -> (model: [Float], outerState: [Float], report: String) {
    let (delta, report) = security.combinePartials(
      partials, previousAggregate: isChecked ? nil : previousCombinedDelta, globalModel: base,
      seed: isChecked ? combinationSeeds[round] ?? 0 : seed ^ round &* 0xC0FF_EE11)
    previousCombinedDelta = delta
    if let outerState, let kind = security.outerOptimizer {
      outerOptimizer = kind.make(restoring: outerState)
    }
    let next = Self.step(base, by: delta, optimizer: &outerOptimizer)
    return (next, outerOptimizer?.state ?? [], report)
  }

  /// The next model: `base` moved by `delta` through `optimizer`, or plainly added without one.
  /// The optimizer throws only for mismatched lengths or non-finite values: then the plain
  /// delta is applied (the coordinator's checks on partials make this unreachable). A checking
  /// council member calls it too, with a stateless optimizer of its own.
  static func step(
    _ base: [Float], by delta: [Float], optimizer: inout (any OuterOptimizer)?
  ) -> [Float] {
    var next = base
    if optimizer == nil || (try? optimizer!.step(model: &next, aggregatedDelta: delta)) == nil {
      next = adding(delta, to: base)
    }
    return next
  }

  /// `base + delta`, value by value: the next model without an outer optimizer, as the
  /// coordinator makes it and a checking council member recomputes it.
  static func adding(_ delta: [Float], to base: [Float]) -> [Float] {
    var next = base
    for index in next.indices { next[index] += delta[index] }
    return next
  }
}
