/// HDBSCAN's condensed tree: clusters (ids from n, the root is n) and the lambda = 1 / distance
/// at which each point or child cluster leaves its parent cluster.
struct CondensedTree {
  /// One record: `child` (a point below n, or a cluster id) leaves `parent` at `lambda`.
  struct Record {
    let parent: Int
    let child: Int
    let lambda: Double
    let size: Int
  }

  let pointCount: Int
  private(set) var records: [Record] = []
  /// Cluster ids in use: `pointCount..<clusterEnd`.
  private(set) var clusterEnd: Int

  /// Walks the hierarchy from the root; a split is a real one only when both sides keep at least
  /// `minimumClusterSize` points, otherwise the small side's points fall out of the cluster.
  init(hierarchy: SingleLinkage, minimumClusterSize: Int) {
    let n = hierarchy.pointCount
    pointCount = n
    clusterEnd = n + 1
    var stack = [(node: 2 * n - 2, cluster: n)]
    while let (node, cluster) = stack.popLast() {
      let index = node - n
      let lambda = 1 / Swift.max(hierarchy.distance[index], HDBSCAN.distanceMin)
      let children = [hierarchy.left[index], hierarchy.right[index]]
      let isLarge = children.map { hierarchy.sizeOf($0) >= minimumClusterSize }
      if isLarge[0] && isLarge[1] {
        for child in children {
          records.append(
            Record(
              parent: cluster, child: clusterEnd, lambda: lambda, size: hierarchy.sizeOf(child)))
          stack.append((child, clusterEnd))
          clusterEnd += 1
        }
        continue
      }
      for (child, large) in zip(children, isLarge) {
        if large {
          stack.append((child, cluster))
        } else {
          for point in hierarchy.leaves(of: child) {
            records.append(Record(parent: cluster, child: point, lambda: lambda, size: 1))
          }
        }
      }
    }
  }

  /// Excess of mass: a cluster is kept when its stability is at least the summed stability of
  /// the clusters selected below it. Returns the selected cluster ids, ascending.
  func selectClusters(allowsSingleCluster: Bool) -> [Int] {
    let root = pointCount
    var birth = [Double](repeating: 0, count: clusterEnd)
    var children = [[Int]](repeating: [], count: clusterEnd)
    for record in records where record.child >= pointCount {
      birth[record.child] = record.lambda
      children[record.parent].append(record.child)
    }
    var stability = [Double](repeating: 0, count: clusterEnd)
    for record in records {
      stability[record.parent] += (record.lambda - birth[record.parent]) * Double(record.size)
    }
    var isSelected = [Bool](repeating: false, count: clusterEnd)
    // Children have larger ids than their parents, so descending order visits children first.
    for cluster in stride(from: clusterEnd - 1, through: root, by: -1) {
      if cluster == root && !allowsSingleCluster { break }
      let below = children[cluster].reduce(0.0) { $0 + stability[$1] }
      if children[cluster].isEmpty || stability[cluster] >= below {
        isSelected[cluster] = true
        var stack = children[cluster]
        while let descendant = stack.popLast() {
          isSelected[descendant] = false
          stack += children[descendant]
        }
      } else {
        stability[cluster] = below
      }
    }
    return (root..<clusterEnd).filter { isSelected[$0] }
  }

  /// Labels `0..<selected.count` by the selected ancestor of the cluster each point fell out of;
  /// `HDBSCAN.noise` for the rest. In the root, only points still there when it dissolved count.
  func labels(selected: [Int]) -> [Int] {
    let root = pointCount
    var parentCluster = [Int](repeating: -1, count: clusterEnd)
    var pointRecord = [Int](repeating: -1, count: pointCount)
    var rootLambdaMax = 0.0
    for (index, record) in records.enumerated() {
      if record.child >= pointCount {
        parentCluster[record.child] = record.parent
      } else {
        pointRecord[record.child] = index
      }
      if record.parent == root { rootLambdaMax = Swift.max(rootLambdaMax, record.lambda) }
    }
    var labelOf = [Int](repeating: HDBSCAN.noise, count: clusterEnd)
    for (label, cluster) in selected.enumerated() { labelOf[cluster] = label }
    return (0..<pointCount).map { point in
      let record = records[pointRecord[point]]
      var cluster = record.parent
      while cluster >= 0 && labelOf[cluster] == HDBSCAN.noise { cluster = parentCluster[cluster] }
      guard cluster >= 0 else { return HDBSCAN.noise }
      if cluster == root && record.lambda < rootLambdaMax { return HDBSCAN.noise }
      return labelOf[cluster]
    }
  }
}
