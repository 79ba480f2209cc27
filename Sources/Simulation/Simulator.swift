import Coordination
import Foundation
import Identity
import Node
import Wire

/// Settings of one simulated run; one `seed` reproduces it bit for bit.
public struct SimulationSettings: Sendable {
  public var seed: UInt64
  public var peerCount: Int
  public var node: NodeSettings
  public var rounds: Int
  public var tickMilliseconds: UInt64 = 50
  public var network = NetworkModel()
  /// Training speed of each peer (samples per second); a slow phone next to a fast server.
  public var samplesPerSecond: [Double]
  /// Stop after this much virtual time even if rounds remain.
  public var timeLimitMilliseconds: UInt64 = 24 * 3_600_000
  /// Faults (crashes, restarts, loss) happen only before this time; then the liveness phase.
  /// By default the whole run is the fault phase (no liveness phase).
  public var faultPhaseMilliseconds: UInt64 = 24 * 3_600_000
  /// Share of peers that crash (and restart) at random times during the fault phase.
  public var crashFraction: Double = 0
  /// How long a crashed peer stays down.
  public var downtimeMilliseconds: ClosedRange<UInt64> = 1_000...20_000
  /// Times at which the coordinator crashes (and restarts after a downtime).
  public var coordinatorCrashes: [UInt64] = []
  /// Crashes of given peers at given times (each restarts after a downtime).
  public var crashes: [(peer: Int, at: UInt64)] = []
  /// Crashes from which the peer never comes back.
  public var permanentCrashes: [(peer: Int, at: UInt64)] = []
  /// Timed partitions during the fault phase.
  public var partitions: [PartitionFault] = []
  /// After the fault phase a round must commit within this bound.
  public var livenessBoundMilliseconds: UInt64 = 600_000
  /// Malicious aggregators (peer positions): each partial they send is corrupted, its values
  /// replaced by `maliciousAggregatorScale` times themselves (negative: pushed the wrong way).
  public var maliciousAggregators: Set<Int> = []
  public var maliciousAggregatorScale: Float = -10
  /// Whether every simulated peer signs its updates and partials and checks those it receives,
  /// as real nodes do, each with its own Ed25519 key (derived from the seed and its position).
  public var signsContributions = false
  /// Whether the first peer elected coordinator turns Byzantine: every model it publishes to the
  /// council (and its note of what the model combines) is replaced by a forged one, its values
  /// each moved by 0.5. With `node.councilChecksCoordinator`, honest members refuse it.
  public var firstCoordinatorForgesModels = false
  /// What that coordinator forges: its models, or only the outer optimizer's state its notes
  /// carry.
  public var forgeryTarget = ModelForgery.Target.model
  /// Whether the first peer elected coordinator stalls (`CoordinatorStall`): its appends stop
  /// before every entry of `stallTarget`'s kind, and it never hands its leadership over. With
  /// `node.replacesStalledCoordinator`, the other members depose it once a round is overdue.
  public var firstCoordinatorStalls = false
  public var stallTarget = CoordinatorStall.Target.opening
  /// Whether aggregators send their partials to the coordinator only, never the copies for the
  /// council members that check it (as if each aggregator died right after its partial to the
  /// coordinator left): the members must get them from the coordinator.
  public var aggregatorsWithholdCopies = false

  public init(
    seed: UInt64, peerCount: Int, node: NodeSettings, rounds: Int, samplesPerSecond: [Double]
  ) {
    precondition(peerCount >= 2 && samplesPerSecond.count == peerCount, "simulation size")
    self.seed = seed
    self.peerCount = peerCount
    self.node = node
    self.rounds = rounds
    self.samplesPerSecond = samplesPerSecond
  }
}

/// A partition that isolates some peers from all others for a while.
public struct PartitionFault: Sendable {
  public var startMilliseconds: UInt64
  public var durationMilliseconds: UInt64
  /// Peers cut off; nil means "whoever coordinates when the partition starts".
  public var isolated: [Int]?
  /// Only the isolated peers' outgoing messages are dropped (they still hear the others).
  public var isOneWay: Bool
  public init(
    startMilliseconds: UInt64, durationMilliseconds: UInt64, isolated: [Int]?, isOneWay: Bool
  ) {
    self.startMilliseconds = startMilliseconds
    self.durationMilliseconds = durationMilliseconds
    self.isolated = isolated
    self.isOneWay = isOneWay
  }
}

