import Testing

@testable import Transport

/// The kernel filter's program, run by a small interpreter of the classic BPF it uses over
/// made-up IPv4 and IPv6 headers (the kernel runs the IPv4 path in
/// `ZMQTransportAdmissionTests`; loopback here has no second IPv6 address to test from).
struct ListenerAddressFilterTests {
  /// What the program returns for a packet whose network header is `header`: 0 drops it.
  func run(_ program: [SocketFilterInstruction], header: [UInt8]) -> UInt32 {
    var accumulator: UInt32 = 0
    var pc = 0
    func offset(_ k: UInt32) -> Int { Int(k &- ListenerAddressFilter.networkOffset) }
    while pc < program.count {
      let op = program[pc]
      pc += 1
      switch SocketFilterInstruction.Operation(rawValue: op.code) {
      case .loadByte: accumulator = UInt32(header[offset(op.k)])
      case .loadWord:
        accumulator = header[offset(op.k)..<offset(op.k) + 4].reduce(0) { $0 << 8 | UInt32($1) }
      case .shiftRight: accumulator >>= op.k
      case .and: accumulator &= op.k
      case .jump: pc += Int(op.k)
      case .jumpIfEqual: pc += Int(accumulator == op.k ? op.jt : op.jf)
      case .return: return op.k
      case nil: Issue.record("unknown opcode \(op.code)")
      }
    }
    Issue.record("the program ran off its end")
    return 0
  }

  func ipv4(_ source: [UInt8]) -> [UInt8] {
    [0x45] + [UInt8](repeating: 0, count: 11) + source + [10, 0, 0, 1]
  }

  func ipv6(_ source: [UInt8]) -> [UInt8] {
    [0x60] + [UInt8](repeating: 0, count: 7) + source + [UInt8](repeating: 0, count: 16)
  }

  func range(_ text: String, subnet: Bool = false) -> BlockedRange {
    let key = AddressKey(parsing: text)
    return BlockedRange(key: subnet ? key.subnet : key, isSubnet: subnet)
  }

  @Test func dropsTheBlockedAddressesAndSubnetsOfBothFamiliesAndKeepsTheRest() {
    let program = ListenerAddressFilter.program(blocking: [
      range("127.0.0.2"), range("10.1.2.3"), range("192.168.7.9", subnet: true),
      range("2001:db8::5"), range("2001:db8:0:1ff::1", subnet: true),
    ])
    #expect(run(program, header: ipv4([127, 0, 0, 2])) == 0)
    #expect(run(program, header: ipv4([10, 1, 2, 3])) == 0)
    #expect(run(program, header: ipv4([192, 168, 7, 200])) == 0, "in the blocked /24")
    #expect(run(program, header: ipv4([127, 0, 0, 1])) == ListenerAddressFilter.keepPacket)
    #expect(run(program, header: ipv4([192, 168, 8, 9])) == ListenerAddressFilter.keepPacket)
    let blocked6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [5]
    #expect(run(program, header: ipv6(blocked6)) == 0)
    var neighbour = blocked6
    neighbour[15] = 6
    #expect(run(program, header: ipv6(neighbour)) == ListenerAddressFilter.keepPacket)
    // 2001:db8:0:1xx::/56: any host, any of the /64s of that /56.
    let inSubnet: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0x01, 0x42] + [9, 9, 9, 9, 9, 9, 9, 9]
    #expect(run(program, header: ipv6(inSubnet)) == 0)
    var outside = inSubnet
    outside[6] = 0x02
    #expect(run(program, header: ipv6(outside)) == ListenerAddressFilter.keepPacket)
    // The IPv4 address is not mistaken for the first word of an IPv6 one, nor the reverse.
    #expect(
      run(program, header: ipv6([127, 0, 0, 2] + [UInt8](repeating: 0, count: 12)))
        == ListenerAddressFilter.keepPacket)
  }

  @Test func aFullFilterStaysWithinTheKernelsSizeAndItsJumps() {
    let ranges = (0..<ListenerAddressFilter.rangesMax).map { index in
      index % 2 == 0
        ? range("10.0.\(index / 256).\(index % 256)")
        : range("2001:db8::\(String(index, radix: 16))")
    }
    let program = ListenerAddressFilter.program(blocking: ranges)
    #expect(program.count <= 4_096)
    // Every jump lands inside the program.
    for (index, op) in program.enumerated() {
      if op.code == SocketFilterInstruction.Operation.jump.rawValue {
        #expect(index + 1 + Int(op.k) < program.count)
      } else if op.code == SocketFilterInstruction.Operation.jumpIfEqual.rawValue {
        #expect(index + 1 + Int(max(op.jt, op.jf)) < program.count)
      }
    }
    #expect(run(program, header: ipv4([10, 0, 0, 254])) == 0)
    #expect(run(program, header: ipv4([10, 0, 0, 255])) == ListenerAddressFilter.keepPacket)
    let last: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 10) + [0, 0xff]
    #expect(run(program, header: ipv6(last)) == 0)
  }
}
