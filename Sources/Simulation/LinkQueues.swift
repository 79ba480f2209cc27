/// The uplink and downlink of every peer, serialized in virtual time.
///
/// **Uplink.** A peer's uplink sends one message at a time, first in, first out: a message's
/// transmission starts when the messages queued before it have left and takes
/// `bytes / bandwidth`; then its last byte propagates for the drawn latency. This is the usual
/// minimal model (ns-3's point-to-point device, PeerSim's bandwidth transports). Sends happen in
/// virtual-time order, so remembering when each uplink becomes free is enough.
///
/// **Downlink** (when the receiver's profile has a downlink bandwidth). Taking a message in is
/// `bytes / downlinkBandwidth` of work that may start when its first byte arrives, once the
/// downlink has taken in the messages before it, and cannot end before its last byte arrives.
/// Messages are taken in the order their last bytes arrive. So a lone message is not charged
/// twice (the slower side sets the pace), twenty updates arriving together at an aggregator are
/// taken one after the other, and a slow sender trickling a large model in does not hold up a
/// fast one behind it.
///
/// Times are kept in microseconds so that many small messages add up; the simulator's events are
/// in milliseconds.
public struct LinkQueues: Sendable {
  /// Messages one uplink holds (waiting or being sent) before it drops new ones: a bound on the
  /// simulator's memory far above what the protocol queues (a coordinator that sends a task to
  /// each of 10,000 trainers at once).
  public static let uplinkQueueMessagesMax = 65_536

  /// When one copy of a message leaves its sender's uplink.
  public struct Transmission: Hashable, Sendable {
    /// When the first byte leaves, in microseconds.
    public var startMicroseconds: UInt64
    /// When the last byte leaves, in microseconds.
    public var endMicroseconds: UInt64

    public init(startMicroseconds: UInt64, endMicroseconds: UInt64) {
      precondition(startMicroseconds <= endMicroseconds, "a transmission ends after it starts")
      self.startMicroseconds = startMicroseconds
      self.endMicroseconds = endMicroseconds
    }
  }

  /// The end times of the messages that one uplink holds, oldest first.
  private struct UplinkQueue: Sendable {
    var endsMicroseconds: [UInt64] = []
    var head = 0
    var count: Int { endsMicroseconds.count - head }
    var freeMicroseconds: UInt64 { endsMicroseconds.last ?? 0 }

    /// Forgets the messages that have left by `now`.
    mutating func drain(upTo nowMicroseconds: UInt64) {
      while head < endsMicroseconds.count && endsMicroseconds[head] <= nowMicroseconds {
        head += 1
      }
      if head == endsMicroseconds.count {
        endsMicroseconds.removeAll(keepingCapacity: true)
        head = 0
      } else if head >= 1_024 && head * 2 >= endsMicroseconds.count {
        endsMicroseconds.removeFirst(head)
        head = 0
      }
    }
  }

  /// Messages of at most this many bytes (a few packets: Raft heartbeats and votes, SWIM probes,
  /// train tasks) do not wait behind large ones: a real host keeps a flow per connection and
  /// interleaves packets between them, so a heartbeat is not held up by a model being sent to
  /// someone else. With one FIFO for everything, a council member sending a model to its
  /// trainers for 1.5 s would miss its election timeouts, an artefact of the model. Such a message
  /// leaves at once, takes its own transmission time, and adds too little to delay anyone else.
  public static let interleavedMessageBytesMax = 4_096

  public let uplinkQueueMessagesMax: Int
  private var uplinks: [UplinkQueue]
  private var downlinkFreeMicroseconds: [UInt64]

  public init(peerCount: Int, uplinkQueueMessagesMax: Int = LinkQueues.uplinkQueueMessagesMax) {
    precondition(peerCount >= 0 && uplinkQueueMessagesMax >= 1, "link queue size")
    self.uplinkQueueMessagesMax = uplinkQueueMessagesMax
    uplinks = Array(repeating: UplinkQueue(), count: peerCount)
    downlinkFreeMicroseconds = Array(repeating: 0, count: peerCount)
  }

  /// How long `bytes` take at `bandwidthBytesPerMillisecond`, in microseconds, rounded up.
  public static func durationMicroseconds(bytes: Int, bandwidthBytesPerMillisecond: UInt64)
    -> UInt64
  {
    precondition(bytes >= 0 && bandwidthBytesPerMillisecond > 0, "bytes and bandwidth")
    let scaled = UInt64(bytes) * 1_000
    return (scaled + bandwidthBytesPerMillisecond - 1) / bandwidthBytesPerMillisecond
  }

  /// The messages that the uplink of `sender` holds at `now` (milliseconds), waiting or being sent.
  public func queuedMessages(on sender: Int, now: UInt64) -> Int {
    let nowMicroseconds = now * 1_000
    return uplinks[sender].endsMicroseconds[uplinks[sender].head...].count {
      $0 > nowMicroseconds
    }
  }

  /// Queues one transmission of `bytes` on the uplink of `sender` at `now` (milliseconds).
  /// Returns when it leaves, or nil when the uplink already holds `uplinkQueueMessagesMax`
  /// messages and drops it.
  /// - Complexity: amortized O(1).
  public mutating func transmit(
    bytes: Int, from sender: Int, bandwidthBytesPerMillisecond: UInt64, now: UInt64
  ) -> Transmission? {
    let nowMicroseconds = now * 1_000
    let duration = Self.durationMicroseconds(
      bytes: bytes, bandwidthBytesPerMillisecond: bandwidthBytesPerMillisecond)
    if bytes <= Self.interleavedMessageBytesMax {
      return Transmission(
        startMicroseconds: nowMicroseconds, endMicroseconds: nowMicroseconds + duration)
    }
    uplinks[sender].drain(upTo: nowMicroseconds)
    guard uplinks[sender].count < uplinkQueueMessagesMax else { return nil }
    let start = max(nowMicroseconds, uplinks[sender].freeMicroseconds)
    let end = start + duration
    uplinks[sender].endsMicroseconds.append(end)
    assert(uplinks[sender].count <= uplinkQueueMessagesMax)
    return Transmission(startMicroseconds: start, endMicroseconds: end)
  }

  /// Takes in through the downlink of `receiver` a message whose first and last bytes arrive at
  /// the given times (microseconds); returns when it is received, in microseconds. Call it in the
  /// order the last bytes arrive. Messages of at most `interleavedMessageBytesMax` bytes need not
  /// come here: they are interleaved with the others.
  public mutating func receive(
    bytes: Int, at receiver: Int, bandwidthBytesPerMillisecond: UInt64,
    firstByteMicroseconds: UInt64, lastByteMicroseconds: UInt64
  ) -> UInt64 {
    precondition(firstByteMicroseconds <= lastByteMicroseconds, "bytes arrive in order")
    let start = max(firstByteMicroseconds, downlinkFreeMicroseconds[receiver])
    let end = max(
      lastByteMicroseconds,
      start
        + Self.durationMicroseconds(
          bytes: bytes, bandwidthBytesPerMillisecond: bandwidthBytesPerMillisecond))
    downlinkFreeMicroseconds[receiver] = end
    return end
  }

  /// `peer` crashed at `now` (milliseconds): what its uplink held is lost with its process (the
  /// caller drops those copies), and it restarts with an empty uplink and downlink.
  public mutating func clear(_ peer: Int, now: UInt64) {
    uplinks[peer] = UplinkQueue()
    downlinkFreeMicroseconds[peer] = now * 1_000
  }
}