/// One committed round as the simulator saw it.
public struct RoundReport: Sendable {
  public var round: UInt64
  public var virtualMilliseconds: UInt64
  public var coordinator: PeerID
  public var aggregators: [PeerID]
  public var trainers: [PeerID]
  public var accuracy: Double?
  public var peersAlive: Int
  /// The committed model's digest.
  public var model: Digest
  /// The council as the committing node saw it (empty in federated mode).
  public var council: [PeerID]
}

/// Something worth telling a person watching the run.
public enum SimulationEvent: Sendable {
  case crashed(PeerID, wasCoordinator: Bool, virtualMilliseconds: UInt64)
  case restarted(PeerID, committedRound: UInt64, virtualMilliseconds: UInt64)
  case elected(PeerID, term: UInt64, virtualMilliseconds: UInt64)
}

/// Totals of a run.
public struct SimulationReport: Sendable {
  public var rounds: [RoundReport] = []
  public var messages = 0
  /// Of `messages`, those of SWIM membership (probes, acks, joins).
  public var membershipMessages = 0
  public var bytes = 0
  public var rejected = 0
  /// With trainer reputation: the trainers each live council member's replicated book leaves
  /// out at the end of the run.
  public var distrusted: [PeerID: Set<PeerID>] = [:]
  /// With trainer reputation: each live council member's committed round and book (its
  /// average score by trainer).
  public var reputationScores: [PeerID: (round: UInt64, scores: [PeerID: Double])] = [:]
  /// With an outer optimizer whose state the council replicates: each live council member's
  /// committed round, and the digest and length of the state it holds after that round's
  /// model.
  public var outerStates: [PeerID: (round: UInt64, digest: Digest, count: Int)] = [:]
  /// `rejected` by the reason's text.
  public var rejectedByReason: [String: Int] = [:]
  /// Peers banned through the council log (as the committing nodes applied it), in order.
  public var banned: [PeerID] = []
  /// The peer that forged models (`firstCoordinatorForgesModels`), the digests it forged, and
  /// how many times a council member refused one.
  public var forger: PeerID?
  public var forgedModels: Set<Digest> = []
  /// The peer that stalled (`firstCoordinatorStalls`).
  public var staller: PeerID?
  public var coordinatorRefusals = 0
  /// Objections of a member its coordinator listed absent while it heard from it
  /// (`NodeEffect.coordinatorObjected`; logged only).
  public var coordinatorObjections = 0
  /// The coordinators a council member deposed because no round opened or committed under
  /// them (`NodeEffect.coordinatorStalled`), once per deposition.
  public var coordinatorStalls: [PeerID] = []
  /// Signed partials the coordinators relayed to council members that lacked them.
  public var relayedPartials = 0
  /// Outer optimizer states sent to council members that lacked the committed one.
  public var outerStatesSent = 0
  public var crashes = 0
  /// Virtual time from each coordinator crash to the next committed round.
  public var failoverMilliseconds: [UInt64] = []
  /// Elections won (a new coordinator took over).
  public var coordinatorChanges = 0
  public var virtualMilliseconds: UInt64 = 0
  public var violations: [InvariantViolation] = []
  /// Set when the coordinator stopped because the next round would exceed the privacy budget:
  /// the epsilon spent.
  public var privacyBudgetEpsilon: Double?
  /// The most locally privatized updates one trainer sent (in its current incarnation).
  public var localPrivacyRoundsMax = 0
  /// What aggregators and the coordinator said about each aggregation (the rule that ran, what
  /// was skipped and why), "round r, peer: text", the first `aggregationLogMax` of them.
  public var aggregationLog: [String] = []
  public static let aggregationLogMax = 1_000
  /// The newest committed model a live peer holds at the end of the run.
  public var finalModel: [Float]?
  /// Copies dropped because the sender's uplink already held `LinkQueues.uplinkQueueMessagesMax`.
  public var messagesDroppedAtFullUplink = 0
  /// Copies still queued on (or being sent by) an uplink when its peer crashed.
  public var messagesLostWithCrashedSender = 0
  /// The longest a copy waited for its sender's uplink to finish the messages before it.
  public var uplinkWaitMillisecondsMaximum: UInt64 = 0
  /// The longest a copy's reception was delayed by others on the receiver's downlink.
  public var downlinkWaitMillisecondsMaximum: UInt64 = 0
}

