import Coordination
import Dispatch
import Foundation
import Identity
import Node
import Persistence
import Transport
import Wire

/// One real peer: the same `NodeController` the simulator drives, behind a ZeroMQ transport, a
/// SQLite store and the system clock.
///
/// Every input reaches the controller on one serial queue, in order. Each step's writes are
/// applied to the store and synced before any of its messages leaves (the controller's ordering
/// contract). Local training and evaluation run on a thread of their own, so the node keeps
/// answering heartbeats, votes and model requests while it trains; a training step plans its
/// samples to meet the round's deadline.
public final class NodeRuntime: @unchecked Sendable {
  public struct Options: Sendable {
    public var tickMilliseconds: UInt64 = 50
    /// How often contacts that are not connected are dialed again.
    public var redialMilliseconds: UInt64 = 2_000
    /// How often a node sends the peers it knows to every connected peer.
    public var directoryRefreshMilliseconds: UInt64 = 15_000
    /// At most this many peers are dialed (every listening peer, up to this bound).
    public var dialedPeersMax = 64
    /// Which committed models this node evaluates on its test set (when it holds one).
    public var evaluation = Evaluation.asCoordinator
    /// Time kept back from a training deadline for the upload.
    public var uploadMarginMilliseconds: UInt64 = 1_000
    /// A misbehaviour to inject, for tests of the defences (none for a real volunteer).
    public var fault: Fault?
    public init() {}
  }

  /// What a deliberately Byzantine node does, so that tests over real processes can show what
  /// honest peers detect. Applied to the bytes this node sends, after its controller decided.
  public enum Fault: String, Sendable, CaseIterable {
    /// Every partial aggregate it sends as an aggregator carries NaN in its first value. It also
    /// never campaigns (its own vote and pre-vote requests are dropped), so that as a founder it
    /// stays an aggregator instead of winning the first election and sending no partial at all.
    case nanPartials = "nan-partials"
    /// As an aggregator, it alters the first trainer's update in every signed partial it sends
    /// (it adds 1 to each of the partial's values and claims, in that trainer's receipt, the
    /// digest of an altered update), then signs the partial again with its own key: the
    /// trainer's signature no longer verifies. It never campaigns either (as `nan-partials`).
    case alterUpdates = "alter-updates"
    /// As coordinator, every model it publishes to the council for a round it has not committed
    /// is a forgery (`ModelForgery`: each value moved by 0.5, its digest and its notes
    /// consistent with it), and it never hands its leadership over (its `timeoutNow` messages
    /// are dropped). `starling node` gives it a short election timeout too, so that as a
    /// founder it wins the first election.
    case forgeModel = "forge-model"
    /// As an aggregator, it sends its signed partial to the coordinator only, never the copies
    /// for the council members that check the coordinator (as an aggregator that dies right
    /// after its partial leaves): the members must get the partial from the coordinator. It
    /// never campaigns either (as `nan-partials`).
    case withholdCopies = "withhold-copies"
    /// As coordinator, every role assignment it appends to its followers' logs names a colluder
    /// outside the council (the lowest ID among the peers it knows, not a council member) as an
    /// aggregator, and it never hands its leadership over. `starling node` gives it a short
    /// election timeout, as `forge-model`.
    case assignColluder = "assign-colluder"
    /// As coordinator, every role assignment it appends to its followers' logs names itself
    /// coordinator, with the aggregators the ranking gave (the ranked coordinator in its own
    /// place); when the ranking does give it the role, it lists the aggregators in reverse
    /// order, so that a member other than the ranked one aggregates first. It never hands its
    /// leadership over, and campaigns early (as `forge-model`).
    case assignSelf = "assign-self"
    /// As `assign-self`, but the rewritten entries keep the signature the node made over the
    /// honest ones, so they no longer verify: an entry forged in transit, or in another
    /// leader's name.
    case forgeEntries = "forge-entries"
    /// As an aggregator, every signed partial it sends sums other values (1 is added to each)
    /// while it keeps its trainers' receipts as they are, and signs the partial again; asked for
    /// an audit, it answers with the updates it did receive. It never campaigns (as
    /// `nan-partials`).
    case sumOtherValues = "sum-other-values"
    /// As coordinator, it never lets a round open: every append it sends stops before its first
    /// `startRound` entry (`CoordinatorStall`), while its heartbeats keep every follower from
    /// campaigning. It never hands its leadership over, and campaigns early (as `forge-model`).
    case stall
    /// Each commit it applies, it pushes every peer it knows, unasked, a forged model (the
    /// committed one with each value moved by 0.5) labelled a million rounds later: a peer
    /// outside the council must not take it as committed, nor a member hold it. It never
    /// campaigns (as `nan-partials`).
    case pushModels = "push-models"

