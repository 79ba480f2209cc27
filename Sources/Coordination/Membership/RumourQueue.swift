import Wire

/// The dissemination buffer: at most one rumour per member, each piggybacked a bounded number of
/// times and then dropped. Messages take the least-sent rumours first (oldest first among equals),
/// so a burst of news spreads evenly instead of the newest rumour starving the rest.
///
/// Rumours live in buckets by transmission count; a bucket is a FIFO of slots, and a slot whose
/// stamp no longer matches its rumour (replaced or sent again) is skipped and discarded lazily.
struct RumourQueue: Sendable {
  private struct Entry: Sendable {
    var update: MemberUpdate
    var transmissions: Int
    var stamp: UInt64
  }

  private struct Slot: Sendable {
    var peer: PeerID
    var stamp: UInt64
  }

  private struct Bucket: Sendable {
    var slots: [Slot] = []
    var head = 0
  }

  private var entries: [PeerID: Entry] = [:]
  private var buckets: [Bucket] = []
  private var slotCount = 0
  private var stampNext: UInt64 = 0

  /// Rumours waiting to be sent.
  var count: Int { entries.count }

  /// The rumour about `peer`, if one is waiting.
  func rumour(about peer: PeerID) -> MemberUpdate? { entries[peer]?.update }

  /// Queues `update`, replacing any rumour about the same member; it has not been sent yet.
  mutating func enqueue(_ update: MemberUpdate) {
    place(update, transmissions: 0)
  }

  /// Up to `limit` rumours for one message, counted as sent once more: first those about the
  /// `preferred` members (the recipient learns at once that it is suspected; a refutation
  /// leaves first), then the least-sent. A rumour sent `transmissionsMax` times is dropped.
  ///
  /// - Complexity: O(`limit` + stale slots skipped), amortised O(`limit`).
  mutating func take(
    _ limit: Int, transmissionsMax: Int, preferring preferred: [PeerID] = []
  ) -> [MemberUpdate] {
    precondition(limit >= 0 && transmissionsMax >= 1, "invalid gossip bounds")
    var chosen: [PeerID] = []
    for peer in preferred where chosen.count < limit && !chosen.contains(peer) {
      if entries[peer] != nil { chosen.append(peer) }
    }
    var level = 0
    while level < buckets.count && chosen.count < limit {
      while buckets[level].head < buckets[level].slots.count && chosen.count < limit {
        let slot = buckets[level].slots[buckets[level].head]
        buckets[level].head += 1
        slotCount -= 1
        guard let entry = entries[slot.peer], entry.stamp == slot.stamp else { continue }
        // A preferred rumour met in its bucket is already chosen (and gets a fresh slot below);
        // it must not be dropped here even when the limit has shrunk below its count.
        if chosen.contains(slot.peer) { continue }
        if entry.transmissions >= transmissionsMax {
          entries[slot.peer] = nil
        } else {
          chosen.append(slot.peer)
        }
      }
      compact(level)
      level += 1
    }
    let updates = chosen.map { entries[$0]!.update }
    for peer in chosen { markSent(peer, transmissionsMax: transmissionsMax) }
    if slotCount > 2 * entries.count + 64 { rebuild() }
    return updates
  }

  private mutating func markSent(_ peer: PeerID, transmissionsMax: Int) {
    let entry = entries[peer]!
    if entry.transmissions + 1 >= transmissionsMax {
      entries[peer] = nil
    } else {
      place(entry.update, transmissions: entry.transmissions + 1)
    }
  }

  private mutating func place(_ update: MemberUpdate, transmissions: Int) {
    let stamp = stampNext
    stampNext += 1
    entries[update.peer] = Entry(update: update, transmissions: transmissions, stamp: stamp)
    while buckets.count <= transmissions { buckets.append(Bucket()) }
    buckets[transmissions].slots.append(Slot(peer: update.peer, stamp: stamp))
    slotCount += 1
  }

  private mutating func compact(_ level: Int) {
    let head = buckets[level].head
    guard head > 0, head * 2 >= buckets[level].slots.count else { return }
    buckets[level].slots.removeFirst(head)
    buckets[level].head = 0
  }

  /// Drops every stale slot, keeping each bucket in stamp order (the order rumours entered it).
  private mutating func rebuild() {
    let live = entries.values.sorted { $0.stamp < $1.stamp }
    buckets = []
    slotCount = 0
    for entry in live {
      while buckets.count <= entry.transmissions { buckets.append(Bucket()) }
      buckets[entry.transmissions].slots.append(Slot(peer: entry.update.peer, stamp: entry.stamp))
      slotCount += 1
    }
  }
}