/// The deterministic discrete-event simulator: virtual time, a seeded network, and the same
/// `NodeController` that real peers run, driven synchronously.
public final class Simulator {
  /// One copy of a message on its way, with what decides whether it still arrives.
  struct Envelope {
    var sender: Int
    /// The sender's incarnation when it sent: a crash before the last byte left loses the copy.
    var senderIncarnation: Int
    /// The message's wire encoding, shared by all copies of one send; decoded at delivery.
    var bytes: [UInt8]
    var transmission: LinkQueues.Transmission
    var latencyMilliseconds: UInt64
    var firstByteArrivalMicroseconds: UInt64 {
      transmission.startMicroseconds + latencyMilliseconds * 1_000
    }
    var lastByteArrivalMicroseconds: UInt64 {
      transmission.endMicroseconds + latencyMilliseconds * 1_000
    }
  }

  enum Event {
    case tick(Int)
    /// The last byte of a copy reaches a receiver whose downlink serializes arrivals.
    case arrive(Envelope, to: Int)
    /// A copy is handed to the receiver; `receiverIncarnation` is set when it went through the
    /// receiver's downlink (a crash since then loses it with the receive buffer).
    case deliver(Envelope, to: Int, receiverIncarnation: Int?)
    /// Local training of `model` by `peer` ends now; the delta is computed at this moment so
    /// that thousands of pending trainings hold one shared model, not thousands of deltas.
    case trainingDone(peer: Int, round: UInt64, model: [Float], incarnation: Int)
    case crash(Int)
    /// Crash whichever peer coordinates at that moment.
    case crashCoordinator
    case restart(Int)
    case livenessCheck
    case partitionStart(Int)
    case partitionEnd
    /// The peer's store finished syncing: the steps that waited for it carry on.
    case fsync(peer: Int, incarnation: Int)
  }

  /// The effects of one step that wait for the step's writes to be synced, with what the node
  /// held when it took the step (what the effects report on).
  struct SyncedStep {
    var effects: [NodeEffect]
    var model: [Float]
    var council: [PeerID]
    /// The bytes of each round this step committed, as the node wrote them (one step can commit
    /// several rounds, as when a member that caught up checks the next round's waiting model
    /// against the base it just adopted).
    var committedModels: [UInt64: [Float]]
  }

  /// How long a store takes to sync after a write.
  static let syncMilliseconds: UInt64 = 2

  public let settings: SimulationSettings
  /// Each peer's signing key, with `signsContributions` (empty otherwise).
  private var keys: [SigningKeyPair] = []
  /// The simulated peer each key belongs to, with `signsContributions`.
  private var peerOfKey: @Sendable (PublicKey) -> PeerID? = { _ in nil }
  /// The project ID every simulated statement names.
  static let project = [UInt8](repeating: 0x51, count: 32)
  public let peers: [PeerID]
  private var nodes: [NodeController]
  private var queue = EventQueue<Event>()
  private var generator: SplitMixGenerator
  private let training: any TrainingBackend
  private var index: [PeerID: Int] = [:]
  private let initialModel: [Float]
  private var isAlive: [Bool]
  /// Bumped at each restart so that work started before a crash is discarded.
  private var incarnations: [Int]
  /// When each incarnation of each peer crashed (milliseconds), indexed by incarnation.
  private var crashTimes: [[UInt64]]
  private var linkQueues: LinkQueues
  /// What each peer has durably: its committed round, model and highest started round.
  private var stores: [DurableStore<NodeDurableState>]
  /// Per peer, in step order, the steps whose effects wait for a sync (and any later step).
  private var stepsAwaitingSync: [[SyncedStep]]
  private var isTickScheduled: [Bool] = []
  private var pendingFailover: UInt64?
  private var checker = InvariantChecker()
  /// Encodes every message sent and decodes it at delivery.
  var wire = SimulatedWire()
  private lazy var calmNetwork = settings.network.withoutFaults
  /// The network as it is now: the configured one with the partitions in force.
  private lazy var network = settings.network
  private var lastCommitTime: UInt64 = 0
  public private(set) var report = SimulationReport()

