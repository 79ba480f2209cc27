import Coordination
import Simulation
import Testing
import Wire

struct EventQueueTests {
  @Test func eventsComeOutByTimeThenByInsertionOrder() {
    var queue = EventQueue<String>()
    queue.schedule("c", at: 30)
    queue.schedule("a1", at: 10)
    queue.schedule("b", at: 20)
    queue.schedule("a2", at: 10)
    var order: [String] = []
    while let event = queue.popEarliest() { order.append(event.payload) }
    #expect(order == ["a1", "a2", "b", "c"])
  }

  @Test func randomSchedulesAreSortedStably() {
    var generator = SplitMixGenerator(seed: 4)
    var queue = EventQueue<Int>()
    var expected: [(UInt64, Int)] = []
    for index in 0..<2_000 {
      let time = UInt64.random(in: 0..<100, using: &generator)
      queue.schedule(index, at: time)
      expected.append((time, index))
    }
    expected.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
    var actual: [Int] = []
    while let event = queue.popEarliest() { actual.append(event.payload) }
    #expect(actual == expected.map(\.1))
  }
}

struct NetworkModelTests {
  let a = PeerID(simulatedIndex: 1)
  let b = PeerID(simulatedIndex: 2)

  @Test func partitionsDropBothWaysAndOneWayBlocksOnlyOneDirection() {
    var network = NetworkModel()
    var generator = SplitMixGenerator(seed: 1)
    network.block(from: a, to: b)
    #expect(network.deliveryDelays(from: a, to: b, bytes: 10, using: &generator).isEmpty)
    #expect(network.deliveryDelays(from: b, to: a, bytes: 10, using: &generator).count == 1)
    network.heal()
    network.partition([a], from: [b])
    #expect(network.deliveryDelays(from: b, to: a, bytes: 10, using: &generator).isEmpty)
  }

  @Test func largeMessagesTakeLongerOnSlowLinks() {
    var network = NetworkModel(
      defaultProfile: LinkProfile(latencyMinimumMilliseconds: 10, latencyMaximumMilliseconds: 10))
    network.profiles[a] = LinkProfile(
      latencyMinimumMilliseconds: 10, latencyMaximumMilliseconds: 10,
      bandwidthBytesPerMillisecond: 100)
    var generator = SplitMixGenerator(seed: 2)
    #expect(network.deliveryDelays(from: a, to: b, bytes: 1_000_000, using: &generator) == [10_010])
    #expect(network.deliveryDelays(from: b, to: a, bytes: 1_000_000, using: &generator) == [90])
  }

  @Test func lossAndDuplicationFollowTheirProbabilities() {
    let network = NetworkModel(
      defaultProfile: LinkProfile(lossProbability: 0.3, duplicationProbability: 0.2))
    var generator = SplitMixGenerator(seed: 3)
    var lost = 0
    var duplicated = 0
    for _ in 0..<10_000 {
      let delays = network.deliveryDelays(from: a, to: b, bytes: 1, using: &generator)
      if delays.isEmpty { lost += 1 }
      if delays.count == 2 { duplicated += 1 }
    }
    #expect(abs(Double(lost) / 10_000 - 0.3) < 0.02)
    #expect(abs(Double(duplicated) / 7_000 - 0.2) < 0.03)
  }
}

struct DurableStoreTests {
  @Test func aCrashKeepsOnlySyncedWrites() {
    var store = DurableStore<Int>(1)
    store.write(2)
    store.sync()
    store.write(3)
    #expect(store.current == 3)
    #expect(store.crash() == 2)
    #expect(store.current == 2)
  }
}
