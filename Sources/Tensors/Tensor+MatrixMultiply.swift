import CBLAS

/// Matrix products through `cblas_sgemm`, split across `Parallel.threadCount` threads.
extension Tensor {
  /// Multiply-adds below which a GEMM runs on one thread (splitting costs more than it saves).
  public static let parallelMultiplyAddsMin = 1 << 20

  /// `C = alpha * op(A) * op(B) + beta * C` on row-major matrices. `C` is `m x n`, `op(A)` is
  /// `m x k`, `op(B)` is `k x n`. Splits the rows (or the columns when rows are few) of `C`.
  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if m == 0 || n == 0 { return }
    let threads = Parallel.threadCount
    let work = m * n * k
    let a = SendablePointer(UnsafeMutablePointer(mutating: a))
    let b = SendablePointer(UnsafeMutablePointer(mutating: b))
    let c = SendablePointer(c)
    func run(rows: Range<Int>, columns: Range<Int>) {
      gemmSingleThreaded(
        transposeA: transposeA, transposeB: transposeB, m: rows.count, n: columns.count, k: k,
        alpha: alpha, a: a.base + (transposeA ? rows.lowerBound : rows.lowerBound * lda), lda: lda,
        b: b.base + (transposeB ? columns.lowerBound * ldb : columns.lowerBound), ldb: ldb,
        beta: beta, c: c.base + rows.lowerBound * ldc + columns.lowerBound, ldc: ldc)
    }
    if threads <= 1 || work < parallelMultiplyAddsMin {
      run(rows: 0..<m, columns: 0..<n)
    } else if m >= n {
      Parallel.forEachRange(count: m, minimumChunk: 16) { run(rows: $0, columns: 0..<n) }
    } else {
      Parallel.forEachRange(count: n, minimumChunk: 16) { run(rows: 0..<m, columns: $0) }
    }
  }

  /// `gemm` on the calling thread only (for callers that already split work across threads).
  public static func gemmSingleThreaded(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if m == 0 || n == 0 { return }
    _ = Parallel.blasPinnedToOneThread
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// The matrix product of two rank-2 tensors, optionally transposing either operand.
  public static func matmul(
    _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false
  ) -> Tensor {
    precondition(a.rank == 2 && b.rank == 2, "matmul of \(a.shape) and \(b.shape)")
    let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let (k2, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    precondition(k == k2, "matmul inner sizes differ: \(a.shape) x \(b.shape)")
    let c = Tensor(uninitializedShape: [m, n])
    if k == 0 { return Tensor(zeros: [m, n]) }
    gemm(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
      a: a.storage.pointer, lda: a.shape[1], b: b.storage.pointer, ldb: b.shape[1],
      c: c.storage.pointer, ldc: n)
    return c
  }

  /// Batched matrix product over the leading axis: `[batch, m, k] x [batch, k, n]`.
  public static func batchedMatmul(
    _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false
  ) -> Tensor {
    precondition(a.rank == 3 && b.rank == 3 && a.shape[0] == b.shape[0], "batched matmul shapes")
    let batch = a.shape[0]
    let (m, k) = transposeA ? (a.shape[2], a.shape[1]) : (a.shape[1], a.shape[2])
    let (k2, n) = transposeB ? (b.shape[2], b.shape[1]) : (b.shape[1], b.shape[2])
    precondition(k == k2, "batched matmul inner sizes differ: \(a.shape) x \(b.shape)")
    let c = Tensor(zeros: [batch, m, n])
    _ = Parallel.blasPinnedToOneThread
    let aPointer = SendablePointer(a.storage.pointer)
    let bPointer = SendablePointer(b.storage.pointer)
    let cPointer = SendablePointer(c.storage.pointer)
    let (aSize, bSize) = (a.shape[1] * a.shape[2], b.shape[1] * b.shape[2])
    let chunk = Swift.max(1, parallelMultiplyAddsMin / Swift.max(m * n * k, 1))
    Parallel.forEachRange(count: batch, minimumChunk: chunk) { range in
      for item in range {
        cblas_sgemm(
          CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
          transposeB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
          aPointer.base + item * aSize, Int32(a.shape[2]), bPointer.base + item * bSize,
          Int32(b.shape[2]), 0, cPointer.base + item * m * n, Int32(n))
      }
    }
    return c
  }
}
