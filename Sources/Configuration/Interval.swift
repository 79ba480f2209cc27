/// A range of allowed floating-point values, each end open or closed: `(0, 100]`, `[0, 1)`.
struct Interval: Sendable, Equatable, CustomStringConvertible {
  var lower: Double
  var isLowerOpen: Bool
  var upper: Double
  var isUpperOpen: Bool

  /// `[lower, upper]`.
  static func closed(_ lower: Double, _ upper: Double) -> Interval {
    Interval(lower: lower, isLowerOpen: false, upper: upper, isUpperOpen: false)
  }

  /// `[lower, upper)`.
  static func upperOpen(_ lower: Double, _ upper: Double) -> Interval {
    Interval(lower: lower, isLowerOpen: false, upper: upper, isUpperOpen: true)
  }

  /// `(lower, upper]`.
  static func lowerOpen(_ lower: Double, _ upper: Double) -> Interval {
    Interval(lower: lower, isLowerOpen: true, upper: upper, isUpperOpen: false)
  }

  /// `(lower, upper)`.
  static func open(_ lower: Double, _ upper: Double) -> Interval {
    Interval(lower: lower, isLowerOpen: true, upper: upper, isUpperOpen: true)
  }

  func contains(_ value: Double) -> Bool {
    let isAboveLower = isLowerOpen ? value > lower : value >= lower
    let isBelowUpper = isUpperOpen ? value < upper : value <= upper
    return isAboveLower && isBelowUpper
  }

  var description: String {
    let opening = isLowerOpen ? "(" : "["
    let closing = isUpperOpen ? ")" : "]"
    return "\(opening)\(Self.format(lower)), \(Self.format(upper))\(closing)"
  }

  /// Whole numbers without the `.0` that `Double.description` adds (`100`, `0.5`, `1e-08`).
  static func format(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return value.description
  }
}

extension ClosedRange where Bound: BinaryInteger {
  /// `[1, 65536]`, the notation `Interval` uses.
  var intervalDescription: String { "[\(lowerBound), \(upperBound)]" }
}
