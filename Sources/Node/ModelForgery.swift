import Wire

/// What a Byzantine coordinator sends in tests of the council's check (the simulator's
/// `firstCoordinatorForgesModels`, `starling node --fault forge-model`): every model it
/// publishes for a round past its committed one is replaced by a forgery, each value moved by
/// `offset`, and its notes name the forgery. The forgery is consistent (the values hash to the
/// digest sent), so only recomputing the combination gives it away.
public enum ModelForgery {
  public static let offset: Float = 0.5

  public static func forgery(of values: [Float]) -> [Float] { values.map { $0 + offset } }

  /// `message` as the forging coordinator `node` sends it, and the digest of the model it
  /// forged (nil when it forged none in this message).
  public static func forged(_ message: Message, by node: NodeController) -> (
    message: Message, forged: Digest?
  ) {
    switch message {
    case .round(.model(let round, _, let values)) where round > node.committedRound:
      let forgery = forgery(of: values)
      let digest = Digest.of(values: forgery)
      return (.round(.model(round: round, digest: digest, values: forgery)), digest)
    case .round(.combination(let round, let digest, let aggregators, let partials, let seed)):
      guard let values = node.storedModels[digest] else { return (message, nil) }
      let forged = Digest.of(values: forgery(of: values))
      return (
        .round(
          .combination(
            round: round, digest: forged, aggregators: aggregators, partials: partials, seed: seed)),
        nil
      )
    default:
      return (message, nil)
    }
  }
}
