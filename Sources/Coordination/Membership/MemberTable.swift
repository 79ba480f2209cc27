import Wire

/// The members one node knows (never itself), stored compactly: one contiguous array of 32-byte
/// slots found through an open-addressing index of 4-byte slot numbers, and the probe list (the
/// alive and suspect members) as slot numbers too.
///
/// A simulation holds every peer's view of every other peer in one process (10⁸ members at
/// 10,000 peers), so the per-member cost decides whether it fits: a `[PeerID: Entry]` dictionary,
/// a `PeerID` probe list with its position dictionary and a `PeerID` probe order cost several
/// hundred bytes per member; this table costs about 50.
///
/// The probe list keeps `PeerList`'s order rules (append, remove by moving the last into the
/// gap), so random choices over it replay from a seed.
struct MemberTable: Sendable {
  /// A slot as `ProbeSchedule` remembers it: valid while the slot holds the member it held when
  /// the reference was taken (a freed slot's generation moves on).
  struct Reference: Hashable, Sendable {
    var slot: UInt32
    var generation: UInt32
  }

  private struct Slot: Sendable {
    /// Nil while the slot is free.
    var record: MemberRecord?
    var incarnation: UInt64
    /// Position in `probeable`, or -1 when the member is dead or left.
    var probePosition: Int32
    var generation: UInt32
    var status: MemberStatus
  }

  private static let emptyBucket: Int32 = -1
  /// The index grows when more than 3/4 of its buckets are taken.
  private static let loadNumerator = 3
  private static let loadDenominator = 4
  private static let bucketsMin = 16

  private var slots: [Slot] = []
  private var freeSlots: [Int32] = []
  /// Open addressing with linear probing: a slot number or `emptyBucket`; the bucket count is a
  /// power of two.
  private var buckets: [Int32] = []
  private var probeable: [Int32] = []

  /// Members held (alive, suspect and remembered dead or left).
  private(set) var count = 0

  /// Alive and suspect members.
  var probeableCount: Int { probeable.count }

  func contains(_ peer: PeerID) -> Bool { find(peer).slot != nil }

  /// What is known of `peer`.
  func member(_ peer: PeerID) -> Membership.Member? {
    find(peer).slot.map(member(atSlot:))
  }

  /// Every member held, in no particular order.
  ///
  /// - Complexity: O(slots).
  var allMembers: [Membership.Member] {
    slots.indices.compactMap { slots[$0].record == nil ? nil : member(atSlot: $0) }
  }

  /// Stores `member`, adding it if it is new; a dead or left member leaves the probe list, an
  /// alive or suspect one joins it at the end. Returns the slot's reference when the member
  /// joined the probe list.
  @discardableResult
  mutating func store(_ member: Membership.Member) -> Reference? {
    let slot = find(member.peer).slot ?? add(member.record)
    slots[slot].record = member.record
    slots[slot].incarnation = member.incarnation
    slots[slot].status = member.status
    let isProbeable = member.status == .alive || member.status == .suspect
    let wasProbeable = slots[slot].probePosition >= 0
    if isProbeable && !wasProbeable {
      slots[slot].probePosition = Int32(probeable.count)
      probeable.append(Int32(slot))
      return Reference(slot: UInt32(slot), generation: slots[slot].generation)
    }
    if !isProbeable && wasProbeable { removeFromProbeList(slot) }
    return nil
  }

  /// Forgets `peer` (a tombstone that expired).
  mutating func remove(_ peer: PeerID) {
    let (found, bucket) = find(peer)
    guard let slot = found else { return }
    if slots[slot].probePosition >= 0 { removeFromProbeList(slot) }
    slots[slot].record = nil
    slots[slot].generation &+= 1
    freeSlots.append(Int32(slot))
    count -= 1
    removeBucket(bucket)
  }

  // MARK: The probe list

  /// The member `reference` points to, if it is still there and alive or suspect.
  func probeablePeer(_ reference: Reference) -> PeerID? {
    let slot = Int(reference.slot)
    guard slot < slots.count, slots[slot].generation == reference.generation,
      slots[slot].probePosition >= 0
    else { return nil }
    return slots[slot].record?.peer
  }

  /// References to the probe list, in its order.
  var probeableReferences: [Reference] {
    probeable.map { Reference(slot: UInt32($0), generation: slots[Int($0)].generation) }
  }

