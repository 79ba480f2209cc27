import Foundation
import Testing

@testable import Datasets

@Suite struct DecompressedCacheTests {
  let sources = TemporaryDirectory()
  let cacheDirectory = TemporaryDirectory()
  var cache: DecompressedCache {
    DecompressedCache(directory: cacheDirectory.path + "/nested/cache")
  }

  func entries() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: cache.directory)) ?? []).sorted()
  }

  @Test func firstReadStoresAPlainIDXCopyThatLaterReadsUse() throws {
    let images = makeMNISTFiles(count: 3).images
    let source = sources.writeGzipped(images.encoded(), to: "images.gz")
    #expect(try cache.readIDX(source, expectedMagic: IDXFile.imagesMagic) == images)
    let stored = entries()
    #expect(stored.count == 1)
    #expect(stored[0].hasPrefix("images-") && stored[0].hasSuffix(".idx"))
    let entry = cache.directory + "/" + stored[0]
    #expect(try IDXFile(contentsOf: entry, expectedMagic: IDXFile.imagesMagic) == images)
    // Later reads come from the entry: a (valid) change made to it shows through.
    let changed = IDXFile(
      magic: IDXFile.imagesMagic, dimensions: [1, 1, 1], elements: [42])
    try Data(changed.encoded()).write(to: URL(fileURLWithPath: entry))
    #expect(try cache.readIDX(source, expectedMagic: IDXFile.imagesMagic) == changed)
  }

  @Test func damagedEntryIsReplacedFromTheSource() throws {
    let images = makeMNISTFiles(count: 3).images
    let source = sources.writeGzipped(images.encoded(), to: "images.gz")
    _ = try cache.readIDX(source, expectedMagic: IDXFile.imagesMagic)
    let entry = cache.directory + "/" + entries()[0]
    try Data([0, 0, 8, 3, 0]).write(to: URL(fileURLWithPath: entry))
    #expect(try cache.readIDX(source, expectedMagic: IDXFile.imagesMagic) == images)
    #expect(try IDXFile(contentsOf: entry, expectedMagic: IDXFile.imagesMagic) == images)
  }

  @Test func changedSourceGetsANewEntryAndTheStaleOneIsDeleted() throws {
    let source = sources.writeGzipped(makeMNISTFiles(count: 3).images.encoded(), to: "images.gz")
    _ = try cache.readIDX(source, expectedMagic: IDXFile.imagesMagic)
    let before = entries()
    let newer = makeMNISTFiles(count: 4).images
    sources.writeGzipped(newer.encoded(), to: "images.gz")
    #expect(try cache.readIDX(source, expectedMagic: IDXFile.imagesMagic) == newer)
    let after = entries()
    #expect(after.count == 1)
    #expect(after != before)
  }

  @Test func plainSourcesBypassTheCache() throws {
    let images = makeMNISTFiles(count: 3).images
    let source = sources.write(images.encoded(), to: "images")
    #expect(try cache.readIDX(source, expectedMagic: IDXFile.imagesMagic) == images)
    #expect(entries().isEmpty)
  }

  @Test func unwritableCacheStillLoads() throws {
    let blocker = cacheDirectory.write([1], to: "file")
    let unwritable = DecompressedCache(directory: blocker + "/cache")
    let images = makeMNISTFiles(count: 3).images
    let source = sources.writeGzipped(images.encoded(), to: "images.gz")
    #expect(try unwritable.readIDX(source, expectedMagic: IDXFile.imagesMagic) == images)
  }

  @Test func errorsOfTheSourceAreReportedThroughTheCache() {
    let source = sources.writeGzipped([0, 0, 8, 1, 0, 0, 0, 9], to: "labels.gz")
    #expect(throws: DatasetError.truncated(path: source, expectedBytes: 17, actualBytes: 8)) {
      try cache.readIDX(source, expectedMagic: IDXFile.labelsMagic)
    }
    #expect(entries().isEmpty)
  }

  @Test func mnistLoadThroughTheCacheEqualsTheDirectLoad() throws {
    let train = makeMNISTFiles(count: 6)
    let test = makeMNISTFiles(count: 4)
    sources.writeGzipped(train.images.encoded(), to: MNISTFormat.trainImagesName + ".gz")
    sources.writeGzipped(train.labels.encoded(), to: MNISTFormat.trainLabelsName + ".gz")
    sources.writeGzipped(test.images.encoded(), to: MNISTFormat.testImagesName + ".gz")
    sources.writeGzipped(test.labels.encoded(), to: MNISTFormat.testLabelsName + ".gz")
    let direct = try MNISTFormat.load(directory: sources.path)
    for _ in 0..<2 {
      let cached = try MNISTFormat.load(directory: sources.path, cache: cache)
      #expect(cached.train.batch(0..<6).inputs == direct.train.batch(0..<6).inputs)
      #expect(cached.test.labels == direct.test.labels)
    }
    #expect(entries().count == 4)
  }

  @Test func standardCacheLivesUnderTheUserCacheDirectory() throws {
    let standard = try #require(DecompressedCache.standard())
    #expect(standard.directory.hasSuffix("/starling/datasets"))
    #expect(standard.directory.hasPrefix("/"))
  }
}
