import CSodium

/// libsodium's one-time set-up: `sodium_init()` picks the fastest implementation of each
/// primitive for this CPU and seeds the random generator. It must run before any other call.
enum SodiumLibrary {
  /// Swift runs a global's initialiser exactly once, on first use, under a lock (`swift_once`):
  /// lazy and thread-safe, and every later read is a plain load.
  private static let isInitialized: Bool = sodium_init() >= 0

  /// Initialises libsodium if no earlier call did; cheap after the first call.
  static func ensureInitialized() {
    precondition(isInitialized, "libsodium could not initialise (sodium_init() returned -1)")
  }
}
