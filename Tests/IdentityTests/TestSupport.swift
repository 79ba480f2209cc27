/// Bytes from hexadecimal text (test vectors); traps on malformed text.
func bytes(hexadecimal text: String) -> [UInt8] {
  precondition(text.count.isMultiple(of: 2), "odd number of hexadecimal digits")
  var result: [UInt8] = []
  var index = text.startIndex
  while index < text.endIndex {
    let next = text.index(index, offsetBy: 2)
    result.append(UInt8(text[index..<next], radix: 16)!)
    index = next
  }
  return result
}

/// RFC 8032 section 7.1, test 1: the seed, its public key, and the signature of the empty message.
enum RFC8032Test1 {
  static let seed = bytes(
    hexadecimal: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
  static let publicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
  static let signature =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b4"
    + "6bd25bf5f0595bbe24655141438e7a100b"
}

/// RFC 8032 section 7.1, test 2: a one-byte message (0x72).
enum RFC8032Test2 {
  static let seed = bytes(
    hexadecimal: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
  static let publicKey = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
  static let message: [UInt8] = [0x72]
  static let signature =
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d"
    + "8c387b2eaeb4302aeeb00d291612bb0c00"
}
