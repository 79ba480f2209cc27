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

  private var attemptBuckets: [AddressKey: TokenBucket] = [:]
  private var overflowBucket: TokenBucket?
  /// Addresses over the attempt rate, and until when they are blocked.
  private var blockedUntil: [AddressKey: UInt64] = [:]
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

  /// Decides on a ZAP request: a blocked address first, then `policy`'s stateless rules, then
  /// the caps; an admission takes a pending slot. (The attempt itself was counted when its
  /// connection was accepted.)
  mutating func admit(
    _ request: AdmissionRequest, policy: AdmissionPolicy, nowMilliseconds: UInt64
  ) -> AdmissionDecision {
    let address = AddressKey(parsing: request.address)
    if isBlocked(address, nowMilliseconds: nowMilliseconds) { return .refuse(.tooManyAttempts) }
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
    /// Over the rate: the connection is shut down, and its address refused at the ZAP handler
    /// until its bucket has a token again or, with `overRateBlockMilliseconds`, for that long.
    /// `isNewlyBlocked`: this attempt began such a block, so the kernel filter must change.
    case overRate(isNewlyBlocked: Bool)
  }

  /// Counts the attempt of a TCP connection from `address`, accepted at `nowMilliseconds`.
  /// Every connection is an attempt, whether it would finish its handshake or not (a client
  /// that replays a hello and goes never reaches the ZAP handler). An attempt over the rate,
  /// or from an address blocked already, is shut down before its CURVE handshake; the first one
  /// over the rate blocks the address.
  mutating func attemptAccepted(address text: String, nowMilliseconds: UInt64) -> AttemptVerdict {
    guard rules.connectionAttemptsPerSecond != nil else { return .withinRate }
    let address = AddressKey(parsing: text)
    if isBlocked(address, nowMilliseconds: nowMilliseconds) {
      return .overRate(isNewlyBlocked: false)
    }
    guard !takeAttempt(from: address, nowMilliseconds: nowMilliseconds) else { return .withinRate }
    guard rules.overRateBlockMilliseconds > 0 else {
      // No block: the address is refused until its bucket has a token again, so that an
      // attempt whose handshake beats its shutdown is refused at the ZAP handler all the same.
      let bucket = attemptBuckets[address] ?? overflowBucket
      let wait = bucket?.millisecondsUntilToken(nowMilliseconds: nowMilliseconds) ?? 0
      blockedUntil[address] = nowMilliseconds + wait
      return .overRate(isNewlyBlocked: false)
    }
    blockedUntil[address] = nowMilliseconds + rules.overRateBlockMilliseconds
    return .overRate(isNewlyBlocked: true)
  }

  /// Whether `address` is blocked at `nowMilliseconds`.
  func isBlocked(_ address: AddressKey, nowMilliseconds: UInt64) -> Bool {
    blockedUntil[address].map { $0 > nowMilliseconds } ?? false
  }

  /// The addresses blocked for `overRateBlockMilliseconds` (none without it), the most
  /// recently blocked first.
  var blockedAddresses: [AddressKey] {
    guard rules.overRateBlockMilliseconds > 0 else { return [] }
    return blockedUntil.sorted { $0.value > $1.value }.map(\.key)
  }

  private mutating func takeAttempt(from address: AddressKey, nowMilliseconds: UInt64) -> Bool {
    guard let rate = rules.connectionAttemptsPerSecond else { return true }
    let fresh = TokenBucket(
      tokensPerSecond: rate, capacity: rules.connectionAttemptBurst,
      nowMilliseconds: nowMilliseconds)
    if attemptBuckets[address] == nil, attemptBuckets.count >= Self.addressesTrackedMax {
      var shared = overflowBucket ?? fresh
      defer { overflowBucket = shared }
      return shared.take(nowMilliseconds: nowMilliseconds)
    }
    return attemptBuckets[address, default: fresh].take(nowMilliseconds: nowMilliseconds)
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
    attemptBuckets = attemptBuckets.filter { !$0.value.isFull(nowMilliseconds: nowMilliseconds) }
    if overflowBucket?.isFull(nowMilliseconds: nowMilliseconds) == true { overflowBucket = nil }
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
