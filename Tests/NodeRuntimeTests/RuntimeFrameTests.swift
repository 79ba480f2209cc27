import Node
import NodeRuntime
import Testing
import Wire

/// `RuntimeFrame`, the frame every transport message between nodes carries: the test vectors of
/// docs/protocol.md ("Node messages", computed independently with Python's `struct`), a round
/// trip of every case, the bounds at and one past their limits, and malformed bytes as
/// `WireError`s.
struct RuntimeFrameTests {
  /// A contact of 55 bytes (the key is RFC 32's example CURVE public key).
  static let contact = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7@127.0.0.1:7000"
  static let contactHex =
    "72713a724d3e7d553f404c6e7334374531256b522e6f406e2546636d6d734c2f407b48385d796637"
    + "403132372e302e302e313a37303030"
  /// The peer whose 32 ID bytes are 0x00, 0x01, ..., 0x1f.
  static let peer = PeerID(hexadecimal: (0..<32).map { hexByte(UInt8($0)) }.joined())!
  static let profile = PeerProfile(
    capacity: Capacity(samplesPerSecond: 1_000, bandwidthBytesPerSecond: 12_500_000),
    uptimeMilliseconds: 60_000, isReachable: true)

  static func hexByte(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16)
    return digits.count == 1 ? "0" + digits : digits
  }

  static func hex(_ bytes: [UInt8]) -> String { bytes.map(hexByte).joined() }

  static func bytes(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8)
    return stride(from: 0, to: digits.count, by: 2).map {
      UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
    }
  }

  static func decode(_ bytes: [UInt8]) -> Result<RuntimeFrame, WireError> {
    Result { () throws(WireError) in try RuntimeFrame(wireBytes: bytes[...]) }
  }

  // MARK: Test vectors

  @Test func statusRequestOneIsItsDocumentedBytes() {
    #expect(Self.hex(RuntimeFrame.statusRequest(request: 1).wireBytes) == "030100000000000000")
  }

  @Test func announceWithAFixedProfileIsItsDocumentedBytes() {
    let frame = RuntimeFrame.announce(Announcement(contact: Self.contact, profile: Self.profile))
    #expect(
      Self.hex(frame.wireBytes)
        == "0101" + "37000000" + Self.contactHex + "00007a44" + "20bc3e4b" + "60ea000000000000"
        + "01")
  }

  @Test func announceWithoutAContactIsItsDocumentedBytes() {
    let profile = PeerProfile(
      capacity: Capacity(samplesPerSecond: 250, bandwidthBytesPerSecond: 12_500_000),
      uptimeMilliseconds: 0, isReachable: false)
    let frame = RuntimeFrame.announce(Announcement(contact: nil, profile: profile))
    #expect(
      Self.hex(frame.wireBytes) == "0100" + "00007a43" + "20bc3e4b" + "0000000000000000" + "00")
  }

  @Test func otherCasesAreTheirDocumentedBytes() {
    #expect(
      Self.hex(RuntimeFrame.protocolMessage(.council(.vote(term: 3, granted: true))).wireBytes)
        == "000101030000000000000001")
    #expect(
      Self.hex(
        RuntimeFrame.directory([DirectoryEntry(peer: Self.peer, contact: Self.contact)]).wireBytes)
        == "02" + "01000000" + Self.hex((0..<32).map { UInt8($0) }) + "37000000" + Self.contactHex)
    #expect(
      Self.hex(RuntimeFrame.statusReply(request: 7, json: #"{"round":0}"#).wireBytes)
        == "04" + "0700000000000000" + "0b000000" + "7b22726f756e64223a307d")
    #expect(RuntimeFrame.leaving.wireBytes == [5])
    #expect(
      Self.hex(RuntimeFrame.probe(request: 2, replyBytes: 8, paddingBytes: 4).wireBytes)
        == "06" + "0200000000000000" + "08000000" + "01000000" + "00000000")
    #expect(
      Self.hex(RuntimeFrame.probeReply(request: 2, paddingBytes: 8).wireBytes)
        == "07" + "0200000000000000" + "02000000" + "0000000000000000")
  }

  // MARK: Round trips

  static let everyCase: [RuntimeFrame] = [
    .protocolMessage(.council(.vote(term: 3, granted: false))),
    .protocolMessage(.round(.update(round: 2, weight: 64, values: [1, -2.5, .infinity]))),
    .announce(Announcement(contact: contact, profile: profile)),
    .announce(Announcement(contact: nil, profile: profile)),
    .directory([]),
    .directory([DirectoryEntry(peer: peer, contact: contact)]),
    .statusRequest(request: 0),
    .statusRequest(request: .max),
    .statusReply(request: 1, json: ""),
    .statusReply(request: 42, json: #"{"members":[],"peer":"é"}"#),
    .leaving,
    .probe(request: 1, replyBytes: 0, paddingBytes: 0),
    .probe(request: 9, replyBytes: 1 << 20, paddingBytes: 64),
    .probeReply(request: 9, paddingBytes: 1 << 20),
  ]

  @Test(arguments: everyCase)
  func everyCaseRoundTrips(frame: RuntimeFrame) throws {
    #expect(try RuntimeFrame(wireBytes: frame.wireBytes[...]) == frame)
    #expect(frame.wireBytes.count >= RuntimeFrame.encodedBytesMin)
  }

  @Test func boundsRoundTripAtTheirLimits() throws {
    let longestContact = String(repeating: "c", count: RuntimeFrame.contactBytesMax)
    let longestJSON = String(repeating: " ", count: RuntimeFrame.statusJSONBytesMax)
    let fullDirectory = (0..<UInt64(RuntimeFrame.directoryEntriesMax)).map {
      DirectoryEntry(peer: PeerID(simulatedIndex: $0), contact: Self.contact)
    }
    let frames: [RuntimeFrame] = [
      .announce(Announcement(contact: longestContact, profile: Self.profile)),
      .directory([DirectoryEntry(peer: Self.peer, contact: longestContact)]),
      .directory(fullDirectory),
      .statusReply(request: 1, json: longestJSON),
      .probe(
        request: 1, replyBytes: RuntimeFrame.probeBytesMax, paddingBytes: RuntimeFrame.probeBytesMax
      ),
      .probeReply(request: 1, paddingBytes: RuntimeFrame.probeBytesMax),
    ]
    for frame in frames {
      #expect(try RuntimeFrame(wireBytes: frame.wireBytes[...]) == frame)
    }
  }

  // MARK: Malformed bytes

  @Test(arguments: [8, 9, 0x80, 0xff] as [UInt8])
  func unknownTagThrows(tag: UInt8) {
    #expect(Self.decode([tag]).failure == .unknownTag(type: "RuntimeFrame", tag: tag))
  }

  /// Found by `make fuzz` (Fuzz/corpus/runtime-frame/finding-nonZeroPadding): padding with a
  /// non-zero float decoded, and re-encoded as zeros, a second encoding of one frame.
  @Test func paddingThatIsNotZeroThrows() throws {
    let finding: [UInt8] =
      [7] + Array("Optional".utf8) + [2, 0, 0, 0] + Array(repeating: 0, count: 7) + [1]
    #expect(
      Self.decode(finding).failure == .invalidValue(field: "padding", reason: "not all zero"))
    let negativeZero: [UInt8] = [7] + Array(repeating: 0, count: 8) + [1, 0, 0, 0, 0, 0, 0, 0x80]
    #expect(
      Self.decode(negativeZero).failure
        == .invalidValue(field: "padding", reason: "not all zero"))
    let zeros: [UInt8] = [7] + Array(repeating: 0, count: 8) + [1, 0, 0, 0, 0, 0, 0, 0]
    #expect(try RuntimeFrame(wireBytes: zeros[...]) == .probeReply(request: 0, paddingBytes: 4))
  }

  @Test func aProbeAskingForTooMuchOrAPartialFloatThrows() {
    let tooMuch = UInt32(RuntimeFrame.probeBytesMax + 4)
    var bytes: [UInt8] = [6] + Array(repeating: 0, count: 8)
    withUnsafeBytes(of: tooMuch.littleEndian) { bytes += $0 }
    bytes += [0, 0, 0, 0]
    #expect(
      Self.decode(bytes).failure
        == .invalidValue(
          field: "replyBytes",
          reason: "\(tooMuch) is not a multiple of 4 up to \(RuntimeFrame.probeBytesMax)"))
    let odd: [UInt8] = [6] + Array(repeating: 0, count: 8) + [3, 0, 0, 0] + [0, 0, 0, 0]
    #expect(Self.decode(odd).failure != nil)
    let padding = UInt32(RuntimeFrame.probeBytesMax / 4 + 1)
    var long: [UInt8] = [7] + Array(repeating: 0, count: 8)
    withUnsafeBytes(of: padding.littleEndian) { long += $0 }
    #expect(
      Self.decode(long).failure
        == .lengthTooLarge(
          field: "padding", length: Int(padding), maximum: RuntimeFrame.probeBytesMax / 4))
  }

  @Test func emptyAndTruncatedFramesThrow() {
    #expect(Self.decode([]).failure == .truncated(needed: 1, available: 0))
    #expect(
      Self.decode(Self.bytes("03010000000000")).failure == .truncated(needed: 8, available: 6))
    let announce = RuntimeFrame.announce(Announcement(contact: Self.contact, profile: Self.profile))
      .wireBytes
    for length in 1..<announce.count {
      guard case .truncated = Self.decode(Array(announce.prefix(length))).failure else {
        Issue.record("an announce cut to \(length) bytes did not throw truncated")
        continue
      }
    }
    let reply = RuntimeFrame.statusReply(request: 1, json: "{}").wireBytes
    #expect(Self.decode(Array(reply.dropLast())).failure == .truncated(needed: 2, available: 1))
  }

  @Test func trailingBytesThrow() {
    #expect(Self.decode([5, 0]).failure == .trailingBytes(count: 1))
    #expect(Self.decode(Self.bytes("03010000000000000000")).failure == .trailingBytes(count: 1))
  }

  @Test(arguments: ["0000c07f", "0000807f", "000080bf", "0000c0ff"])
  func capacityThatIsNotFiniteAndNonNegativeThrows(floatHex: String) {
    let reason = "not a finite, non-negative number"
    let samples = Self.bytes("0100" + floatHex + "20bc3e4b" + "0000000000000000" + "00")
    #expect(Self.decode(samples).failure == .invalidValue(field: "capacity", reason: reason))
    let bandwidth = Self.bytes("0100" + "00007a44" + floatHex + "0000000000000000" + "00")
    #expect(Self.decode(bandwidth).failure == .invalidValue(field: "capacity", reason: reason))
  }

  @Test func booleanBytesOtherThanZeroOrOneThrow() {
    #expect(
      Self.decode(Self.bytes("0102"))
        .failure == .invalidValue(field: "hasContact", reason: "boolean byte 2 is not 0 or 1"))
    #expect(
      Self.decode(Self.bytes("0100" + "00007a44" + "20bc3e4b" + "0000000000000000" + "ff"))
        .failure == .invalidValue(field: "isReachable", reason: "boolean byte 255 is not 0 or 1"))
  }

  @Test func lengthsOnePastTheirLimitsThrow() {
    var contact = WireEncoder()
    contact.encode(UInt8(1))
    contact.encode(true)
    contact.encode(UInt32(RuntimeFrame.contactBytesMax + 1))
    #expect(
      Self.decode(contact.bytes).failure
        == .lengthTooLarge(field: "contact", length: 401, maximum: RuntimeFrame.contactBytesMax))
    var directory = WireEncoder()
    directory.encode(UInt8(2))
    directory.encode(UInt32(RuntimeFrame.directoryEntriesMax + 1))
    #expect(
      Self.decode(directory.bytes).failure
        == .lengthTooLarge(
          field: "directory", length: 4_097, maximum: RuntimeFrame.directoryEntriesMax))
    var reply = WireEncoder()
    reply.encode(UInt8(4))
    reply.encode(UInt64(1))
    reply.encode(UInt32(RuntimeFrame.statusJSONBytesMax + 1))
    #expect(
      Self.decode(reply.bytes).failure
        == .lengthTooLarge(
          field: "status", length: (1 << 20) + 1, maximum: RuntimeFrame.statusJSONBytesMax))
  }

  @Test func aForgedDirectoryCountCannotOutrunTheBytes() {
    // 4,096 entries claimed, none present: refused before anything is allocated.
    var directory = WireEncoder()
    directory.encode(UInt8(2))
    directory.encode(UInt32(RuntimeFrame.directoryEntriesMax))
    guard case .truncated = Self.decode(directory.bytes).failure else {
      Issue.record("a forged directory count did not throw truncated")
      return
    }
  }

  @Test func invalidUTF8InTheStatusJSONThrows() {
    let bytes = Self.bytes("04" + "0100000000000000" + "02000000" + "c328")
    #expect(
      Self.decode(bytes).failure == .invalidValue(field: "status", reason: "not valid UTF-8"))
  }

  @Test func aMalformedProtocolMessageThrows() {
    #expect(Self.decode([0, 9]).failure == .unknownTag(type: "Message", tag: 9))
  }
}

extension Result {
  /// The error, or nil on success.
  var failure: Failure? {
    if case .failure(let error) = self { return error }
    return nil
  }
}
