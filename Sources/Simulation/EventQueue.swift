/// A min-heap of events ordered by virtual time, then by insertion order, so that events at the
/// same instant run in a reproducible order.
public struct EventQueue<Payload> {
  private struct Entry {
    var time: UInt64
    var sequence: UInt64
    var payload: Payload
    func precedes(_ other: Entry) -> Bool {
      time != other.time ? time < other.time : sequence < other.sequence
    }
  }

  private var heap: [Entry] = []
  private var nextSequence: UInt64 = 0

  public init() {}

  public var isEmpty: Bool { heap.isEmpty }
  public var count: Int { heap.count }
  /// The time of the earliest event.
  public var nextTime: UInt64? { heap.first?.time }

  /// - Complexity: O(log n).
  public mutating func schedule(_ payload: Payload, at time: UInt64) {
    heap.append(Entry(time: time, sequence: nextSequence, payload: payload))
    nextSequence += 1
    var child = heap.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard heap[child].precedes(heap[parent]) else { break }
      heap.swapAt(child, parent)
      child = parent
    }
  }

  /// Removes and returns the earliest event.
  /// - Complexity: O(log n).
  public mutating func popEarliest() -> (time: UInt64, payload: Payload)? {
    guard !heap.isEmpty else { return nil }
    let first = heap[0]
    let last = heap.removeLast()
    if !heap.isEmpty {
      heap[0] = last
      var parent = 0
      while true {
        let left = 2 * parent + 1
        let right = left + 1
        var smallest = parent
        if left < heap.count && heap[left].precedes(heap[smallest]) { smallest = left }
        if right < heap.count && heap[right].precedes(heap[smallest]) { smallest = right }
        if smallest == parent { break }
        heap.swapAt(parent, smallest)
        parent = smallest
      }
    }
    return (first.time, first.payload)
  }
}