  public init(settings: SimulationSettings, training: any TrainingBackend, initialModel: [Float]) {
    self.settings = settings
    self.training = training
    generator = SplitMixGenerator(seed: settings.seed)
    let peers = (0..<settings.peerCount).map { PeerID(simulatedIndex: UInt64($0)) }
    self.peers = peers
    let fresh = NodeDurableState(
      council: nil, committedRound: 0, model: initialModel, lastStartedRound: 0)
    if settings.signsContributions {
      keys = peers.indices.map { position in
        SigningKeyPair(
          seed: (0..<32).map {
            UInt8(truncatingIfNeeded: (settings.seed &+ UInt64(position) &* 0x9E37) >> ($0 % 8 * 8))
              ^ UInt8($0)
          })
      }
      let owners = Dictionary(
        uniqueKeysWithValues: zip(keys.map(\.publicKey), peers))
      peerOfKey = { owners[$0] }
    }
    nodes = []
    for (position, peer) in peers.enumerated() {
      nodes.append(
        NodeController(
          me: peer,
          settings: Self.nodeSettings(settings, position, keys: keys, peerOfKey: peerOfKey),
          peers: peers, durable: fresh,
          seed: settings.seed &+ UInt64(position)))
    }
    for (position, peer) in peers.enumerated() { index[peer] = position }
    self.initialModel = initialModel
    isAlive = Array(repeating: true, count: peers.count)
    incarnations = Array(repeating: 0, count: peers.count)
    crashTimes = Array(repeating: [], count: peers.count)
    linkQueues = LinkQueues(peerCount: peers.count)
    stores = Array(repeating: DurableStore(fresh), count: peers.count)
    stepsAwaitingSync = Array(repeating: [], count: peers.count)
    scheduleFaults()
    // Only council members act on time (elections, heartbeats, deadlines); trainers only react.
    // With SWIM every peer probes; otherwise trainers only react to messages.
    // Only nodes that act on time get ticks (council members, SWIM members); trainers only react.
    // A node that becomes a council member later starts ticking then (`keepTicking`).
    isTickScheduled = Array(repeating: false, count: peers.count)
    for position in peers.indices where nodes[position].wantsTicks {
      isTickScheduled[position] = true
      queue.schedule(
        .tick(position), at: UInt64.random(in: 0..<settings.tickMilliseconds, using: &generator))
    }
  }

  private func scheduleFaults() {
    let phase = settings.faultPhaseMilliseconds
    let crashing = Int((Double(peers.count) * settings.crashFraction).rounded())
    var candidates = Array(1..<peers.count)
    candidates.shuffle(using: &generator)
    for position in candidates.prefix(crashing) where phase > 0 {
      let time = UInt64.random(in: 0..<phase, using: &generator)
      queue.schedule(.crash(position), at: time)
      queue.schedule(
        .restart(position),
        at: time + UInt64.random(in: settings.downtimeMilliseconds, using: &generator))
    }
    for time in settings.coordinatorCrashes { queue.schedule(.crashCoordinator, at: time) }
    for crash in settings.permanentCrashes { queue.schedule(.crash(crash.peer), at: crash.at) }
    for crash in settings.crashes {
      queue.schedule(.crash(crash.peer), at: crash.at)
      queue.schedule(
        .restart(crash.peer),
        at: crash.at + UInt64.random(in: settings.downtimeMilliseconds, using: &generator))
    }
    for (index, partition) in settings.partitions.enumerated() {
      queue.schedule(.partitionStart(index), at: partition.startMilliseconds)
      queue.schedule(
        .partitionEnd, at: partition.startMilliseconds + partition.durationMilliseconds)
    }
    if phase < settings.timeLimitMilliseconds {
      queue.schedule(.livenessCheck, at: phase + settings.livenessBoundMilliseconds)
    }
  }

  /// Runs until `settings.rounds` rounds are committed or the time limit; `onRound` sees each.
  public func run(
    onRound: (RoundReport) -> Void = { _ in }, onEvent: (SimulationEvent) -> Void = { _ in }
  ) -> SimulationReport {
    withoutActuallyEscaping(onEvent) { onEvent in
      self.onEvent = onEvent
      defer { self.onEvent = { _ in } }
      runEvents(onRound: onRound)
    }
    report.violations = checker.violations
    report.localPrivacyRoundsMax = nodes.map(\.localPrivacyRounds).max() ?? 0
    // The newest committed model any live peer holds.
    report.finalModel = nodes.indices.filter { isAlive[$0] }
      .max { nodes[$0].committedRound < nodes[$1].committedRound }.map { nodes[$0].model }
    for position in nodes.indices where isAlive[position] && nodes[position].isCouncilMember {
      if let state = nodes[position].committedOuterState {
        report.outerStates[peers[position]] = (
          nodes[position].committedRound, Digest.of(values: state), state.count
        )
      }
      guard let book = nodes[position].reputation else { continue }
      report.distrusted[peers[position]] = Set(book.records.keys.filter(book.isDistrusted))
      report.reputationScores[peers[position]] = (
        nodes[position].committedRound, book.records.mapValues(\.score)
      )
    }
    return report
  }

