import Foundation

/// A minimal SVG line chart (no dependencies): one polyline per series, axes with ticks, legend.
struct SVGChart {
  struct Series {
    var name: String
    var points: [(x: Double, y: Double)]
  }

  var title: String
  var xLabel: String
  var yLabel: String
  var series: [Series]
  static let colors = [
    "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
  ]

  func render(width: Double = 760, height: Double = 440) -> String {
    let margin = (left: 64.0, right: 180.0, top: 40.0, bottom: 52.0)
    let all = series.flatMap(\.points)
    // Non-finite or absurd x values (no chart has 10^9 rounds) give an axis of 0...1, so no
    // conversion below can trap.
    let xLargest = max(all.map(\.x).filter { $0.isFinite }.max() ?? 1, 1)
    let xMax = xLargest < 1e9 ? xLargest : 1
    let yValues = all.map(\.y)
    let yMin = max(0, ((yValues.min() ?? 0) * 10).rounded(.down) / 10)
    let yMax = min(1, ((yValues.max() ?? 1) * 10).rounded(.up) / 10)
    let plotWidth = width - margin.left - margin.right
    let plotHeight = height - margin.top - margin.bottom
    func x(_ value: Double) -> Double { margin.left + value / xMax * plotWidth }
    func y(_ value: Double) -> Double {
      margin.top + (1 - (value - yMin) / max(yMax - yMin, 1e-9)) * plotHeight
    }
    func text(_ value: Double) -> String { String(format: "%.1f", value) }
    var svg = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(text(margin.left))" y="22" font-size="15">\(escape(title))</text>

      """
    for step in 0...5 {
      let value = yMin + (yMax - yMin) * Double(step) / 5
      svg +=
        "<line x1=\"\(text(margin.left))\" x2=\"\(text(margin.left + plotWidth))\" y1=\"\(text(y(value)))\" y2=\"\(text(y(value)))\" stroke=\"#ddd\"/>\n"
      svg +=
        "<text x=\"\(text(margin.left - 8))\" y=\"\(text(y(value) + 4))\" text-anchor=\"end\">\(String(format: "%.2f", value))</text>\n"
    }
    let xStep = max(1, Int((xMax / 10).rounded(.up)))
    for tick in stride(from: 0, through: Int(xMax), by: xStep) {
      svg +=
        "<text x=\"\(text(x(Double(tick))))\" y=\"\(text(margin.top + plotHeight + 18))\" text-anchor=\"middle\">\(tick)</text>\n"
    }
    svg +=
      "<line x1=\"\(text(margin.left))\" x2=\"\(text(margin.left + plotWidth))\" y1=\"\(text(margin.top + plotHeight))\" y2=\"\(text(margin.top + plotHeight))\" stroke=\"black\"/>\n"
    svg +=
      "<line x1=\"\(text(margin.left))\" x2=\"\(text(margin.left))\" y1=\"\(text(margin.top))\" y2=\"\(text(margin.top + plotHeight))\" stroke=\"black\"/>\n"
    svg +=
      "<text x=\"\(text(margin.left + plotWidth / 2))\" y=\"\(text(height - 12))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
    svg +=
      "<text transform=\"translate(18 \(text(margin.top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
    for (index, line) in series.enumerated() {
      let color = Self.colors[index % Self.colors.count]
      let points = line.points.map { "\(text(x($0.x))),\(text(y($0.y)))" }.joined(separator: " ")
      svg +=
        "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>\n"
      let legendY = margin.top + 10 + Double(index) * 20
      svg +=
        "<line x1=\"\(text(width - margin.right + 12))\" x2=\"\(text(width - margin.right + 36))\" y1=\"\(text(legendY))\" y2=\"\(text(legendY))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
      svg +=
        "<text x=\"\(text(width - margin.right + 42))\" y=\"\(text(legendY + 4))\">\(escape(line.name))</text>\n"
    }
    return svg + "</svg>\n"
  }

  private func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;")
  }
}
