/// The listener's admission state: connection attempts per address (token buckets, taken as
/// each TCP connection is accepted), the addresses blocked for going over that rate, and the
/// connections admitted at once per address and per subnet. A pure value, fed by the transport's
/// thread with the ZAP requests and the ROUTER's socket events, time as an argument.
///
/// ZeroMQ names a connection differently at each stage: the ZAP request gives only the client's
/// IP address; its messages carry its file descriptor (`ZMQ_SRCFD`) and address; the socket
/// monitor reports `ZMQ_EVENT_ACCEPTED` and `ZMQ_EVENT_DISCONNECTED` with the descriptor. So an
/// admission first holds a **pending** slot of its address, for `pendingMilliseconds` at most;
/// the connection's first message turns the oldest pending slot of its address into a **live**
/// slot keyed by its descriptor, and its disconnection frees that. A client that is admitted
/// and never speaks stops counting once its pending slot expires (ZeroMQ cannot close one
/// connection of a ROUTER, so it cannot be made to leave).
///
/// Nothing is leaked: a pending slot expires, a live slot ends with its descriptor's
/// `DISCONNECTED` (or, should that event be lost, with the descriptor's next `ACCEPTED`).
///
/// - Complexity: O(1) per request and event (amortized over `expire`, which runs once a
///   second and is O(n) in the addresses it tracks).
struct AdmissionLedger {
  /// Addresses whose attempt buckets are kept; beyond it, new addresses share one bucket.
  static let addressesTrackedMax = 65_536
  /// Admitted clients that have not sent their first message yet, over all addresses.
  static let pendingAdmissionsMax = 4_096

  let rules: AdmissionRules
  /// How long an admitted client may take to send its first message and still count.
  let pendingMilliseconds: UInt64

  private var addressAttempts = AttemptBuckets()
  private var subnetAttempts = AttemptBuckets()
  /// Addresses and subnets over their attempt rate, and until when they are blocked.
  private var blockedUntil: [BlockedRange: UInt64] = [:]
  /// Per address, the deadlines of the attempts accepted within the rate that have not reached
  /// the ZAP handler yet, oldest first (each as long as a pending slot).
  private var handshakeCredits: [AddressKey: [UInt64]] = [:]
  private var addressCounts: [AddressKey: Int] = [:]
  private var subnetCounts: [AddressKey: Int] = [:]
  /// Deadlines of each address's pending slots, oldest first.
  private var pending: [AddressKey: [UInt64]] = [:]
  private(set) var pendingCount = 0
  private var live: [Int32: AddressKey] = [:]
  /// Descriptors the monitor reported accepted and not yet disconnected.
  private var openDescriptors: Set<Int32> = []

  init(rules: AdmissionRules, pendingMilliseconds: UInt64) {
    self.rules = rules
    self.pendingMilliseconds = pendingMilliseconds
  }

  /// Connections that count against the caps now (pending and live).
  var admittedCount: Int { pendingCount + live.count }
  /// Connections that count against the cap of `address` now.
  func count(address: String) -> Int { addressCounts[AddressKey(parsing: address)] ?? 0 }

  // MARK: Requests

  /// Decides on a ZAP request: a handshake credit of its address first (when attempts are
  /// limited), then `policy`'s stateless rules, then the caps; an admission takes a pending
  /// slot. The attempt itself was counted when its connection was accepted, and each attempt
  /// within the rate left one credit: a request without one comes from a connection that was
  /// over the rate, whose handshake finished before its shutdown, and is refused. So an address
  /// gets at most the rate's handshakes past the handler, however the two race.
  mutating func admit(
    _ request: AdmissionRequest, policy: AdmissionPolicy, nowMilliseconds: UInt64
  ) -> AdmissionDecision {
    let address = AddressKey(parsing: request.address)
    if rules.isLimitingAttempts, !takeHandshakeCredit(of: address, nowMilliseconds: nowMilliseconds)
    {
      return .refuse(.tooManyAttempts)
    }
    let decision = policy.decide(request)
    guard decision == .admit, rules.isCounting else { return decision }
    if let maximum = rules.peersPerAddressMax, addressCounts[address, default: 0] >= maximum {
      return .refuse(.tooManyFromAddress(maximum: maximum))
    }
    if let maximum = rules.peersPerSubnetMax, subnetCounts[address.subnet, default: 0] >= maximum {
      return .refuse(.tooManyFromSubnet(maximum: maximum))
    }
    guard pendingCount < Self.pendingAdmissionsMax else {
      return .refuse(.tooManyPending(maximum: Self.pendingAdmissionsMax))
    }
    pending[address, default: []].append(nowMilliseconds + pendingMilliseconds)
    pendingCount += 1
    add(address, by: 1)
    return .admit
  }