  /// Up to `count` distinct alive or suspect members other than `excluded`, chosen uniformly
  /// with the same draws as a `PeerID` list in the same order.
  ///
  /// - Complexity: O(`count`) expected when `count` is small against the list, O(n) otherwise.
  func sampleProbeable(
    _ count: Int, excluding excluded: PeerID? = nil, using random: inout some RandomNumberGenerator
  ) -> [PeerID] {
    let excludedPosition = excluded.flatMap { find($0).slot }.map { slots[$0].probePosition }
    let isExcludedListed = (excludedPosition ?? -1) >= 0
    let eligible = probeable.count - (isExcludedListed ? 1 : 0)
    guard count > 0, eligible > 0 else { return [] }
    if count * 2 >= eligible {
      let candidates = probeable.map(peer(atSlot:)).filter { $0 != excluded }
      return Array(candidates.shuffled(using: &random).prefix(count))
    }
    var chosen: [PeerID] = []
    var seen: Set<Int> = []
    while chosen.count < count {
      let position = Int.random(in: 0..<probeable.count, using: &random)
      guard Int32(position) != excludedPosition, seen.insert(position).inserted else { continue }
      chosen.append(peer(atSlot: Int(probeable[position])))
    }
    return chosen
  }

  // MARK: Slots

  private func member(atSlot slot: Int) -> Membership.Member {
    Membership.Member(
      record: slots[slot].record!, status: slots[slot].status,
      incarnation: slots[slot].incarnation)
  }

  private func peer(atSlot slot: Int32) -> PeerID { peer(atSlot: Int(slot)) }

  private func peer(atSlot slot: Int) -> PeerID { slots[slot].record!.peer }

  /// Takes a free slot (or a new one) for `record` and indexes it.
  private mutating func add(_ record: MemberRecord) -> Int {
    if (count + 1) * Self.loadDenominator > buckets.count * Self.loadNumerator {
      resizeBuckets(to: max(Self.bucketsMin, buckets.count * 2))
    }
    let slot: Int
    if let free = freeSlots.popLast() {
      slot = Int(free)
    } else {
      slot = slots.count
      slots.append(
        Slot(record: nil, incarnation: 0, probePosition: -1, generation: 0, status: .alive))
    }
    slots[slot].record = record
    count += 1
    var bucket = homeBucket(of: record.peer)
    while buckets[bucket] != Self.emptyBucket { bucket = (bucket + 1) & (buckets.count - 1) }
    buckets[bucket] = Int32(slot)
    return slot
  }

  private mutating func removeFromProbeList(_ slot: Int) {
    let position = Int(slots[slot].probePosition)
    slots[slot].probePosition = -1
    let last = probeable.removeLast()
    if position < probeable.count {
      probeable[position] = last
      slots[Int(last)].probePosition = Int32(position)
    }
  }

  // MARK: The index

  private func homeBucket(of peer: PeerID) -> Int {
    // `hashValue` is seeded per process; the table is never iterated in bucket order, so the
    // seed cannot change what a simulation does.
    peer.hashValue & (buckets.count - 1)
  }

  /// The slot holding `peer`, and the bucket that points to it (or the empty bucket that ends
  /// its probe sequence).
  private func find(_ peer: PeerID) -> (slot: Int?, bucket: Int) {
    guard !buckets.isEmpty else { return (nil, 0) }
    var bucket = homeBucket(of: peer)
    while buckets[bucket] != Self.emptyBucket {
      let slot = Int(buckets[bucket])
      if slots[slot].record!.peer == peer { return (slot, bucket) }
      bucket = (bucket + 1) & (buckets.count - 1)
    }
    return (nil, bucket)
  }

  /// Empties `bucket` and moves later entries of the same run back, so that linear probing
  /// needs no deletion markers.
  private mutating func removeBucket(_ bucket: Int) {
    let mask = buckets.count - 1
    var hole = bucket
    var next = (hole + 1) & mask
    while buckets[next] != Self.emptyBucket {
      let home = homeBucket(of: peer(atSlot: buckets[next]))
      // Move `next` into the hole unless its home lies cyclically in (hole, next].
      let isHomeAfterHole = (next - home) & mask < (next - hole) & mask
      if !isHomeAfterHole {
        buckets[hole] = buckets[next]
        hole = next
      }
      next = (next + 1) & mask
    }
    buckets[hole] = Self.emptyBucket
  }

  private mutating func resizeBuckets(to bucketCount: Int) {
    buckets = Array(repeating: Self.emptyBucket, count: bucketCount)
    for slot in slots.indices {
      guard let record = slots[slot].record else { continue }
      var bucket = homeBucket(of: record.peer)
      while buckets[bucket] != Self.emptyBucket { bucket = (bucket + 1) & (bucketCount - 1) }
      buckets[bucket] = Int32(slot)
    }
  }
}
