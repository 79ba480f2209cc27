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
