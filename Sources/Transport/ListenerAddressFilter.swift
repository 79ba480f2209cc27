import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A classic BPF socket filter (`SO_ATTACH_FILTER`) on a listener's TCP socket that drops, in
/// the kernel, every packet from a list of addresses and subnets: an address (or subnet) over
/// its connection-attempt rate stops costing the listener anything at all. Its SYNs are dropped before a connection
/// exists, so libzmq never accepts it, never starts a CURVE handshake for it (a replayed hello
/// alone costs about three X25519 operations and a guarded `sodium_malloc`), and the socket
/// monitor never reports it. Linux runs a listening socket's filter on the SYNs and handshake
/// ACKs it receives, and an accepted connection keeps a copy of the filter it was accepted
/// under, which only ever drops the blocked addresses.
///
/// The socket is libzmq's: it is found by its port among the process's descriptors once
/// libzmq has bound it, and the filter is replaced whenever the list changes.
struct ListenerAddressFilter {
  /// Addresses and subnets the filter holds at most (the most recently blocked are kept): each
  /// IPv4 one costs 2 instructions, an IPv6 address 9 and an IPv6 subnet 6, under the kernel's
  /// 4,096.
  static let rangesMax = 256

  let descriptor: Int32

  /// The listening TCP socket of this process bound to `port`; nil when none is found (not
  /// Linux's `/proc`, or the socket is gone).
  static func find(listeningOn port: UInt16) -> ListenerAddressFilter? {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else {
      return nil
    }
    for name in names {
      guard let descriptor = Int32(name), isListener(descriptor, port: port) else { continue }
      return ListenerAddressFilter(descriptor: descriptor)
    }
    return nil
  }

