import Coordination
import Simulation
import Testing
import Wire

struct NetworkModelTests {
  let a = PeerID(simulatedIndex: 1)
  let b = PeerID(simulatedIndex: 2)

  @Test func aBlockedMessageIsNeverTransmittedAndOneWayBlocksOnlyOneDirection() {
    var network = NetworkModel()
    var generator = SplitMixGenerator(seed: 1)
    network.block(from: a, to: b)
    #expect(network.fate(from: a, to: b, using: &generator) == .blocked)
    let reverse = network.fate(from: b, to: a, using: &generator)
    #expect(reverse.transmissions == 1 && reverse.latenciesMilliseconds.count == 1)
    network.heal()
    network.partition([a], from: [b])
    #expect(network.fate(from: b, to: a, using: &generator) == .blocked)
  }

  @Test func eachPeerSendsWithItsOwnProfile() {
    var network = NetworkModel(
      defaultProfile: LinkProfile(latencyMinimumMilliseconds: 10, latencyMaximumMilliseconds: 10))
    network.profiles[a] = LinkProfile(
      latencyMinimumMilliseconds: 70, latencyMaximumMilliseconds: 70,
      bandwidthBytesPerMillisecond: 100)
    var generator = SplitMixGenerator(seed: 2)
    #expect(network.profile(of: a).bandwidthBytesPerMillisecond == 100)
    #expect(network.profile(of: b).bandwidthBytesPerMillisecond == 12_500)
    #expect(network.fate(from: a, to: b, using: &generator).latenciesMilliseconds == [70])
    #expect(network.fate(from: b, to: a, using: &generator).latenciesMilliseconds == [10])
  }

  @Test func aLostMessageIsTransmittedButNeverArrivesAndADuplicateIsTransmittedTwice() {
    let network = NetworkModel(
      defaultProfile: LinkProfile(lossProbability: 0.3, duplicationProbability: 0.2))
    var generator = SplitMixGenerator(seed: 3)
    var lost = 0
    var duplicated = 0
    for _ in 0..<10_000 {
      let fate = network.fate(from: a, to: b, using: &generator)
      #expect(fate.transmissions == max(1, fate.latenciesMilliseconds.count))
      if fate.latenciesMilliseconds.isEmpty { lost += 1 }
      if fate.transmissions == 2 { duplicated += 1 }
    }
    #expect(abs(Double(lost) / 10_000 - 0.3) < 0.02)
    #expect(abs(Double(duplicated) / 7_000 - 0.2) < 0.03)
  }

  @Test func theCalmNetworkKeepsBandwidthsAndDropsFaults() {
    var network = NetworkModel(
      defaultProfile: LinkProfile(
        downlinkBandwidthBytesPerMillisecond: nil, lossProbability: 0.5))
    network.profiles[a] = LinkProfile(bandwidthBytesPerMillisecond: 7, duplicationProbability: 1)
    network.block(from: a, to: b)
    let calm = network.withoutFaults
    #expect(!calm.hasPartitions)
    #expect(calm.profile(of: a).bandwidthBytesPerMillisecond == 7)
    #expect(calm.profile(of: a).duplicationProbability == 0)
    #expect(calm.profile(of: b).lossProbability == 0)
    #expect(calm.profile(of: b).downlinkBandwidthBytesPerMillisecond == nil)
  }
}
