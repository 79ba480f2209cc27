import Node
import NodeRuntime
import Wire

/// Fuzz target `runtime-frame`: `RuntimeFrame(wireBytes:)`, the decoder of every message between
/// two `starling node` processes (docs/protocol.md, "Node messages").
///
/// Any input must decode or throw a `WireError`; an input that decodes must re-encode to itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRuntimeFrame(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  let input = fuzzInput(start, count)
  do throws(WireError) {
    let frame = try RuntimeFrame(wireBytes: input)
    requireCanonical(frame.wireBytes, input, "RuntimeFrame")
  } catch {
    _ = error.description
  }
  return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func initializeRuntimeFrameFuzz(
  _ argumentCount: UnsafeMutableRawPointer?, _ arguments: UnsafeMutableRawPointer?
) -> CInt {
  writeSeedsIfAsked(runtimeFrameSeeds, testOneInput: fuzzRuntimeFrame) {
    (try? RuntimeFrame(wireBytes: $0)) != nil
  }
  return 0
}

/// The test vectors of docs/protocol.md ("Node messages"), checked byte for byte against the
/// encoder, and a directory and a model that the vectors lack.
func runtimeFrameSeeds() -> [Seed] {
  let contact = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7@127.0.0.1:7000"
  let vectors: [(String, RuntimeFrame, String)] = [
    ("statusRequest", .statusRequest(request: 1), "03 0100000000000000"),
    (
      "announce-contact",
      .announce(
        Announcement(
          contact: contact,
          profile: PeerProfile(
            capacity: Capacity(samplesPerSecond: 1_000, bandwidthBytesPerSecond: 12_500_000),
            uptimeMilliseconds: 60_000, isReachable: true))),
      "01 01 37000000"
        + "72713a724d3e7d553f404c6e7334374531256b522e6f406e2546636d6d734c2f407b48385d7966374031"
        + "32372e302e302e313a37303030"
        + "00007a44 20bc3e4b 60ea000000000000 01"
    ),
    (
      "announce-noContact",
      .announce(
        Announcement(
          contact: nil,
          profile: PeerProfile(
            capacity: Capacity(samplesPerSecond: 250, bandwidthBytesPerSecond: 12_500_000),
            uptimeMilliseconds: 0, isReachable: false))),
      "01 00 00007a43 20bc3e4b 0000000000000000 00"
    ),
    (
      "protocolMessage-vote", .protocolMessage(.council(.vote(term: 3, granted: true))),
      "00 01 01 0300000000000000 01"
    ),
    (
      "statusReply", .statusReply(request: 7, json: "{\"round\":0}"),
      "04 0700000000000000 0b000000 7b22726f756e64223a307d"
    ),
    ("leaving", .leaving, "05"),
  ]
  var seeds = vectors.map { name, frame, expected in
    precondition(frame.wireBytes == hexadecimalBytes(expected), "\(name) differs from its vector")
    return Seed(name: name, bytes: frame.wireBytes)
  }
  let directory: RuntimeFrame = .directory([
    DirectoryEntry(peer: PeerID(simulatedIndex: 1), contact: contact),
    DirectoryEntry(peer: PeerID(simulatedIndex: 2), contact: "[::1]:7001"),
  ])
  let model: RuntimeFrame = .protocolMessage(
    .round(.model(round: 2, digest: Digest(words: (1, 2, 3, 4)), values: [0.5, -1, 0, 3e38])))
  seeds.append(Seed(name: "directory", bytes: directory.wireBytes))
  seeds.append(Seed(name: "protocolMessage-model", bytes: model.wireBytes))
  return seeds
}
