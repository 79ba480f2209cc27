import CSodium

/// Secret bytes (a signing key) in memory from `sodium_malloc`: locked so it is not swapped out,
/// fenced by inaccessible guard pages, read-only once written, and zeroed when released.
final class SecretBytes {
  let count: Int
  private let base: UnsafeMutableRawPointer

  /// `count` bytes written once by `initialize`, then made read-only.
  init(count: Int, initialize: (UnsafeMutableRawBufferPointer) -> Void) {
    precondition(count > 0, "secret bytes need a positive count")
    SodiumLibrary.ensureInitialized()
    guard let base = sodium_malloc(count) else {
      preconditionFailure("sodium_malloc could not allocate \(count) secret bytes")
    }
    self.count = count
    self.base = base
    initialize(UnsafeMutableRawBufferPointer(start: base, count: count))
    precondition(sodium_mprotect_readonly(base) == 0, "sodium_mprotect_readonly failed")
  }

  deinit {
    // sodium_free makes the pages writable again, zeroes them, unlocks and unmaps them.
    sodium_free(base)
  }

  /// Calls `body` with the bytes; they must not escape it.
  func withUnsafeBytes<Result, Failure: Error>(
    _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    try body(UnsafeRawBufferPointer(start: base, count: count))
  }
}

// The bytes are written once, inside `init`, and read-only (enforced by the page protection)
// from then on, so any number of threads may read them at once.
extension SecretBytes: @unchecked Sendable {}
