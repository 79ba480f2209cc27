import Wire

/// Why an update or a partial aggregate was not counted.
public enum ContributionRejection: Hashable, Sendable, CustomStringConvertible {
  case wrongRound(expected: UInt64?, received: UInt64)
  case notAssigned
  case duplicate
  case late
  case wrongLength(expected: Int, received: Int)
  case nonFinite
  case weightOutOfRange(UInt64)
  case trainerNotInGroup(PeerID)
  case trainerCountedTwice(PeerID)
  /// The project signs contributions, and this one came unsigned.
  case unsigned
  /// The signature does not verify, or was made by someone other than the sender.
  case forgedSignature
  /// A partial forwards an update of `trainer` that the trainer did not sign as it stands: its
  /// aggregator altered (or made up) the values, the weight or the round.
  case alteredUpdate(PeerID)
  /// A signed message this node already received (the same author and nonce).
  case replayed
  /// An aggregator's judgements of its trainers: not one per trainer, or not a cosine in [-1, 1].
  case judgementOutOfRange
  /// An audited partial is not the sum of the signed updates its aggregator sent for it (or
  /// one of them is not the update its receipt names).
  case auditFailed

  public var description: String {
    switch self {
    case .wrongRound(let expected, let received):
      "round \(received) is not the open round (\(expected.map(String.init) ?? "none"))"
    case .notAssigned: "sender is not assigned to this round"
    case .duplicate: "sender already contributed to this round"
    case .late: "arrived after the deadline"
    case .wrongLength(let expected, let received): "\(received) values, expected \(expected)"
    case .nonFinite: "contains NaN or infinity"
    case .weightOutOfRange(let weight): "weight \(weight) out of range"
    case .trainerNotInGroup(let peer): "\(peer) is not in the sender's group"
    case .trainerCountedTwice(let peer): "\(peer) is already counted in another partial"
    case .unsigned: "unsigned, and the project signs every contribution"
    case .forgedSignature: "signature does not verify under the sender's key"
    case .alteredUpdate(let peer): "update of \(peer) altered: its signature does not verify"
    case .replayed: "replayed: this signed message was already received"
    case .judgementOutOfRange: "judgements not one per trainer, or outside [-1, 1]"
    case .auditFailed: "audit failed: the partial is not the sum of its signed updates"
    }
  }
}

extension ContributionRejection {
  /// Whether the rejected contribution was the sender's answer for the open round (it was
  /// assigned, on time, and sent something unusable), so nobody waits for it any longer. A
  /// wrong round, a sender not assigned, a duplicate or a late arrival leaves the round as it was.
  public var closesTheSendersTurn: Bool {
    switch self {
    case .wrongLength, .nonFinite, .weightOutOfRange, .trainerNotInGroup, .trainerCountedTwice,
      .unsigned, .forgedSignature, .alteredUpdate, .judgementOutOfRange, .auditFailed:
      true
    case .wrongRound, .notAssigned, .duplicate, .late, .replayed: false
    }
  }
}

/// Checks shared by both sides: the vector must have the model's length and finite values.
func validateValues(_ values: [Float], length: Int) -> ContributionRejection? {
  guard values.count == length else {
    return .wrongLength(expected: length, received: values.count)
  }
  for value in values where !value.isFinite { return .nonFinite }
  return nil
}