    /// The aggregator faults never campaign, so that as founders they stay aggregators instead
    /// of winning the first election and sending no partial at all.
    /// The coordinator faults campaign early (a short election timeout), so that as founders
    /// they win the first election.
    public var campaignsEarly: Bool {
      self == .forgeModel || self == .assignColluder || self == .assignSelf || self == .stall
        || self == .forgeEntries
    }

    var neverCampaigns: Bool {
      switch self {
      case .nanPartials, .alterUpdates, .withholdCopies, .sumOtherValues, .pushModels: true
      case .forgeModel, .assignColluder, .assignSelf, .stall, .forgeEntries: false
      }
    }
  }

  /// Which committed models a node evaluates: each one it commits as coordinator (the default:
  /// one evaluation per round for the whole project), every one it applies (each peer with the
  /// test set reports its own accuracy, at one evaluation per peer per round), or none.
  public enum Evaluation: String, Sendable, CaseIterable {
    case asCoordinator = "coordinator"
    case everyCommit = "every"
    case never
  }

  public let me: PeerID
  public let projectID: ProjectID
  let transport: ZMQTransport
  let store: NodeStore
  let training: any LocalTraining
  let log: RuntimeLog
  let options: Options
  let clock = SystemTransportClock()
  let queue = DispatchQueue(label: "starling-node")
  let trainingQueue = DispatchQueue(label: "starling-training")
  let startedAtMonotonic: UInt64
  let samplesPerSecond: Float
  let bootstrap: [Contact]

  var controller: NodeController
  /// How to dial each peer that listens.
  var contacts: [PeerID: Contact] = [:]
  var connected: Set<PeerID> = []
  var dialing: Set<Contact> = []
  var announcedTo: Set<PeerID> = []
  var timer: DispatchSourceTimer?
  var lastRedial: UInt64 = 0
  /// Refusals per source are logged a few at a time, so a flood cannot fill the disk.
  var refusalLog = RefusalLogLimiter()
  var lastDirectoryRefresh: UInt64 = 0
  var isStopping = false
  var isTraining = false
  let stopped = DispatchSemaphore(value: 0)
  public private(set) var messagesSent = 0
  /// The models this node forged (fault `forge-model`), each logged once.
  var forgedModels: Set<Digest> = []
  /// The log entries whose roles this node rewrote (faults `assign-colluder`, `assign-self`).
  var rewrittenRoles: Set<UInt64> = []
  /// The terms in which this node withheld a round's start as leader (fault `stall`).
  var stalledTerms: Set<UInt64> = []
  public private(set) var bytesSent = 0
  var lastLoggedRound: UInt64 = 0
  var bandwidthProbe = BandwidthProbe()
  var probeAnswers = ProbeAnswerLimit()
  /// The last bandwidth measured (bytes per second, the slower direction); nil until then.
  var measuredBandwidth: Float?

  public init(
    controller: NodeController, transport: ZMQTransport, store: NodeStore,
    training: any LocalTraining, log: RuntimeLog, projectID: ProjectID, bootstrap: [Contact],
    knownContacts: [PeerID: Contact], samplesPerSecond: Float, options: Options = Options()
  ) {
    self.controller = controller
    me = controller.me
    self.transport = transport
    self.store = store
    self.training = training
    self.log = log
    self.projectID = projectID
    self.bootstrap = bootstrap
    self.samplesPerSecond = samplesPerSecond
    self.options = options
    contacts = knownContacts
    startedAtMonotonic = clock.monotonicMilliseconds()
    lastLoggedRound = controller.committedRound
    // Bans committed before a restart hold at once: the listener refuses those peers, and
    // whatever they still deliver is dropped.
    for peer in controller.bannedPeers.keys { transport.admission.ban(peer: peer) }
  }

