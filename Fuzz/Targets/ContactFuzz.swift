import Transport

/// Fuzz target `contact`: `Contact(parsing:)` and `NetworkAddress(parsing:)`, the parsers of the
/// contacts that peers hand each other in their announcements and directories (docs/protocol.md,
/// "Keys and contacts").
///
/// The input is taken as UTF-8 text (a node frame's strings are checked UTF-8, so other bytes
/// never reach the parser). Any text must parse or throw a `ContactError`. A contact or address
/// that parses must print as the very text it was parsed from: a contact has one spelling, and a
/// node forwards the contacts it learnt in that printed form.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzContact(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  guard let text = String(validating: fuzzInput(start, count), as: UTF8.self) else { return 0 }
  do throws(ContactError) {
    let contact = try Contact(parsing: text)
    precondition(contact.description == text, "a contact prints otherwise than it was written")
    precondition(contact.address.port != 0)
  } catch {
    _ = error.description
  }
  do throws(ContactError) {
    let address = try NetworkAddress(parsing: text)
    precondition(address.description == text, "an address prints otherwise than it was written")
  } catch {
    _ = error.description
  }
  return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func initializeContactFuzz(
  _ argumentCount: UnsafeMutableRawPointer?, _ arguments: UnsafeMutableRawPointer?
) -> CInt {
  writeSeedsIfAsked(contactSeeds, testOneInput: fuzzContact) { input in
    guard let text = String(validating: input, as: UTF8.self) else { return false }
    return (try? Contact(parsing: text)) != nil || (try? NetworkAddress(parsing: text)) != nil
  }
  return 0
}

/// The contact of docs/protocol.md (RFC 32's key, whose Z85 text holds '@', ':' and ']'), the
/// same key with an IPv6 and a DNS host, and two listen addresses.
func contactSeeds() -> [Seed] {
  let key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
  let texts = [
    ("contact-ipv4", key + "@127.0.0.1:7000"),
    ("contact-ipv6", key + "@[fd00::2]:7400"),
    ("contact-name", key + "@peer-1.example.org:65535"),
    ("address-ipv4-port0", "0.0.0.0:0"),
    ("address-ipv6", "[::1]:1"),
  ]
  return texts.map { Seed(name: $0.0, bytes: Array($0.1.utf8)) }
}
