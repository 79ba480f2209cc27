/// HDBSCAN clustering (Campello, Moulavi and Sander 2013) over a precomputed distance matrix.
///
/// The steps: core distances (distance to the `minimumSamples`-th nearest point, the point itself
/// counted), mutual reachability `max(core_a, core_b, d(a, b))`, its minimum spanning tree (Prim,
/// O(n^2) on the dense matrix), the single-linkage hierarchy from the tree's edges, the condensed
/// tree (splits that leave fewer than `minimumClusterSize` points are points falling out, not new
/// clusters), and excess-of-mass selection of the clusters with the largest stability.
///
/// With `allowsSingleCluster`, the root may be selected; a point then belongs to it only if it
/// stayed until the root dissolved (fell out at the root's largest lambda), as in the reference
/// implementation, so the single cluster is the densest group of at least `minimumClusterSize`.
public struct HDBSCAN: Sendable, Hashable {
  /// The fewest points that make a cluster (at least 2).
  public var minimumClusterSize: Int
  /// The neighbour whose distance is a point's core distance (1: the point itself, so mutual
  /// reachability is the plain distance and the hierarchy is single linkage).
  public var minimumSamples: Int
  /// Whether the whole data set may be returned as one cluster.
  public var allowsSingleCluster: Bool

  /// The label of points in no cluster.
  public static let noise = -1
  /// Distances are clamped to at least this so that lambda = 1 / distance stays finite.
  static let distanceMin = 1e-30

  public init(minimumClusterSize: Int, minimumSamples: Int = 1, allowsSingleCluster: Bool = false) {
    precondition(minimumClusterSize >= 2 && minimumSamples >= 1, "HDBSCAN sizes")
    self.minimumClusterSize = minimumClusterSize
    self.minimumSamples = minimumSamples
    self.allowsSingleCluster = allowsSingleCluster
  }

  /// Cluster labels `0..<k` (in order of the clusters' first appearance in the hierarchy) or
  /// `HDBSCAN.noise` for each of the `count` points of the row-major `distances`.
  /// - Complexity: O(n^2 log n) time (core distances), O(n^2) memory.
  public func labels(distances: [Double], count n: Int) -> [Int] {
    precondition(distances.count == n * n, "distances must be n x n")
    guard n >= 2 else { return [Int](repeating: Self.noise, count: n) }
    let reachability = mutualReachability(distances, count: n)
    let hierarchy = SingleLinkage(spanningTree: Self.minimumSpanningTree(reachability, count: n))
    let tree = CondensedTree(hierarchy: hierarchy, minimumClusterSize: minimumClusterSize)
    let selected = tree.selectClusters(allowsSingleCluster: allowsSingleCluster)
    return tree.labels(selected: selected)
  }

  /// `max(core_a, core_b, d(a, b))`, row-major.
  func mutualReachability(_ distances: [Double], count n: Int) -> [Double] {
    let neighbour = Swift.min(minimumSamples, n) - 1
    let core = (0..<n).map { row in
      neighbour == 0 ? 0 : Array(distances[(row * n)..<(row * n + n)]).sorted()[neighbour]
    }
    var result = distances
    for a in 0..<n {
      for b in 0..<n where a != b {
        result[a * n + b] = Swift.max(distances[a * n + b], core[a], core[b])
      }
    }
    return result
  }

  /// The edges `(a, b, weight)` of a minimum spanning tree of the complete graph (Prim).
  /// - Complexity: O(n^2).
  static func minimumSpanningTree(_ weights: [Double], count n: Int) -> [(Int, Int, Double)] {
    var isInTree = [Bool](repeating: false, count: n)
    var best = [Double](repeating: .infinity, count: n)
    var nearest = [Int](repeating: 0, count: n)
    var edges: [(Int, Int, Double)] = []
    var current = 0
    isInTree[0] = true
    for _ in 1..<n {
      var next = -1
      for point in 0..<n where !isInTree[point] {
        let weight = weights[current * n + point]
        if weight < best[point] {
          best[point] = weight
          nearest[point] = current
        }
        if next < 0 || best[point] < best[next] { next = point }
      }
      isInTree[next] = true
      edges.append((nearest[next], next, best[next]))
      current = next
    }
    return edges
  }
}

/// The single-linkage dendrogram: node k >= n merges `left[k - n]` and `right[k - n]` at
/// `distance[k - n]`; nodes below n are points. The root is node 2n - 2.
struct SingleLinkage {
  let pointCount: Int
  var left: [Int] = []
  var right: [Int] = []
  var distance: [Double] = []
  var size: [Int] = []

  /// Merges the tree's edges in increasing weight (ties by order), with union-find.
  init(spanningTree edges: [(Int, Int, Double)]) {
    let n = edges.count + 1
    pointCount = n
    var parent = Array(0..<(2 * n - 1))
    func find(_ node: Int) -> Int {
      var root = node
      while parent[root] != root { root = parent[root] }
      var walker = node
      while parent[walker] != root {
        let next = parent[walker]
        parent[walker] = root
        walker = next
      }
      return root
    }
    let order = edges.indices.sorted { (edges[$0].2, $0) < (edges[$1].2, $1) }
    for (offset, index) in order.enumerated() {
      let (a, b) = (find(edges[index].0), find(edges[index].1))
      let node = n + offset
      parent[a] = node
      parent[b] = node
      left.append(a)
      right.append(b)
      distance.append(edges[index].2)
      size.append(sizeOf(a) + sizeOf(b))
    }
  }

  /// Points under `node`.
  func sizeOf(_ node: Int) -> Int { node < pointCount ? 1 : size[node - pointCount] }

  /// The points under `node`.
  func leaves(of node: Int) -> [Int] {
    var stack = [node]
    var points: [Int] = []
    while let top = stack.popLast() {
      if top < pointCount {
        points.append(top)
      } else {
        stack.append(left[top - pointCount])
        stack.append(right[top - pointCount])
      }
    }
    return points
  }
}
