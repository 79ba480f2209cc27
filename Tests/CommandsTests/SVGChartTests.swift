import Foundation
import Testing

@testable import Commands

struct SVGChartTests {
  @Test func drawsOnePolylinePerSeriesWithALegendAndEscapedText() throws {
    let chart = SVGChart(
      title: "a < b & c", xLabel: "round", yLabel: "accuracy",
      series: [
        .init(name: "federated", points: [(1, 0.5), (2, 0.7), (3, 0.8)]),
        .init(name: "fdfl", points: [(1, 0.55), (2, 0.72)]),
      ])
    let svg = chart.render()
    #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
    #expect(svg.contains(">federated<") && svg.contains(">fdfl<"))
    #expect(svg.contains("a &lt; b &amp; c"))
    // Every element that is opened is closed.
    #expect(
      svg.components(separatedBy: "<text").count == svg.components(separatedBy: "</text>").count)
    #expect(
      svg.components(separatedBy: "<svg").count == svg.components(separatedBy: "</svg>").count)
  }
}
