import Testing

@testable import Aggregation

/// The condensed tree and the single-cluster labelling FLAME relies on.
struct CondensedTreeTests {
  /// Points at 0, 1, 2, 3 and 10 on a line, minimum cluster size 3: the point at 10 leaves the
  /// root at lambda 1/7, the rest stay until the root dissolves at lambda 1.
  @Test func singleClusterKeepsThePointsThatStayed() {
    let positions: [Double] = [0, 1, 2, 3, 10]
    let distances = positions.flatMap { a in positions.map { b in abs(a - b) } }
    let clustering = HDBSCAN(minimumClusterSize: 3, allowsSingleCluster: true)
    #expect(clustering.labels(distances: distances, count: 5) == [0, 0, 0, 0, HDBSCAN.noise])
    let noSingle = HDBSCAN(minimumClusterSize: 3, allowsSingleCluster: false)
    #expect(noSingle.labels(distances: distances, count: 5).allSatisfy { $0 == HDBSCAN.noise })
  }

  @Test func splitCreatesTwoClustersWithBirthLambda() {
    let positions: [Double] = [0, 1, 2, 20, 21, 22]
    let distances = positions.flatMap { a in positions.map { b in abs(a - b) } }
    let edges = HDBSCAN.minimumSpanningTree(distances, count: 6)
    let tree = CondensedTree(hierarchy: SingleLinkage(spanningTree: edges), minimumClusterSize: 3)
    let children = tree.records.filter { $0.child >= 6 }
    #expect(children.count == 2)
    #expect(children.allSatisfy { $0.parent == 6 && $0.lambda == 1.0 / 18 && $0.size == 3 })
    #expect(tree.selectClusters(allowsSingleCluster: false) == [7, 8])
  }
}
