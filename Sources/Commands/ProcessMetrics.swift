import Foundation

/// Figures about this process, measured the same way as the PyTorch reference script.
enum ProcessMetrics {
  /// Peak resident set size so far, in MiB (`getrusage` reports KiB on Linux).
  static func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF, &usage)
    return Double(usage.ru_maxrss) / 1024
  }

  /// Wall-clock seconds since the Unix epoch.
  static func now() -> Double { Date().timeIntervalSince1970 }

  /// When the process was launched: `$T0` if the shell recorded it just before exec (as the
  /// PyTorch script expects), else the start time in `/proc/self/stat` (10 ms resolution).
  static func launchTime() -> Double? {
    if let text = ProcessInfo.processInfo.environment["T0"], let value = Double(text) { return value }
    guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
      let closing = stat.lastIndex(of: ")"),
      let boot = try? String(contentsOfFile: "/proc/stat", encoding: .utf8)
    else { return nil }
    let fields = stat[stat.index(after: closing)...].split(separator: " ")
    guard fields.count > 19, let ticks = Double(fields[19]),
      let bootLine = boot.split(separator: "\n").first(where: { $0.hasPrefix("btime") }),
      let bootTime = Double(bootLine.split(separator: " ")[1])
    else { return nil }
    return bootTime + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
  }
}
