import Testing

@testable import Privacy

@Test("A vector longer than the bound is scaled to it; a shorter one is unchanged")
func clipsToNorm() {
  let (clipped, norm) = Clipping.clipped([3, 4], toNorm: 1)
  #expect(norm == 5)
  #expect(abs(clipped[0] - 0.6) < 1e-5 && abs(clipped[1] - 0.8) < 1e-5)
  #expect(Clipping.norm(clipped) <= 1)
  let (unchanged, smallNorm) = Clipping.clipped([0.3, 0.4], toNorm: 1)
  #expect(unchanged == [0.3, 0.4] && abs(smallNorm - 0.5) < 1e-7)
}

@Test("Clipped vectors never exceed the bound through rounding", arguments: [0.1, 1.0, 7.3])
func neverExceedsBound(bound: Double) {
  for length in [1, 17, 1000] {
    let vector = (0..<length).map { Float($0 % 7) - 2.5 }
    #expect(Clipping.norm(Clipping.clipped(vector, toNorm: bound).vector) <= bound)
  }
}
