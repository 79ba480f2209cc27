import Coordination
import Identity
import Testing
import Wire

@testable import Node

/// The coordinator's audit of a plain-sum partial (`NodeController.isSum`): the signed updates
/// an aggregator hands over must be the ones its receipts name, and the partial their sum.
@Suite struct AuditTests {
  let keys = (1...2).map { SigningKeyPair(seed: [UInt8](repeating: UInt8($0), count: 32)) }

  func update(_ values: [Float], weight: UInt32, by key: SigningKeyPair) -> (
    AuditedUpdate, UpdateReceipt
  ) {
    let attestation = Attestation(
      publicKey: key.publicKey, nonce: 1, signature: key.sign(Array("any statement".utf8)))
    return (
      AuditedUpdate(weight: weight, values: values, attestation: attestation),
      UpdateReceipt(
        weight: weight, valuesDigest: Digest.of(values: values), attestation: attestation)
    )
  }

  @Test func thePartialMustBeTheSumOfTheUpdatesItsReceiptsName() {
    let (first, firstReceipt) = update([1, 2, 3], weight: 2, by: keys[0])
    let (second, secondReceipt) = update([0.5, -1, 0.25], weight: 3, by: keys[1])
    let receipts = [firstReceipt, secondReceipt]
    let sum: [Float] = [2 * 1 + 3 * 0.5, 2 * 2 + 3 * -1, 2 * 3 + 3 * 0.25]
    #expect(NodeController.isSum(of: [first, second], receipts: receipts, values: sum))
    // Another sum (the values a cheating aggregator sends), with the receipts intact.
    #expect(
      !NodeController.isSum(of: [first, second], receipts: receipts, values: sum.map { $0 + 1 }))
    // Updates other than the receipts name, in another order, or one missing.
    var altered = second
    altered.values[0] = 0.75
    #expect(!NodeController.isSum(of: [first, altered], receipts: receipts, values: sum))
    #expect(!NodeController.isSum(of: [second, first], receipts: receipts, values: sum))
    #expect(!NodeController.isSum(of: [first], receipts: receipts, values: sum))
  }
}