  /// Wall-clock milliseconds: deadlines cross machines, so peers need clocks within seconds of
  /// each other (NTP), as the hello's timestamp check already requires.
  var now: UInt64 { clock.unixMilliseconds() }

  var profile: PeerProfile {
    PeerProfile(
      capacity: Capacity(
        samplesPerSecond: samplesPerSecond,
        bandwidthBytesPerSecond: measuredBandwidth
          ?? PeerProfile.assumedCapacity.bandwidthBytesPerSecond),
      uptimeMilliseconds: Timestamps.elapsed(
        from: startedAtMonotonic, to: clock.monotonicMilliseconds()),
      isReachable: transport.contact != nil)
  }

  /// Handles transport events (connections, refusals); install it as the transport's handler.
  public func transportEvent(_ event: TransportEvent) {
    queue.async { [self] in
      switch event {
      case .peerConnected(let peer, _, let address):
        if connected.insert(peer).inserted {
          log.event("connected", "\(peer) at \(address)", ["peerID": peer.hexadecimal])
        }
      case .peerDisconnected(let peer, _):
        connected.remove(peer)
        announcedTo.remove(peer)
        log.event("peerLost", "\(peer) disconnected", ["peerID": peer.hexadecimal])
      case .listening(let contact):
        log.event("listening", "listening as \(contact)", ["contact": contact.description])
      case .admissionRefused(let request, let reason):
        guard shouldLogRefusal(from: request.address) else { break }
        log.event(
          "admissionRefused", event.description,
          [
            "address": request.address, "curveKey": request.curveKey.z85,
            "reason": reason.description,
          ])
      case .connectionShutDown(let address, let reason):
        guard shouldLogRefusal(from: address) else { break }
        log.event(
          "admissionRefused", event.description,
          ["address": address, "reason": reason.description, "beforeHandshake": true])
      case .addressBlocked(let address, let milliseconds):
        guard shouldLogRefusal(from: address) else { break }
        log.event(
          "addressBlocked", event.description,
          ["address": address, "seconds": Double(milliseconds) / 1_000])
      case .messagesRateLimited(let peer, let droppedCount):
        log.event(
          "messagesRateLimited", event.description,
          ["peerID": peer.hexadecimal, "droppedCount": droppedCount])
      case .messageDropped(.connectionLost, _, let peer?):
        // A peer gone without a goodbye (a status client, a killed process): nothing more is
        // sent to it until it connects again.
        if connected.remove(peer) != nil { announcedTo.remove(peer) }
      default:
        if event.isRefusal, shouldLogRefusal(from: "transport") {
          log.event("refused", event.description)
        }
      }
    }
  }

  /// Runs until `requestStop()`; returns once the store is flushed and the transport closed.
  public func run() {
    queue.async { [self] in
      step(.peerJoined(me, profile, now: now))
      log.event(
        "started",
        "peer \(me.hexadecimal) at round \(controller.committedRound)"
          + (transport.contact.map { ", contact \($0)" } ?? ", dialing out only"),
        ["peerID": me.hexadecimal, "round": controller.committedRound])
      for contact in bootstrap { dial(contact) }
      for contact in contacts.values { dial(contact) }
      let timer = DispatchSource.makeTimerSource(queue: queue)
      timer.schedule(
        deadline: .now(), repeating: .milliseconds(Int(options.tickMilliseconds)))
      timer.setEventHandler { [weak self] in self?.tick() }
      timer.resume()
      self.timer = timer
    }
    let incoming = transport.incoming
    Task.detached { [self] in
      for await message in incoming {
        queue.sync { receive(message) }
      }
    }
    stopped.wait()
  }

  /// Stops cleanly: tells the connected peers, abandons a training in progress, closes the
  /// store and the transport. Safe from any thread, more than once.
  public func requestStop(reason: String) {
    queue.async { [self] in
      guard !isStopping else { return }
      isStopping = true
      timer?.cancel()
      // Refusals counted in windows that have not closed yet are summarised now, not lost.
      logSuppressedRefusals(now: .max)
      log.event("stopping", reason)
      let goodbye = RuntimeFrame.leaving.wireBytes
      for peer in connected { try? transport.send(goodbye, to: peer) }
      // Give the goodbyes a moment on the wire; the store is synced at every step already.
      queue.asyncAfter(deadline: .now() + .milliseconds(200)) { [self] in
        transport.close()
        store.close()
        log.event("stopped", "store closed at round \(controller.committedRound)")
        stopped.signal()
      }
    }
  }

