import CSodium

/// Numbers from the operating system's secure random generator (libsodium's `randombytes`), for
/// what no other peer may predict: a real node's noise seeds and a round's combination seed.
public enum SecureRandom {
  public static func uint64() -> UInt64 {
    SodiumLibrary.ensureInitialized()
    var value: UInt64 = 0
    withUnsafeMutableBytes(of: &value) { randombytes_buf($0.baseAddress!, $0.count) }
    return value
  }
}
