import Tensors

extension Variable {
  /// Mean softmax cross-entropy of `[batch, classes]` logits against integer labels, fused:
  /// log-sum-exp is shifted by each row's maximum (stable for any logit size) and the softmax is
  /// kept for the backward rule, `(softmax - onehot) / batch`.
  public func softmaxCrossEntropy(labels: [Int32]) -> Variable {
    precondition(
      shape.count == 2 && shape[0] == labels.count, "logits \(shape) for \(labels.count) labels")
    let (rows, classes) = (shape[0], shape[1])
    var probabilities = Tensor(uninitializedShape: shape)
    var total: Double = 0
    value.withUnsafeBufferPointer { logits in
      probabilities.withUnsafeMutableBufferPointer { p in
        for row in 0..<rows {
          let label = Int(labels[row])
          precondition(label >= 0 && label < classes, "label \(label) out of \(classes) classes")
          let x = logits.baseAddress! + row * classes
          let out = p.baseAddress! + row * classes
          var largest = x[0]
          for column in 1..<classes { largest = Swift.max(largest, x[column]) }
          var sum: Float = 0
          for column in 0..<classes {
            out[column] = expf32(x[column] - largest)
            sum += out[column]
          }
          let inverse = 1 / sum
          for column in 0..<classes { out[column] *= inverse }
          total += Double((largest - x[label]) + logf32(sum))
        }
      }
    }
    let loss = Tensor(scalar: Float(total / Double(Swift.max(rows, 1))))
    return tape.record(loss, inputs: [self]) { gradient, tape in
      var result = probabilities
      let scale = gradient.scalar / Float(rows)
      result.withUnsafeMutableBufferPointer { g in
        for row in 0..<rows {
          g[row * classes + Int(labels[row])] -= 1
        }
        for index in 0..<g.count { g[index] *= scale }
      }
      tape.accumulate(result, into: 0)
    }
  }

  /// Mean squared error against a target of the same shape (composite).
  public func meanSquaredError(target: Variable) -> Variable { (self - target).squared().mean() }
}