  /// What an accepted connection's attempt comes to.
  enum AttemptVerdict: Equatable {
    case withinRate
    /// Over the rate of its address or of its subnet (or blocked): the connection is shut down,
    /// and it leaves no handshake credit, so the ZAP handler refuses it should its handshake
    /// beat the shutdown. With `overRateBlockMilliseconds`, the first such attempt blocks the
    /// range for that long. `newBlock`: the range this attempt blocked (so the kernel filter must
    /// change); nil when none was (already blocked, or no block).
    case overRate(newBlock: BlockedRange?)
  }

  /// Counts the attempt of a TCP connection from `address`, accepted at `nowMilliseconds`:
  /// a token from the address's bucket, then one from its subnet's. Every connection is an
  /// attempt, whether it would finish its handshake or not (a client that replays a hello and
  /// goes never reaches the ZAP handler). An attempt over either rate, or from a blocked
  /// address or subnet, is shut down before its CURVE handshake; the first one over a rate
  /// blocks the address, or the whole subnet.
  mutating func attemptAccepted(address text: String, nowMilliseconds: UInt64) -> AttemptVerdict {
    guard rules.isLimitingAttempts else { return .withinRate }
    let address = AddressKey(parsing: text)
    if isBlocked(address, nowMilliseconds: nowMilliseconds) { return .overRate(newBlock: nil) }
    let range: BlockedRange
    if let rate = rules.connectionAttemptsPerSecond,
      !addressAttempts.take(address, rate: rate, nowMilliseconds: nowMilliseconds)
    {
      range = BlockedRange(key: address, isSubnet: false)
    } else if let rate = rules.subnetConnectionAttemptsPerSecond,
      !subnetAttempts.take(address.subnet, rate: rate, nowMilliseconds: nowMilliseconds)
    {
      range = BlockedRange(key: address.subnet, isSubnet: true)
    } else {
      handshakeCredits[address, default: []].append(nowMilliseconds + pendingMilliseconds)
      return .withinRate
    }
    guard rules.overRateBlockMilliseconds > 0 else { return .overRate(newBlock: nil) }
    blockedUntil[range] = nowMilliseconds + rules.overRateBlockMilliseconds
    return .overRate(newBlock: range)
  }

  /// Takes the oldest live handshake credit of `address`; false when it has none.
  private mutating func takeHandshakeCredit(of address: AddressKey, nowMilliseconds: UInt64)
    -> Bool
  {
    guard var deadlines = handshakeCredits[address] else { return false }
    deadlines.removeFirst(deadlines.prefix { $0 <= nowMilliseconds }.count)
    guard !deadlines.isEmpty else {
      handshakeCredits[address] = nil
      return false
    }
    deadlines.removeFirst()
    handshakeCredits[address] = deadlines.isEmpty ? nil : deadlines
    return true
  }

  /// Whether `address`, or its subnet, is blocked at `nowMilliseconds`.
  func isBlocked(_ address: AddressKey, nowMilliseconds: UInt64) -> Bool {
    guard !blockedUntil.isEmpty else { return false }
    let ranges = [
      BlockedRange(key: address, isSubnet: false),
      BlockedRange(key: address.subnet, isSubnet: true),
    ]
    return ranges.contains { blockedUntil[$0].map { $0 > nowMilliseconds } ?? false }
  }

  /// The ranges blocked for `overRateBlockMilliseconds` (none without it), the most recently
  /// blocked first.
  var blockedRanges: [BlockedRange] {
    guard rules.overRateBlockMilliseconds > 0 else { return [] }
    return blockedUntil.sorted { $0.value > $1.value }.map(\.key)
  }

  // MARK: Connections

  /// The monitor saw the listener accept a TCP connection on `descriptor`. A live slot still
  /// held by that descriptor belongs to a connection whose disconnection was never reported.
  mutating func connectionAccepted(descriptor: Int32) {
    openDescriptors.insert(descriptor)
    release(descriptor)
  }

