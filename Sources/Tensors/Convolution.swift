/// The sizes of one 2-D convolution or pooling window over an NHWC batch.
public struct WindowGeometry: Sendable, Equatable {
  public var batch: Int
  public var height: Int
  public var width: Int
  public var channels: Int
  public var kernelHeight: Int
  public var kernelWidth: Int
  public var stride: Int
  public var padding: Int

  public init(
    inputShape: [Int], kernelHeight: Int, kernelWidth: Int, stride: Int = 1, padding: Int = 0
  ) {
    precondition(inputShape.count == 4, "NHWC input expected, got \(inputShape)")
    precondition(kernelHeight > 0 && kernelWidth > 0 && stride > 0 && padding >= 0, "window")
    batch = inputShape[0]
    height = inputShape[1]
    width = inputShape[2]
    channels = inputShape[3]
    self.kernelHeight = kernelHeight
    self.kernelWidth = kernelWidth
    self.stride = stride
    self.padding = padding
    precondition(
      height + 2 * padding >= kernelHeight && width + 2 * padding >= kernelWidth,
      "kernel \(kernelHeight)x\(kernelWidth) larger than padded input \(inputShape)")
  }

  public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
  public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
  /// Output positions per image.
  public var outputPixels: Int { outputHeight * outputWidth }
  /// Length of one im2col row: `kernelHeight * kernelWidth * channels`.
  public var patchLength: Int { kernelHeight * kernelWidth * channels }
  public var inputImageCount: Int { height * width * channels }
  public var inputShape: [Int] { [batch, height, width, channels] }
}

/// Convolution as im2col + GEMM on NHWC tensors, with weights laid out `[out, kh, kw, in]`.
extension Tensor {
  /// Bytes of im2col buffer used per chunk when the columns need not be kept (inference).
  public static let inferenceColumnsBytesMax = 16 << 20

  /// Writes the im2col rows of images `images` into `columns` (row `p` of image `i` at
  /// `(i - images.lowerBound) * outputPixels + p`).
  static func im2col(
    _ input: UnsafePointer<Float>, _ g: WindowGeometry, images: Range<Int>,
    into columns: UnsafeMutablePointer<Float>
  ) {
    let channels = g.channels
    var row = columns
    for image in images {
      let base = input + image * g.inputImageCount
      for outY in 0..<g.outputHeight {
        for outX in 0..<g.outputWidth {
          for ky in 0..<g.kernelHeight {
            let y = outY * g.stride - g.padding + ky
            for kx in 0..<g.kernelWidth {
              let x = outX * g.stride - g.padding + kx
              if y < 0 || y >= g.height || x < 0 || x >= g.width {
                row.update(repeating: 0, count: channels)
              } else {
                row.update(from: base + (y * g.width + x) * channels, count: channels)
              }
              row += channels
            }
          }
        }
      }
    }
  }

  /// Adds im2col rows back into image gradients (the adjoint of `im2col`).
  static func col2imAdd(
    _ columns: UnsafePointer<Float>, _ g: WindowGeometry, images: Range<Int>,
    into input: UnsafeMutablePointer<Float>
  ) {
    let channels = g.channels
    var row = columns
    for image in images {
      let base = input + image * g.inputImageCount
      for outY in 0..<g.outputHeight {
        for outX in 0..<g.outputWidth {
          for ky in 0..<g.kernelHeight {
            let y = outY * g.stride - g.padding + ky
            for kx in 0..<g.kernelWidth {
              let x = outX * g.stride - g.padding + kx
              if y >= 0 && y < g.height && x >= 0 && x < g.width {
                let target = base + (y * g.width + x) * channels
                for channel in 0..<channels { target[channel] += row[channel] }
              }
              row += channels
            }
          }
        }
      }
    }
  }

