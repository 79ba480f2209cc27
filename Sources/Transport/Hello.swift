import Identity
import Wire

/// A peer's first message on a connection: it proves which Ed25519 identity speaks on this
/// ZeroMQ connection and for which project.
///
/// CURVE has already proved that the sender holds the secret of the connection's CURVE key;
/// the hello binds that key to the sender's Ed25519 key (the signature covers it) and the
/// Ed25519 key names the peer (`PeerID(publicKey:)`). A hello taken from one connection fails
/// on any other, because the other connection's CURVE key differs.
///
/// Layout (171 bytes, integers little-endian):
///
///     offset  size  field
///     0       1     kind: 1 (`TransportFrameKind.hello`)
///     1       2     version: 1 (`Hello.version`)
///     3       32    project ID
///     35      32    Ed25519 public key of the sender
///     67      32    CURVE (X25519) public key of the sender on this connection
///     99      8     timestamp: milliseconds since 1970-01-01 00:00 UTC
///     107     64    Ed25519 signature of `signatureDomain` followed by bytes 0..<107
public struct Hello: Equatable, Sendable {
  /// The hello version this peer writes and the only one it reads.
  public static let version: UInt16 = 1
  /// The length of a hello: 171 bytes.
  public static let frameBytes =
    1 + 2 + ProjectID.byteCount + 2 * PublicKey.byteCount + 8
    + Signature.byteCount
  /// The bytes before the signature, which the signature covers.
  static let signedFieldBytes = frameBytes - Signature.byteCount
  /// What the signature's message starts with, so that a hello signature can never be taken
  /// for the signature of any other Starling message: the 24 ASCII bytes
  /// `starling/transport/hello`.
  public static let signatureDomain: [UInt8] = Array("starling/transport/hello".utf8)

  public let version: UInt16
  public let projectID: ProjectID
  public let signingKey: PublicKey
  public let curveKey: CurvePublicKey
  public let timestampMilliseconds: UInt64
  public let signature: Signature

  /// A hello from its fields as they are (decoded, or forged in a test); `check` decides
  /// whether it is valid.
  public init(
    version: UInt16, projectID: ProjectID, signingKey: PublicKey, curveKey: CurvePublicKey,
    timestampMilliseconds: UInt64, signature: Signature
  ) {
    self.version = version
    self.projectID = projectID
    self.signingKey = signingKey
    self.curveKey = curveKey
    self.timestampMilliseconds = timestampMilliseconds
    self.signature = signature
  }

  /// The hello that `keyPair` sends on its connections in `projectID` at `timestampMilliseconds`:
  /// its CURVE key is the X25519 form of the Ed25519 key.
  public init(signedBy keyPair: SigningKeyPair, projectID: ProjectID, timestampMilliseconds: UInt64)
  {
    let curveKey = CurvePublicKey(bytes: keyPair.curvePublicKeyBytes)!
    let signedFields = Self.encodeSignedFields(
      version: Self.version, projectID: projectID, signingKey: keyPair.publicKey,
      curveKey: curveKey, timestampMilliseconds: timestampMilliseconds)
    self.init(
      version: Self.version, projectID: projectID, signingKey: keyPair.publicKey,
      curveKey: curveKey, timestampMilliseconds: timestampMilliseconds,
      signature: keyPair.sign(Self.signatureDomain + signedFields))
  }

  /// The hello in a frame received from a peer.
  ///
  /// Throws `unsupportedVersion` for another version (whatever its length), `malformed` for
  /// bytes that are not exactly one hello.
  public init(frame bytes: [UInt8]) throws(HelloRefusal) {
    do throws(WireError) {
      self = try Hello(wireBytes: bytes[...])
    } catch .unsupportedVersion(let found) {
      throw .unsupportedVersion(found: found)
    } catch {
      throw .malformed(error)
    }
  }

  /// The message the signature covers: `signatureDomain` and the 107 bytes before the signature.
  public var signedMessage: [UInt8] {
    Self.signatureDomain
      + Self.encodeSignedFields(
        version: version, projectID: projectID, signingKey: signingKey, curveKey: curveKey,
        timestampMilliseconds: timestampMilliseconds)
  }

  /// The sender's peer ID if this hello is valid on a connection that ZeroMQ authenticated with
  /// `connectionKey`, for `projectID`, at `nowMilliseconds`; otherwise the reason it is not.
  ///
  /// The cheap checks run first and the signature last, so a flood of junk hellos costs no
  /// signature checks.
  public func check(
    projectID expectedProject: ProjectID, connectionKey: CurvePublicKey, nowMilliseconds: UInt64,
    clockSkewMillisecondsMax: UInt64
  ) throws(HelloRefusal) -> PeerID {
    guard version == Self.version else { throw .unsupportedVersion(found: version) }
    guard projectID == expectedProject else { throw .wrongProject(found: projectID) }
    guard curveKey == connectionKey else {
      throw .keyMismatch(helloKey: curveKey, connectionKey: connectionKey)
    }
    guard signingKey.curveBytes() == curveKey.bytes else { throw .curveKeyNotDerived }
    let skew =
      timestampMilliseconds > nowMilliseconds
      ? timestampMilliseconds - nowMilliseconds : nowMilliseconds - timestampMilliseconds
    guard skew <= clockSkewMillisecondsMax else {
      throw .staleTimestamp(
        timestampMilliseconds: timestampMilliseconds, nowMilliseconds: nowMilliseconds)
    }
    guard signingKey.verify(signature: signature, message: signedMessage) else {
      throw .badSignature
    }
    return PeerID(publicKey: signingKey)
  }

  /// Bytes 0..<107 of the layout.
  private static func encodeSignedFields(
    version: UInt16, projectID: ProjectID, signingKey: PublicKey, curveKey: CurvePublicKey,
    timestampMilliseconds: UInt64
  ) -> [UInt8] {
    var encoder = WireEncoder(capacity: frameBytes)
    encoder.encode(TransportFrameKind.hello.rawValue)
    encoder.encode(version)
    encoder.encode(fixedBytes: projectID.bytes)
    encoder.encode(fixedBytes: signingKey.bytes)
    encoder.encode(fixedBytes: curveKey.bytes)
    encoder.encode(timestampMilliseconds)
    return encoder.bytes
  }
}

extension Hello: WireCodable {
  /// Every hello is `frameBytes` long.
  public static let encodedBytesMin = frameBytes

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(
      fixedBytes: Self.encodeSignedFields(
        version: version, projectID: projectID, signingKey: signingKey, curveKey: curveKey,
        timestampMilliseconds: timestampMilliseconds))
    encoder.encode(fixedBytes: signature.bytes)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    let kind = try decoder.decode(UInt8.self)
    guard kind == TransportFrameKind.hello.rawValue else {
      throw .invalidValue(field: "Hello.kind", reason: "kind \(kind) is not a hello")
    }
    let version = try decoder.decode(UInt16.self)
    guard version == Self.version else { throw .unsupportedVersion(found: version) }
    self.init(
      version: version,
      projectID: ProjectID(bytes: try decoder.decode(fixedBytes: ProjectID.byteCount))!,
      signingKey: PublicKey(bytes: try decoder.decode(fixedBytes: PublicKey.byteCount))!,
      curveKey: CurvePublicKey(bytes: try decoder.decode(fixedBytes: CurvePublicKey.byteCount))!,
      timestampMilliseconds: try decoder.decode(UInt64.self),
      signature: Signature(bytes: try decoder.decode(fixedBytes: Signature.byteCount))!)
  }
}
