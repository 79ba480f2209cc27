import Wire

/// Why a hello was refused. The connection it came on delivers nothing until a valid hello.
public enum HelloRefusal: Error, Equatable, Sendable, CustomStringConvertible {
  /// The hello's version is not `Hello.version`.
  case unsupportedVersion(found: UInt16)
  /// The bytes are not a hello (wrong length or kind byte).
  case malformed(WireError)
  /// The first message on the connection was not a hello (or the listener forgot the
  /// connection's hello: a dialer that gets this refusal on an established connection says
  /// hello again).
  case expectedHello(kind: UInt8)
  /// The hello names another project.
  case wrongProject(found: ProjectID)
  /// The hello's CURVE key is not the key that ZeroMQ authenticated for this connection: the
  /// hello was made for (or taken from) another connection.
  case keyMismatch(helloKey: CurvePublicKey, connectionKey: CurvePublicKey)
  /// The hello's CURVE key is not the X25519 form of its Ed25519 key.
  case curveKeyNotDerived
  /// The hello's timestamp is further than the allowed skew from this peer's clock.
  case staleTimestamp(timestampMilliseconds: UInt64, nowMilliseconds: UInt64)
  /// The signature does not check against the hello's Ed25519 key.
  case badSignature
  /// The listener's admission rules ask for more proof of work than the hello's CURVE key
  /// carries (checked again at the hello; the ZAP handler refuses such a key first).
  case insufficientProofOfWork(bits: Int, required: Int)
  /// The listener bans this peer (its peer ID or its key).
  case banned

  /// The byte a `refusal` frame carries for each reason.
  public enum Code: UInt8, Sendable {
    case unsupportedVersion = 1
    case malformed = 2
    case expectedHello = 3
    case wrongProject = 4
    case keyMismatch = 5
    case curveKeyNotDerived = 6
    case staleTimestamp = 7
    case badSignature = 8
    case insufficientProofOfWork = 9
    case banned = 10
  }

  public var code: Code {
    switch self {
    case .unsupportedVersion: .unsupportedVersion
    case .malformed: .malformed
    case .expectedHello: .expectedHello
    case .wrongProject: .wrongProject
    case .keyMismatch: .keyMismatch
    case .curveKeyNotDerived: .curveKeyNotDerived
    case .staleTimestamp: .staleTimestamp
    case .badSignature: .badSignature
    case .insufficientProofOfWork: .insufficientProofOfWork
    case .banned: .banned
    }
  }

  public var description: String {
    switch self {
    case .unsupportedVersion(let found):
      "hello version \(found) is not supported (this peer speaks \(Hello.version))"
    case .malformed(let error):
      "malformed hello: \(error)"
    case .expectedHello(let kind):
      "the first message on a connection must be a hello; got a frame of kind \(kind)"
    case .wrongProject(let found):
      "the hello is for project \(found), not this one"
    case .keyMismatch(let helloKey, let connectionKey):
      "the hello names CURVE key \(helloKey), but the connection was authenticated with "
        + "\(connectionKey)"
    case .curveKeyNotDerived:
      "the hello's CURVE key is not derived from its Ed25519 key"
    case .staleTimestamp(let timestamp, let now):
      "the hello's timestamp \(timestamp) ms is "
        + "\(timestamp > now ? timestamp - now : now - timestamp) ms "
        + "\(timestamp > now ? "ahead of" : "behind") this peer's clock (\(now) ms)"
    case .badSignature:
      "the hello's signature does not verify"
    case .insufficientProofOfWork(let bits, let required):
      "the hello's CURVE key carries \(bits) bits of proof of work, \(required) required"
    case .banned:
      "the peer is banned"
    }
  }
}