  private func runEvents(onRound: (RoundReport) -> Void) {
    while let (now, event) = queue.popEarliest() {
      if now > settings.timeLimitMilliseconds { break }
      report.virtualMilliseconds = now
      switch event {
      case .tick(let position) where !isAlive[position]:
        queue.schedule(.tick(position), at: now + settings.tickMilliseconds)
      case .arrive(let envelope, let position)
      where isLostWithCrashedSender(envelope) || !isAlive[position]:
        break
      case .deliver(let envelope, let position, nil)
      where isLostWithCrashedSender(envelope) || !isAlive[position]:
        break
      case .deliver(_, let position, let incarnation?)
      where !isAlive[position] || incarnation != incarnations[position]:
        break
      case .trainingDone(let position, _, _, let incarnation)
      where !isAlive[position] || incarnation != incarnations[position]:
        break
      case .crash(let position):
        crash(position)
      case .crashCoordinator:
        if let position = nodes.indices.first(where: { isAlive[$0] && nodes[$0].isCoordinator }) {
          trace(
            now,
            "crashing the coordinator \(peers[position]) (council role \(String(describing: nodes[position].council?.role)), term \(nodes[position].council?.term ?? 0))"
          )
          crash(position)
          pendingFailover = now
          queue.schedule(
            .restart(position),
            at: now + UInt64.random(in: settings.downtimeMilliseconds, using: &generator))
        }
      case .restart(let position):
        let durable = stores[position].crash()!
        trace(now, "restart \(peers[position]) at round \(durable.committedRound)")
        onEvent(
          .restarted(
            peers[position], committedRound: durable.committedRound, virtualMilliseconds: now))
        isAlive[position] = true
        nodes[position] = NodeController(
          me: peers[position], settings: nodeSettings(position), peers: peers, durable: durable,
          seed: settings.seed &+ UInt64(position) &+ UInt64(incarnations[position]) << 32)
      case .fsync(let position, let incarnation):
        guard isAlive[position], incarnation == incarnations[position] else { break }
        stores[position].sync()
        let released = stepsAwaitingSync[position]
        stepsAwaitingSync[position] = []
        for step in released { execute(step, at: position, now: now, onRound: onRound) }
      case .partitionStart(let index):
        let partition = settings.partitions[index]
        let isolated =
          partition.isolated
          ?? nodes.indices.first { isAlive[$0] && nodes[$0].isCoordinator }.map { [$0] } ?? []
        let inside = Set(isolated.map { peers[$0] })
        let outside = Set(peers).subtracting(inside)
        if partition.isOneWay {
          for first in inside { for second in outside { network.block(from: first, to: second) } }
        } else {
          network.partition(inside, from: outside)
        }
        trace(
          now,
          "partition \(partition.isOneWay ? "one-way " : "")isolates \(inside.map(\.description).sorted())"
        )
      case .partitionEnd:
        network.heal()
        trace(now, "partitions healed")
      case .livenessCheck:
        if lastCommitTime < settings.faultPhaseMilliseconds {
          checker.observeStall(
            since: max(lastCommitTime, settings.faultPhaseMilliseconds), now: now,
            bound: settings.livenessBoundMilliseconds)
        }
      case .tick(let position):
        step(.tick(now: now), at: position, now: now, onRound: onRound)
        if nodes[position].wantsTicks {
          queue.schedule(.tick(position), at: now + settings.tickMilliseconds)
        } else {
          isTickScheduled[position] = false
        }
      case .arrive(let envelope, let position):
        receive(envelope, at: position, now: now)
      case .deliver(let envelope, let position, _):
        guard let message = decode(envelope, at: position, now: now) else { break }
        step(
          .received(from: peers[envelope.sender], message, now: now), at: position, now: now,
          onRound: onRound)
      case .trainingDone(let position, let round, let model, _):
        let (weight, delta) = training.train(peer: position, from: model)
        step(
          .trainingFinished(round: round, weight: weight, delta: delta, now: now), at: position,
          now: now, onRound: onRound)
      }
      keepTicking(after: event, now: now)
      if report.rounds.count >= settings.rounds || report.privacyBudgetEpsilon != nil { break }
    }
  }

  /// `STARLING_TRACE=1` prints role changes, crashes and restarts to standard error.
  private let isTracing = ProcessInfo.processInfo.environment["STARLING_TRACE"] != nil
  /// `STARLING_TRACE=2` also prints every round message sent (type, round, sender, receiver).
  private let isTracingMessages = ProcessInfo.processInfo.environment["STARLING_TRACE"] == "2"
  private var onEvent: (SimulationEvent) -> Void = { _ in }

  private func trace(_ now: UInt64, _ text: @autoclosure () -> String) {
    if isTracing { FileHandle.standardError.write(Data("t=\(now) \(text())\n".utf8)) }
  }

