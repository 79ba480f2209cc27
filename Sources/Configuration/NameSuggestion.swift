/// Finds the known name that a misspelt one was probably meant to be.
enum NameSuggestion {
  /// Names longer than this are not compared (the cost is the product of the two lengths).
  static let comparedCharactersMax = 64
  /// The shortest name matched by containment (`header` in `hasHeader`); shorter ones would
  /// match too much.
  static let containedCharactersMin = 4

  /// The candidate that `name` was most likely meant to be, or `nil` when none is close.
  ///
  /// Compared case-insensitively. First choice: the smallest edit distance, when it is at most
  /// one edit for names up to 4 characters, two up to 8, three beyond. Otherwise: the first
  /// candidate that contains `name` or is contained in it (`header` for `hasHeader`). Ties go to
  /// the earlier candidate.
  ///
  /// - Complexity: O(c * n * m) for c candidates of length m and a name of length n.
  static func closest(to name: String, among candidates: [String]) -> String? {
    guard name.count <= comparedCharactersMax else { return nil }
    let typed = name.lowercased()
    let editsMax = name.count <= 4 ? 1 : name.count <= 8 ? 2 : 3
    var best: (name: String, distance: Int)?
    for candidate in candidates where candidate.count <= comparedCharactersMax {
      let distance = editDistance(typed, candidate.lowercased())
      if distance <= editsMax, distance < best?.distance ?? Int.max {
        best = (candidate, distance)
      }
    }
    if let best { return best.name }
    guard name.count >= containedCharactersMin else { return nil }
    return candidates.first { candidate in
      let known = candidate.lowercased()
      return known.count <= comparedCharactersMax
        && (known.contains(typed) || typed.contains(known))
    }
  }

  /// Edit distance counting insertions, deletions, substitutions and swaps of two adjacent
  /// characters (`daat` for `data`) as one edit each (optimal string alignment).
  ///
  /// - Complexity: O(n * m).
  static func editDistance(_ first: String, _ second: String) -> Int {
    let first = Array(first)
    let second = Array(second)
    guard !first.isEmpty else { return second.count }
    guard !second.isEmpty else { return first.count }
    // distances[i][j]: distance between the first i characters of `first` and j of `second`.
    var distances = [[Int]](
      repeating: [Int](repeating: 0, count: second.count + 1), count: first.count + 1)
    for row in 0...first.count { distances[row][0] = row }
    for column in 0...second.count { distances[0][column] = column }
    for row in 1...first.count {
      for column in 1...second.count {
        let cost = first[row - 1] == second[column - 1] ? 0 : 1
        var distance = min(
          distances[row - 1][column] + 1, distances[row][column - 1] + 1,
          distances[row - 1][column - 1] + cost)
        if row > 1, column > 1, first[row - 1] == second[column - 2],
          first[row - 2] == second[column - 1]
        {
          distance = min(distance, distances[row - 2][column - 2] + 1)
        }
        distances[row][column] = distance
      }
    }
    return distances[first.count][second.count]
  }
}