  private static func isListener(_ descriptor: Int32, port: UInt16) -> Bool {
    var accepting: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    guard getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0,
      accepting == 1
    else { return false }
    var storage = sockaddr_storage()
    var addressLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let status = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        getsockname(descriptor, $0, &addressLength)
      }
    }
    guard status == 0 else { return false }
    let copy = storage
    let boundPort: UInt16? = withUnsafePointer(to: copy) { pointer in
      switch Int32(copy.ss_family) {
      case AF_INET:
        pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
          UInt16(bigEndian: $0.pointee.sin_port)
        }
      case AF_INET6:
        pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
          UInt16(bigEndian: $0.pointee.sin6_port)
        }
      default: nil
      }
    }
    return boundPort == port
  }

  /// Replaces the socket's filter with one that drops packets from `ranges` (the first
  /// `rangesMax` of them; `.other` keys are no addresses and are skipped), or removes it when
  /// there are none. False when the kernel refused.
  @discardableResult
  func install(blocking ranges: [BlockedRange]) -> Bool {
    let kept = Array(
      ranges.filter { if case .other = $0.key { false } else { true } }.prefix(Self.rangesMax))
    guard !kept.isEmpty else {
      var unused: Int32 = 0
      let status = setsockopt(
        descriptor, SOL_SOCKET, SO_DETACH_FILTER, &unused, socklen_t(MemoryLayout<Int32>.size))
      return status == 0 || errno == ENOENT
    }
    var instructions = Self.program(blocking: kept)
    return instructions.withUnsafeMutableBufferPointer { buffer in
      var program = SocketFilterProgram(
        length: UInt16(buffer.count), instructions: buffer.baseAddress)
      return setsockopt(
        descriptor, SOL_SOCKET, SO_ATTACH_FILTER, &program,
        socklen_t(MemoryLayout<SocketFilterProgram>.size)) == 0
    }
  }

  /// The filter: by the IP version of the packet's network header, compare its source address
  /// with each blocked address of that family, then its /24 or /56 with each blocked subnet; a
  /// match returns 0 (drop), anything else keeps the whole packet. Every conditional jump is
  /// short (at most 7 ahead) and the one long jump is unconditional, so the program has no
  /// jump-length limit short of the kernel's size.
  static func program(blocking ranges: [BlockedRange]) -> [SocketFilterInstruction] {
    var ipv4: [UInt32] = []
    var ipv4Subnets: [UInt32] = []
    var ipv6: [(UInt64, UInt64)] = []
    var ipv6Subnets: [UInt64] = []
    for range in ranges {
      switch (range.key, range.isSubnet) {
      case (.ipv4(let value), false): ipv4.append(value)
      case (.ipv4(let value), true): ipv4Subnets.append(value & ipv4SubnetMask)
      case (.ipv6(let high, let low), false): ipv6.append((high, low))
      case (.ipv6(let high, _), true): ipv6Subnets.append(high & ipv6SubnetMask)
      case (.other, _): break
      }
    }
    typealias Op = SocketFilterInstruction
    var code: [Op] = [
      Op(.loadByte, k: networkOffset),  // the version nibble and the header length
      Op(.shiftRight, k: 4),
      Op(.jumpIfEqual, k: 4, jt: 1, jf: 0),
      Op(.jump, k: 0),  // to the IPv6 part: patched below
      Op(.loadWord, k: networkOffset + 12),  // IPv4 source
    ]
    for address in ipv4 {
      code += [Op(.jumpIfEqual, k: address, jt: 0, jf: 1), Op(.return, k: 0)]
    }
    if !ipv4Subnets.isEmpty { code.append(Op(.and, k: ipv4SubnetMask)) }
    for subnet in ipv4Subnets {
      code += [Op(.jumpIfEqual, k: subnet, jt: 0, jf: 1), Op(.return, k: 0)]
    }
    code.append(Op(.return, k: keepPacket))
    code[3].k = UInt32(code.count - 4)
    code += [Op(.jumpIfEqual, k: 6, jt: 1, jf: 0), Op(.return, k: keepPacket)]
    for (high, low) in ipv6 {
      let words = [
        UInt32(high >> 32), UInt32(truncatingIfNeeded: high), UInt32(low >> 32),
        UInt32(truncatingIfNeeded: low),
      ]
      for (index, word) in words.enumerated() {
        // IPv6 source: bytes 8-23; a mismatch skips to the next address's block.
        code.append(Op(.loadWord, k: networkOffset + 8 + UInt32(index) * 4))
        code.append(Op(.jumpIfEqual, k: word, jt: 0, jf: UInt8(7 - 2 * index)))
      }
      code.append(Op(.return, k: 0))
    }
    for subnet in ipv6Subnets {
      // The /56: the source's first word, then its second under the mask.
      code += [
        Op(.loadWord, k: networkOffset + 8),
        Op(.jumpIfEqual, k: UInt32(subnet >> 32), jt: 0, jf: 4),
        Op(.loadWord, k: networkOffset + 12),
        Op(.and, k: UInt32(truncatingIfNeeded: ipv6SubnetMask)),
        Op(.jumpIfEqual, k: UInt32(truncatingIfNeeded: subnet), jt: 0, jf: 1),
        Op(.return, k: 0),
      ]
    }
    code.append(Op(.return, k: keepPacket))
    return code
  }

  static let ipv4SubnetMask: UInt32 = 0xFFFF_FF00
  static let ipv6SubnetMask: UInt64 = 0xFFFF_FFFF_FFFF_FF00

  /// `SKF_NET_OFF`: offsets from the network header rather than from the TCP header, where a
  /// TCP socket's filter starts.
  static let networkOffset = UInt32(bitPattern: -0x10_0000)
  /// A filter's return value that keeps the whole packet.
  static let keepPacket = UInt32.max
}

/// One classic BPF instruction: `struct sock_filter` of `<linux/filter.h>`.
struct SocketFilterInstruction: Equatable {
  /// The opcodes the address filter uses (`BPF_LD|BPF_B|BPF_ABS` and so on).
  enum Operation: UInt16 {
    case loadByte = 0x30
    case loadWord = 0x20
    case shiftRight = 0x74
    case and = 0x54
    case jump = 0x05
    case jumpIfEqual = 0x15
    case `return` = 0x06
  }

  var code: UInt16
  var jt: UInt8
  var jf: UInt8
  var k: UInt32

  init(_ operation: Operation, k: UInt32, jt: UInt8 = 0, jf: UInt8 = 0) {
    code = operation.rawValue
    self.jt = jt
    self.jf = jf
    self.k = k
  }
}

/// `struct sock_fprog`: a program's length and its instructions.
struct SocketFilterProgram {
  var length: UInt16
  var instructions: UnsafeMutablePointer<SocketFilterInstruction>?
}
