#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How much memory a command may allocate, and the check it makes before allocating.
///
/// The bound is the smallest of: the memory the kernel reports available (`MemAvailable`), the
/// process's address-space limit (`ulimit -v`), the cgroup's `memory.max`, and a cap the user
/// gives (`--max-memory`). A command estimates what a configuration will allocate (parameters,
/// optimizer state, activations, the dataset after inflation, peers x parameters in a simulation)
/// and refuses above the bound with a `MemoryBudgetError` that lists the estimate, instead of
/// dying in the allocator half-way through.
public struct MemoryBudget: Sendable, Equatable {
  /// Bytes the process may allocate.
  public let bytesMax: Int
  /// Where the bound comes from, for the error message.
  public let source: String

  public init(bytesMax: Int, source: String) {
    precondition(bytesMax >= 0, "negative memory budget")
    self.bytesMax = bytesMax
    self.source = source
  }

  /// A budget that never refuses (for tests of code that takes a budget).
  public static let unlimited = MemoryBudget(bytesMax: Int.max, source: "unlimited")

  /// The system's bound, lowered to `capBytes` when one is given.
  public static func system(cappedAt capBytes: Int? = nil) -> MemoryBudget {
    var candidates: [(Int, String)] = []
    if let available = availableMemoryBytes() { candidates.append((available, "available memory")) }
    var limit = rlimit()
    if getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max,
      limit.rlim_cur < UInt64(Int.max)
    {
      candidates.append((Int(limit.rlim_cur), "the address-space limit (ulimit -v)"))
    }
    if let cgroup = cgroupLimitBytes() { candidates.append((cgroup, "the cgroup memory limit")) }
    if let capBytes { candidates.append((capBytes, "--max-memory")) }
    guard let smallest = candidates.min(by: { $0.0 < $1.0 }) else { return .unlimited }
    return MemoryBudget(bytesMax: smallest.0, source: smallest.1)
  }

  /// Refuses `estimate` when it needs more than the budget.
  public func check(_ estimate: MemoryEstimate) throws(MemoryBudgetError) {
    guard estimate.totalBytes <= bytesMax else {
      throw MemoryBudgetError(estimate: estimate, budget: self)
    }
  }

  /// `MemAvailable` from `/proc/meminfo`.
  private static func availableMemoryBytes() -> Int? {
    guard let text = smallFileText("/proc/meminfo") else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
      let fields = line.split(separator: " ")
      guard fields.count >= 2, let kibibytes = Int(fields[1]) else { return nil }
      return kibibytes.multipliedReportingOverflow(by: 1024).overflow ? nil : kibibytes * 1024
    }
    return nil
  }

  /// The cgroup v2 `memory.max` of this process, when it sets one.
  private static func cgroupLimitBytes() -> Int? {
    guard let membership = smallFileText("/proc/self/cgroup"),
      let line = membership.split(separator: "\n").first(where: { $0.hasPrefix("0::") })
    else { return nil }
    let group = line.dropFirst(3)
    guard let text = smallFileText("/sys/fs/cgroup\(group)/memory.max") else { return nil }
    return Int(text.trimmingSpaces())
  }

  private static func smallFileText(_ path: String) -> String? {
    guard let bytes = try? RegularFile.contents(of: path, bytesMax: 1 << 20) else { return nil }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Parses a size such as `512MiB`, `2GiB`, `1.5G`, `800M` or a number of bytes.
  ///
  /// Units are binary (`K`/`KiB` = 1024 bytes, `M`/`MiB`, `G`/`GiB`, `T`/`TiB`); `KB`, `MB`, `GB`
  /// and `TB` are decimal. Returns `nil` for anything else, a non-finite or negative value, or
  /// a size that does not fit in `Int`.
  public static func parseSize(_ text: String) -> Int? {
    let units: [(String, Double)] = [
      ("KiB", 0x1p10), ("MiB", 0x1p20), ("GiB", 0x1p30), ("TiB", 0x1p40),
      ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12),
      ("K", 0x1p10), ("M", 0x1p20), ("G", 0x1p30), ("T", 0x1p40), ("B", 1),
    ]
    var number = Substring(text)
    var scale = 1.0
    for (suffix, factor) in units where text.hasSuffix(suffix) {
      number = text.dropLast(suffix.count)
      scale = factor
      break
    }
    guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
    let bytes = (value * scale).rounded(.down)
    guard bytes < 9.2e18 else { return nil }
    return Int(bytes)
  }
}

/// What a command expects to allocate, item by item.
public struct MemoryEstimate: Sendable, Equatable {
  /// What the command is about to do ("training", "the simulation").
  public let purpose: String
  /// The largest items, each with its size in bytes.
  public private(set) var items: [Item] = []
  /// A hint saying which fields or flags lower the estimate.
  public var hint: String

  public struct Item: Sendable, Equatable {
    public let name: String
    public let bytes: Int
  }

  public init(purpose: String, hint: String) {
    self.purpose = purpose
    self.hint = hint
  }

  /// Adds `count` elements of `bytesPerElement` bytes each; saturates instead of overflowing.
  public mutating func add(_ name: String, count: Int, bytesPerElement: Int = 4) {
    precondition(count >= 0 && bytesPerElement >= 0, "negative memory estimate")
    let (bytes, overflow) = count.multipliedReportingOverflow(by: bytesPerElement)
    items.append(Item(name: name, bytes: overflow ? Int.max : bytes))
  }

  /// Adds a product of counts (e.g. peers x parameters x copies) without overflowing.
  public mutating func add(_ name: String, product factors: [Int], bytesPerElement: Int = 4) {
    var count = 1
    for factor in factors {
      let (next, overflow) = count.multipliedReportingOverflow(by: factor)
      count = overflow ? Int.max : next
      if overflow { break }
    }
    add(name, count: count, bytesPerElement: bytesPerElement)
  }

  /// The sum of the items, saturating at `Int.max`.
  public var totalBytes: Int {
    items.reduce(0) { sum, item in
      let (next, overflow) = sum.addingReportingOverflow(item.bytes)
      return overflow ? Int.max : next
    }
  }
}

/// An estimate above the memory budget.
public struct MemoryBudgetError: Error, Equatable, Sendable, CustomStringConvertible {
  public let estimate: MemoryEstimate
  public let budget: MemoryBudget

  public var description: String {
    let largest = estimate.items.sorted { $0.bytes > $1.bytes }.prefix(4)
      .map { "\($0.name) \(formatBytes($0.bytes))" }.joined(separator: ", ")
    return
      "\(estimate.purpose) needs about \(formatBytes(estimate.totalBytes)) of memory (\(largest)), "
      + "more than the \(formatBytes(budget.bytesMax)) allowed by \(budget.source); "
      + estimate.hint + (budget.source == "--max-memory" ? ", or raise --max-memory" : "")
  }
}

/// `1.5 GiB`, `300.0 MiB`, `12 bytes`.
public func formatBytes(_ bytes: Int) -> String {
  if bytes == Int.max { return "more than 8 EiB" }
  let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
  var value = Double(bytes)
  var unit = "bytes"
  for next in units where value >= 1024 {
    value /= 1024
    unit = next
  }
  if unit == "bytes" { return "\(bytes) bytes" }
  return "\((value * 10).rounded() / 10) \(unit)"
}

extension String {
  fileprivate func trimmingSpaces() -> String {
    String(
      self.drop { $0 == " " || $0 == "\n" }.reversed().drop { $0 == " " || $0 == "\n" }
        .reversed())
  }
}
