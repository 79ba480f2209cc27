/// Max and average pooling over NHWC batches (no padding; windows that do not fit are dropped,
/// as in PyTorch's default `floor` mode).
extension Tensor {
  /// Max pooling.
  public static func maxPool2d(_ input: Tensor, kernelSize: Int, stride: Int) -> Tensor {
    let g = WindowGeometry(
      inputShape: input.shape, kernelHeight: kernelSize, kernelWidth: kernelSize, stride: stride)
    let channels = g.channels
    let output = Tensor(uninitializedShape: [g.batch, g.outputHeight, g.outputWidth, channels])
    let (x, out) = (SendablePointer(input.storage.pointer), SendablePointer(output.storage.pointer))
    Parallel.forEachRange(count: g.batch, minimumChunk: 8) { images in
      for image in images {
        for outY in 0..<g.outputHeight {
          for outX in 0..<g.outputWidth {
            let target =
              out.base + ((image * g.outputHeight + outY) * g.outputWidth + outX) * channels
            let corner =
              x.base + ((image * g.height + outY * stride) * g.width + outX * stride) * channels
            target.update(from: corner, count: channels)
            for ky in 0..<kernelSize {
              for kx in 0..<kernelSize where ky > 0 || kx > 0 {
                let source = corner + (ky * g.width + kx) * channels
                for channel in 0..<channels {
                  target[channel] = Swift.max(target[channel], source[channel])
                }
              }
            }
          }
        }
      }
    }
    return output
  }

  /// Routes each output gradient to the first input element of its window that equals the
  /// window's maximum (PyTorch's choice on ties); the others get zero.
  public static func maxPool2dBackward(
    gradientOutput: Tensor, input: Tensor, output: Tensor, kernelSize: Int, stride: Int
  ) -> Tensor {
    let g = WindowGeometry(
      inputShape: input.shape, kernelHeight: kernelSize, kernelWidth: kernelSize, stride: stride)
    let channels = g.channels
    let gradient = Tensor(zeros: input.shape)
    let (x, y, dy, dx) = (
      SendablePointer(input.storage.pointer), SendablePointer(output.storage.pointer),
      SendablePointer(gradientOutput.storage.pointer), SendablePointer(gradient.storage.pointer)
    )
    Parallel.forEachRange(count: g.batch, minimumChunk: 8) { images in
      // `pending[c]` holds the gradient of channel c until its first maximal element is found;
      // branch-free selects keep the channel loop vectorised.
      let pending = UnsafeMutablePointer<Float>.allocate(capacity: channels)
      defer { pending.deallocate() }
      for image in images {
        for outY in 0..<g.outputHeight {
          for outX in 0..<g.outputWidth {
            let position = ((image * g.outputHeight + outY) * g.outputWidth + outX) * channels
            let corner = ((image * g.height + outY * stride) * g.width + outX * stride) * channels
            let largest = y.base + position
            pending.update(from: dy.base + position, count: channels)
            for ky in 0..<kernelSize {
              for kx in 0..<kernelSize {
                let offset = corner + (ky * g.width + kx) * channels
                routeToFirstMaximum(
                  source: x.base + offset, largest: largest, pending: pending,
                  target: dx.base + offset, count: channels)
              }
            }
          }
        }
      }
    }
    return gradient
  }

  /// For each channel: when `source == largest`, adds `pending` into `target` and clears it.
  /// Written with SIMD blends: scalar ternaries compile to masked loads and stores, which are
  /// microcoded and slow on AMD cores.
  @inline(__always)
  static func routeToFirstMaximum(
    source: UnsafePointer<Float>, largest: UnsafePointer<Float>,
    pending: UnsafeMutablePointer<Float>, target: UnsafeMutablePointer<Float>, count: Int
  ) {
    var channel = 0
    let zero = SIMD8<Float>(repeating: 0)
    while channel + 8 <= count {
      let isMaximum =
        UnsafeRawPointer(source + channel).loadUnaligned(as: SIMD8<Float>.self)
        .== UnsafeRawPointer(largest + channel).loadUnaligned(as: SIMD8<Float>.self)
      let waiting = UnsafeRawPointer(pending + channel).loadUnaligned(as: SIMD8<Float>.self)
      let routed = zero.replacing(with: waiting, where: isMaximum)
      let sum = UnsafeRawPointer(target + channel).loadUnaligned(as: SIMD8<Float>.self) + routed
      UnsafeMutableRawPointer(target + channel).storeBytes(of: sum, as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(pending + channel).storeBytes(
        of: waiting - routed, as: SIMD8<Float>.self)
      channel += 8
    }
    while channel < count {
      if source[channel] == largest[channel] {
        target[channel] += pending[channel]
        pending[channel] = 0
      }
      channel += 1
    }
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
