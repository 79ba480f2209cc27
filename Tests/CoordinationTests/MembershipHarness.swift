import Coordination
import Wire

/// SplitMixGenerator for the harness's own choices (delivery order, loss), independent of the nodes'.
struct HarnessRandom: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var mixed = state
    mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
    return mixed ^ (mixed >> 31)
  }
}

/// A deterministic network of `Membership` instances: time advances in steps, each message takes
/// one or two steps, messages due in the same step arrive in a seeded random order, and a message
/// is lost with `lossProbability` or when its directed link is blocked.
final class MembershipNetwork {
  struct Link: Hashable {
    var from: PeerID
    var to: PeerID
  }

  struct Sent: Equatable {
    var from: PeerID
    var to: PeerID
    var message: MembershipMessage
    var atMilliseconds: UInt64
  }

  private struct Envelope {
    var deliverAtMilliseconds: UInt64
    var order: UInt64
    var sent: Sent
  }

  static let stepMilliseconds: UInt64 = 50

  let configuration: MembershipConfiguration
  private(set) var nodes: [PeerID: Membership] = [:]
  /// Every peer ever created, in creation order (the order nodes tick in).
  private(set) var peers: [PeerID] = []
  private(set) var crashed: Set<PeerID> = []
  private(set) var nowMilliseconds: UInt64 = 0
  /// Everything but sends, per node, in order.
  private(set) var observed: [PeerID: [MembershipAction]] = [:]
  /// Messages each node has sent (delivered or not).
  private(set) var sentCounts: [PeerID: Int] = [:]
  /// Every message sent, when `isRecording`.
  private(set) var sentMessages: [Sent] = []
  var isRecording = false
  var lossProbability = 0.0
  var blockedLinks: Set<Link> = []
  private var random: HarnessRandom
  private var inFlight: [Envelope] = []

  init(seed: UInt64, configuration: MembershipConfiguration = MembershipConfiguration()) {
    self.configuration = configuration
    self.random = HarnessRandom(state: seed)
  }

  static func peer(_ index: Int) -> PeerID { PeerID(simulatedIndex: UInt64(index)) }

  static func record(_ index: Int, joinedAtMilliseconds: UInt64 = 0) -> MemberRecord {
    MemberRecord(
      peer: peer(index), address: PeerAddress("sim-\(index):7400"),
      capacity: Capacity(samplesPerSecond: Float(100 + index), bandwidthBytesPerSecond: 1e6),
      joinedAtMilliseconds: joinedAtMilliseconds)
  }

  /// A group of `size` members that all know each other (alive, incarnation 0).
  static func converged(
    size: Int, seed: UInt64, configuration: MembershipConfiguration = MembershipConfiguration()
  ) -> MembershipNetwork {
    let network = MembershipNetwork(seed: seed, configuration: configuration)
    let records = (0..<size).map { record($0) }
    for index in 0..<size {
      var known = records
      known.remove(at: index)
      network.add(
        Membership(
          myself: records[index], configuration: configuration, seed: seed &+ UInt64(index) &* 7919,
          knownMembers: known))
    }
    return network
  }

  /// Adds (or, for a crashed peer, replaces) a node.
  func add(_ node: Membership) {
    let peer = node.myself.peer
    if nodes[peer] == nil { peers.append(peer) }
    nodes[peer] = node
    crashed.remove(peer)
  }

  /// Creates node `index` joined at the current time and makes it join through `bootstrap`.
  func join(_ index: Int, through bootstrap: [Int], seed: UInt64) {
    let record = Self.record(index, joinedAtMilliseconds: nowMilliseconds)
    add(Membership(myself: record, configuration: configuration, seed: seed))
    let contacts = bootstrap.map { Self.peer($0) }
    apply(.join(bootstrap: contacts, now: nowMilliseconds), to: record.peer)
  }

  func leave(_ peer: PeerID) { apply(.leave(now: nowMilliseconds), to: peer) }

  func crash(_ peer: PeerID) { crashed.insert(peer) }

  /// Delivers `message` to `to` as if `from` had sent it (a rumour injected by the test).
  func inject(_ message: MembershipMessage, from: PeerID, to: PeerID) {
    apply(.received(from: from, message, now: nowMilliseconds), to: to)
  }

  var livePeers: [PeerID] { peers.filter { !crashed.contains($0) } }

  func node(_ peer: PeerID) -> Membership { nodes[peer]! }

  /// What `observer` knows about `peer`.
  func view(of observer: PeerID, about peer: PeerID) -> Membership.Member? {
    nodes[observer]!.member(peer)
  }

  /// Whether every live node other than `peer` (and those in `excluding`) satisfies `condition`
  /// about it.
  func everyone(
    about peer: PeerID, excluding: Set<PeerID> = [], _ condition: (Membership.Member?) -> Bool
  ) -> Bool {
    livePeers.allSatisfy {
      $0 == peer || excluding.contains($0) || condition(view(of: $0, about: peer))
    }
  }

  func step() {
    nowMilliseconds += Self.stepMilliseconds
    var due: [Envelope] = []
    var later: [Envelope] = []
    for envelope in inFlight {
      if envelope.deliverAtMilliseconds <= nowMilliseconds {
        due.append(envelope)
      } else {
        later.append(envelope)
      }
    }
    inFlight = later
    for envelope in due.sorted(by: { $0.order < $1.order }) {
      let sent = envelope.sent
      apply(.received(from: sent.from, sent.message, now: nowMilliseconds), to: sent.to)
    }
    for peer in peers { apply(.tick(now: nowMilliseconds), to: peer) }
  }

  func run(periods: Int) {
    for _ in 0..<(periods * stepsPerPeriod) { step() }
  }

  /// Steps until `condition` holds; the periods it took, or nil after `periodsMax`.
  func run(periodsMax: Int, until condition: () -> Bool) -> Double? {
    let start = nowMilliseconds
    for _ in 0..<(periodsMax * stepsPerPeriod) {
      if condition() { return periods(since: start) }
      step()
    }
    return condition() ? periods(since: start) : nil
  }

  func periods(since start: UInt64) -> Double {
    Double(nowMilliseconds - start) / Double(configuration.protocolPeriodMilliseconds)
  }

  var stepsPerPeriod: Int {
    Int(configuration.protocolPeriodMilliseconds / Self.stepMilliseconds)
  }

  func resetCounters() {
    sentCounts = [:]
    sentMessages = []
    observed = [:]
  }

  private func apply(_ event: MembershipEvent, to peer: PeerID) {
    guard !crashed.contains(peer), nodes[peer] != nil else { return }
    let actions = nodes[peer]!.handle(event)
    for action in actions {
      guard case .send(let to, let message) = action else {
        observed[peer, default: []].append(action)
        continue
      }
      let sent = Sent(from: peer, to: to, message: message, atMilliseconds: nowMilliseconds)
      sentCounts[peer, default: 0] += 1
      if isRecording { sentMessages.append(sent) }
      let isLost =
        blockedLinks.contains(Link(from: peer, to: to))
        || (lossProbability > 0 && Double.random(in: 0..<1, using: &random) < lossProbability)
      guard !isLost else { continue }
      let delay = Self.stepMilliseconds * UInt64.random(in: 1...2, using: &random)
      inFlight.append(
        Envelope(deliverAtMilliseconds: nowMilliseconds + delay, order: random.next(), sent: sent))
    }
  }
}

extension MembershipMessage {
  var gossip: [MemberUpdate] {
    switch self {
    case .ping(_, let gossip), .ack(_, _, let gossip), .pingRequest(_, _, let gossip): gossip
    case .join, .joinAccepted: []
    }
  }
}