  /// 2-D convolution of an NHWC batch. Returns the `[N, OH, OW, out]` output and, when
  /// `keepingColumns`, the im2col matrix that the backward pass reuses.
  public static func conv2d(
    _ input: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0,
    keepingColumns: Bool
  ) -> (output: Tensor, columns: Tensor?) {
    precondition(
      weight.rank == 4 && weight.shape[3] == input.shape.last,
      "conv2d weight \(weight.shape) for input \(input.shape)")
    let g = WindowGeometry(
      inputShape: input.shape, kernelHeight: weight.shape[1], kernelWidth: weight.shape[2],
      stride: stride, padding: padding)
    let outChannels = weight.shape[0]
    if let bias { precondition(bias.count == outChannels, "conv2d bias \(bias.shape)") }
    let output = Tensor(uninitializedShape: [g.batch, g.outputHeight, g.outputWidth, outChannels])
    let imagesPerChunk =
      keepingColumns
      ? Swift.max(g.batch, 1)
      : Swift.max(1, inferenceColumnsBytesMax / Swift.max(g.outputPixels * g.patchLength * 4, 1))
    var columns = Tensor(uninitializedShape: [
      Swift.min(imagesPerChunk, g.batch) * g.outputPixels, g.patchLength,
    ])
    let inputPointer = SendablePointer(input.storage.pointer)
    let columnsPointer = SendablePointer(columns.storage.pointer)
    var first = 0
    while first < g.batch {
      let images = first..<Swift.min(first + imagesPerChunk, g.batch)
      Parallel.forEachRange(count: images.count, minimumChunk: 1) { local in
        im2col(
          inputPointer.base, g,
          images: (images.lowerBound + local.lowerBound)..<(images.lowerBound + local.upperBound),
          into: columnsPointer.base + local.lowerBound * g.outputPixels * g.patchLength)
      }
      let rows = images.count * g.outputPixels
      let target = output.storage.pointer + images.lowerBound * g.outputPixels * outChannels
      if let bias {
        for row in 0..<rows {
          (target + row * outChannels).update(from: bias.storage.pointer, count: outChannels)
        }
      }
      gemm(
        transposeA: false, transposeB: true, m: rows, n: outChannels, k: g.patchLength,
        a: columns.storage.pointer, lda: g.patchLength, b: weight.storage.pointer,
        ldb: g.patchLength,
        beta: bias == nil ? 0 : 1, c: target, ldc: outChannels)
      first = images.upperBound
    }
    if !keepingColumns { return (output, nil) }
    columns.shape = [g.batch * g.outputPixels, g.patchLength]
    return (output, columns)
  }

  /// Gradients of `conv2d` with respect to its input (when `needsInputGradient`), weight and bias.
  public static func conv2dBackward(
    gradientOutput: Tensor, columns: Tensor, weight: Tensor, inputShape: [Int], stride: Int,
    padding: Int, needsInputGradient: Bool
  ) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
    let g = WindowGeometry(
      inputShape: inputShape, kernelHeight: weight.shape[1], kernelWidth: weight.shape[2],
      stride: stride, padding: padding)
    let outChannels = weight.shape[0]
    let rows = g.batch * g.outputPixels
    let weightGradient = Tensor(uninitializedShape: weight.shape)
    gemm(
      transposeA: true, transposeB: false, m: outChannels, n: g.patchLength, k: rows,
      a: gradientOutput.storage.pointer, lda: outChannels, b: columns.storage.pointer,
      ldb: g.patchLength, c: weightGradient.storage.pointer, ldc: g.patchLength)
    let biasGradient = gradientOutput.reshaped([rows, outChannels]).sum(alongAxes: [0])
    guard needsInputGradient else { return (nil, weightGradient, biasGradient) }
    let columnsGradient = Tensor(uninitializedShape: [rows, g.patchLength])
    gemm(
      transposeA: false, transposeB: false, m: rows, n: g.patchLength, k: outChannels,
      a: gradientOutput.storage.pointer, lda: outChannels, b: weight.storage.pointer,
      ldb: g.patchLength, c: columnsGradient.storage.pointer, ldc: g.patchLength)
    let inputGradient = Tensor(zeros: inputShape)
    let source = SendablePointer(columnsGradient.storage.pointer)
    let target = SendablePointer(inputGradient.storage.pointer)
    Parallel.forEachRange(count: g.batch, minimumChunk: 1) { images in
      col2imAdd(
        source.base + images.lowerBound * g.outputPixels * g.patchLength, g, images: images,
        into: target.base)
    }
    return (inputGradient, weightGradient, biasGradient)
  }
}
