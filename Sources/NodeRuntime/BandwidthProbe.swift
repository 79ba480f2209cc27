import Coordination
import Wire

/// Measures this node's bandwidth to one peer with three probes in a row: an empty one (the
/// round trip), one carrying `transferBytes` up (the upload), and one asking for
/// `transferBytes` down (the download). Each leg's rate is its bytes over its time less the
/// round trip; the node's figure is the slower leg, since a trainer both downloads the model
/// and uploads its update. It measures again every `remeasureNanoseconds`, with whichever
/// listening peer is connected then.
///
/// Pure: the runtime sends the frames it returns and feeds it the replies, with a monotonic
/// clock in nanoseconds.
struct BandwidthProbe {
  enum Leg: Equatable { case roundTrip, upload, download }

  struct Pending: Equatable {
    let peer: PeerID
    let request: UInt64
    let leg: Leg
    let sentAt: UInt64
  }

  /// One finished measurement.
  struct Measurement: Equatable {
    let peer: PeerID
    let roundTripNanoseconds: UInt64
    let uploadBytesPerSecond: Double
    let downloadBytesPerSecond: Double
    var bytesPerSecond: Double { min(uploadBytesPerSecond, downloadBytesPerSecond) }
  }

  var transferBytes = 2 << 20
  var timeoutNanoseconds: UInt64 = 30_000_000_000
  var remeasureNanoseconds: UInt64 = 600_000_000_000
  private(set) var pending: Pending?
  private(set) var last: Measurement?
  private var lastFinishedAt: UInt64?
  private var roundTrip: UInt64 = 0
  private var upload: Double = 0
  private var nextRequest: UInt64 = 1

  /// Whether a measurement is due at `now` (none yet, or the last one is old) and none runs.
  func isDue(now: UInt64) -> Bool {
    guard pending == nil else { return false }
    guard let lastFinishedAt else { return true }
    return Timestamps.elapsed(from: lastFinishedAt, to: now) >= remeasureNanoseconds
  }

  /// Starts a measurement with `peer`: the frame to send it.
  mutating func start(with peer: PeerID, now: UInt64) -> RuntimeFrame {
    send(.roundTrip, to: peer, now: now)
  }

  /// A reply arrived. Returns the next probe to send, or the measurement once all three legs
  /// are in; a reply that is not the awaited one changes nothing.
  mutating func received(
    reply request: UInt64, paddingBytes: Int, from peer: PeerID, now: UInt64
  ) -> (next: RuntimeFrame?, measurement: Measurement?) {
    guard let awaited = pending, awaited.peer == peer, awaited.request == request else {
      return (nil, nil)
    }
    let elapsed = max(Timestamps.elapsed(from: awaited.sentAt, to: now), 1)
    switch awaited.leg {
    case .roundTrip:
      roundTrip = elapsed
      return (send(.upload, to: peer, now: now), nil)
    case .upload:
      upload = rate(bytes: transferBytes, elapsed: elapsed)
      return (send(.download, to: peer, now: now), nil)
    case .download:
      let measurement = Measurement(
        peer: peer, roundTripNanoseconds: roundTrip, uploadBytesPerSecond: upload,
        downloadBytesPerSecond: rate(bytes: paddingBytes, elapsed: elapsed))
      pending = nil
      last = measurement
      lastFinishedAt = now
      return (nil, measurement)
    }
  }

  /// Abandons a probe whose reply is overdue, or whose peer went away; the next tick may start
  /// again with another peer.
  mutating func abandon(now: UInt64, disconnected: (PeerID) -> Bool) -> Bool {
    guard let awaited = pending,
      Timestamps.elapsed(from: awaited.sentAt, to: now) >= timeoutNanoseconds
        || disconnected(awaited.peer)
    else { return false }
    pending = nil
    return true
  }

  private mutating func send(_ leg: Leg, to peer: PeerID, now: UInt64) -> RuntimeFrame {
    let request = nextRequest
    nextRequest += 1
    pending = Pending(peer: peer, request: request, leg: leg, sentAt: now)
    switch leg {
    case .roundTrip: return .probe(request: request, replyBytes: 0, paddingBytes: 0)
    case .upload: return .probe(request: request, replyBytes: 0, paddingBytes: transferBytes)
    case .download: return .probe(request: request, replyBytes: transferBytes, paddingBytes: 0)
    }
  }

  /// Bytes per second of a leg that took `elapsed` nanoseconds, less one round trip (at least
  /// a tenth of the leg is kept, so a noisy round trip cannot make the rate infinite).
  private func rate(bytes: Int, elapsed: UInt64) -> Double {
    let transfer = max(Double(elapsed) - Double(roundTrip), Double(elapsed) / 10)
    return Double(bytes) / transfer * 1e9
  }
}

/// How many probes a node answers per peer: a few per minute, so that a peer cannot turn a
/// node into a traffic source.
struct ProbeAnswerLimit {
  var perWindow = 6
  var windowNanoseconds: UInt64 = 60_000_000_000
  private var windows: [PeerID: (start: UInt64, count: Int)] = [:]

  /// Whether to answer `peer`'s probe at `now` (and counts it).
  mutating func admit(_ peer: PeerID, now: UInt64) -> Bool {
    var window = windows[peer] ?? (now, 0)
    if Timestamps.elapsed(from: window.start, to: now) >= windowNanoseconds { window = (now, 0) }
    guard window.count < perWindow else { return false }
    window.count += 1
    windows[peer] = window
    if windows.count > 4_096 {
      windows = windows.filter {
        Timestamps.elapsed(from: $0.value.start, to: now) < windowNanoseconds
      }
    }
    return true
  }
}
