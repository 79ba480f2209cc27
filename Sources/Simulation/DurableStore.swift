/// A peer's durable state in the simulator: what it wrote, and what of that is on disk.
///
/// `write` records a new value that is not yet durable; `sync` makes the latest write durable.
/// A crash keeps only the last synced value, exactly what a real disk keeps when a process dies
/// between `write` and `fsync`.
public struct DurableStore<Value> {
  public private(set) var synced: Value?
  public private(set) var pending: Value?

  public init(_ initial: Value? = nil) { synced = initial }

  /// The value a running process sees (its latest write).
  public var current: Value? { pending ?? synced }

  public mutating func write(_ value: Value) { pending = value }

  public mutating func sync() {
    if let pending { synced = pending }
    pending = nil
  }

  /// Loses every unsynced write; returns what a restarted process reads.
  public mutating func crash() -> Value? {
    pending = nil
    return synced
  }
}
