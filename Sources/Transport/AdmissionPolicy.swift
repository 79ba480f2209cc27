import Foundation
import Synchronization
import Wire

/// A client asking to connect, as the ZAP handler sees it once CURVE has checked its key.
public struct AdmissionRequest: Equatable, Sendable {
  /// The client's IP address, as ZeroMQ gives it (`127.0.0.1`, `::1`).
  public let address: String
  /// The CURVE key the client proved it holds.
  public let curveKey: CurvePublicKey

  public init(address: String, curveKey: CurvePublicKey) {
    self.address = address
    self.curveKey = curveKey
  }
}

/// Why the admission policy refused a client (the ZAP reply's status text, and the log).
public enum AdmissionRefusal: Equatable, Sendable, CustomStringConvertible {
  /// The address tried to connect faster than `connectionAttemptsPerSecond`.
  case tooManyAttempts
  /// The key is on the ban list (or belongs to a banned peer ID).
  case banned
  /// The project has an allow-list and the key is not on it.
  case notOnAllowList
  /// The key's work hash has fewer leading zero bits than the project asks for.
  case insufficientProofOfWork(bits: Int, required: Int)
  /// `peersPerAddressMax` connections from this address are admitted already.
  case tooManyFromAddress(maximum: Int)
  /// `peersPerSubnetMax` connections from this address's subnet are admitted already.
  case tooManyFromSubnet(maximum: Int)
  /// `AdmissionLedger.pendingAdmissionsMax` clients were admitted and have not spoken yet.
  case tooManyPending(maximum: Int)
  /// A caller-supplied rule refused it.
  case custom(String)

  public var description: String {
    switch self {
    case .tooManyAttempts: "too many connection attempts from this address"
    case .banned: "banned"
    case .notOnAllowList: "not on the allow-list"
    case .insufficientProofOfWork(let bits, let required):
      "proof of work of \(bits) bits, \(required) required"
    case .tooManyFromAddress(let maximum): "already \(maximum) connections from this address"
    case .tooManyFromSubnet(let maximum): "already \(maximum) connections from this subnet"
    case .tooManyPending(let maximum): "already \(maximum) admitted clients yet to say hello"
    case .custom(let reason): reason
    }
  }
}

/// What the admission policy decided.
public enum AdmissionDecision: Equatable, Sendable {
  case admit
  /// Refused, with the reason for the client and the log.
  case refuse(AdmissionRefusal)
}

/// The project-wide admission rules (`security.admission`): every field off by default.
public struct AdmissionRules: Equatable, Sendable {
  /// Leading zero bits the work hash of a client's CURVE key must have (`ProofOfWork`); 0: off.
  public var proofOfWorkBits = 0
  /// Connections admitted at once from one IP address; nil: no cap.
  public var peersPerAddressMax: Int?
  /// Connections admitted at once from one /24 (IPv4) or /56 (IPv6); nil: no cap.
  public var peersPerSubnetMax: Int?
  /// The only CURVE keys admitted; nil: every key.
  public var allowedKeys: Set<CurvePublicKey>?
  /// Connection attempts each address may make per second (a token bucket, counted as the
  /// listener accepts each TCP connection); nil: no limit.
  public var connectionAttemptsPerSecond: Double?
  /// Connection attempts each /24 (IPv4) or /56 (IPv6) may make per second, over all its
  /// addresses (a token bucket, counted at accept like the per-address one); nil: no limit.
  public var subnetConnectionAttemptsPerSecond: Double?
  /// How long an address that goes over `connectionAttemptsPerSecond` (or a subnet over
  /// `subnetConnectionAttemptsPerSecond`) stays blocked: its
  /// packets are dropped by the listener's kernel filter (`ListenerAddressFilter`), and whatever
  /// still gets through is shut down at accept and refused at the ZAP handler. 0: no block,
  /// only the attempts over the rate are shut down.
  public var overRateBlockMilliseconds: UInt64 = 0
  /// Messages each authenticated peer may deliver per second (a token bucket; the rest are
  /// dropped and counted, the connection stays); nil: no limit.
  public var messagesPerSecondPerPeer: Double?

  public init() {}

  /// The burst an address (or subnet) may attempt at once at `rate`: the attempts of one
  /// second, at least 2.
  static func attemptBurst(rate: Double) -> Double { max(2, rate.rounded(.up)) }
  /// The burst of messages a peer may deliver at once: two seconds' worth, at least 8.
  var messageBurst: Double { max(8, (2 * (messagesPerSecondPerPeer ?? 0)).rounded(.up)) }
  /// Whether connection attempts are limited, per address or per subnet.
  var isLimitingAttempts: Bool {
    connectionAttemptsPerSecond != nil || subnetConnectionAttemptsPerSecond != nil
  }
  /// Whether admitted connections are counted per address and subnet.
  var isCounting: Bool { peersPerAddressMax != nil || peersPerSubnetMax != nil }

