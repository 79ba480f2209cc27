import Foundation

/// The remote end of a TCP socket that ZeroMQ owns, read from its descriptor.
enum PeerSocketAddress {
  /// The peer's IP address as ZeroMQ's ZAP requests write it (`127.0.0.1`, `::1`; an IPv4
  /// client of an IPv6 listener as `::ffff:127.0.0.1`), or nil when `descriptor` is not a
  /// connected IP socket (closed already, or reused for something else).
  static func peerAddress(of descriptor: Int32) -> String? {
    guard descriptor >= 0 else { return nil }
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let status = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        getpeername(descriptor, $0, &length)
      }
    }
    guard status == 0 else { return nil }
    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
    let capacity = socklen_t(text.count)
    let family = Int32(storage.ss_family)
    let copy = storage
    let written: UnsafePointer<CChar>? = withUnsafePointer(to: copy) { pointer in
      switch family {
      case AF_INET:
        pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
          var bytes = address.pointee.sin_addr
          return inet_ntop(AF_INET, &bytes, &text, capacity)
        }
      case AF_INET6:
        pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
          var bytes = address.pointee.sin6_addr
          return inet_ntop(AF_INET6, &bytes, &text, capacity)
        }
      default:
        nil
      }
    }
    guard written != nil else { return nil }
    return String(cString: text)
  }

  /// Shuts both directions of the socket down, leaving the descriptor open for its owner to
  /// close; false when it is not a socket.
  static func shutDown(_ descriptor: Int32) -> Bool {
    shutdown(descriptor, Int32(SHUT_RDWR)) == 0
  }
}