  func tick() {
    guard !isStopping else { return }
    let time = now
    step(.tick(now: time))
    let monotonic = clock.monotonicMilliseconds()
    if Timestamps.elapsed(from: lastRedial, to: monotonic) >= options.redialMilliseconds {
      lastRedial = monotonic
      learnContactsFromMembership()
      for (peer, contact) in contacts where !connected.contains(peer) { dial(contact) }
      if connected.isEmpty { for contact in bootstrap { dial(contact) } }
    }
    probeBandwidthIfDue()
    logSuppressedRefusals(now: monotonic)
    if Timestamps.elapsed(from: lastDirectoryRefresh, to: monotonic)
      >= options.directoryRefreshMilliseconds
    {
      lastDirectoryRefresh = monotonic
      let directory = RuntimeFrame.directory(directoryEntries())
      for peer in connected { send(directory, to: peer) }
    }
  }

  func shouldLogRefusal(from source: String) -> Bool {
    refusalLog.shouldLog(source: source, now: clock.monotonicMilliseconds())
  }

  /// One line per source whose window closed with refusals that were counted, not logged.
  func logSuppressedRefusals(now monotonic: UInt64) {
    for (source, count) in refusalLog.closedWindows(now: monotonic) {
      log.event(
        "refusalsSuppressed",
        "\(count) more refusals from \(source) in the last "
          + "\(refusalLog.windowMilliseconds / 1_000) s were not logged one by one",
        ["source": source, "count": count])
    }
  }

  /// With SWIM, members' records carry their contacts: a node learns of listeners it was never
  /// told of by a directory (a record whose address is not a contact, a peer that only dials
  /// out, is skipped).
  func learnContactsFromMembership() {
    guard let membership = controller.membership, membership.isMember else { return }
    for member in membership.aliveMembers
    where member.peer != me && contacts[member.peer] == nil {
      if let contact = try? Contact(parsing: member.record.address.text) {
        learn(contact, of: member.peer)
      }
    }
  }

  /// Records how to dial `peer`, in memory and in the store (a restarted node dials it again).
  func learn(_ contact: Contact, of peer: PeerID) {
    guard peer != me, contacts[peer] != contact else { return }
    contacts[peer] = contact
    step(
      nil,
      extra: [
        .rememberPeer(
          KnownPeer(
            peer: peer, address: PeerAddress(contact.description), lastSeenMilliseconds: now))
      ])
  }

  /// One controller step under the ordering contract: writes synced, then the rest in order.
  func step(_ input: NodeInput) { step(input, extra: []) }

  func step(_ input: NodeInput?, extra: [DurableOperation]) {
    guard !isStopping else { return }
    let effects = input.map { controller.handle($0) } ?? []
    let writes = effects.compactMap { effect -> Node.DurableWrite? in
      if case .persist(let write) = effect { return write }
      return nil
    }
    do throws(PersistenceError) {
      try store.apply(writes, extra: extra)
    } catch {
      // Nothing of this step may leave: its messages promise what the store failed to keep.
      log.event("storeFailed", "the store refused a write: \(error); stopping without sending")
      FileHandle.standardError.write(Data("error: the store refused a write: \(error)\n".utf8))
      exit(74)
    }
    for case .heldModel(let round, let digest, _) in writes {
      // A council member holds a published model: it passed this member's check of its
      // coordinator, when the member checks.
      log.event(
        "heldModel", "holding the published model \(digest) of round \(round)",
        ["round": round, "model": digest.contentHash.hexadecimal])
    }
    for case .outerState(let state) in writes {
      // The outer optimizer's replicated state after the committed model: checked with the
      // round, or fetched from another member and checked against the commit's digest.
      log.event(
        "outerState",
        "holding the outer optimizer's state after model \(state.model) of round "
          + "\(state.round) (\(state.values.count) values)",
        ["round": state.round, "model": state.model.contentHash.hexadecimal])
    }
    for effect in effects where !effect.isDurable { execute(effect) }
  }

