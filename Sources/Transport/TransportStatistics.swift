import Synchronization

/// Counters a transport keeps for its operator and its tests, read from any thread.
public final class TransportStatistics: Sendable {
  /// The counters at one moment.
  public struct Snapshot: Equatable, Sendable {
    /// Inbound connections that count against `peersPerAddressMax` now (admitted and not yet
    /// closed; 0 when no cap is set).
    public var admittedConnections = 0
    /// ZAP requests the admission policy admitted.
    public var admittedAdmissions = 0
    /// ZAP requests the admission policy refused.
    public var refusedAdmissions = 0
    /// Accepted connections shut down before their handshake, over the attempt rate.
    public var shutDownAtAccept = 0
    /// Addresses and subnets blocked now for going over their attempt rate
    /// (`overRateBlockMilliseconds`).
    public var blockedAddresses = 0
    /// Blocks ever begun, of addresses and of subnets.
    public var addressBlocks = 0
    /// Whether the kernel filter holds the blocked addresses now (false: it could not be
    /// found or installed, and blocked addresses are only shut down at accept).
    public var isAddressFilterInstalled = false
    /// Messages dropped over `messagesPerSecondPerPeer`.
    public var rateLimitedMessages = 0
    /// Messages dropped because their peer is banned.
    public var bannedMessagesDropped = 0
  }

  private let counters = Mutex(Snapshot())

  init() {}

  public var snapshot: Snapshot { counters.withLock { $0 } }

  func update(_ body: (inout Snapshot) -> Void) {
    counters.withLock { body(&$0) }
  }
}
