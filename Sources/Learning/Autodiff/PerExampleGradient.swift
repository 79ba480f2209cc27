import Tensors

/// The gradient one backward rule gives one parameter, kept split by example (DP-SGD).
///
/// A tape made with `perExampleBatchSize` B asks the rules of `linear` and `conv2d` to record
/// these factors instead of summing over the batch. Example `i` owns rows
/// `i * rowsPerExample ..< (i + 1) * rowsPerExample` of the row-wise factors (rows are the
/// examples themselves for a plain `[B, in]` linear layer, or the positions of each sequence
/// when `Linear` folds `[B, T, in]` into `[B * T, in]`, or the pixels of each output image).
public enum PerExampleGradient {
  /// A `[out, in]` weight whose per-example gradient is `Σ_t δ_tᵀ x_t` over the example's rows:
  /// `inputs` `[B * T, in]` and `outputGradients` `[B * T, out]`.
  case outerProducts(inputs: Tensor, outputGradients: Tensor, rowsPerExample: Int)
  /// A `[out]` bias whose per-example gradient is the sum of the example's rows of
  /// `outputGradients` `[B * T, out]`.
  case rowSums(outputGradients: Tensor, rowsPerExample: Int)
  /// Per-example gradients written out in full, `[B, parameter element count]`.
  case dense(Tensor)

  /// The squared L2 norm of each example's gradient. For a linear layer with one row per
  /// example this is ‖x_i‖² ‖δ_i‖² ("ghost" norm): the outer product is never formed.
  ///
  /// - Complexity: O(B × (in + out)) for one-row outer products; otherwise that of `dense`.
  func squaredNorms(batchSize: Int) -> [Double] {
    switch self {
    case .outerProducts(let inputs, let outputGradients, 1):
      let inputNorms = Self.rowSquaredNorms(inputs)
      let gradientNorms = Self.rowSquaredNorms(outputGradients)
      return zip(inputNorms, gradientNorms).map { $0 * $1 }
    default:
      return Self.rowSquaredNorms(dense(batchSize: batchSize))
    }
  }

  /// The per-example gradients in full, `[B, element count]`.
  func dense(batchSize: Int) -> Tensor {
    switch self {
    case .outerProducts(let inputs, let outputGradients, let rows):
      let (width, outputs) = (inputs.shape[1], outputGradients.shape[1])
      let products = Tensor.batchedMatmul(
        outputGradients.reshaped([batchSize, rows, outputs]),
        inputs.reshaped([batchSize, rows, width]), transposeA: true)
      return products.reshaped([batchSize, outputs * width])
    case .rowSums(let outputGradients, let rows):
      let outputs = outputGradients.shape[1]
      return outputGradients.reshaped([batchSize, rows, outputs]).sum(alongAxes: [1])
    case .dense(let gradients):
      return gradients
    }
  }

  /// `Σ_i scales[i] g_i`, shaped like the parameter (`shape`). For outer products this is one
  /// GEMM, `(diag(scales) Δ)ᵀ X`, whatever the batch size.
  func scaledSum(_ scales: [Float], shape: [Int]) -> Tensor {
    switch self {
    case .outerProducts(let inputs, let outputGradients, let rows):
      let scaled = Self.scalingRows(outputGradients, by: scales, rowsPerExample: rows)
      return Tensor.matmul(scaled, inputs, transposeA: true).reshaped(shape)
    case .rowSums(let outputGradients, let rows):
      let scaled = Self.scalingRows(outputGradients, by: scales, rowsPerExample: rows)
      return scaled.sum(alongAxes: [0]).reshaped(shape)
    case .dense(let gradients):
      let weights = Tensor(shape: [1, scales.count], scalars: scales)
      return Tensor.matmul(weights, gradients).reshaped(shape)
    }
  }

  /// The squared norm of each row of a `[rows, width]` tensor, accumulated in `Double`.
  static func rowSquaredNorms(_ matrix: Tensor) -> [Double] {
    let (rows, width) = (matrix.shape[0], matrix.count / max(matrix.shape[0], 1))
    return matrix.withUnsafeBufferPointer { values in
      (0..<rows).map { row in
        var total = 0.0
        for column in 0..<width {
          let value = Double(values[row * width + column])
          total += value * value
        }
        return total
      }
    }
  }

  /// `matrix` with row `r` multiplied by `scales[r / rowsPerExample]`.
  static func scalingRows(_ matrix: Tensor, by scales: [Float], rowsPerExample: Int) -> Tensor {
    var result = matrix
    let width = matrix.shape[1]
    result.withUnsafeMutableBufferPointer { values in
      for row in 0..<matrix.shape[0] {
        let scale = scales[row / rowsPerExample]
        for column in 0..<width { values[row * width + column] *= scale }
      }
    }
    return result
  }
}
