import Synchronization
import Wire

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What callers' threads hand to the transport's thread, and the little of its state they may
/// read: which peers are reachable and how many bytes wait to be sent.
///
/// Commands go into a locked queue and a byte written to a pipe wakes the thread's `zmq_poll`,
/// so no ZeroMQ socket is ever touched by two threads.
final class TransportMailbox: Sendable {
  enum Command: Sendable {
    case send([UInt8], to: PeerID)
    case connect(Contact, CheckedContinuation<Result<PeerID, TransportError>, Never>)
    case stop
  }

  private struct State {
    var commands: [Command] = []
    var isClosed = false
    var reachablePeers: Set<PeerID> = []
    var queuedBytes = 0
    var queuedBytesByPeer: [PeerID: Int] = [:]
    /// Messages handed to `incoming` and not yet taken by its reader.
    var waitingIncoming = 0
  }

  private let state = Mutex(State())
  /// The pipe's ends: the thread polls `wakeReadDescriptor`.
  let wakeReadDescriptor: Int32
  private let wakeWriteDescriptor: Int32

  init() throws(TransportError) {
    var descriptors: [Int32] = [0, 0]
    guard pipe(&descriptors) == 0 else {
      throw .zeroMQ(
        operation: "pipe", errorNumber: errno, message: String(cString: strerror(errno)))
    }
    for descriptor in descriptors {
      _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
      _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
    }
    wakeReadDescriptor = descriptors[0]
    wakeWriteDescriptor = descriptors[1]
  }

  /// Queues a command unless the transport is closed; returns whether it did.
  func post(_ command: Command) -> Bool {
    let isPosted = state.withLock { state in
      guard !state.isClosed else { return false }
      state.commands.append(command)
      return true
    }
    if isPosted { wake() }
    return isPosted
  }

  /// Queues a message for `peer` after checking that the peer is reachable and that the queues
  /// have room.
  func postSend(
    _ bytes: [UInt8], to peer: PeerID, limits: TransportLimits
  ) throws(TransportError) {
    let result: Result<Void, TransportError> = state.withLock { state in
      guard !state.isClosed else { return .failure(.closed) }
      guard state.reachablePeers.contains(peer) else { return .failure(.unknownPeer(peer)) }
      guard state.queuedBytes + bytes.count <= limits.outgoingBytesMax else {
        return .failure(
          .outgoingQueueFull(queuedBytes: state.queuedBytes, maximum: limits.outgoingBytesMax))
      }
      let peerBytes = state.queuedBytesByPeer[peer, default: 0]
      guard peerBytes + bytes.count <= limits.outgoingBytesPerPeerMax else {
        return .failure(
          .outgoingQueueFull(queuedBytes: peerBytes, maximum: limits.outgoingBytesPerPeerMax))
      }
      state.queuedBytes += bytes.count
      state.queuedBytesByPeer[peer] = peerBytes + bytes.count
      state.commands.append(.send(bytes, to: peer))
      return .success(())
    }
    try result.get()
    wake()
  }

  /// Marks the transport closed and queues `stop`; returns false when it was already closed.
  func close() -> Bool {
    let isClosing = state.withLock { state in
      guard !state.isClosed else { return false }
      state.isClosed = true
      state.commands.append(.stop)
      return true
    }
    if isClosing { wake() }
    return isClosing
  }

  /// The commands posted since the last call (the thread's side).
  func takeCommands() -> [Command] {
    drainWakeBytes()
    return state.withLock { state in
      defer { state.commands = [] }
      return state.commands
    }
  }

  /// `byteCount` bytes queued for `peer` left the queue: sent or dropped.
  func release(_ byteCount: Int, of peer: PeerID) {
    state.withLock { state in
      state.queuedBytes -= byteCount
      let remaining = state.queuedBytesByPeer[peer, default: 0] - byteCount
      state.queuedBytesByPeer[peer] = remaining > 0 ? remaining : nil
      precondition(state.queuedBytes >= 0 && remaining >= 0, "released more than was queued")
    }
  }

  /// The thread handed a message to `incoming`.
  func incomingDelivered() {
    state.withLock { $0.waitingIncoming += 1 }
  }

  /// The reader took a message from `incoming`; wakes the thread when that makes room again.
  func incomingTaken(limit: Int) {
    let isRoomMade = state.withLock { state in
      state.waitingIncoming -= 1
      return state.waitingIncoming == limit - 1
    }
    if isRoomMade { wake() }
  }

  /// Whether `limit` messages wait in `incoming`: the thread then reads no socket, so ZeroMQ's
  /// high-water marks and TCP slow the senders down instead of messages being dropped.
  func isIncomingFull(limit: Int) -> Bool {
    state.withLock { $0.waitingIncoming >= limit }
  }

  /// The peers `send` accepts messages for.
  func setReachablePeers(_ peers: Set<PeerID>) {
    state.withLock { $0.reachablePeers = peers }
  }

  /// Closes the pipe once the thread has stopped.
  func closeDescriptors() {
    closeDescriptor(wakeReadDescriptor)
    closeDescriptor(wakeWriteDescriptor)
  }

  private func wake() {
    var byte: UInt8 = 1
    // A full pipe already holds a wake-up; nothing is lost when this write fails.
    _ = write(wakeWriteDescriptor, &byte, 1)
  }

  private func drainWakeBytes() {
    var buffer = [UInt8](repeating: 0, count: 64)
    while read(wakeReadDescriptor, &buffer, buffer.count) > 0 {}
  }
}

/// `close(2)`, out of reach of `TransportMailbox.close()`.
private func closeDescriptor(_ descriptor: Int32) {
  _ = close(descriptor)
}