  /// Fault `push-models`: a forged model, unasked, to every peer this node knows.
  func pushForgedModel(after round: UInt64) {
    let values = controller.model.map { $0 + 0.5 }
    let digest = Digest.of(values: values)
    log.event(
      "forgedModel", "pushed the forged model \(digest) to every peer (fault push-models)",
      ["model": digest.contentHash.hexadecimal])
    for peer in contacts.keys where peer != controller.me {
      execute(
        .send(to: peer, .round(.model(round: round + 1_000_000, digest: digest, values: values))))
    }
  }

  func execute(_ effect: NodeEffect) {
    switch effect {
    case .persist:
      break
    case .send(let peer, var message):
      if options.fault == .forgeModel {
        let forgery = ModelForgery.forged(message, by: controller)
        message = forgery.message
        if let digest = forgery.forged, forgedModels.insert(digest).inserted {
          log.event(
            "forgedModel", "published the forged model \(digest) (fault forge-model)",
            ["model": digest.contentHash.hexadecimal])
        }
      }
      if options.fault == .assignColluder || options.fault == .assignSelf
        || options.fault == .forgeEntries
      {
        message = rewritingRoles(message)
      }
      if options.fault == .stall {
        let stall = CoordinatorStall.stalled(message, target: .opening)
        message = stall.message
        if stall.withheld, let term = controller.council?.term, stalledTerms.insert(term).inserted {
          log.event(
            "withheldRoundStart",
            "withheld the start of round \(controller.lastStartedRound + 1) from its followers "
              + "in term \(term) (fault stall)", ["term": term])
        }
      }
      if options.fault == .withholdCopies, case .round(.signedPartial) = message,
        peer != controller.council?.leader
      {
        return
      }
      if case .round(.auditResponse(let round, let updates)) = message {
        log.event(
          "auditAnswered",
          "answered the coordinator's audit of round \(round) with \(updates.count) signed updates",
          ["round": round, "updates": updates.count])
      }
      if case .round(.relayedPartial(let round, _, _, _, let attestation)) = message {
        log.event(
          "relayedPartial",
          "relayed \(attestation.author)'s partial of round \(round) to \(peer)",
          ["round": round, "to": peer.hexadecimal])
      }
      if let message = Self.injecting(
        options.fault, into: message, signing: controller.settings.signing)
      {
        send(.protocolMessage(message), to: peer)
      }
    case .train(let round, let model, let deadline):
      train(round: round, model: model, deadline: deadline)
    case .committed(let commit):
      if options.fault == .pushModels { pushForgedModel(after: commit.round) }
      log.event(
        "committed",
        "round \(commit.round) committed (\(commit.trainers.count) trainers, "
          + "\(commit.aggregators.count) aggregators)",
        [
          "round": commit.round, "trainers": commit.trainers.count,
          "model": commit.model.contentHash.hexadecimal,
          "aggregators": commit.aggregators.map(\.hexadecimal),
        ])
      switch options.evaluation {
      case .asCoordinator where controller.isCoordinator, .everyCommit:
        evaluate(round: commit.round)
      case .asCoordinator, .never: break
      }
    case .becameCoordinator(let term):
      log.event("elected", "coordinator in term \(term)", ["term": term])
    case .councilChanged(let members):
      log.event(
        "councilChanged", "council is now \(members.map(\.description).sorted())",
        ["members": members.map(\.hexadecimal)])
    case .rejected(let peer, let reason):
      log.event(
        "updateRefused", "refused a contribution from \(peer): \(reason)",
        ["from": peer.hexadecimal, "reason": "\(reason)"])
    case .banned(let peer, let reason):
      transport.admission.ban(peer: peer)
      log.event(
        "banned", "\(peer) banned through the council log: \(reason)",
        ["peerID": peer.hexadecimal, "reason": reason])
    case .privacyBudgetExhausted(let epsilon):
      log.event(
        "privacyBudgetExhausted", "stopping rounds: epsilon would pass the budget (\(epsilon))",
        ["epsilon": epsilon])
    case .aggregated(let round, let report):
      log.event("aggregated", "round \(round): \(report)", ["round": round])
    case .coordinatorRefused(let coordinator, let evidence):
      log.event(
        "coordinatorRefused",
        "refused coordinator \(coordinator) and deposed it: \(evidence)",
        ["coordinator": coordinator.hexadecimal, "evidence": evidence])
    case .coordinatorObjected(let coordinator, let evidence):
      log.event(
        "coordinatorObjected",
        "objected to coordinator \(coordinator): \(evidence)",
        ["coordinator": coordinator.hexadecimal, "evidence": evidence])
    case .coordinatorStalled(let coordinator, let evidence):
      log.event(
        "coordinatorStalled",
        "deposed coordinator \(coordinator), under which the council made no progress: \(evidence)",
        ["coordinator": coordinator.hexadecimal, "evidence": evidence])
    }
  }

