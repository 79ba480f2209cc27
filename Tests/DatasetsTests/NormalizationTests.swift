import Testing

@testable import Datasets

@Suite struct NormalizationTests {
  @Test func byteTableFollowsTheReferenceFormulaForEveryByte() {
    let normalization = Normalization(mean: 0.2860, standardDeviation: 0.3530)
    let table = normalization.byteTable(channelCount: 1)
    #expect(table.count == 256)
    for byte in 0..<256 {
      #expect(table[byte] == (Float(byte) / 255 - 0.2860) / 0.3530)
    }
  }

  @Test func perChannelTableUsesEachChannelsOwnConstants() {
    let normalization = Normalization(means: [0.1, 0.5, 0.9], standardDeviations: [1, 2, 4])
    let table = normalization.byteTable(channelCount: 3)
    #expect(table[0 * 256 + 255] == (1 - 0.1) / 1)
    #expect(table[1 * 256 + 0] == (0 - 0.5) / 2)
    #expect(table[2 * 256 + 51] == (Float(51) / 255 - 0.9) / 4)
  }

  @Test func singlePairAppliesToEveryChannel() {
    let normalization = Normalization(mean: 0.5, standardDeviation: 0.25)
    let table = normalization.byteTable(channelCount: 3)
    #expect(table[0 * 256 + 100] == table[2 * 256 + 100])
    #expect(normalization.fits(channelCount: 3))
    #expect(normalization.fits(channelCount: 1))
  }

  @Test func perChannelNormalisationFitsOnlyItsChannelCount() {
    let normalization = Normalization(means: [0, 0, 0], standardDeviations: [1, 1, 1])
    #expect(normalization.fits(channelCount: 3))
    #expect(!normalization.fits(channelCount: 1))
    #expect(!normalization.fits(channelCount: 4))
  }

  @Test func identityIsRecognised() {
    #expect(Normalization.identity.isIdentity)
    #expect(Normalization(means: [0, 0], standardDeviations: [1, 1]).isIdentity)
    #expect(!Normalization(mean: 0, standardDeviation: 2).isIdentity)
  }

  @Test func zeroDeviationIsAProgrammerError() async {
    await #expect(processExitsWith: .failure) {
      _ = Normalization(mean: 0, standardDeviation: 0)
    }
  }
}
