import Wire

/// What a rumour says about a member, ordered by SWIM's precedence: a higher incarnation wins;
/// at equal incarnation `left` > `dead` > `suspect` > `alive`. Only the member itself raises its
/// incarnation (to refute), so a newer statement from it beats any older statement about it, while
/// a suspicion at the member's current incarnation beats its own older `alive`.
public struct MemberVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var status: MemberStatus
  public var incarnation: UInt64

  public init(status: MemberStatus, incarnation: UInt64) {
    self.status = status
    self.incarnation = incarnation
  }

  public init(_ update: MemberUpdate) {
    self.init(status: update.status, incarnation: update.incarnation)
  }

  public static func < (lhs: MemberVersion, rhs: MemberVersion) -> Bool {
    (lhs.incarnation, lhs.status.rawValue) < (rhs.incarnation, rhs.status.rawValue)
  }

  /// Whether a rumour carrying `self` replaces what is known as `other`.
  public func supersedes(_ other: MemberVersion) -> Bool { self > other }

  public var description: String { "\(status)@\(incarnation)" }
}