  /// Starts ticks for a live node that now wants them (it joined the council, say).
  private func keepTicking(after event: Event, now: UInt64) {
    let position: Int
    switch event {
    case .deliver(_, let peer, _), .trainingDone(let peer, _, _, _), .fsync(let peer, _),
      .restart(let peer):
      position = peer
    default: return
    }
    guard isAlive[position], !isTickScheduled[position], nodes[position].wantsTicks else { return }
    isTickScheduled[position] = true
    queue.schedule(.tick(position), at: now + settings.tickMilliseconds)
  }

  private func crash(_ position: Int) {
    guard isAlive[position] else { return }
    onEvent(
      .crashed(
        peers[position], wasCoordinator: nodes[position].isCoordinator,
        virtualMilliseconds: report.virtualMilliseconds))
    trace(report.virtualMilliseconds, "crash \(peers[position])")
    isAlive[position] = false
    crashTimes[position].append(report.virtualMilliseconds)
    incarnations[position] += 1
    // What waited for the sync dies with the process; the store keeps only what was synced.
    stepsAwaitingSync[position] = []
    linkQueues.clear(position, now: report.virtualMilliseconds)
    report.crashes += 1
  }

  /// Queues the copies of one encoded message on the sender's uplink and schedules their
  /// arrivals.
  private func send(_ bytes: [UInt8], from sender: Int, to receiver: Int, now: UInt64) {
    let network = now < settings.faultPhaseMilliseconds ? self.network : calmNetwork
    let fate = network.fate(from: peers[sender], to: peers[receiver], using: &generator)
    let bandwidth = network.profile(of: peers[sender]).bandwidthBytesPerMillisecond
    let downlink = network.profile(of: peers[receiver]).downlinkBandwidthBytesPerMillisecond
    for copy in 0..<fate.transmissions {
      guard
        let transmission = linkQueues.transmit(
          bytes: bytes.count, from: sender, bandwidthBytesPerMillisecond: bandwidth, now: now)
      else {
        report.messagesDroppedAtFullUplink += 1
        continue
      }
      report.uplinkWaitMillisecondsMaximum = max(
        report.uplinkWaitMillisecondsMaximum, transmission.startMicroseconds / 1_000 - now)
      // A lost copy occupied the uplink all the same; it vanishes on the way.
      guard copy < fate.latenciesMilliseconds.count else { continue }
      let envelope = Envelope(
        sender: sender, senderIncarnation: incarnations[sender], bytes: bytes,
        transmission: transmission, latencyMilliseconds: fate.latenciesMilliseconds[copy])
      let arrival = max(envelope.lastByteArrivalMicroseconds / 1_000, now + 1)
      if downlink == nil || bytes.count <= LinkQueues.interleavedMessageBytesMax {
        queue.schedule(.deliver(envelope, to: receiver, receiverIncarnation: nil), at: arrival)
      } else {
        queue.schedule(.arrive(envelope, to: receiver), at: arrival)
      }
    }
  }

  /// The last byte of `envelope` reached `receiver` now: its downlink takes the copy in after
  /// the ones before it.
  private func receive(_ envelope: Envelope, at receiver: Int, now: UInt64) {
    let profile = network.profile(of: peers[receiver])
    let bandwidth =
      profile.downlinkBandwidthBytesPerMillisecond ?? profile.bandwidthBytesPerMillisecond
    let lastByte = envelope.lastByteArrivalMicroseconds
    let received = linkQueues.receive(
      bytes: envelope.bytes.count, at: receiver, bandwidthBytesPerMillisecond: bandwidth,
      firstByteMicroseconds: envelope.firstByteArrivalMicroseconds,
      lastByteMicroseconds: lastByte)
    report.downlinkWaitMillisecondsMaximum = max(
      report.downlinkWaitMillisecondsMaximum, (received - lastByte) / 1_000)
    queue.schedule(
      .deliver(envelope, to: receiver, receiverIncarnation: incarnations[receiver]),
      at: max(received / 1_000, now))
  }

  /// The message that `envelope` carries, decoded as `receiver` would decode it off a socket.
  ///
  /// An honest peer's bytes always decode: a failure means the codec is broken (an encoder that
  /// writes what its decoder refuses), so it is recorded as a violation, which fails the seed
  /// in a sweep, and the copy is dropped, as a real node drops a malformed message.
  private func decode(_ envelope: Envelope, at receiver: Int, now: UInt64) -> Message? {
    do throws(WireError) {
      return try wire.decode(envelope.bytes)
    } catch {
      checker.observeUndecodable(
        from: peers[envelope.sender], to: peers[receiver], bytes: envelope.bytes.count,
        error: error, now: now)
      return nil
    }
  }