  /// `message` with the role assignments it appends rewritten: a colluder among the
  /// aggregators (fault `assign-colluder`), or this node as coordinator (fault `assign-self`).
  func rewritingRoles(_ message: Message) -> Message {
    let members = Set(controller.council?.members ?? [])
    guard
      case .council(
        .appendEntries(
          let term, let leader, let previousIndex, let previousTerm, var entries,
          let leaderCommit)) = message
    else { return message }
    let colluder = contacts.keys.filter({ !members.contains($0) }).min()
    for index in entries.indices {
      guard case .assignRoles(var roles) = entries[index].command else { continue }
      let named: PeerID
      if options.fault == .assignSelf || options.fault == .forgeEntries {
        if roles.coordinator == me {
          guard roles.aggregators.count >= 2 else { continue }
          roles.aggregators.reverse()
        } else {
          roles.aggregators = roles.aggregators.map { $0 == me ? roles.coordinator : $0 }
          roles.coordinator = me
        }
        named = me
      } else {
        guard let colluder else { return message }
        roles.aggregators = Array(roles.aggregators.dropLast()) + [colluder]
        named = colluder
      }
      entries[index].command = .assignRoles(roles)
      // Signed again with its own key: the lie is its own, and says so.
      if options.fault != .forgeEntries, let signing = controller.settings.signing,
        let nonce = entries[index].attestation?.nonce
      {
        entries[index].attestation = signing.attestation(of: entries[index], nonce: nonce)
      }
      if rewrittenRoles.insert(entries[index].index).inserted {
        log.event(
          "assignedColluder",
          "appended roles naming \(named) \(named == me ? "coordinator" : "aggregator") at entry "
            + "\(entries[index].index) (fault \(options.fault!.rawValue))",
          ["colluder": named.hexadecimal])
      }
    }
    return .council(
      .appendEntries(
        term: term, leader: leader, previousLogIndex: previousIndex, previousLogTerm: previousTerm,
        entries: entries, leaderCommit: leaderCommit))
  }

  /// `message` as a node with `fault` sends it, or nil when that node would not send it.
  static func injecting(
    _ fault: Fault?, into message: Message, signing: ContributionSigning? = nil
  ) -> Message? {
    guard let fault else { return message }
    switch (fault, message) {
    case (_, .council(.requestVote)) where fault.neverCampaigns,
      (_, .council(.requestPreVote)) where fault.neverCampaigns:
      return nil
    case (_, .council(.timeoutNow)) where fault.campaignsEarly:
      // The coordinator faults never hand their leadership over.
      return nil
    case (.alterUpdates, .round(.signedPartial)):
      return resigned(message, signing: signing) { receipts, values in
        guard !receipts.isEmpty else { return }
        for index in values.indices { values[index] += 1 }
        receipts[0].valuesDigest = Digest.of(values: values)
      }
    case (.sumOtherValues, .round(.signedPartial)):
      return resigned(message, signing: signing) { _, values in
        for index in values.indices { values[index] += 1 }
      }
    case (.nanPartials, .round(.signedPartial)):
      return resigned(message, signing: signing) { _, values in
        if !values.isEmpty { values[0] = .nan }
      }
    case (
      .nanPartials, .round(.partial(let round, let weight, let trainers, var values, let scores))
    ):
      if !values.isEmpty { values[0] = .nan }
      return .round(
        .partial(
          round: round, weight: weight, trainers: trainers, values: values, scores: scores))
    default:
      return message
    }
  }

  /// A signed partial with its receipts and values changed by `change`, signed again with this
  /// node's key, so that the check that catches the fault is the one it is meant for, not the
  /// partial's own signature (unchanged when there is no key, or `change` changes nothing).
  static func resigned(
    _ message: Message, signing: ContributionSigning?,
    _ change: (inout [UpdateReceipt], inout [Float]) -> Void
  ) -> Message {
    guard let signing,
      case .round(.signedPartial(let round, let weight, let original, let sent, _)) = message
    else { return message }
    var receipts = original
    var values = sent
    change(&receipts, &values)
    guard receipts != original || values.map(\.bitPattern) != sent.map(\.bitPattern) else {
      return message
    }
    return .round(
      signing.signedPartial(
        round: round, weight: weight, receipts: receipts, values: values,
        nonce: .random(in: 0...UInt64.max)))
  }

