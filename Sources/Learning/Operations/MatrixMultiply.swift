import Tensors

extension Variable {
  /// Matrix product of rank-2 variables: dA = dC B^T, dB = A^T dC.
  public static func matmul(_ a: Variable, _ b: Variable) -> Variable {
    let (valueA, valueB) = (a.value, b.value)
    return a.tape.record(Tensor.matmul(valueA, valueB), inputs: [a, b]) { gradient, tape in
      if tape.needsGradient(0) {
        tape.accumulate(Tensor.matmul(gradient, valueB, transposeB: true), into: 0)
      }
      if tape.needsGradient(1) {
        tape.accumulate(Tensor.matmul(valueA, gradient, transposeA: true), into: 1)
      }
    }
  }

  /// Batched product `[n, m, k] x [n, k, p]`, optionally transposing `b`'s last two axes.
  public static func batchedMatmul(_ a: Variable, _ b: Variable, transposeB: Bool = false)
    -> Variable
  {
    let (valueA, valueB) = (a.value, b.value)
    let output = Tensor.batchedMatmul(valueA, valueB, transposeB: transposeB)
    return a.tape.record(output, inputs: [a, b]) { gradient, tape in
      if tape.needsGradient(0) {
        tape.accumulate(Tensor.batchedMatmul(gradient, valueB, transposeB: !transposeB), into: 0)
      }
      if tape.needsGradient(1) {
        let gradientB =
          transposeB
          ? Tensor.batchedMatmul(gradient, valueA, transposeA: true)
          : Tensor.batchedMatmul(valueA, gradient, transposeA: true)
        tape.accumulate(gradientB, into: 1)
      }
    }
  }

  /// Fused affine map `x W^T + b` with `W` laid out `[out, in]` as in PyTorch. The bias is
  /// written into the output first and the GEMM accumulates onto it, so no separate pass adds it.
  /// On a per-example tape the weight and bias gradients are recorded split by example
  /// (`PerExampleGradient`); the rows must then be a whole number of rows per example.
  public static func linear(_ input: Variable, weight: Variable, bias: Variable?) -> Variable {
    let (x, w) = (input.value, weight.value)
    precondition(
      x.rank == 2 && w.rank == 2 && x.shape[1] == w.shape[1], "linear \(x.shape) with \(w.shape)")
    let (rows, inputs, outputs) = (x.shape[0], x.shape[1], w.shape[0])
    if let batchSize = input.tape.perExampleBatchSize {
      precondition(rows % batchSize == 0, "\(rows) rows are not split over \(batchSize) examples")
    }
    var output = Tensor(uninitializedShape: [rows, outputs])
    output.withUnsafeMutableBufferPointer { out in
      if let bias = bias?.value {
        bias.withUnsafeBufferPointer { b in
          for row in 0..<rows {
            (out.baseAddress! + row * outputs).update(from: b.baseAddress!, count: outputs)
          }
        }
      }
      x.withUnsafeBufferPointer { xp in
        w.withUnsafeBufferPointer { wp in
          Tensor.gemm(
            transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs,
            a: xp.baseAddress!, lda: inputs, b: wp.baseAddress!, ldb: inputs,
            beta: bias == nil ? 0 : 1, c: out.baseAddress!, ldc: outputs)
        }
      }
    }
    let inputsList = bias.map { [input, weight, $0] } ?? [input, weight]
    let hasBias = bias != nil
    return input.tape.record(output, inputs: inputsList) { gradient, tape in
      if tape.needsGradient(1) {
        if let batchSize = tape.perExampleBatchSize(forInput: 1) {
          tape.recordPerExample(
            .outerProducts(inputs: x, outputGradients: gradient, rowsPerExample: rows / batchSize),
            into: 1)
        } else {
          tape.accumulate(Tensor.matmul(gradient, x, transposeA: true), into: 1)
        }
      }
      if hasBias, tape.needsGradient(2) {
        if let batchSize = tape.perExampleBatchSize(forInput: 2) {
          tape.recordPerExample(
            .rowSums(outputGradients: gradient, rowsPerExample: rows / batchSize), into: 2)
        } else {
          tape.accumulate(gradient.sum(alongAxes: [0]), into: 2)
        }
      }
      if tape.needsGradient(0) { tape.accumulate(Tensor.matmul(gradient, w), into: 0) }
    }
  }
}
