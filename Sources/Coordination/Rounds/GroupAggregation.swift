import Wire

/// The aggregator's side of a round: collect the updates of its trainers, reject what does not
/// belong, and send one partial aggregate (weighted sum, total weight, who is included) to the
/// coordinator when every trainer has reported or the deadline passes.
public struct GroupAggregation: Sendable {
  /// Largest weight (samples) one trainer may claim for one update.
  public static let updateWeightMax: UInt32 = 1 << 24

  public enum Event: Sendable {
    /// The council committed `start`; `coordinator` is its leader.
    case roundStarted(RoundStart, coordinator: PeerID, now: UInt64)
    case update(from: PeerID, round: UInt64, weight: UInt32, values: [Float], now: UInt64)
    /// `now` passed; `unreachable` are trainers believed down (suspected included), `lost` those
    /// known for certain to be gone (declared dead or left). When every trainer still missing is unreachable and at least one
    /// update is in, the partial goes out without waiting for the deadline; a group with no
    /// update yet goes out early (empty) only when every missing trainer is lost, so that a
    /// suspicion alone never empties a group.
    case tick(now: UInt64, unreachable: Set<PeerID> = [], lost: Set<PeerID> = [])
  }

  public enum Action: Hashable, Sendable {
    case send(to: PeerID, RoundMessage)
    case rejected(from: PeerID, ContributionRejection)
    /// With `keepsIndividualUpdates`: the group is complete (or its deadline passed); the node
    /// combines `updates` with its aggregation rule and sends the partial itself.
    case combine(round: UInt64, coordinator: PeerID, updates: [ContributedUpdate])
  }

  /// One trainer's accepted update, kept for a robust rule.
  public struct ContributedUpdate: Hashable, Sendable {
    public var trainer: PeerID
    public var weight: UInt32
    public var values: [Float]
    public init(trainer: PeerID, weight: UInt32, values: [Float]) {
      self.trainer = trainer
      self.weight = weight
      self.values = values
    }
  }

  /// When true, the aggregator keeps each update (at most one per assigned trainer) instead of a
  /// running sum, and hands them to the node in `.combine` (robust rules need them all).
  public var keepsIndividualUpdates = false

  public let me: PeerID
  public let modelLength: Int
  private(set) var round: UInt64?
  private var coordinator: PeerID?
  private var deadline: UInt64 = 0
  private var baseModel = Digest.zero
  private var expected: Set<PeerID> = []
  private var included: [PeerID] = []
  /// Assigned trainers whose update was refused for its content: not waited for any more.
  private var refused: Set<PeerID> = []
  private var sum: [Float] = []
  private var kept: [ContributedUpdate] = []
  private var totalWeight: UInt64 = 0
  private var isSent = true

  public init(me: PeerID, modelLength: Int) {
    self.me = me
    self.modelLength = modelLength
  }

  /// Trainers whose update is counted in the open round, in arrival order.
  public var includedTrainers: [PeerID] { included }

  /// The open round's training request again, for `trainer` when it is assigned here and its
  /// update is still awaited: a trainer that was not connected when the round opened (it dials
  /// out, and the first request was lost) gets it when it connects.
  public func trainRequest(for trainer: PeerID) -> RoundMessage? {
    guard let round, !isSent, expected.contains(trainer), !included.contains(trainer),
      !refused.contains(trainer)
    else { return nil }
    return .train(round: round, baseModel: baseModel, deadlineMilliseconds: deadline)
  }

  public mutating func handle(_ event: Event) -> [Action] {
    switch event {
    case .roundStarted(let start, let coordinator, let now):
      return open(start, coordinator: coordinator, now: now)
    case .update(let sender, let round, let weight, let values, let now):
      if let rejection = check(
        sender: sender, round: round, weight: weight, values: values, now: now)
      {
        // An assigned trainer whose update is unusable (no samples, wrong length, NaN) has had
        // its turn: the group stops waiting for it rather than for the deadline.
        if rejection.closesTheSendersTurn { refused.insert(sender) }
        return [.rejected(from: sender, rejection)] + (isComplete ? sendPartial() : [])
      }
      accumulate(sender: sender, weight: weight, values: values)
      return isComplete ? sendPartial() : []
    case .tick(let now, let unreachable, let lost):
      guard !isSent else { return [] }
      let missing = expected.subtracting(included).subtracting(refused)
      let isOnlyWaitingForTheDown =
        included.isEmpty
        ? !missing.isEmpty && missing.isSubset(of: lost)
        : missing.isSubset(of: unreachable.union(lost))
      return now >= deadline || isOnlyWaitingForTheDown ? sendPartial() : []
    }
  }

  private mutating func open(_ start: RoundStart, coordinator: PeerID, now: UInt64) -> [Action] {
    // A duplicate of the start: the round's state stays.
    guard round != start.round else { return [] }
    round = start.round
    self.coordinator = coordinator
    deadline = start.deadlineMilliseconds
    baseModel = start.baseModel
    let mine = start.assignments.filter { $0.aggregator == me }.map(\.trainer)
    expected = Set(mine)
    included = []
    refused = []
    sum = keepsIndividualUpdates ? [] : [Float](repeating: 0, count: modelLength)
    kept = []
    totalWeight = 0
    isSent = false
    let train = RoundMessage.train(
      round: start.round, baseModel: start.baseModel, deadlineMilliseconds: deadline)
    return mine.sorted().map { .send(to: $0, train) } + (mine.isEmpty ? sendPartial() : [])
  }

  private func check(
    sender: PeerID, round: UInt64, weight: UInt32, values: [Float], now: UInt64
  ) -> ContributionRejection? {
    guard let open = self.round, open == round else {
      return .wrongRound(expected: self.round, received: round)
    }
    guard expected.contains(sender) else { return .notAssigned }
    guard !included.contains(sender), !refused.contains(sender) else { return .duplicate }
    guard !isSent, now <= deadline else { return .late }
    guard weight > 0, weight <= Self.updateWeightMax else {
      return .weightOutOfRange(UInt64(weight))
    }
    return validateValues(values, length: modelLength)
  }

  /// Whether every assigned trainer has answered, with an update counted or refused.
  private var isComplete: Bool { !isSent && included.count + refused.count == expected.count }

  private mutating func accumulate(sender: PeerID, weight: UInt32, values: [Float]) {
    totalWeight += UInt64(weight)
    included.append(sender)
    if keepsIndividualUpdates {
      kept.append(ContributedUpdate(trainer: sender, weight: weight, values: values))
      return
    }
    Self.add(values, weight: weight, to: &sum)
  }

  /// `sum += weight × values`, value by value: how a group's plain sum grows with each update,
  /// and what an audit of that sum recomputes, bit for bit.
  public static func add(_ values: [Float], weight: UInt32, to sum: inout [Float]) {
    let scale = Float(weight)
    sum.withUnsafeMutableBufferPointer { total in
      values.withUnsafeBufferPointer { update in
        for index in 0..<total.count { total[index] += scale * update[index] }
      }
    }
  }

  private mutating func sendPartial() -> [Action] {
    guard let round, let coordinator, !isSent else { return [] }
    isSent = true
    if keepsIndividualUpdates, !kept.isEmpty {
      defer { kept = [] }
      return [.combine(round: round, coordinator: coordinator, updates: kept)]
    }
    if keepsIndividualUpdates { sum = [Float](repeating: 0, count: modelLength) }
    return [
      .send(
        to: coordinator,
        .partial(round: round, weight: totalWeight, trainers: included, values: sum))
    ]
  }
}
