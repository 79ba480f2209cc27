import Foundation
import Testing

@testable import Wire

/// Fuzzing of `Frame.decode`: every input must decode or throw a `WireError`, never crash or
/// hang. An input that decodes must re-encode to the very same bytes (the format has one
/// encoding per value), which also catches a decoder that accepts what it should reject.
///
/// The default iteration count keeps this suite around a second in a debug build. For a long
/// run, raise it (and vary the seed) from the environment, in release for speed:
///
///     STARLING_FUZZ_ITERATIONS=2000000 STARLING_FUZZ_SEED=7 swift test -c release \
///       --scratch-path /tmp/build-wire --filter FrameFuzzTests
@Suite(.timeLimit(.minutes(2))) struct FrameFuzzTests {
  static let environment = ProcessInfo.processInfo.environment
  static let iterations = Int(environment["STARLING_FUZZ_ITERATIONS"] ?? "") ?? 10_000
  static let seed = UInt64(environment["STARLING_FUZZ_SEED"] ?? "") ?? 0x5EED

  /// What happened to the inputs fed so far, by outcome.
  struct Tally {
    var decoded = 0
    var rejected: [String: Int] = [:]

    mutating func feed(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
      do throws(WireError) {
        let envelope = try Frame.decode(bytes)
        #expect(Frame.encode(envelope) == bytes, sourceLocation: sourceLocation)
        decoded += 1
      } catch {
        rejected[Self.kind(of: error), default: 0] += 1
      }
    }

    static func kind(of error: WireError) -> String {
      switch error {
      case .truncated: "truncated"
      case .lengthTooLarge: "lengthTooLarge"
      case .unknownTag: "unknownTag"
      case .badMagic: "badMagic"
      case .unsupportedVersion: "unsupportedVersion"
      case .trailingBytes: "trailingBytes"
      case .invalidValue: "invalidValue"
      }
    }
  }

  static func header(payloadBytes: Int) -> [UInt8] {
    hex("53 4C 01 00") + lengthBytes(payloadBytes)
  }

  static func randomBytes(count: Int, using generator: inout SeededGenerator) -> [UInt8] {
    (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
  }

  @Test func randomByteStringsAreRejectedWithoutCrashing() {
    var generator = SeededGenerator(seed: Self.seed)
    var tally = Tally()
    for _ in 0..<Self.iterations {
      tally.feed(
        Self.randomBytes(count: Int.random(in: 0...64, using: &generator), using: &generator))
    }
    #expect(tally.decoded == 0)
    #expect(tally.rejected["badMagic"] ?? 0 > Self.iterations / 2)
  }

  /// Random payloads behind a valid header, starting with a plausible message and case tag, so
  /// that the fuzz reaches the message decoders rather than stopping at the magic.
  @Test func randomPayloadsBehindAValidHeaderDecodeOrThrow() {
    var generator = SeededGenerator(seed: Self.seed &+ 1)
    var tally = Tally()
    for _ in 0..<Self.iterations {
      let tags = [
        UInt8.random(in: 0...3, using: &generator), UInt8.random(in: 0...7, using: &generator),
      ]
      let tail = Self.randomBytes(
        count: Int.random(in: 0...120, using: &generator), using: &generator)
      let payload = Self.randomBytes(count: 64, using: &generator) + tags + tail
      tally.feed(Self.header(payloadBytes: payload.count) + payload)
    }
    #expect(tally.decoded > 0)
    #expect(tally.rejected.keys.count >= 4, "\(tally.rejected)")
  }

  @Test func mutatedValidFramesDecodeOrThrow() {
    var generator = SeededGenerator(seed: Self.seed &+ 2)
    var tally = Tally()
    var frames: [[UInt8]] = []
    for _ in 0..<Self.iterations {
      if frames.isEmpty {
        var random = RandomValues(seed: generator.next())
        frames = random.envelopes().map(Frame.encode)
      }
      var bytes = frames.removeLast()
      for _ in 0..<Int.random(in: 1...3, using: &generator) {
        Self.mutate(&bytes, using: &generator)
      }
      tally.feed(bytes)
    }
    #expect(tally.decoded > 0)
    #expect(tally.rejected.keys.count >= 6, "\(tally.rejected)")
  }

  /// One random bit flip, truncation, insertion, deletion, or huge value written over four
  /// bytes (a length field, when it lands on one).
  static func mutate(_ bytes: inout [UInt8], using generator: inout SeededGenerator) {
    guard !bytes.isEmpty else { return }
    let offset = Int.random(in: 0..<bytes.count, using: &generator)
    switch Int.random(in: 0..<6, using: &generator) {
    case 0:
      bytes[offset] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
    case 1:
      bytes.removeSubrange(offset...)
    case 2:
      bytes.insert(UInt8.random(in: 0...255, using: &generator), at: offset)
    case 3:
      bytes.remove(at: offset)
    case 4:
      let huge = [UInt32.max, 1 << 31, 1 << 24, UInt32(RoundLimits.valuesMax)]
        .randomElement(using: &generator)!
      let end = min(bytes.count, offset + 4)
      bytes.replaceSubrange(offset..<end, with: lengthBytes(Int(huge)).prefix(end - offset))
    default:
      // The frame's own payload length.
      guard bytes.count >= 8 else { return }
      bytes.replaceSubrange(4..<8, with: lengthBytes(Int(generator.next() >> 32)))
    }
  }

  @Test(arguments: roundTripSeeds.prefix(3))
  func everyTruncationOfEveryKindOfFrameIsTruncated(seed: UInt64) {
    var random = RandomValues(seed: seed)
    for bytes in random.envelopes().map(Frame.encode) {
      for count in 0..<bytes.count {
        let error = decodeError(Array(bytes.prefix(count)))
        guard case .truncated = error else {
          Issue.record("prefix of \(count) bytes: \(String(describing: error))")
          return
        }
      }
    }
  }

  @Test func everySingleBitFlipOfASmallFrameDecodesOrThrows() {
    let envelope = Envelope(
      sender: samplePeer, receiver: samplePeer,
      message: .membership(
        .ping(sequence: 1, gossip: [MemberUpdate(peer: samplePeer, status: .alive, incarnation: 2)])
      ))
    let frame = Frame.encode(envelope)
    var tally = Tally()
    for bit in 0..<frame.count * 8 {
      var bytes = frame
      bytes[bit / 8] ^= 1 << UInt8(bit % 8)
      tally.feed(bytes)
    }
    #expect(tally.decoded + tally.rejected.values.reduce(0, +) == frame.count * 8)
    #expect(tally.decoded > 0)
    #expect(tally.rejected["invalidValue"] ?? 0 > 0)
  }

  @Test func hugeValuesAtEveryOffsetAreRejectedWithoutAllocating() {
    let envelope = Envelope(
      sender: samplePeer, receiver: samplePeer,
      message: .round(.partial(round: 1, weight: 2, trainers: [samplePeer], values: [1, 2])))
    let frame = Frame.encode(envelope)
    var tally = Tally()
    for offset in 0...(frame.count - 4) {
      for huge in [Int(UInt32.max), 1 << 31, RoundLimits.valuesMax, RoundLimits.valuesMax + 1] {
        var bytes = frame
        bytes.replaceSubrange(offset..<offset + 4, with: lengthBytes(huge))
        tally.feed(bytes)
      }
    }
    #expect(tally.rejected["lengthTooLarge"] ?? 0 > 0)
    #expect(tally.rejected["truncated"] ?? 0 > 0)
  }

  func decodeError(_ bytes: [UInt8]) -> WireError? {
    do throws(WireError) {
      _ = try Frame.decode(bytes)
      return nil
    } catch {
      return error
    }
  }
}
