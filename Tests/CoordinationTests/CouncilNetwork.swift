import Coordination
import Testing
import Wire

/// SplitMixGenerator for the tests' own choices (which message next, which fault).
struct TestGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

struct Envelope: Hashable {
  var sender: PeerID
  var recipient: PeerID
  var message: CouncilMessage
}

/// A deterministic network of council members with simulated storage, in the spirit of etcd's
/// raft interaction tests: messages move only when the test says so, links can be cut, members
/// crash (losing unsynced writes) and restart from what they stored. Invariants are checked on
/// every action: at most one leader per term, committed entries delivered once, in order, and
/// identical on every member, appends within their batch bound.
struct CouncilNetwork {
  struct Node {
    var council: Council?
    var store = CouncilDurableState()
    var unsyncedWrites: [CouncilWrite] = []
    /// The application's record of what it executed (durable with it).
    var applied: [LogEntry] = []
    var restarts: UInt64 = 0
  }

  struct Link: Hashable {
    var sender: PeerID
    var recipient: PeerID
  }

  let options: CouncilOptions
  let bootstrapMembers: [PeerID]
  let seed: UInt64
  var nodes: [PeerID: Node] = [:]
  var inFlight: [Envelope] = []
  var now: UInt64 = 0
  /// When true every write is durable as soon as it is issued; otherwise `sync` makes it so.
  var isPersistingImmediately = true
  var cutLinks: Set<Link> = []
  var leaderOfTerm: [UInt64: PeerID] = [:]
  var committed: [LogEntry] = []
  var violations: [String] = []
  var isRecordingSends = false
  var sent: [Envelope] = []
  var proposalsMade = 0

  static func peer(_ index: Int) -> PeerID { PeerID(simulatedIndex: UInt64(index)) }

  init(
    memberCount: Int, seed: UInt64 = 1, options: CouncilOptions = CouncilOptions(),
    stores: [CouncilDurableState]? = nil
  ) {
    self.options = options
    self.seed = seed
    bootstrapMembers = (0..<memberCount).map(Self.peer)
    for (position, id) in bootstrapMembers.enumerated() {
      var node = Node()
      if let stores { node.store = stores[position] }
      nodes[id] = node
      start(id)
    }
  }

  var ids: [PeerID] { nodes.keys.sorted() }
  var liveIDs: [PeerID] { ids.filter { nodes[$0]!.council != nil } }
  subscript(id: PeerID) -> Council { nodes[id]!.council! }
  var leaders: [PeerID] { liveIDs.filter { self[$0].role == .leader } }

  /// Adds a member that starts empty with the bootstrap list, as a joiner would.
  mutating func addNode(_ id: PeerID) {
    nodes[id] = Node()
    start(id)
  }

  mutating func start(_ id: PeerID) {
    var node = nodes[id]!
    node.store.appliedIndex = UInt64(node.applied.count)
    do {
      node.council = try Council(
        id: id, bootstrapMembers: bootstrapMembers, options: options,
        seed: seed &* 31 &+ node.restarts, restoring: node.store)
    } catch {
      violations.append("\(id) cannot restart from its store: \(error)")
    }
    nodes[id] = node
  }

  mutating func crash(_ id: PeerID, keepingUnsyncedWrites kept: Int = 0) {
    var node = nodes[id]!
    for write in node.unsyncedWrites.prefix(kept) { node.store.apply(write) }
    node.unsyncedWrites = []
    node.council = nil
    node.restarts += 1
    nodes[id] = node
  }

  mutating func restart(_ id: PeerID) {
    guard nodes[id]!.council == nil else { return }
    start(id)
  }

  @discardableResult
  mutating func handle(_ id: PeerID, _ event: CouncilEvent) -> [CouncilAction] {
    guard var council = nodes[id]?.council else { return [] }
    let actions = council.handle(event)
    nodes[id]!.council = council
    execute(actions, at: id)
    return actions
  }