  func send(_ frame: RuntimeFrame, to peer: PeerID) {
    guard peer != me else { return }
    let bytes = frame.wireBytes
    do throws(TransportError) {
      try transport.send(bytes, to: peer)
      messagesSent += 1
      bytesSent += bytes.count
    } catch {
      // Lost, as the network may lose it; dial the peer if it listens.
      if let contact = contacts[peer] { dial(contact) }
    }
  }

  func receive(_ message: IncomingMessage) {
    guard !isStopping else { return }
    let frame: RuntimeFrame
    do throws(WireError) {
      frame = try RuntimeFrame(wireBytes: message.bytes[...])
    } catch {
      guard shouldLogRefusal(from: message.sender.hexadecimal) else { return }
      log.event(
        "refused", "a malformed message from \(message.sender): \(error)",
        ["from": message.sender.hexadecimal])
      return
    }
    let sender = message.sender
    switch frame {
    case .protocolMessage(let protocolMessage):
      step(.received(from: sender, protocolMessage, now: now))
    case .announce(let announcement):
      let isNew = !controller.peers.contains(sender)
      if let text = announcement.contact {
        if let contact = try? Contact(parsing: text) { learn(contact, of: sender) }
      }
      step(.peerJoined(sender, announcement.profile, now: now))
      if isNew {
        log.event(
          "joined",
          "\(sender) joined (\(Int(announcement.profile.capacity.samplesPerSecond)) samples/s"
            + (announcement.contact == nil ? ", dials out only)" : ", listens)"),
          ["peerID": sender.hexadecimal])
      }
      if announcedTo.insert(sender).inserted { announce(to: sender) }
      let directory = RuntimeFrame.directory(directoryEntries())
      send(directory, to: sender)
      // A new listener: everyone connected learns of it now, not at the next refresh.
      if isNew, announcement.contact != nil {
        for peer in connected where peer != sender { send(directory, to: peer) }
      }
    case .directory(let entries):
      // Second-hand: it never replaces the contact of a connected peer (whose own
      // announcement said where it is).
      for entry in entries
      where entry.peer != me && contacts[entry.peer]?.description != entry.contact
        && !connected.contains(entry.peer)
      {
        guard let contact = try? Contact(parsing: entry.contact) else { continue }
        learn(contact, of: entry.peer)
        if !connected.contains(entry.peer) { dial(contact) }
      }
    case .statusRequest(let request):
      send(.statusReply(request: request, json: statusJSON()), to: sender)
    case .statusReply:
      break
    case .leaving:
      log.event("peerLeft", "\(sender) left", ["peerID": sender.hexadecimal])
      step(.peerLeft(sender, now: now))
    case .probe(let request, let replyBytes, _):
      guard probeAnswers.admit(sender, now: DispatchTime.now().uptimeNanoseconds) else {
        log.event(
          "refused", "a bandwidth probe from \(sender): more than the probes answered per minute",
          ["from": sender.hexadecimal])
        return
      }
      send(.probeReply(request: request, paddingBytes: replyBytes), to: sender)
    case .probeReply(let request, let paddingBytes):
      let (next, measurement) = bandwidthProbe.received(
        reply: request, paddingBytes: paddingBytes, from: sender,
        now: DispatchTime.now().uptimeNanoseconds)
      if let next { send(next, to: sender) }
      if let measurement { adopt(measurement) }
    }
  }

  /// Starts a bandwidth measurement with a connected listener when one is due, and abandons
  /// one whose peer went away or stopped answering.
  func probeBandwidthIfDue() {
    let time = DispatchTime.now().uptimeNanoseconds
    if bandwidthProbe.abandon(now: time, disconnected: { !self.connected.contains($0) }) {
      log.event("probeAbandoned", "a bandwidth probe got no answer; trying again later")
    }
    guard bandwidthProbe.isDue(now: time),
      let peer = connected.filter({ contacts[$0] != nil }).min()
    else { return }
    send(bandwidthProbe.start(with: peer, now: time), to: peer)
  }

