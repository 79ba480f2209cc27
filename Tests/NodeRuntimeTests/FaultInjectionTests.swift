import Identity
import Node
import Testing
import Wire

@testable import NodeRuntime

/// What `starling node --fault` changes in what a node sends.
struct FaultInjectionTests {
  static let peer = PeerID(simulatedIndex: 1)

  @Test func nanPartialsPoisonsPartialsAndNeverCampaigns() {
    let partial = Message.round(
      .partial(round: 3, weight: 2, trainers: [Self.peer], values: [1, 2]))
    guard
      case .round(.partial(_, _, _, let values, _))? = NodeRuntime.injecting(
        .nanPartials, into: partial)
    else {
      Issue.record("a partial is still sent")
      return
    }
    #expect(values[0].isNaN && values[1] == 2)
    let requestVote = Message.council(
      .requestVote(
        term: 2, candidate: Self.peer, lastLogIndex: 0, lastLogTerm: 0,
        isLeadershipTransfer: false))
    let requestPreVote = Message.council(
      .requestPreVote(term: 2, candidate: Self.peer, lastLogIndex: 0, lastLogTerm: 0))
    #expect(NodeRuntime.injecting(.nanPartials, into: requestVote) == nil)
    #expect(NodeRuntime.injecting(.nanPartials, into: requestPreVote) == nil)
    // Everything else goes out as the controller decided, and without a fault nothing changes.
    let vote = Message.council(.vote(term: 2, granted: true))
    #expect(NodeRuntime.injecting(.nanPartials, into: vote) == vote)
    #expect(NodeRuntime.injecting(nil, into: requestVote) == requestVote)
    #expect(NodeRuntime.injecting(nil, into: partial) == partial)
  }

  @Test func alterUpdatesChangesAReceiptAndSignsThePartialAgain() {
    let key = SigningKeyPair(seed: [UInt8](repeating: 9, count: 32))
    let signing = ContributionSigning(project: [UInt8](repeating: 1, count: 32), keyPair: key)
    let receipt = UpdateReceipt(
      weight: 2, valuesDigest: Digest.of(values: [1, 2]),
      attestation: Attestation(
        publicKey: key.publicKey, nonce: 1, signature: key.sign([1])))
    let partial = Message.round(
      signing.signedPartial(round: 3, weight: 2, receipts: [receipt], values: [1, 2], nonce: 1))
    for fault in [NodeRuntime.Fault.alterUpdates, .nanPartials] {
      guard
        case .round(
          .signedPartial(let round, let weight, let receipts, let values, let attestation))? =
          NodeRuntime.injecting(fault, into: partial, signing: signing)
      else {
        Issue.record("\(fault): a signed partial is still sent")
        continue
      }
      // The partial's own signature holds: what honest peers catch is the fault itself.
      let statement = SignedStatement.partial(
        project: signing.project, round: round, weight: weight, receipts: receipts,
        valuesDigest: Digest.of(values: values), nonce: attestation.nonce)
      #expect(attestation.verifies(statement))
      if fault == .alterUpdates {
        #expect(values == [2, 3])
        #expect(receipts[0].valuesDigest != receipt.valuesDigest)
      } else {
        #expect(values[0].isNaN && receipts == [receipt])
      }
    }
  }
}
