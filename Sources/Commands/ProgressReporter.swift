import Dispatch

/// Shows training progress: a bar redrawn in place on a terminal, plain lines every 10%
/// otherwise (logs and CI stay readable).
final class ProgressReporter {
  let output: Output
  let label: String
  let totalSamples: Int
  private let start = DispatchTime.now().uptimeNanoseconds
  private var lastRedraw: UInt64 = 0
  private var nextPlainFraction = 0.1
  /// Terminal redraws per second, at most.
  static let redrawsPerSecondMax: UInt64 = 10

  init(output: Output, label: String, totalSamples: Int) {
    self.output = output
    self.label = label
    self.totalSamples = max(totalSamples, 1)
  }

  /// Seconds since the reporter started.
  var elapsedSeconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

  func update(samplesDone: Int, loss: Float) {
    let now = DispatchTime.now().uptimeNanoseconds
    let fraction = Double(samplesDone) / Double(totalSamples)
    if output.isTerminal {
      guard
        now - lastRedraw >= 1_000_000_000 / Self.redrawsPerSecondMax || samplesDone >= totalSamples
      else { return }
      lastRedraw = now
      output.redraw(render(fraction: fraction, samplesDone: samplesDone, loss: loss, withBar: true))
    } else if fraction + 1e-9 >= nextPlainFraction {
      output.line(render(fraction: fraction, samplesDone: samplesDone, loss: loss, withBar: false))
      while nextPlainFraction <= fraction + 1e-9 { nextPlainFraction += 0.1 }
    }
  }

  func finish() { output.endRedraw() }

  private func render(fraction: Double, samplesDone: Int, loss: Float, withBar: Bool) -> String {
    let elapsed = elapsedSeconds
    let rate = elapsed > 0 ? Double(samplesDone) / elapsed : 0
    let remaining = rate > 0 ? Double(totalSamples - samplesDone) / rate : 0
    let percent = Int((fraction * 100).rounded(.down))
    var text = "\(label) "
    if withBar {
      let width = 24
      let filled = min(width, Int(fraction * Double(width)))
      text +=
        "[" + String(repeating: "=", count: filled) + (filled < width ? ">" : "")
        + String(repeating: " ", count: max(0, width - filled - 1)) + "] "
    }
    text +=
      "\(pad(percent, 3))% loss \(format(loss, digits: 4))  \(Int(rate)) samples/s  ETA \(clock(remaining))"
    return text
  }

  private func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: " ", count: max(0, width - text.count)) + text
  }
}

/// `m:ss` for a duration in seconds.
func clock(_ seconds: Double) -> String {
  // An estimate from a rate of zero is infinite; no conversion of it may trap.
  guard seconds.isFinite, seconds >= 0, seconds < 1e9 else { return "--:--" }
  let total = Int(seconds.rounded())
  let secondsPart = total % 60
  return "\(total / 60):\(secondsPart < 10 ? "0" : "")\(secondsPart)"
}

/// A number with a fixed count of decimals.
func format(_ value: Float, digits: Int) -> String { format(Double(value), digits: digits) }

func format(_ value: Double, digits: Int) -> String {
  guard value.isFinite else { return String(value) }
  var scale = 1.0
  for _ in 0..<digits { scale *= 10 }
  // A value that the fixed decimals would show as zero, or that is too large to scale, keeps
  // its own shortest form (`1e-300`), so no figure reads as 0 that is not.
  if value != 0 && (abs(value) * scale < 0.5 || abs(value) >= 1e15) { return String(value) }
  let rounded = (value * scale).rounded() / scale
  var text = String(rounded)
  if let dot = text.firstIndex(of: ".") {
    let decimals = text.distance(from: dot, to: text.endIndex) - 1
    if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
  } else if digits > 0 {
    text += "." + String(repeating: "0", count: digits)
  }
  return text
}