  /// Whether the sender of `envelope` crashed before the copy's last byte left its uplink (the
  /// copy died with the process); counted once, at the copy's first event after the crash.
  private func isLostWithCrashedSender(_ envelope: Envelope) -> Bool {
    guard envelope.senderIncarnation < incarnations[envelope.sender] else { return false }
    let crashed = crashTimes[envelope.sender][envelope.senderIncarnation]
    guard envelope.transmission.endMicroseconds > crashed * 1_000 else { return false }
    report.messagesLostWithCrashedSender += 1
    return true
  }

  /// Runs one step of a node under the ordering contract: its writes go to the store at once;
  /// the rest waits until the store has synced them (and until any earlier step's sync).
  private func step(
    _ input: NodeInput, at position: Int, now: UInt64, onRound: (RoundReport) -> Void
  ) {
    let effects = nodes[position].handle(input)
    let writeCount = effects.prefix(while: \.isDurable).count
    precondition(
      !effects.dropFirst(writeCount).contains(where: \.isDurable),
      "a step lists its writes before its other effects")
    guard !effects.isEmpty else { return }
    var committedModels: [UInt64: [Float]] = [:]
    for case .persist(.committedModel(let round, _, let values, _)) in effects.prefix(writeCount) {
      committedModels[round] = values
    }
    let step = SyncedStep(
      effects: Array(effects.dropFirst(writeCount)), model: nodes[position].model,
      council: nodes[position].council?.members ?? [], committedModels: committedModels)
    guard writeCount > 0 || !stepsAwaitingSync[position].isEmpty else {
      execute(step, at: position, now: now, onRound: onRound)
      return
    }
    if writeCount > 0 {
      var state = stores[position].current!
      for case .persist(let write) in effects.prefix(writeCount) { state.apply(write) }
      stores[position].write(state)
    }
    // One sync at a time: steps taken while it runs wait for it, and it covers their writes.
    if stepsAwaitingSync[position].isEmpty {
      queue.schedule(
        .fsync(peer: position, incarnation: incarnations[position]), at: now + Self.syncMilliseconds
      )
    }
    stepsAwaitingSync[position].append(step)
  }

