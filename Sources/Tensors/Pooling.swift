/// Max and average pooling over NHWC batches (no padding; windows that do not fit are dropped,
/// as in PyTorch's default `floor` mode).
extension Tensor {
  /// Max pooling. Returns the output and, for each output element, the flat input index of the
  /// maximum, which the backward pass routes the gradient to.
  public static func maxPool2d(
    _ input: Tensor, kernelSize: Int, stride: Int
  ) -> (output: Tensor, argmax: [Int32]) {
    let g = WindowGeometry(
      inputShape: input.shape, kernelHeight: kernelSize, kernelWidth: kernelSize, stride: stride)
    precondition(input.count < Int(Int32.max), "maxPool2d input too large for Int32 indices")
    let channels = g.channels
    let output = Tensor(uninitializedShape: [g.batch, g.outputHeight, g.outputWidth, channels])
    var argmax = [Int32](repeating: 0, count: output.count)
    let x = SendablePointer(input.storage.pointer)
    let out = SendablePointer(output.storage.pointer)
    argmax.withUnsafeMutableBufferPointer { indices in
      let indexBase = SendablePointer(indices.baseAddress!)
      Parallel.forEachRange(count: g.batch, minimumChunk: 8) { images in
        for image in images {
          for outY in 0..<g.outputHeight {
            for outX in 0..<g.outputWidth {
              let position = ((image * g.outputHeight + outY) * g.outputWidth + outX) * channels
              let first = ((image * g.height + outY * stride) * g.width + outX * stride) * channels
              for channel in 0..<channels {
                out.base[position + channel] = x.base[first + channel]
                indexBase.base[position + channel] = Int32(first + channel)
              }
              for ky in 0..<kernelSize {
                for kx in 0..<kernelSize where ky > 0 || kx > 0 {
                  let source = first + (ky * g.width + kx) * channels
                  for channel in 0..<channels
                  where x.base[source + channel] > out.base[position + channel] {
                    out.base[position + channel] = x.base[source + channel]
                    indexBase.base[position + channel] = Int32(source + channel)
                  }
                }
              }
            }
          }
        }
      }
    }
    return (output, argmax)
  }

  /// Routes each output gradient to the input element that was the maximum.
  public static func maxPool2dBackward(
    gradientOutput: Tensor, argmax: [Int32], inputShape: [Int]
  ) -> Tensor {
    let gradient = Tensor(zeros: inputShape)
    let target = gradient.storage.pointer
    let source = gradientOutput.storage.pointer
    for (position, index) in argmax.enumerated() { target[Int(index)] += source[position] }
    return gradient
  }

  /// Average pooling.
  public static func avgPool2d(_ input: Tensor, kernelSize: Int, stride: Int) -> Tensor {
    let g = WindowGeometry(
      inputShape: input.shape, kernelHeight: kernelSize, kernelWidth: kernelSize, stride: stride)
    let channels = g.channels
    let scale = 1 / Float(kernelSize * kernelSize)
    let x = input.storage.pointer
    return Tensor(shape: [g.batch, g.outputHeight, g.outputWidth, channels]) { out in
      out.update(repeating: 0)
      for image in 0..<g.batch {
        for outY in 0..<g.outputHeight {
          for outX in 0..<g.outputWidth {
            let position = ((image * g.outputHeight + outY) * g.outputWidth + outX) * channels
            for ky in 0..<kernelSize {
              for kx in 0..<kernelSize {
                let source =
                  ((image * g.height + outY * stride + ky) * g.width + outX * stride + kx)
                  * channels
                for channel in 0..<channels {
                  out[position + channel] += x[source + channel] * scale
                }
              }
            }
          }
        }
      }
    }
  }

  /// Spreads each output gradient evenly over its window (the adjoint of `avgPool2d`).
  public static func avgPool2dBackward(
    gradientOutput: Tensor, inputShape: [Int], kernelSize: Int, stride: Int
  ) -> Tensor {
    let g = WindowGeometry(
      inputShape: inputShape, kernelHeight: kernelSize, kernelWidth: kernelSize, stride: stride)
    let channels = g.channels
    let scale = 1 / Float(kernelSize * kernelSize)
    let gradient = Tensor(zeros: inputShape)
    let target = gradient.storage.pointer
    let source = gradientOutput.storage.pointer
    for image in 0..<g.batch {
      for outY in 0..<g.outputHeight {
        for outX in 0..<g.outputWidth {
          let position = ((image * g.outputHeight + outY) * g.outputWidth + outX) * channels
          for ky in 0..<kernelSize {
            for kx in 0..<kernelSize {
              let offset =
                ((image * g.height + outY * stride + ky) * g.width + outX * stride + kx) * channels
              for channel in 0..<channels {
                target[offset + channel] += source[position + channel] * scale
              }
            }
          }
        }
      }
    }
    return gradient
  }
}
