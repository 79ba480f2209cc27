/// Lower-case hexadecimal text of `bytes`, two digits per byte, in order.
public func hexadecimal(_ bytes: some Sequence<UInt8>) -> String {
  let digits: [Character] = Array("0123456789abcdef")
  var text = ""
  for byte in bytes {
    text.append(digits[Int(byte >> 4)])
    text.append(digits[Int(byte & 0x0F)])
  }
  return text
}

/// The bytes that `text` spells in hexadecimal (either case, two digits per byte), the inverse
/// of `hexadecimal(_:)`; nil for an odd length or a character that is not a digit.
public func bytes(fromHexadecimal text: String) -> [UInt8]? {
  func value(_ digit: UInt8) -> UInt8? {
    switch digit {
    case 0x30...0x39: digit - 0x30
    case 0x61...0x66: digit - 0x61 + 10
    case 0x41...0x46: digit - 0x41 + 10
    default: nil
    }
  }
  let digits = Array(text.utf8)
  guard digits.count % 2 == 0 else { return nil }
  var bytes: [UInt8] = []
  bytes.reserveCapacity(digits.count / 2)
  for index in stride(from: 0, to: digits.count, by: 2) {
    guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
    bytes.append(high << 4 | low)
  }
  return bytes
}
