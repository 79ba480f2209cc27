import Identity
import Testing
import Wire

/// A real peer's ID is the hash of its public key, byte for byte on the wire.
struct IdentifiersIdentityTests {
  let keyPair = SigningKeyPair(seed: [UInt8](repeating: 9, count: 32))

  @Test func aPeerIDEncodesAsTheHashOfItsPublicKey() {
    let peer = PeerID(publicKey: keyPair.publicKey)
    var encoder = WireEncoder()
    peer.encode(to: &encoder)
    #expect(encoder.bytes == keyPair.publicKey.peerIDHash.bytes)
    #expect(peer.hexadecimal == keyPair.publicKey.peerIDHash.hexadecimal)
  }

  @Test func distinctKeysGiveDistinctPeerIDs() {
    let other = SigningKeyPair(seed: [UInt8](repeating: 10, count: 32))
    #expect(PeerID(publicKey: keyPair.publicKey) != PeerID(publicKey: other.publicKey))
    #expect(
      PeerID(publicKey: keyPair.publicKey) == PeerID(publicKeyHash: keyPair.publicKey.peerIDHash))
  }

  @Test func simulatedPeerIDsAreUnchanged() {
    // The simulator's identities involve no key: still derived from the index alone.
    #expect(PeerID(simulatedIndex: 3).words.0 == 3)
    #expect(PeerID(simulatedIndex: 0) != PeerID(simulatedIndex: 1))
  }
}
