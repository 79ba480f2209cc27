import Wire

/// A broken safety property, with the virtual time it was seen.
public struct InvariantViolation: Hashable, Sendable, CustomStringConvertible {
  public var virtualMilliseconds: UInt64
  public var message: String
  public var description: String { "t=\(virtualMilliseconds) ms: \(message)" }
}

/// Checks the protocol's safety properties on every step of a run:
/// - at most one coordinator per term;
/// - a committed round never changes or disappears (every peer that reports round r reports
///   the same model digest, and a peer's committed rounds only grow);
/// - every update is counted at most once (no trainer twice in one commit);
/// - a peer that reports a committed model holds exactly those bytes;
/// - after the fault phase, rounds resume within the stated bound (`observeStall`);
/// - every message sent decodes from its wire encoding (`observeUndecodable`).
public struct InvariantChecker: Sendable {
  public private(set) var violations: [InvariantViolation] = []
  private var digests: [UInt64: Digest] = [:]
  private var leaders: [UInt64: PeerID] = [:]
  private var lastCommitted: [PeerID: UInt64] = [:]

  public init() {}

  /// The highest round any peer committed.
  public var highestCommittedRound: UInt64 { digests.keys.max() ?? 0 }

  public mutating func observeLeader(_ peer: PeerID, term: UInt64, now: UInt64) {
    if let existing = leaders[term], existing != peer {
      record(now, "two coordinators in term \(term): \(existing) and \(peer)")
    }
    leaders[term] = peer
  }

  public mutating func observeCommit(
    _ commit: RoundCommit, by peer: PeerID, holding model: [Float], now: UInt64
  ) {
    if let known = digests[commit.round], known != commit.model {
      record(
        now,
        "round \(commit.round) committed with two different models (\(known) and \(commit.model))")
    }
    digests[commit.round] = commit.model
    if let last = lastCommitted[peer], commit.round <= last {
      record(now, "\(peer) committed round \(commit.round) after round \(last)")
    }
    lastCommitted[peer] = commit.round
    if Set(commit.trainers).count != commit.trainers.count {
      record(now, "round \(commit.round) counts a trainer twice")
    }
    if Digest.of(values: model) != commit.model {
      record(now, "\(peer) reports round \(commit.round) but holds other bytes")
    }
  }

  /// Records a liveness failure: no commit between `since` and `now`.
  public mutating func observeStall(since: UInt64, now: UInt64, bound: UInt64) {
    record(now, "no round committed for \(now - since) ms after faults stopped (bound \(bound) ms)")
  }

  /// Records a message whose wire encoding did not decode: the codec is broken.
  public mutating func observeUndecodable(
    from sender: PeerID, to receiver: PeerID, bytes: Int, error: WireError, now: UInt64
  ) {
    record(now, "\(receiver) could not decode \(bytes) bytes from \(sender): \(error)")
  }

  private mutating func record(_ now: UInt64, _ message: String) {
    violations.append(InvariantViolation(virtualMilliseconds: now, message: message))
  }
}
