import Datasets
import Testing

@Suite struct LabeledDatasetPoisoningTests {
  let images = LabeledDataset(
    sampleShape: [6, 6, 1], classCount: 10, labels: [0, 3, 9],
    bytes: [UInt8](repeating: 7, count: 3 * 36))

  @Test func labelFlippingMapsEachLabelToItsMirror() {
    #expect(images.flippingLabels().labels == [9, 6, 0])
    #expect(images.flippingLabels().flippingLabels().labels == images.labels)
  }

  @Test func theTriggerSetsTheCornerPatchAndRelabelsEverySample() {
    let poisoned = images.withTrigger(target: 2, size: 2)
    #expect(poisoned.labels == [2, 2, 2])
    let batch = poisoned.batch([1]).inputs.scalars
    // Row-major 6x6: the patch covers rows 4-5, columns 4-5.
    for row in 0..<6 {
      for column in 0..<6 {
        let isPatch = row >= 4 && column >= 4
        #expect(batch[row * 6 + column] == (isPatch ? Float(255) : 7) / 255)
      }
    }
  }

  @Test func theBackdoorTestSetLeavesOutTheTargetClass() {
    #expect(images.excludingLabel(3).labels == [0, 9])
  }
}
