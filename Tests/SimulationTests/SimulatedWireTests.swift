import Coordination
import Node
import Testing
import Wire

@testable import Simulation

/// Messages cross simulated links as their wire encoding and are decoded at delivery.
struct SimulatedWireTests {
  /// A small fdfl run with synthetic updates of `modelLength` floats, no faults.
  func makeSimulator(modelLength: Int = 32, seed: UInt64 = 1) -> (Simulator, SyntheticTraining) {
    let councilSize = 3
    let peerCount = 7
    let training = SyntheticTraining(modelLength: modelLength, seed: seed)
    let council = (0..<councilSize).map { PeerID(simulatedIndex: UInt64($0)) }
    let node = NodeSettings(
      mode: .fdfl,
      plan: RoundPlan(trainersPerRound: peerCount - councilSize, roundDurationMilliseconds: 1_500),
      modelLength: modelLength, council: council)
    var settings = SimulationSettings(
      seed: seed, peerCount: peerCount, node: node, rounds: 3,
      samplesPerSecond: Array(repeating: 10_000, count: peerCount))
    settings.timeLimitMilliseconds = 120_000
    let simulator = Simulator(
      settings: settings, training: training, initialModel: training.initialModel)
    return (simulator, training)
  }

  @Test func theReportCountsEveryMessageAtTheLengthOfItsEncoding() {
    let (simulator, _) = makeSimulator()
    var encodedLengths: [Int] = []
    var decodedCount = 0
    simulator.wire.encodeMessage = { message in
      let bytes = message.wireBytes
      encodedLengths.append(bytes.count)
      return bytes
    }
    simulator.wire.decodeMessage = { bytes throws(WireError) in
      decodedCount += 1
      return try Message(wireBytes: bytes[...])
    }
    let report = simulator.run()
    #expect(report.rounds.count == 3)
    #expect(report.violations.isEmpty)
    // Payloads of 32 floats are below the cache threshold: each send is encoded on its own.
    #expect(encodedLengths.count == report.messages)
    #expect(report.bytes == encodedLengths.reduce(0, +))
    // Every copy handed to a node came out of the decoder (no loss here, so nearly all).
    #expect(decodedCount > 0 && decodedCount <= report.messages)
  }

  @Test func receiversLearnWhatTheBytesSayNotWhatTheSenderHeld() throws {
    let (honest, _) = makeSimulator()
    let honestModel = try #require(honest.run().finalModel)
    // A codec that loses the updates' values on the way: the run commits, but the model can
    // only move if the receivers work on the decoded bytes rather than the sent values.
    let (lossy, training) = makeSimulator()
    lossy.wire.decodeMessage = { bytes throws(WireError) in
      let message = try Message(wireBytes: bytes[...])
      guard case .round(.update(let round, let weight, let values)) = message else {
        return message
      }
      return .round(
        .update(
          round: round, weight: weight, values: [Float](repeating: 0, count: values.count)))
    }
    let report = lossy.run()
    #expect(report.rounds.count == 3)
    #expect(honestModel != training.initialModel)
    #expect(report.finalModel == training.initialModel)
  }

  @Test func aMessageThatDoesNotDecodeIsAViolation() {
    let (simulator, _) = makeSimulator()
    // A decoder that refuses what its encoder writes: every update.
    simulator.wire.decodeMessage = { bytes throws(WireError) in
      let message = try Message(wireBytes: bytes[...])
      if case .round(.update) = message {
        throw .invalidValue(field: "RoundMessage.update.values", reason: "refused")
      }
      return message
    }
    let report = simulator.run()
    #expect(!report.violations.isEmpty)
    #expect(report.violations.allSatisfy { $0.message.contains("could not decode") })
  }

  @Test func aModelSentToManyPeersIsEncodedAndDecodedOnce() throws {
    var wire = SimulatedWire()
    let values = (0..<4_096).map { Float($0) }
    let model = Message.round(.model(round: 1, digest: Digest.of(values: values), values: values))
    let first = wire.encode(model)
    let second = wire.encode(model)
    #expect(first == model.wireBytes)
    #expect(first.withUnsafeBytes { $0.baseAddress } == second.withUnsafeBytes { $0.baseAddress })
    #expect(try wire.decode(first) == model)
    #expect(try wire.decode(second) == model)
  }

  /// -0 equals +0 as a `Float` but not on the wire: the cache must not hand one the other's bytes.
  @Test func equalFloatsWithOtherBitsAreEncodedAfresh() throws {
    var wire = SimulatedWire()
    let count = 2_048
    let digest = Digest.of(values: [Float](repeating: 0, count: count))
    let positive = Message.round(
      .model(round: 1, digest: digest, values: [Float](repeating: 0, count: count)))
    let negative = Message.round(
      .model(round: 1, digest: digest, values: [Float](repeating: -0.0, count: count)))
    #expect(positive == negative)
    #expect(wire.encode(positive) == positive.wireBytes)
    #expect(wire.encode(negative) == negative.wireBytes)
    #expect(positive.wireBytes != negative.wireBytes)
    _ = try wire.decode(positive.wireBytes)
    let decoded = try wire.decode(negative.wireBytes)
    guard case .round(.model(_, _, let values)) = decoded else {
      Issue.record("decoded \(decoded)")
      return
    }
    #expect(values.allSatisfy { $0.sign == .minus })
  }

  /// Updates go to one aggregator each: caching them would only push the models out.
  @Test func updatesAreNotCached() {
    var wire = SimulatedWire()
    let values = [Float](repeating: 1, count: 4_096)
    let update = Message.round(.update(round: 1, weight: 1, values: values))
    let first = wire.encode(update)
    let second = wire.encode(update)
    #expect(first == second)
    #expect(first.withUnsafeBytes { $0.baseAddress } != second.withUnsafeBytes { $0.baseAddress })
  }
}