  /// The first message of a connection arrived, from `address` on `descriptor`: the oldest
  /// pending slot of the address becomes the connection's live slot. A connection already gone
  /// (its descriptor disconnected) frees its pending slot instead.
  mutating func connectionSpoke(descriptor: Int32, address text: String) {
    guard rules.isCounting else { return }
    let address = AddressKey(parsing: text)
    release(descriptor)
    let hadPending = takePending(of: address)
    guard descriptor >= 0, openDescriptors.contains(descriptor) else {
      if hadPending { add(address, by: -1) }
      return
    }
    if !hadPending { add(address, by: 1) }
    live[descriptor] = address
  }

  /// The monitor saw the connection on `descriptor` end.
  mutating func connectionClosed(descriptor: Int32) {
    openDescriptors.remove(descriptor)
    release(descriptor)
  }

  /// Frees pending slots past their deadline, forgets attempt buckets that are full again, and
  /// unblocks the addresses whose block is over; whether any was unblocked.
  @discardableResult
  mutating func expire(nowMilliseconds: UInt64) -> Bool {
    for (address, deadlines) in pending {
      let expired = deadlines.prefix { $0 <= nowMilliseconds }.count
      guard expired > 0 else { continue }
      pendingCount -= expired
      add(address, by: -expired)
      pending[address] = expired == deadlines.count ? nil : Array(deadlines.dropFirst(expired))
    }
    handshakeCredits = handshakeCredits.compactMapValues { deadlines in
      let live = deadlines.drop { $0 <= nowMilliseconds }
      return live.isEmpty ? nil : Array(live)
    }
    addressAttempts.forgetFull(nowMilliseconds: nowMilliseconds)
    subnetAttempts.forgetFull(nowMilliseconds: nowMilliseconds)
    let blockedCount = blockedUntil.count
    blockedUntil = blockedUntil.filter { $0.value > nowMilliseconds }
    return blockedUntil.count != blockedCount && rules.overRateBlockMilliseconds > 0
  }

  private mutating func takePending(of address: AddressKey) -> Bool {
    guard var deadlines = pending[address], !deadlines.isEmpty else { return false }
    deadlines.removeFirst()
    pending[address] = deadlines.isEmpty ? nil : deadlines
    pendingCount -= 1
    return true
  }

  private mutating func release(_ descriptor: Int32) {
    guard let address = live.removeValue(forKey: descriptor) else { return }
    add(address, by: -1)
  }

  private mutating func add(_ address: AddressKey, by change: Int) {
    let addressCount = addressCounts[address, default: 0] + change
    addressCounts[address] = addressCount > 0 ? addressCount : nil
    let subnetCount = subnetCounts[address.subnet, default: 0] + change
    subnetCounts[address.subnet] = subnetCount > 0 ? subnetCount : nil
    assert(addressCount >= 0 && subnetCount >= 0, "an admission count went below zero")
  }
}

/// An address, or a subnet (/24, /56), that the ledger blocks.
struct BlockedRange: Hashable, Sendable, CustomStringConvertible {
  /// The address, or the subnet's key (`AddressKey.subnet`).
  let key: AddressKey
  let isSubnet: Bool

  var description: String {
    guard isSubnet else { return key.description }
    if case .ipv4 = key { return key.description + "/24" }
    return key.description + "/56"
  }
}

/// Token buckets of connection attempts, one per key (address or subnet), at most
/// `AdmissionLedger.addressesTrackedMax`; beyond that, new keys share one bucket.
private struct AttemptBuckets {
  private var buckets: [AddressKey: TokenBucket] = [:]
  private var overflow: TokenBucket?

  /// Takes a token for `key` (a bucket of capacity max(2, ⌈rate⌉) starts full); false when
  /// there is none.
  mutating func take(_ key: AddressKey, rate: Double, nowMilliseconds: UInt64) -> Bool {
    let fresh = TokenBucket(
      tokensPerSecond: rate, capacity: AdmissionRules.attemptBurst(rate: rate),
      nowMilliseconds: nowMilliseconds)
    if buckets[key] == nil, buckets.count >= AdmissionLedger.addressesTrackedMax {
      var shared = overflow ?? fresh
      defer { overflow = shared }
      return shared.take(nowMilliseconds: nowMilliseconds)
    }
    return buckets[key, default: fresh].take(nowMilliseconds: nowMilliseconds)
  }

  /// Forgets the buckets that are full again (a new bucket starts full).
  mutating func forgetFull(nowMilliseconds: UInt64) {
    buckets = buckets.filter { !$0.value.isFull(nowMilliseconds: nowMilliseconds) }
    if overflow?.isFull(nowMilliseconds: nowMilliseconds) == true { overflow = nil }
  }
}
