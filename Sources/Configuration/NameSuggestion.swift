/// Finds the known name that a misspelt one was probably meant to be.
enum NameSuggestion {
  /// Names longer than this are not compared (the cost is the product of the two lengths).
  static let comparedCharactersMax = 64

  /// The candidate closest to `name` by case-insensitive edit distance, if it is close enough to
  /// be a misspelling: at most one edit for names up to 4 characters, two up to 8, three beyond.
  /// Ties go to the earlier candidate.
  ///
  /// - Complexity: O(c * n * m) for c candidates of length m and a name of length n.
  static func closest(to name: String, among candidates: [String]) -> String? {
    guard name.count <= comparedCharactersMax else { return nil }
    let editsMax = name.count <= 4 ? 1 : name.count <= 8 ? 2 : 3
    var best: (name: String, distance: Int)?
    for candidate in candidates where candidate.count <= comparedCharactersMax {
      let distance = editDistance(name.lowercased(), candidate.lowercased())
      if distance <= editsMax, distance < best?.distance ?? Int.max {
        best = (candidate, distance)
      }
    }
    return best?.name
  }

  /// Levenshtein distance (insertions, deletions and substitutions of characters).
  ///
  /// - Complexity: O(n * m).
  static func editDistance(_ first: String, _ second: String) -> Int {
    let first = Array(first)
    let second = Array(second)
    var previous = Array(0...second.count)
    var current = previous
    for (row, character) in first.enumerated() {
      current[0] = row + 1
      for column in 0..<second.count {
        let substitution = previous[column] + (character == second[column] ? 0 : 1)
        current[column + 1] = min(substitution, previous[column + 1] + 1, current[column] + 1)
      }
      swap(&previous, &current)
    }
    return previous[second.count]
  }
}
