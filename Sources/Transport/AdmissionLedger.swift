/// The listener's admission state: connection attempts per address (token buckets) and the
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

  /// Decides on a ZAP request: the attempt rate first (every attempt counts, even one refused
  /// later), then `policy`'s stateless rules, then the caps; an admission takes a pending slot.
  mutating func admit(
    _ request: AdmissionRequest, policy: AdmissionPolicy, nowMilliseconds: UInt64
  ) -> AdmissionDecision {
    let address = AddressKey(parsing: request.address)
    if rules.connectionAttemptsPerSecond != nil,
      !takeAttempt(from: address, nowMilliseconds: nowMilliseconds)
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

  /// Whether a connection from `address`, accepted at `nowMilliseconds`, is over the attempt
  /// rate already, so that its ZAP request would be refused. The listener then shuts it down
  /// before its CURVE handshake costs either side anything. A peek: an attempt is counted once,
  /// by `admit`, when it gets that far, so an address over the rate gets exactly the rate's
  /// handshakes and no more.
  func isOverAttemptRate(address text: String, nowMilliseconds: UInt64) -> Bool {
    guard rules.connectionAttemptsPerSecond != nil else { return false }
    let address = AddressKey(parsing: text)
    // The bucket `takeAttempt` would take from; none yet means a full one.
    let bucket =
      attemptBuckets[address]
      ?? (attemptBuckets.count >= Self.addressesTrackedMax ? overflowBucket : nil)
    return bucket.map { !$0.hasToken(nowMilliseconds: nowMilliseconds) } ?? false
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

  /// Frees pending slots past their deadline and forgets attempt buckets that are full again.
  mutating func expire(nowMilliseconds: UInt64) {
    for (address, deadlines) in pending {
      let expired = deadlines.prefix { $0 <= nowMilliseconds }.count
      guard expired > 0 else { continue }
      pendingCount -= expired
      add(address, by: -expired)
      pending[address] = expired == deadlines.count ? nil : Array(deadlines.dropFirst(expired))
    }
    attemptBuckets = attemptBuckets.filter { !$0.value.isFull(nowMilliseconds: nowMilliseconds) }
    if overflowBucket?.isFull(nowMilliseconds: nowMilliseconds) == true { overflowBucket = nil }
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
