/// Per-example weight gradients of a convolution, for DP-SGD's per-example clipping.
extension Tensor {
  /// The weight gradient of each image separately: row `i` of the `[N, out * kh * kw * in]`
  /// result is `δ_iᵀ cols_i`, the gradient that image `i` alone gives the weight
  /// `[out, kh, kw, in]`, where `cols_i` is the image's im2col matrix and `δ_i` its
  /// `[OH * OW, out]` output gradient. Images are spread over `Parallel.threadCount` threads.
  ///
  /// - Complexity: O(N × OH × OW × out × kh × kw × in), the same as the summed weight gradient.
  public static func conv2dPerExampleWeightGradients(
    gradientOutput: Tensor, input: Tensor, weightShape: [Int], stride: Int, padding: Int
  ) -> Tensor {
    precondition(weightShape.count == 4 && input.rank == 4, "per-example conv2d gradient shapes")
    let g = WindowGeometry(
      inputShape: input.shape, kernelHeight: weightShape[1], kernelWidth: weightShape[2],
      stride: stride, padding: padding)
    let outChannels = weightShape[0]
    precondition(
      gradientOutput.shape == [g.batch, g.outputHeight, g.outputWidth, outChannels],
      "output gradient \(gradientOutput.shape) for input \(input.shape)")
    let weightCount = outChannels * g.patchLength
    let result = Tensor(uninitializedShape: [g.batch, weightCount])
    let (x, dy, out) = (
      SendablePointer(input.storage.pointer), SendablePointer(gradientOutput.storage.pointer),
      SendablePointer(result.storage.pointer)
    )
    Parallel.forEachRange(count: g.batch, minimumChunk: 1) { images in
      let columns = Tensor(uninitializedShape: [g.outputPixels, g.patchLength])
      for image in images {
        im2col(x.base, g, images: image..<(image + 1), into: columns.storage.pointer)
        gemmSingleThreaded(
          transposeA: true, transposeB: false, m: outChannels, n: g.patchLength,
          k: g.outputPixels, a: dy.base + image * g.outputPixels * outChannels, lda: outChannels,
          b: columns.storage.pointer, ldb: g.patchLength, c: out.base + image * weightCount,
          ldc: g.patchLength)
      }
    }
    return result
  }
}
