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
    }
  }
}

extension ContributionRejection {
  /// Whether the rejected contribution was the sender's answer for the open round (it was
  /// assigned, on time, and sent something unusable), so nobody waits for it any longer. A
  /// wrong round, a sender not assigned, a duplicate or a late arrival leaves the round as it was.
  public var closesTheSendersTurn: Bool {
    switch self {
    case .wrongLength, .nonFinite, .weightOutOfRange, .trainerNotInGroup, .trainerCountedTwice:
      true
    case .wrongRound, .notAssigned, .duplicate, .late: false
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
