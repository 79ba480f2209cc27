import Testing

@testable import Configuration

@Suite struct FilePathTests {
  @Test(arguments: [
    ("a/./b//c/", "a/b/c"), ("./a", "a"), ("a/../b", "b"), ("a/../../b", "../b"),
    ("/../a", "/a"), ("/", "/"), ("", "."), (".", "."), ("../..", "../.."),
  ])
  func normalizeFoldsDotsAndSlashes(path: String, normalized: String) {
    #expect(FilePath.normalize(path) == normalized)
  }

  @Test(arguments: [
    ("/base", "x.json", "/base/x.json"), ("/base/dir", "../x.json", "/base/x.json"),
    ("/base", "/abs/x.json", "/abs/x.json"), (".", "x.json", "x.json"), ("", "./x", "x"),
    ("rel", "x", "rel/x"),
  ])
  func joinResolvesRelativePathsOnly(directory: String, path: String, joined: String) {
    #expect(FilePath.join(directory, path) == joined)
  }

  @Test(arguments: [("a/b/c.json", "a/b"), ("c.json", "."), ("/c.json", "/"), ("/a/c", "/a")])
  func directoryOfAFile(path: String, directory: String) {
    #expect(FilePath.directory(of: path) == directory)
  }
}
