import Coordination
import Identity
import Wire

/// The key a node signs its contributions with, and the project every statement names.
public struct ContributionSigning: Sendable {
  /// The project's 32-byte ID: a signature made for another project never verifies here.
  public var project: [UInt8]
  public var keyPair: SigningKeyPair
  /// The peer a public key names. Real peers: the key's hash (`PeerID(publicKey:)`). The
  /// simulator keeps its index-derived IDs and gives each simulated peer a key, so it looks
  /// keys up in its own table (nil: a key no simulated peer holds).
  public var peerOfKey: @Sendable (PublicKey) -> PeerID?
  public init(
    project: [UInt8], keyPair: SigningKeyPair,
    peerOfKey: @escaping @Sendable (PublicKey) -> PeerID? = { PeerID(publicKey: $0) }
  ) {
    self.project = project
    self.keyPair = keyPair
    self.peerOfKey = peerOfKey
  }
}

extension ContributionSigning {
  /// This key's attestation over `statement`.
  public func attestation(over statement: [UInt8], nonce: UInt64) -> Attestation {
    Attestation(publicKey: keyPair.publicKey, nonce: nonce, signature: keyPair.sign(statement))
  }

  /// This key's attestation of `entry`, as its leader appends it.
  public func attestation(of entry: LogEntry, nonce: UInt64) -> Attestation {
    attestation(over: SignedStatement.entry(project: project, entry, nonce: nonce), nonce: nonce)
  }

  /// `values` as this key's signed update for `aggregator`.
  public func signedUpdate(
    round: UInt64, weight: UInt32, values: [Float], for aggregator: PeerID, nonce: UInt64
  ) -> RoundMessage {
    let statement = SignedStatement.update(
      project: project, round: round, aggregator: aggregator, weight: weight,
      valuesDigest: Digest.of(values: values), nonce: nonce)
    return .signedUpdate(
      round: round, weight: weight, values: values,
      attestation: attestation(over: statement, nonce: nonce))
  }

  /// `values` as this key's signed partial, forwarding `receipts`.
  public func signedPartial(
    round: UInt64, weight: UInt64, receipts: [UpdateReceipt], values: [Float], nonce: UInt64
  ) -> RoundMessage {
    let statement = SignedStatement.partial(
      project: project, round: round, weight: weight, receipts: receipts,
      valuesDigest: Digest.of(values: values), nonce: nonce)
    return .signedPartial(
      round: round, weight: weight, receipts: receipts, values: values,
      attestation: attestation(over: statement, nonce: nonce))
  }
}

/// A signed message's identity for replay checks: its author and nonce.
struct AttestationKey: Hashable, Sendable {
  var author: PeerID
  var nonce: UInt64
}

/// Attributable contributions: a trainer signs its update for its aggregator; the aggregator
/// checks it, keeps its receipt and forwards every receipt inside its own signed partial; the
/// coordinator checks the partial's signature and each receipt's before the partial counts. So
/// an aggregator cannot alter or make up a trainer's update without the receipt failing, and
/// nobody can pass off a partial as another aggregator's.
extension NodeController {
  /// A fresh nonce: the clock in its high bits (unique across restarts while the clock moves
  /// on), a counter below.
  mutating func takeNonce() -> UInt64 {
    let nonce = max(nextNonce, now << 16)
    nextNonce = nonce &+ 1
    return nonce
  }

  /// `update` as this node sends it: signed for `aggregator` when the project signs.
  mutating func signed(_ update: RoundMessage, for aggregator: PeerID) -> RoundMessage {
    guard let signing = settings.signing, case .update(let round, let weight, let values) = update
    else { return update }
    return signing.signedUpdate(
      round: round, weight: weight, values: values, for: aggregator, nonce: takeNonce())
  }

  /// `partial` as this aggregator sends it: with the receipts of the updates it combined, and
  /// signed, when the project signs.
  mutating func signed(_ partial: RoundMessage) -> RoundMessage {
    guard let signing = settings.signing,
      case .partial(let round, let weight, let trainers, let values, let scores) = partial
    else { return partial }
    aggregatorRole.lastPartial = (round, trainers)
    let receipts = trainers.enumerated().compactMap { index, trainer -> UpdateReceipt? in
      guard var receipt = aggregatorRole.receipts[trainer] else { return nil }
      receipt.score = index < scores.count ? scores[index] : 0
      return receipt
    }
    return signing.signedPartial(
      round: round, weight: weight, receipts: receipts, values: values, nonce: takeNonce())
  }

  /// The trainers a signed partial's receipts name, in order.
  func trainers(of receipts: [UpdateReceipt]) -> [PeerID] {
    receipts.map { settings.signing?.peerOfKey($0.attestation.publicKey) ?? $0.trainer }
  }