  /// Takes a new bandwidth figure into this node's profile and tells the connected peers.
  func adopt(_ measurement: BandwidthProbe.Measurement) {
    measuredBandwidth = Float(measurement.bytesPerSecond)
    log.event(
      "bandwidthMeasured",
      String(
        format: "%.1f MB/s up, %.1f MB/s down", measurement.uploadBytesPerSecond / 1e6,
        measurement.downloadBytesPerSecond / 1e6)
        + " to \(measurement.peer) (round trip "
        + String(format: "%.2f ms)", Double(measurement.roundTripNanoseconds) / 1e6),
      [
        "uploadBytesPerSecond": measurement.uploadBytesPerSecond,
        "downloadBytesPerSecond": measurement.downloadBytesPerSecond,
        "roundTripMilliseconds": Double(measurement.roundTripNanoseconds) / 1e6,
        "peerID": measurement.peer.hexadecimal,
      ])
    step(.peerJoined(me, profile, now: now))
    for peer in connected { announce(to: peer) }
  }

  func directoryEntries() -> [DirectoryEntry] {
    var entries = contacts.map { DirectoryEntry(peer: $0.key, contact: $0.value.description) }
    if let mine = transport.contact {
      entries.append(DirectoryEntry(peer: me, contact: mine.description))
    }
    return Array(entries.sorted { $0.peer < $1.peer }.prefix(RuntimeFrame.directoryEntriesMax))
  }

  func announce(to peer: PeerID) {
    send(
      .announce(Announcement(contact: transport.contact?.description, profile: profile)), to: peer)
  }

  func dial(_ contact: Contact) {
    guard !isStopping, !dialing.contains(contact), contact != transport.contact,
      dialing.count + connected.count < options.dialedPeersMax
    else { return }
    if let peer = contacts.first(where: { $0.value == contact })?.key, connected.contains(peer) {
      return
    }
    dialing.insert(contact)
    let transport = transport
    Task.detached { [self] in
      do throws(TransportError) {
        let peer = try await transport.connect(to: contact)
        queue.async { [self] in
          dialing.remove(contact)
          guard peer != me else { return }
          learn(contact, of: peer)
          connected.insert(peer)
          announcedTo.insert(peer)
          announce(to: peer)
        }
      } catch {
        queue.async { [self] in dialing.remove(contact) }
      }
    }
  }

  /// Trains on the training thread, planned to end before `deadline`: a slower peer trains on
  /// fewer samples (its update's weight says how many) instead of straggling.
  func train(round: UInt64, model: [Float], deadline: UInt64) {
    let available = Double(
      Timestamps.elapsed(
        from: Timestamps.adding(options.uploadMarginMilliseconds, to: now), to: deadline))
    let affordable = Int(Double(samplesPerSecond) * available / 1000)
    let samples = max(training.batchSize, min(training.samplesPerRound, affordable))
    log.event(
      "training",
      "round \(round): \(samples) samples"
        + (samples < training.samplesPerRound
          ? " (of \(training.samplesPerRound), to meet the deadline)" : ""),
      ["round": round, "samples": samples])
    trainingQueue.async { [self] in
      let started = clock.monotonicMilliseconds()
      let (weight, delta) = training.train(from: model, samplesMax: samples)
      let milliseconds = Timestamps.elapsed(from: started, to: clock.monotonicMilliseconds())
      queue.async { [self] in
        guard !isStopping else { return }
        log.event(
          "trained", "round \(round): \(weight) samples in \(milliseconds) ms",
          ["round": round, "samples": weight, "milliseconds": milliseconds])
        if now > deadline {
          log.event("trainingLate", "round \(round): finished after the deadline", ["round": round])
        }
        step(.trainingFinished(round: round, weight: weight, delta: delta, now: now))
      }
    }
  }

  func evaluate(round: UInt64) {
    let model = controller.model
    trainingQueue.async { [self] in
      guard let accuracy = training.evaluate(model) else { return }
      queue.async { [self] in
        _ = controller.handle(.evaluated(round: round, accuracy: accuracy))
        log.event(
          "evaluated", "round \(round): test accuracy \(String(format: "%.4f", accuracy))",
          ["round": round, "accuracy": accuracy])
      }
    }
  }
}
