import Testing
import Wire

@testable import Coordination

/// The gossip queue, including the case the fault sweep found crashing with SWIM in the node.
struct RumourQueueTests {
  func update(_ index: UInt64) -> MemberUpdate {
    MemberUpdate(peer: PeerID(simulatedIndex: index), status: .alive, incarnation: 0)
  }

  @Test func aPreferredRumourIsNotDroppedWhenTheLimitShrinksBelowItsCount() {
    var queue = RumourQueue()
    queue.enqueue(update(1))
    queue.enqueue(update(2))
    // Sent three times under a generous limit...
    for _ in 0..<3 { _ = queue.take(8, transmissionsMax: 10) }
    // ...then the group shrinks and the limit falls below that count. Preferring peer 1 must
    // still send it (once more) rather than crash on a rumour dropped mid-selection.
    let sent = queue.take(8, transmissionsMax: 2, preferring: [PeerID(simulatedIndex: 1)])
    #expect(sent.map(\.peer).contains(PeerID(simulatedIndex: 1)))
    #expect(queue.take(8, transmissionsMax: 2).isEmpty, "both rumours are past the limit now")
  }

  @Test func eachRumourIsSentAtMostTheLimitTimes() {
    var queue = RumourQueue()
    for index in 0..<5 { queue.enqueue(update(UInt64(index))) }
    var counts: [PeerID: Int] = [:]
    for _ in 0..<20 {
      for sent in queue.take(2, transmissionsMax: 3) { counts[sent.peer, default: 0] += 1 }
    }
    #expect(counts.count == 5)
    #expect(counts.values.allSatisfy { $0 == 3 })
  }
}
