import Testing

@testable import Transport

/// The frame kinds and the ZeroMQ message bound that docs/protocol.md states.
struct TransportFrameKindTests {
  @Test func kindsAreTheDocumentedBytes() {
    #expect(TransportFrameKind.hello.rawValue == 1)
    #expect(TransportFrameKind.chunk.rawValue == 2)
    #expect(TransportFrameKind.refusal.rawValue == 3)
  }

  @Test func theLargestFrameIsAFullChunkAndZeroMQAllowsItsCurveFramingOnTop() {
    #expect(transportFrameBytesMax == 1_048_593)
    #expect(zeroMQMessageBytesMax == 1_048_626)
    #expect(Hello.frameBytes < transportFrameBytesMax)
  }
}
