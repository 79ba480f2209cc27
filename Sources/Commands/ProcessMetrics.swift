import Foundation

/// Figures about this process, measured the same way as the PyTorch reference script.
enum ProcessMetrics {
  /// Peak resident set size so far, in MiB (`getrusage` reports KiB on Linux).
  static func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
  }

  /// User and system CPU seconds of `who`: `RUSAGE_SELF`, or `RUSAGE_CHILDREN` (the children
  /// this process has waited for).
  static func cpuSeconds(_ who: Int32) -> Double {
    var usage = rusage()
    guard getrusage(who, &usage) == 0 else { return 0 }
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
  }

  /// Wall-clock seconds since the Unix epoch.
  static func now() -> Double { Date().timeIntervalSince1970 }

  /// Seconds since this process was launched: from `$T0` (the launch time the shell recorded
  /// just before exec, as the PyTorch reference script takes it) when set, else from the start
  /// time in `/proc/self/stat` against `/proc/uptime` (10 ms resolution).
  static func secondsSinceLaunch() -> Double? {
    if let text = ProcessInfo.processInfo.environment["T0"], let launch = Double(text) {
      return now() - launch
    }
    guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
      let closing = stat.lastIndex(of: ")"),
      let uptimeText = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
      let uptime = Double(uptimeText.split(separator: " ")[0])
    else { return nil }
    let fields = stat[stat.index(after: closing)...].split(separator: " ")
    guard fields.count > 19, let startTicks = Double(fields[19]) else { return nil }
    return uptime - startTicks / Double(sysconf(Int32(_SC_CLK_TCK)))
  }
}