  /// Stops the process on rules that make no sense (a caller's bug; the configuration checks
  /// what users write).
  func validate() {
    precondition((0...ProofOfWork.bitsMax).contains(proofOfWorkBits))
    precondition((peersPerAddressMax ?? 1) > 0 && (peersPerSubnetMax ?? 1) > 0)
    for rate in [
      connectionAttemptsPerSecond, subnetConnectionAttemptsPerSecond, messagesPerSecondPerPeer,
    ] {
      precondition((rate ?? 1) > 0 && (rate ?? 1).isFinite, "a rate is positive")
    }
  }
}

/// Decides which CURVE clients may connect to a listener: the project's `AdmissionRules`, a ban
/// list that can change at run time, and optionally a rule of the caller's. The ZAP handler
/// asks it once per connection, before any of the client's messages is read; a refused client's
/// messages never reach the transport. The rate limits and the per-address caps, which need
/// the listener's state, are applied by the transport (`AdmissionLedger`).
///
/// It is shared between the transport's thread and whoever bans peers; every method is
/// thread-safe and returns quickly.
public final class AdmissionPolicy: Sendable {
  /// The most keys and the most peer IDs the ban list holds (each).
  public static let bansMax = 1 << 20

  public let rules: AdmissionRules
  private let custom: (@Sendable (AdmissionRequest) -> AdmissionDecision)?
  private let bans = Mutex(BanList())

  private struct BanList {
    var keys: Set<CurvePublicKey> = []
    var peers: Set<PeerID> = []
  }

  /// A policy that applies `rules`, then `custom` (when given) to what they admit.
  public init(
    rules: AdmissionRules = AdmissionRules(),
    custom: (@Sendable (AdmissionRequest) -> AdmissionDecision)? = nil
  ) {
    rules.validate()
    self.rules = rules
    self.custom = custom
  }

  /// A policy of one rule of the caller's and nothing else.
  public convenience init(_ decide: @escaping @Sendable (AdmissionRequest) -> AdmissionDecision) {
    self.init(rules: AdmissionRules(), custom: decide)
  }

  /// Admits every client that passes CURVE (the hello is checked afterwards all the same).
  public static var admitAll: AdmissionPolicy { AdmissionPolicy() }

  // MARK: Bans

  /// Refuses `key` from now on (connections already admitted are not closed, but what they
  /// deliver afterwards is dropped once their peer is known). Returns false when the ban list
  /// is full (`bansMax`).
  @discardableResult
  public func ban(key: CurvePublicKey) -> Bool {
    bans.withLock { list in
      guard list.keys.count < Self.bansMax || list.keys.contains(key) else { return false }
      list.keys.insert(key)
      return true
    }
  }

  /// Refuses the peer `peer` from now on: at its hello (the ZAP handler sees only CURVE keys),
  /// after which its CURVE key is banned too. Returns false when the ban list is full.
  @discardableResult
  public func ban(peer: PeerID) -> Bool {
    bans.withLock { list in
      guard list.peers.count < Self.bansMax || list.peers.contains(peer) else { return false }
      list.peers.insert(peer)
      return true
    }
  }

  public func unban(key: CurvePublicKey) { _ = bans.withLock { $0.keys.remove(key) } }
  public func unban(peer: PeerID) { _ = bans.withLock { $0.peers.remove(peer) } }

  public func isBanned(key: CurvePublicKey) -> Bool { bans.withLock { $0.keys.contains(key) } }
  public func isBanned(peer: PeerID) -> Bool { bans.withLock { $0.peers.contains(peer) } }

  // MARK: Decisions

  /// The decision on `request` by the rules that need no state: bans, the allow-list, the
  /// proof of work, then the caller's rule. One set lookup under a lock and one hash.
  public func decide(_ request: AdmissionRequest) -> AdmissionDecision {
    if isBanned(key: request.curveKey) { return .refuse(.banned) }
    if let allowed = rules.allowedKeys, !allowed.contains(request.curveKey) {
      return .refuse(.notOnAllowList)
    }
    if rules.proofOfWorkBits > 0 {
      let bits = ProofOfWork.bits(of: request.curveKey)
      if bits < rules.proofOfWorkBits {
        return .refuse(.insufficientProofOfWork(bits: bits, required: rules.proofOfWorkBits))
      }
    }
    return custom?(request) ?? .admit
  }

  /// The listener's second look, at a valid hello (defence in depth: the ZAP handler checked
  /// the same key already): the peer's ban and the proof of work. A banned peer's CURVE key is
  /// banned too, so that its next connection is refused by the ZAP handler.
  func checkHello(peer: PeerID, curveKey: CurvePublicKey) -> HelloRefusal? {
    if isBanned(peer: peer) {
      ban(key: curveKey)
      return .banned
    }
    if isBanned(key: curveKey) { return .banned }
    if rules.proofOfWorkBits > 0 {
      let bits = ProofOfWork.bits(of: curveKey)
      if bits < rules.proofOfWorkBits {
        return .insufficientProofOfWork(bits: bits, required: rules.proofOfWorkBits)
      }
    }
    return nil
  }
}