  mutating func execute(_ actions: [CouncilAction], at id: PeerID) {
    for action in actions {
      switch action {
      case .persist(let write):
        nodes[id]!.unsyncedWrites.append(write)
      case .send(let recipient, let message):
        if case .appendEntries(_, _, _, _, let entries, _) = message,
          entries.count > options.entriesPerAppendMax
        {
          violations.append("\(id) sent \(entries.count) entries in one append")
        }
        let envelope = Envelope(sender: id, recipient: recipient, message: message)
        inFlight.append(envelope)
        if isRecordingSends { sent.append(envelope) }
      case .commit(let entries):
        record(entries, committedAt: id)
      case .becameLeader(let term):
        if let other = leaderOfTerm[term], other != id {
          violations.append("two leaders in term \(term): \(other) and \(id)")
        }
        leaderOfTerm[term] = id
      case .becameFollower, .rejectedProposal:
        break
      }
    }
    if isPersistingImmediately { sync(id) }
  }

  mutating func record(_ entries: [LogEntry], committedAt id: PeerID) {
    for entry in entries {
      let expectedIndex = UInt64(nodes[id]!.applied.count) + 1
      guard entry.index == expectedIndex else {
        violations.append("\(id) committed index \(entry.index), expected \(expectedIndex)")
        return
      }
      if entry.index <= UInt64(committed.count) {
        if committed[Int(entry.index) - 1] != entry {
          violations.append("\(id) committed a different entry at \(entry.index)")
        }
      } else {
        committed.append(entry)
      }
      nodes[id]!.applied.append(entry)
    }
  }

  /// Makes `id`'s issued writes durable and tells it so.
  mutating func sync(_ id: PeerID) {
    guard let last = nodes[id]?.unsyncedWrites.last, nodes[id]!.council != nil else { return }
    for write in nodes[id]!.unsyncedWrites { nodes[id]!.store.apply(write) }
    nodes[id]!.unsyncedWrites = []
    handle(id, .persisted(upTo: last.sequence))
  }

  func isCut(_ envelope: Envelope) -> Bool {
    cutLinks.contains(Link(sender: envelope.sender, recipient: envelope.recipient))
  }

  mutating func deliver(_ envelope: Envelope) {
    guard !isCut(envelope) else { return }
    handle(envelope.recipient, .received(from: envelope.sender, envelope.message, now: now))
  }

  /// Delivers messages in the order sent until none is left (etcd's `stabilize`).
  mutating func deliverAll(dropping isDropped: (Envelope) -> Bool = { _ in false }) {
    var deliveredCount = 0
    while !inFlight.isEmpty {
      let envelope = inFlight.removeFirst()
      deliveredCount += 1
      guard deliveredCount < 100_000 else {
        violations.append("messages never settle")
        return
      }
      if !isDropped(envelope) { deliver(envelope) }
    }
  }

  mutating func tickAll(advancing milliseconds: UInt64) {
    now += milliseconds
    for id in liveIDs { handle(id, .tick(now: now)) }
  }

  /// Lets `id`'s election timeout expire (nobody else's clock is consulted) and settles.
  mutating func campaign(_ id: PeerID, isSettling: Bool = true) {
    handle(id, .tick(now: now))  // A member's first event starts its election timer.
    now += options.electionTimeoutMilliseconds.upperBound + 1
    handle(id, .tick(now: now))
    if isSettling { deliverAll() }
  }

  /// Cuts every link between `group` and the other members.
  mutating func isolate(_ group: [PeerID]) {
    for inside in group {
      for outside in ids where !group.contains(outside) {
        cutLinks.insert(Link(sender: inside, recipient: outside))
        cutLinks.insert(Link(sender: outside, recipient: inside))
      }
    }
  }

  mutating func heal() { cutLinks = [] }

  @discardableResult
  mutating func propose(_ id: PeerID, _ command: CouncilCommand? = nil) -> [CouncilAction] {
    proposalsMade += 1
    let marker = CouncilCommand.ban(peer: Self.peer(1000), reason: "proposal \(proposalsMade)")
    return handle(id, .propose(command ?? marker))
  }

  /// Advances time in heartbeat steps, settling messages after each, until exactly one live
  /// member leads and every other live member follows it; nil when that does not happen.
  mutating func settleLeader(timeMax: UInt64 = 30_000) -> PeerID? {
    let start = now
    while now - start <= timeMax {
      tickAll(advancing: options.heartbeatMilliseconds)
      deliverAll()
      if leaders.count == 1, let leader = leaders.first,
        liveIDs.filter({ self[leader].members.contains($0) }).allSatisfy({
          self[$0].leader == leader && self[$0].term == self[leader].term
        })
      {
        return leader
      }
    }
    return nil
  }
}
