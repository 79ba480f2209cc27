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
  /// Bytes of im2col rows built at a time. Convolutions run image chunk by image chunk so that
  /// the rows are consumed by the GEMM while still in the core's L2 cache, and are rebuilt in
  /// the backward pass instead of being kept: less memory traffic and a far smaller peak
  /// resident set than materialising the whole batch's im2col matrix.
  public static let convolutionChunkBytes = 512 << 10

  /// Images per chunk for a geometry (at least one).
  static func imagesPerChunk(_ g: WindowGeometry) -> Int {
    Swift.max(1, convolutionChunkBytes / Swift.max(g.outputPixels * g.patchLength * 4, 1))
  }

  /// Writes the im2col rows of images `images` into `columns` (row `p` of image `i` at
  /// `(i - images.lowerBound) * outputPixels + p`). In NHWC one kernel row of a patch is one
  /// contiguous span of `kernelWidth * channels` floats, so each row is `kernelHeight` copies
  /// (clipped and zero-filled at the padded border).
  static func im2col(
    _ input: UnsafePointer<Float>, _ g: WindowGeometry, images: Range<Int>,
    into columns: UnsafeMutablePointer<Float>
  ) {
    let span = g.kernelWidth * g.channels
    var row = columns
    for image in images {
      let base = input + image * g.inputImageCount
      for outY in 0..<g.outputHeight {
        for outX in 0..<g.outputWidth {
          let left = outX * g.stride - g.padding
          let skipped = Swift.max(0, -left)
          let kept = Swift.max(0, Swift.min(g.kernelWidth, g.width - left) - skipped)
          for ky in 0..<g.kernelHeight {
            let y = outY * g.stride - g.padding + ky
            if y < 0 || y >= g.height || kept == 0 {
              row.update(repeating: 0, count: span)
            } else {
              let source = base + (y * g.width + left + skipped) * g.channels
              let prefix = skipped * g.channels
              let length = kept * g.channels
              if prefix > 0 { row.update(repeating: 0, count: prefix) }
              copy(from: source, to: row + prefix, count: length)
              let suffix = span - prefix - length
              if suffix > 0 { (row + prefix + length).update(repeating: 0, count: suffix) }
            }
            row += span
          }
        }
      }
    }
  }

  /// Copies short spans inline (a libc call costs more than copying a few floats).
  @inline(__always)
  static func copy(
    from source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int
  ) {
    if count <= 16 {
      for index in 0..<count { target[index] = source[index] }
    } else {
      target.update(from: source, count: count)
    }
  }

  /// Adds im2col rows back into image gradients (the adjoint of `im2col`).
  static func col2imAdd(
    _ columns: UnsafePointer<Float>, _ g: WindowGeometry, images: Range<Int>,
    into input: UnsafeMutablePointer<Float>
  ) {
    let span = g.kernelWidth * g.channels
    var row = columns
    for image in images {
      let base = input + image * g.inputImageCount
      for outY in 0..<g.outputHeight {
        for outX in 0..<g.outputWidth {
          let left = outX * g.stride - g.padding
          let skipped = Swift.max(0, -left)
          let kept = Swift.max(0, Swift.min(g.kernelWidth, g.width - left) - skipped)
          for ky in 0..<g.kernelHeight {
            let y = outY * g.stride - g.padding + ky
            if y >= 0 && y < g.height && kept > 0 {
              let target = base + (y * g.width + left + skipped) * g.channels
              let source = row + skipped * g.channels
              for index in 0..<(kept * g.channels) { target[index] += source[index] }
            }
            row += span
          }
        }
      }
    }
  }

  /// 2-D convolution of an NHWC batch: `[N, H, W, in]` with weight `[out, kh, kw, in]` gives
  /// `[N, OH, OW, out]`. Chunks of images are spread over `Parallel.threadCount` threads.
  public static func conv2d(
    _ input: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0
  ) -> Tensor {
    precondition(
      input.rank == 4 && weight.rank == 4 && weight.shape[3] == input.shape[3],
      "conv2d weight \(weight.shape) for input \(input.shape)")
    let g = WindowGeometry(
      inputShape: input.shape, kernelHeight: weight.shape[1], kernelWidth: weight.shape[2],
      stride: stride, padding: padding)
    let outChannels = weight.shape[0]
    if let bias { precondition(bias.count == outChannels, "conv2d bias \(bias.shape)") }
    let output = Tensor(uninitializedShape: [g.batch, g.outputHeight, g.outputWidth, outChannels])
    let chunk = imagesPerChunk(g)
    let (x, w, out) = (
      SendablePointer(input.storage.pointer), SendablePointer(weight.storage.pointer),
      SendablePointer(output.storage.pointer)
    )
    let b = bias.map { SendablePointer($0.storage.pointer) }
    Parallel.forEachRange(count: g.batch, minimumChunk: chunk) { images in
      let columns = Tensor(uninitializedShape: [chunk * g.outputPixels, g.patchLength])
      var first = images.lowerBound
      while first < images.upperBound {
        let part = first..<Swift.min(first + chunk, images.upperBound)
        im2col(x.base, g, images: part, into: columns.storage.pointer)
        let rows = part.count * g.outputPixels
        let target = out.base + first * g.outputPixels * outChannels
        if let b {
          for row in 0..<rows {
            (target + row * outChannels).update(from: b.base, count: outChannels)
          }
        }
        gemmSingleThreaded(
          transposeA: false, transposeB: true, m: rows, n: outChannels, k: g.patchLength,
          a: columns.storage.pointer, lda: g.patchLength, b: w.base, ldb: g.patchLength,
          beta: b == nil ? 0 : 1, c: target, ldc: outChannels)
        first = part.upperBound
      }
    }
    return output
  }

  /// Gradients of `conv2d` with respect to its input (when `needsInputGradient`), weight and
  /// bias. Rebuilds each chunk's im2col rows, accumulates the weight gradient per thread and
  /// scatters each chunk's column gradients back into its images.
  public static func conv2dBackward(
    gradientOutput: Tensor, input: Tensor, weight: Tensor, stride: Int, padding: Int,
    needsInputGradient: Bool
  ) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
    let g = WindowGeometry(
      inputShape: input.shape, kernelHeight: weight.shape[1], kernelWidth: weight.shape[2],
      stride: stride, padding: padding)
    let outChannels = weight.shape[0]
    let chunk = imagesPerChunk(g)
    let threads = Parallel.rangeCount(count: g.batch, minimumChunk: chunk)
    let partials = (0..<threads).map { _ in Tensor(zeros: weight.shape) }
    let inputGradient = needsInputGradient ? Tensor(uninitializedShape: input.shape) : nil
    let (x, w, dy) = (
      SendablePointer(input.storage.pointer), SendablePointer(weight.storage.pointer),
      SendablePointer(gradientOutput.storage.pointer)
    )
    let dx = inputGradient.map { SendablePointer($0.storage.pointer) }
    let partialPointers = partials.map { SendablePointer($0.storage.pointer) }
    Parallel.forEachIndexedRange(count: g.batch, minimumChunk: chunk) { worker, images in
      let columns = Tensor(uninitializedShape: [chunk * g.outputPixels, g.patchLength])
      let columnsGradient = Tensor(uninitializedShape: [chunk * g.outputPixels, g.patchLength])
      var first = images.lowerBound
      while first < images.upperBound {
        let part = first..<Swift.min(first + chunk, images.upperBound)
        let rows = part.count * g.outputPixels
        let gradientRows = dy.base + first * g.outputPixels * outChannels
        im2col(x.base, g, images: part, into: columns.storage.pointer)
        gemmSingleThreaded(
          transposeA: true, transposeB: false, m: outChannels, n: g.patchLength, k: rows,
          a: gradientRows, lda: outChannels, b: columns.storage.pointer, ldb: g.patchLength,
          beta: 1, c: partialPointers[worker].base, ldc: g.patchLength)
        if let dx {
          gemmSingleThreaded(
            transposeA: false, transposeB: false, m: rows, n: g.patchLength, k: outChannels,
            a: gradientRows, lda: outChannels, b: w.base, ldb: g.patchLength,
            c: columnsGradient.storage.pointer, ldc: g.patchLength)
          (dx.base + first * g.inputImageCount).update(
            repeating: 0, count: part.count * g.inputImageCount)
          col2imAdd(columnsGradient.storage.pointer, g, images: part, into: dx.base)
        }
        first = part.upperBound
      }
    }
    var weightGradient = partials[0]
    for partial in partials.dropFirst() { weightGradient.add(partial) }
    let biasGradient = gradientOutput.reshaped([g.batch * g.outputPixels, outChannels]).sum(
      alongAxes: [0])
    return (inputGradient, weightGradient, biasGradient)
  }
}
