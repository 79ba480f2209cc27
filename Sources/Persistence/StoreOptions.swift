import Wire

/// The bounds a store checks on every write and every read.
///
/// Each is a named maximum: a batch beyond one is refused whole (`limitExceeded`), and a file
/// beyond one is reported rather than read (a store written with larger limits than a reader's
/// is refused by that reader, never half read).
public struct StoreLimits: Hashable, Sendable {
  /// Values of one model: as many as one model message carries.
  public var modelValuesMax = RoundLimits.valuesMax
  /// Models held (acknowledged, not committed) at once.
  public var heldModelsMax = 16
  /// Council log entries stored.
  public var logEntriesMax = 1 << 20
  /// The wire encoding of one log entry (a round start that assigns the most trainers a round
  /// may have, 100,000, encodes to about 6.4 MB).
  public var logEntryBytesMax = 8 << 20
  /// A council snapshot's state.
  public var snapshotBytesMax = 64 << 20
  /// Known peers kept; beyond it the ones heard from longest ago are forgotten.
  public var knownPeersMax = 100_000
  /// Privacy accountants with a recorded spend.
  public var privacyAccountantsMax = 256
  /// The UTF-8 bytes of one accountant's name.
  public var privacyAccountantBytesMax = 128
  /// Operations in one batch.
  public var operationsPerWriteMax = 4096

  public init() {}
}

/// How a store keeps models and checks its file.
public struct StoreOptions: Hashable, Sendable {
  /// How much of the file `SQLiteStore` reads at open to check it.
  public enum IntegrityCheck: Hashable, Sendable {
    /// `PRAGMA quick_check`: every page and record, O(file size), without cross-checking
    /// indexes against their tables.
    case quick
    /// `PRAGMA integrity_check`: the quick check plus index consistency; slower on big stores.
    case full
  }

  /// The most committed models a store may be asked to keep.
  public static let committedModelsKeptMax = 64

  /// Committed models kept, the newest first; older ones are pruned when a round commits.
  public var committedModelsKept: Int
  public var integrityCheck: IntegrityCheck
  public var limits: StoreLimits

  /// - Precondition: `committedModelsKept` in `1...committedModelsKeptMax` (configuration
  ///   loading checks it).
  public init(
    committedModelsKept: Int = 3, integrityCheck: IntegrityCheck = .quick,
    limits: StoreLimits = StoreLimits()
  ) {
    precondition(
      (1...Self.committedModelsKeptMax).contains(committedModelsKept),
      "committedModelsKept \(committedModelsKept) outside 1...\(Self.committedModelsKeptMax)")
    self.committedModelsKept = committedModelsKept
    self.integrityCheck = integrityCheck
    self.limits = limits
  }
}