  /// Why a signed update from `sender` cannot count, or nil when its signature holds; a good
  /// one's receipt is kept for the partial.
  mutating func checkSignedUpdate(
    round: UInt64, weight: UInt32, values: [Float], attestation: Attestation, from sender: PeerID
  ) -> ContributionRejection? {
    guard let signing = settings.signing else { return nil }
    guard signing.peerOfKey(attestation.publicKey) == sender else { return .forgedSignature }
    let key = AttestationKey(author: sender, nonce: attestation.nonce)
    guard !seenAttestations.contains(key) else { return .replayed }
    let digest = Digest.of(values: values)
    let statement = SignedStatement.update(
      project: signing.project, round: round, aggregator: me, weight: weight,
      valuesDigest: digest, nonce: attestation.nonce)
    guard attestation.verifies(statement) else { return .forgedSignature }
    seenAttestations.insert(key)
    aggregatorRole.receipts[sender] = UpdateReceipt(
      weight: weight, valuesDigest: digest, attestation: attestation)
    if settings.auditFraction > 0 {
      aggregatorRole.audited[sender] = AuditedUpdate(
        weight: weight, values: values, attestation: attestation)
    }
    return nil
  }

  /// Why a signed partial from `sender` cannot count, or nil when its signature and every
  /// receipt in it hold; `valuesDigest` is `Digest.of(values:)` of its values (the caller keeps
  /// it, so the values are hashed once). A partial relayed by the coordinator
  /// (`checksReplay` false) may be one this member has already seen: it only replaces the
  /// member's copy for the check, and counts nowhere.
  mutating func checkSignedPartial(
    round: UInt64, weight: UInt64, receipts: [UpdateReceipt], valuesDigest: Digest,
    attestation: Attestation, from sender: PeerID, checksReplay: Bool = true
  ) -> ContributionRejection? {
    guard let signing = settings.signing else { return nil }
    guard signing.peerOfKey(attestation.publicKey) == sender else { return .forgedSignature }
    let key = AttestationKey(author: sender, nonce: attestation.nonce)
    guard !checksReplay || !seenAttestations.contains(key) else { return .replayed }
    let statement = SignedStatement.partial(
      project: signing.project, round: round, weight: weight, receipts: receipts,
      valuesDigest: valuesDigest, nonce: attestation.nonce)
    guard attestation.verifies(statement) else { return .forgedSignature }
    if checksReplay { seenAttestations.insert(key) }
    let total = receipts.reduce(UInt64(0)) { $0 + UInt64($1.weight) }
    guard total == weight else { return .weightOutOfRange(weight) }
    for receipt in receipts {
      guard let trainer = signing.peerOfKey(receipt.attestation.publicKey) else {
        return .alteredUpdate(PeerID(publicKey: receipt.attestation.publicKey))
      }
      let update = SignedStatement.update(
        project: signing.project, round: round, aggregator: sender, weight: receipt.weight,
        valuesDigest: receipt.valuesDigest, nonce: receipt.attestation.nonce)
      guard receipt.attestation.verifies(update) else { return .alteredUpdate(trainer) }
    }
    return nil
  }
}

/// Why a council entry's signature cannot stand.
struct EntrySignatureRefusal: Error, Equatable {
  var reason: String
}

/// The authors of the entries one `appendEntries` carries, checked in log order. Every entry
/// must be signed by a known key over its own place and command; the leader's term is signed by
/// the leader; one term has one author (a leader's entries follow one another); and the first
/// entry of a term comes from a council member at that place (the noop a newly elected leader
/// appends). A leader can still relay an earlier leader's entries, signed by it, but it cannot
/// make up one in another's name or pass its own off as another term's without signing it.
struct EntrySignatures {
  let signing: ContributionSigning
  let leader: PeerID
  let term: UInt64?
  /// The term and author of the entry before the next one, when known.
  var previous: (term: UInt64, author: PeerID)?

  init(signing: ContributionSigning, leader: PeerID, term: UInt64?, previous: LogEntry?) {
    self.signing = signing
    self.leader = leader
    self.term = term
    if let previous, let key = previous.attestation?.publicKey,
      let author = signing.peerOfKey(key)
    {
      self.previous = (previous.term, author)
    }
  }

  /// `entry`'s author, after checking its signature (`verifying`: false for an entry this
  /// member holds, checked when it came) and its place among its neighbours.
  mutating func author(of entry: LogEntry, verifying: Bool, members: Set<PeerID>)
    -> Result<PeerID, EntrySignatureRefusal>
  {
    guard let attestation = entry.attestation else {
      return .failure(EntrySignatureRefusal(reason: "carries no signature"))
    }
    guard let author = signing.peerOfKey(attestation.publicKey) else {
      return .failure(EntrySignatureRefusal(reason: "is signed by a key no peer holds"))
    }
    if verifying {
      let statement = SignedStatement.entry(
        project: signing.project, entry, nonce: attestation.nonce)
      guard attestation.verifies(statement) else {
        return .failure(
          EntrySignatureRefusal(reason: "has a signature that does not verify (\(author))"))
      }
      if let term, entry.term == term, author != leader {
        return .failure(
          EntrySignatureRefusal(
            reason: "of term \(term) is signed by \(author), not by its leader \(leader)"))
      }
      if let previous, previous.term == entry.term, previous.author != author {
        return .failure(
          EntrySignatureRefusal(
            reason: "is signed by \(author), the entry before it in term \(entry.term) by "
              + "\(previous.author)"))
      }
      if previous?.term != entry.term, !members.contains(author) {
        return .failure(
          EntrySignatureRefusal(
            reason: "opens term \(entry.term) signed by \(author), not a council member"))
      }
    }
    previous = (entry.term, author)
    return .success(author)
  }
}