  private func execute(
    _ step: SyncedStep, at position: Int, now: UInt64, onRound: (RoundReport) -> Void
  ) {
    let sender = peers[position]
    for effect in step.effects {
      switch effect {
      case .send(let receiver, var message):
        guard let target = index[receiver] else { continue }
        if settings.maliciousAggregators.contains(position),
          case .round(.partial(let round, let weight, let trainers, let values, let scores)) =
            message
        {
          message = .round(
            .partial(
              round: round, weight: weight, trainers: trainers,
              values: values.map { $0 * settings.maliciousAggregatorScale }, scores: scores))
        }
        if settings.maliciousAggregators.contains(position),
          case .round(.signedPartial(let round, let weight, let receipts, let values, _)) = message
        {
          // Its own partial is the aggregator's to sign: it signs the corrupted one, and only the
          // robust rule over partials stands against it (the receipts are its trainers' own).
          message = .round(
            nodeSettings(position).signing!.signedPartial(
              round: round, weight: weight, receipts: receipts,
              values: values.map { $0 * settings.maliciousAggregatorScale }, nonce: 0))
        }
        if sender == report.staller {
          if case .council(.timeoutNow) = message { continue }
          message = CoordinatorStall.stalled(message, target: settings.stallTarget).message
        }
        if sender == report.forger {
          let forgery = ModelForgery.forged(
            message, by: nodes[position], target: settings.forgeryTarget)
          message = forgery.message
          if let digest = forgery.forged { report.forgedModels.insert(digest) }
        }
        if settings.aggregatorsWithholdCopies, !nodes[target].isCoordinator {
          switch message {
          case .round(.partial), .round(.signedPartial): continue
          default: break
          }
        }
        if case .round(.relayedPartial) = message { report.relayedPartials += 1 }
        if case .round(.outerState) = message { report.outerStatesSent += 1 }
        if case .council(.timeoutNow(let term)) = message {
          trace(now, "\(sender) hands leadership to \(receiver) (term \(term))")
        }
        if isTracingMessages, case .round(let roundMessage) = message {
          trace(now, "\(sender) -> \(receiver): \(roundMessage.traceDescription)")
        }
        if isTracingMessages,
          case .council(.requestVote(let term, _, _, _, let isTransfer)) = message
        {
          trace(now, "\(sender) -> \(receiver): request vote term \(term) transfer \(isTransfer)")
        }
        // Encoded after any corruption: the bytes are what the (malicious) sender puts out.
        let bytes = wire.encode(message)
        report.messages += 1
        if case .membership = message { report.membershipMessages += 1 }
        report.bytes += bytes.count
        send(bytes, from: position, to: target, now: now)
      case .train(let round, let model, _):
        if isTracingMessages { trace(now, "\(sender) trains round \(round)") }
        let samples = training.sampleCount(peer: position)
        let seconds = Double(samples) / max(settings.samplesPerSecond[position], 1)
        queue.schedule(
          .trainingDone(
            peer: position, round: round, model: model, incarnation: incarnations[position]),
          at: now + UInt64(seconds * 1000) + 1)
      case .persist:
        preconditionFailure("writes are applied before the step's other effects")
      case .becameCoordinator(let term):
        trace(now, "\(sender) coordinates in term \(term)")
        if settings.firstCoordinatorForgesModels, report.forger == nil { report.forger = sender }
        if settings.firstCoordinatorStalls, report.staller == nil { report.staller = sender }
        onEvent(.elected(sender, term: term, virtualMilliseconds: now))
        checker.observeLeader(sender, term: term, now: now)
        report.coordinatorChanges += 1
      case .committed(let commit):
        let held = step.committedModels[commit.round] ?? step.model
        let isNew = commit.round > checker.highestCommittedRound
        checker.observeCommit(commit, by: sender, holding: held, now: now)
        guard isNew else { continue }
        lastCommitTime = now
        trace(now, "round \(commit.round) committed by \(commit.aggregators.count) aggregators")
        if let crashed = pendingFailover {
          report.failoverMilliseconds.append(now - crashed)
          pendingFailover = nil
        }
        let coordinator =
          nodes.indices.first { isAlive[$0] && nodes[$0].isCoordinator }.map { peers[$0] } ?? sender
        let accuracy = training.accuracy(of: held)
        let round = RoundReport(
          round: commit.round, virtualMilliseconds: now, coordinator: coordinator,
          aggregators: commit.aggregators,
          trainers: commit.trainers, accuracy: accuracy, peersAlive: isAlive.filter { $0 }.count,
          model: commit.model, council: step.council)
        report.rounds.append(round)
        onRound(round)
      case .councilChanged(let members):
        if nodes[position].isCoordinator {
          trace(now, "council is now \(members.map(\.description).sorted())")
        }
      case .rejected(_, let reason):
        report.rejected += 1
        report.rejectedByReason[reason.description, default: 0] += 1
      case .coordinatorRefused(let coordinator, let evidence):
        trace(now, "\(sender) refused coordinator \(coordinator): \(evidence)")
        report.coordinatorRefusals += 1
      case .coordinatorObjected(let coordinator, let evidence):
        trace(now, "\(sender) objected to coordinator \(coordinator): \(evidence)")
        report.coordinatorObjections += 1
      case .coordinatorStalled(let coordinator, let evidence):
        trace(now, "\(sender) deposed stalled coordinator \(coordinator): \(evidence)")
        report.coordinatorStalls.append(coordinator)
      case .banned(let peer, let reason):
        if nodes[position].isCoordinator, !report.banned.contains(peer) {
          trace(now, "banned \(peer): \(reason)")
          report.banned.append(peer)
        }
      case .privacyBudgetExhausted(let epsilon):
        trace(now, "privacy budget exhausted at epsilon \(epsilon)")
        report.privacyBudgetEpsilon = epsilon
      case .aggregated(let round, let text):
        trace(now, "\(sender) aggregated round \(round): \(text)")
        if report.aggregationLog.count < SimulationReport.aggregationLogMax {
          report.aggregationLog.append("round \(round), \(sender): \(text)")
        }
      }
    }
  }
}

extension Simulator {
  /// The settings of the peer at `position`: the project's, with its own key when peers sign.
  func nodeSettings(_ position: Int) -> NodeSettings {
    Self.nodeSettings(settings, position, keys: keys, peerOfKey: peerOfKey)
  }

  static func nodeSettings(
    _ settings: SimulationSettings, _ position: Int, keys: [SigningKeyPair],
    peerOfKey: @escaping @Sendable (PublicKey) -> PeerID?
  ) -> NodeSettings {
    var node = settings.node
    if settings.signsContributions {
      node.signing = ContributionSigning(
        project: project, keyPair: keys[position], peerOfKey: peerOfKey)
    }
    return node
  }
}
