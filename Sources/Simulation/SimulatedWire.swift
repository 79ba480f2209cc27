import Wire

/// What crosses a simulated link: each message as its wire encoding (`Message.wireBytes`), the
/// bytes a real peer puts in a frame, and at the other end the message decoded from them.
///
/// The simulator encodes a message once per send (duplicated copies share the bytes), sizes the
/// transmission by the byte count and decodes at delivery, as a socket would. Two small caches
/// keep that from multiplying memory in large runs, where an aggregator sends one model to
/// thousands of trainers: a model sent again from the same float storage reuses its encoding,
/// and bytes decoded before (the same storage, so the same bits) reuse their decoded message.
/// Decoding is a function of the bytes, so sharing its result changes nothing a peer sees.
/// Only models are cached: updates and partials go to one or a few peers, and their stream
/// would evict the models between two requests for them.
struct SimulatedWire {
  /// The codec; tests substitute a broken one to show that the simulator catches it.
  var encodeMessage: (Message) -> [UInt8] = { $0.wireBytes }
  var decodeMessage: ([UInt8]) throws(WireError) -> Message = { bytes throws(WireError) in
    try Message(wireBytes: bytes[...])
  }

  /// Recent encodings and decodings kept for reuse.
  static let cacheEntriesMax = 16
  /// Models shorter than this are not cached: they are cheap to encode and decode.
  static let cachedBytesMin = 4_096

  private var encodings: [(message: Message, storage: UnsafeRawPointer, bytes: [UInt8])] = []
  private var nextEncoding = 0
  private var decodings: [(bytes: [UInt8], message: Message)] = []
  private var nextDecoding = 0

  /// The bytes that carry `message`.
  ///
  /// - Complexity: O(n) in the encoded size; O(1) when the same payload storage was encoded
  ///   recently.
  mutating func encode(_ message: Message) -> [UInt8] {
    guard let storage = message.modelStorage else { return encodeMessage(message) }
    // The cached message keeps its storage alive, so an equal address is the same floats.
    if let hit = encodings.first(where: { $0.storage == storage && $0.message == message }) {
      return hit.bytes
    }
    let bytes = encodeMessage(message)
    guard bytes.count >= Self.cachedBytesMin else { return bytes }
    Self.remember((message, storage, bytes), in: &encodings, next: &nextEncoding)
    return bytes
  }

  /// The message that `bytes` carry.
  ///
  /// - Complexity: O(n) in the byte count; O(1) when the same bytes were decoded recently.
  mutating func decode(_ bytes: [UInt8]) throws(WireError) -> Message {
    guard bytes.count >= Self.cachedBytesMin else { return try decodeMessage(bytes) }
    // The cached bytes stay alive, so an equal address is the same bytes.
    let storage = bytes.storageAddress
    if let hit = decodings.first(where: { $0.bytes.storageAddress == storage }) {
      return hit.message
    }
    let message = try decodeMessage(bytes)
    if message.modelStorage != nil {
      Self.remember((bytes, message), in: &decodings, next: &nextDecoding)
    }
    return message
  }

  private static func remember<Entry>(_ entry: Entry, in entries: inout [Entry], next: inout Int) {
    if entries.count < cacheEntriesMax {
      entries.append(entry)
    } else {
      entries[next] = entry
      next = (next + 1) % cacheEntriesMax
    }
  }
}

extension Message {
  /// Where the floats of a model message are stored; nil for other messages.
  fileprivate var modelStorage: UnsafeRawPointer? {
    guard case .round(.model(_, _, let values)) = self, !values.isEmpty else { return nil }
    return values.storageAddress
  }
}

extension Array {
  /// The address of the elements' storage, which identifies it while the array is alive.
  fileprivate var storageAddress: UnsafeRawPointer? {
    withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) }
  }
}
