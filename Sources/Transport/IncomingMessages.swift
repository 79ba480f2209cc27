/// The messages peers sent, in the order each peer sent them, delivered only from connections
/// whose hello was valid. It has one reader.
///
/// Reading is the transport's flow control: while `TransportLimits.incomingMessagesMax`
/// messages wait here, the transport reads no socket, so ZeroMQ's high-water marks and then
/// TCP slow the senders down. Nothing is dropped for a slow reader.
public struct IncomingMessages: AsyncSequence, Sendable {
  public typealias Element = IncomingMessage

  let stream: AsyncStream<IncomingMessage>
  let mailbox: TransportMailbox
  let limit: Int

  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(base: stream.makeAsyncIterator(), mailbox: mailbox, limit: limit)
  }

  public struct AsyncIterator: AsyncIteratorProtocol {
    var base: AsyncStream<IncomingMessage>.AsyncIterator
    let mailbox: TransportMailbox
    let limit: Int

    /// The next message; nil once the transport is closed.
    public mutating func next() async -> IncomingMessage? {
      guard let message = await base.next() else { return nil }
      mailbox.incomingTaken(limit: limit)
      return message
    }
  }
}
