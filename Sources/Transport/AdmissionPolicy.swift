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

/// What the admission policy decided.
public enum AdmissionDecision: Equatable, Sendable {
  case admit
  /// Refused, with a reason for the log.
  case refuse(reason: String)
}

/// Decides which CURVE clients may connect to a listener: allow-lists, bans, per-address caps.
/// The ZAP handler asks it once per connection, before any of the client's messages is read;
/// a refused client's messages never reach the transport.
///
/// It runs on the transport's thread and must return quickly.
public struct AdmissionPolicy: Sendable {
  public let decide: @Sendable (AdmissionRequest) -> AdmissionDecision

  public init(_ decide: @escaping @Sendable (AdmissionRequest) -> AdmissionDecision) {
    self.decide = decide
  }

  /// Admits every client that passes CURVE (the hello is checked afterwards all the same).
  public static let admitAll = AdmissionPolicy { _ in .admit }
}
