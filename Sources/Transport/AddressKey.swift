#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A client's IP address as the admission rules count it, and the subnet it belongs to: a /24
/// for IPv4, a /56 for IPv6 (the smallest block an ISP commonly gives one customer). An
/// IPv4-mapped IPv6 address (`::ffff:10.1.2.3`) counts as the IPv4 address it maps.
enum AddressKey: Hashable, Sendable {
  case ipv4(UInt32)
  case ipv6(high: UInt64, low: UInt64)
  /// Text that is no numeric address (ZeroMQ always gives one; kept apart all the same).
  case other(String)

  /// The key of `text` (`10.1.2.3`, `2001:db8::1`, `::ffff:10.1.2.3`).
  init(parsing text: String) {
    var ipv4 = in_addr()
    if inet_pton(AF_INET, text, &ipv4) == 1 {
      self = .ipv4(UInt32(bigEndian: ipv4.s_addr))
      return
    }
    var ipv6 = in6_addr()
    guard inet_pton(AF_INET6, text, &ipv6) == 1 else {
      self = .other(text)
      return
    }
    let bytes = withUnsafeBytes(of: &ipv6) { Array($0) }
    let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    // ::ffff:a.b.c.d (RFC 4291 section 2.5.5.2).
    if high == 0, low >> 32 == 0xFFFF {
      self = .ipv4(UInt32(truncatingIfNeeded: low))
    } else {
      self = .ipv6(high: high, low: low)
    }
  }

  /// The subnet this address is counted in.
  var subnet: AddressKey {
    switch self {
    case .ipv4(let address): .ipv4(address & 0xFFFF_FF00)
    case .ipv6(let high, _): .ipv6(high: high & 0xFFFF_FFFF_FFFF_FF00, low: 0)
    case .other: self
    }
  }
}

extension AddressKey: CustomStringConvertible {
  /// The address as text: `10.1.2.3`, `2001:db8::1`.
  var description: String {
    switch self {
    case .ipv4(let value):
      return [24, 16, 8, 0].map { String((value >> $0) & 0xFF) }.joined(separator: ".")
    case .ipv6(let high, let low):
      var bytes = (0..<8).reversed().map { UInt8(truncatingIfNeeded: high >> ($0 * 8)) }
      bytes += (0..<8).reversed().map { UInt8(truncatingIfNeeded: low >> ($0 * 8)) }
      var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
      let capacity = socklen_t(text.count)
      guard inet_ntop(AF_INET6, bytes, &text, capacity) != nil else { return "?" }
      return String(cString: text)
    case .other(let text):
      return text
    }
  }
}
