import Tensors
import Testing

struct TensorTests {
  @Test func copyOnWriteLeavesTheOriginalUntouched() {
    let original = Tensor([1, 2, 3])
    var copy = original
    copy[1] = 20
    #expect(original.scalars == [1, 2, 3])
    #expect(copy.scalars == [1, 20, 3])
  }

  @Test func reshapeInfersOneDimensionAndSharesStorage() {
    var tensor = Tensor(shape: [2, 6], repeating: 1)
    let reshaped = tensor.reshaped([3, -1])
    #expect(reshaped.shape == [3, 4])
    let isShared = tensor.isStorageShared()
    #expect(isShared)
  }

  @Test func broadcastingFollowsNumPyRules() {
    let a = Tensor(shape: [2, 1, 3], scalars: [1, 2, 3, 4, 5, 6])
    let b = Tensor(shape: [2, 1], scalars: [10, 20])
    let sum = a + b
    #expect(sum.shape == [2, 2, 3])
    #expect(sum.scalars == [11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26])
    #expect(Tensor.broadcastShape([5, 1, 4], [3, 1]) == [5, 3, 4])
  }

  @Test func reductionsOverAnyAxes() {
    let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    #expect(x.sum(alongAxes: [0]).scalars == [5, 7, 9])
    #expect(x.sum(alongAxes: [1]).scalars == [6, 15])
    #expect(x.sum(alongAxes: [0, 1]).scalars == [21])
    #expect(x.mean(alongAxes: [1], keepingDimensions: true).shape == [2, 1])
    #expect(x.max(alongAxes: [0]).scalars == [4, 5, 6])
    #expect(x.sum(reducingTo: [1, 3]).scalars == [5, 7, 9])
    #expect(x.argmaxLastAxis() == [2, 2])
  }

  @Test func permuteSliceConcatenateGather() {
    let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    #expect(x.transposed().scalars == [1, 4, 2, 5, 3, 6])
    #expect(x.slice(alongAxis: 1, 1..<3).scalars == [2, 3, 5, 6])
    #expect(
      Tensor.concatenate([x, x], alongAxis: 1).scalars == [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
    #expect(x.gatherRows([1, 1, 0]).scalars == [4, 5, 6, 4, 5, 6, 1, 2, 3])
    let cube = Tensor(shape: [2, 2, 2], scalars: [0, 1, 2, 3, 4, 5, 6, 7])
    #expect(cube.permuted([2, 0, 1]).scalars == [0, 2, 4, 6, 1, 3, 5, 7])
  }

  @Test(arguments: [1, 2])
  func matmulMatchesANaiveProductOnEveryThreadCount(threads: Int) {
    Parallel.withThreads(threads) { matmulMatchesANaiveProduct() }
  }

  func matmulMatchesANaiveProduct() {
    var generator = SeededGenerator(seed: 3)
    for (m, k, n) in [(1, 1, 1), (3, 5, 2), (130, 70, 150), (2, 300, 4000)] {
      for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
        let a = Tensor.randomNormal(shape: transposeA ? [k, m] : [m, k], using: &generator)
        let b = Tensor.randomNormal(shape: transposeB ? [n, k] : [k, n], using: &generator)
        let product = Tensor.matmul(a, b, transposeA: transposeA, transposeB: transposeB)
        let left = transposeA ? a.transposed() : a
        let right = transposeB ? b.transposed() : b
        let reference = naiveMatmul(left, right)
        #expect(product.maximumAbsoluteDifference(reference) < 1e-3 * Float(k).squareRoot())
      }
    }
  }

  func naiveMatmul(_ a: Tensor, _ b: Tensor) -> Tensor {
    let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
    let (x, y) = (a.scalars, b.scalars)
    var out = [Float](repeating: 0, count: m * n)
    for i in 0..<m {
      for p in 0..<k {
        for j in 0..<n { out[i * n + j] += x[i * k + p] * y[p * n + j] }
      }
    }
    return Tensor(shape: [m, n], scalars: out)
  }

  @Test func batchedMatmulMultipliesEachPair() {
    var generator = SeededGenerator(seed: 4)
    let a = Tensor.randomNormal(shape: [3, 4, 5], using: &generator)
    let b = Tensor.randomNormal(shape: [3, 5, 2], using: &generator)
    let product = Tensor.batchedMatmul(a, b)
    for item in 0..<3 {
      let expected = naiveMatmul(
        a.slice(alongAxis: 0, item..<(item + 1)).reshaped([4, 5]),
        b.slice(alongAxis: 0, item..<(item + 1)).reshaped([5, 2]))
      #expect(
        product.slice(alongAxis: 0, item..<(item + 1)).reshaped([4, 2]).maximumAbsoluteDifference(
          expected) < 1e-5)
    }
  }

  @Test func seededGeneratorIsReproducibleAndNormalSamplesLookNormal() {
    var first = SeededGenerator(seed: 11)
    var second = SeededGenerator(seed: 11)
    #expect((0..<10).map { _ in first.next() } == (0..<10).map { _ in second.next() })
    var generator = SeededGenerator(seed: 12)
    let samples = Tensor.randomNormal(shape: [20_000], using: &generator)
    #expect(abs(samples.mean()) < 0.03)
    #expect(abs(samples.norm() / Float(20_000).squareRoot() - 1) < 0.03)
  }

  @Test func bufferPoolReusesFreedBuffers() {
    var first: UnsafeRawPointer?
    do {
      let tensor = Tensor(zeros: [12_345])
      tensor.withUnsafeBufferPointer { first = UnsafeRawPointer($0.baseAddress!) }
    }
    let again = Tensor(zeros: [12_345])
    again.withUnsafeBufferPointer { #expect(UnsafeRawPointer($0.baseAddress!) == first) }
  }
}
