/// Lexical operations on POSIX file paths (no file system access, symbolic links not followed).
enum FilePath {
  /// Whether `path` starts at the root.
  static func isAbsolute(_ path: String) -> Bool { path.hasPrefix("/") }

  /// `path` resolved against `directory` unless it is absolute, then normalised. An empty or `.`
  /// directory leaves a relative path relative (to the working directory).
  static func join(_ directory: String, _ path: String) -> String {
    if isAbsolute(path) || directory.isEmpty || directory == "." { return normalize(path) }
    return normalize(directory + "/" + path)
  }

  /// The directory part of `path`: `a/b` for `a/b/c.json`, `.` for `c.json`, `/` for `/c.json`.
  static func directory(of path: String) -> String {
    let normalized = normalize(path)
    guard let slash = normalized.lastIndex(of: "/") else { return "." }
    return slash == normalized.startIndex ? "/" : String(normalized[..<slash])
  }

  /// Removes empty and `.` components and folds `name/..`; a relative path keeps leading `..`,
  /// an absolute one drops `..` at the root. An empty result is `.`.
  static func normalize(_ path: String) -> String {
    var components: [Substring] = []
    for component in path.split(separator: "/", omittingEmptySubsequences: true) {
      switch component {
      case ".": continue
      case "..":
        if let last = components.last, last != ".." {
          components.removeLast()
        } else if !isAbsolute(path) {
          components.append(component)
        }
      default: components.append(component)
      }
    }
    let joined = components.joined(separator: "/")
    if isAbsolute(path) { return "/" + joined }
    return joined.isEmpty ? "." : joined
  }
}
