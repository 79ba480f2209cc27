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
