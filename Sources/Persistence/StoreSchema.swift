/// The tables of a store, and the marks that tell a Starling store from any other file.
///
/// Integers are SQLite's signed 64-bit integers holding the `UInt64`'s bit pattern; the columns
/// the store orders by (`log_index`, `round`) hold values below 2^63, checked on write. Peer IDs
/// and digests are their 32-byte wire encoding. Tables are `STRICT`, so SQLite itself refuses a
/// value of the wrong type.
enum StoreSchema {
  /// The schema this version writes, and the only one it reads. Versions 2 and 3 have the
  /// tables of version 1; in version 2 log entries carry a round start's seed commitment and a
  /// commit's judgements, in version 3 a role assignment's absent members, in version 4 a
  /// commit's outer-optimizer state digest, which an older log lacks, and version 4 adds the
  /// `outer_state` table; in version 5 a log entry carries its leader's signature (nothing
  /// migrates an older store: there was no release).
  static let version: Int64 = 5

  /// "STLG": the header's application ID, which marks a file as a Starling store.
  static let applicationID: Int32 = 0x5354_4C47

  /// Creates the current version (run once, in the transaction that creates the file).
  static let creation = """
    CREATE TABLE schema_version (
      version INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE council_state (
      singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
      term INTEGER NOT NULL,
      voted_for BLOB CHECK (voted_for IS NULL OR length(voted_for) = 32),
      applied_index INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE council_log (
      log_index INTEGER PRIMARY KEY CHECK (log_index >= 1),
      term INTEGER NOT NULL,
      checksum INTEGER NOT NULL,
      entry BLOB NOT NULL
    ) STRICT;
    CREATE TABLE council_snapshot (
      singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
      last_index INTEGER NOT NULL CHECK (last_index >= 1),
      last_term INTEGER NOT NULL,
      checksum INTEGER NOT NULL,
      state BLOB NOT NULL
    ) STRICT;
    CREATE TABLE models (
      round INTEGER NOT NULL CHECK (round >= 0),
      digest BLOB NOT NULL CHECK (length(digest) = 32),
      is_committed INTEGER NOT NULL CHECK (is_committed IN (0, 1)),
      value_count INTEGER NOT NULL CHECK (value_count >= 0),
      checksum INTEGER NOT NULL,
      value_bytes BLOB NOT NULL,
      PRIMARY KEY (round, digest)
    ) STRICT;
    CREATE INDEX models_by_commitment ON models (is_committed, round);
    CREATE TABLE outer_state (
      singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
      round INTEGER NOT NULL CHECK (round >= 0),
      model BLOB NOT NULL CHECK (length(model) = 32),
      value_count INTEGER NOT NULL CHECK (value_count >= 0),
      checksum INTEGER NOT NULL,
      value_bytes BLOB NOT NULL
    ) STRICT;
    CREATE TABLE node_progress (
      singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
      last_started_round INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE known_peers (
      peer BLOB PRIMARY KEY CHECK (length(peer) = 32),
      address TEXT NOT NULL,
      last_seen_milliseconds INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX known_peers_by_last_seen ON known_peers (last_seen_milliseconds);
    CREATE TABLE privacy_spent (
      accountant TEXT PRIMARY KEY,
      epsilon REAL NOT NULL CHECK (epsilon >= 0)
    ) STRICT;
    """

  // A later version adds its migration from the one before here, run in one transaction at open
  // when the stored version is older; version 1 is the first, so there is none yet.
}
