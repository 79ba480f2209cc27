import Identity
import Testing

/// Each message names the path and says what is wrong in plain words.
struct IdentityErrorTests {
  let path = "/home/ada/.starling/identity.key"

  @Test func notPrivateNamesWhoHasAccessTheModeAndTheFix() {
    #expect(
      IdentityError.keyFileNotPrivate(path: path, mode: 0o644).description
        == "refusing the key file \(path): its group and other users can read it (mode 0644); "
        + "only its owner may have access, so run `chmod 600 \(path)`")
  }

  @Test(arguments: [
    (0o640, "its group can read it"), (0o602, "other users can change it"),
    (0o666, "its group and other users can read and change it"),
    (0o624, "its group can change it and other users can read it"),
    (0o710, "its group can execute it"), (0o4600 | 0o001, "other users can execute it"),
  ])
  func notPrivateSaysWhatAccessOthersHave(mode: UInt32, access: String) {
    #expect(
      IdentityError.keyFileNotPrivate(path: path, mode: mode).description.contains(
        ": \(access) (mode "))
  }

  @Test func everyCaseNamesThePath() {
    let errors: [IdentityError] = [
      .keyFileNotPrivate(path: path, mode: 0o604),
      .keyFileNotRegular(path: path, kind: .symbolicLink),
      .keyFileWrongSize(path: path, byteCount: 5),
      .keyFileWrongOwner(path: path, ownerID: 1001, userID: 1000),
      .keyFileExists(path: path),
      .notADirectory(path: path),
      .systemCall(path: path, operation: .read, errorNumber: 13),
    ]
    for error in errors { #expect(error.description.contains(path), "\(error)") }
  }

  @Test func causesReadAsWords() {
    #expect(
      IdentityError.keyFileNotRegular(path: path, kind: .fifo).description.hasSuffix(
        "it is a named pipe, not a regular file"))
    #expect(
      IdentityError.keyFileWrongSize(path: path, byteCount: 5).description.contains(
        "it holds 5 bytes, but a key file holds exactly 32"))
    #expect(
      IdentityError.keyFileWrongOwner(path: path, ownerID: 1001, userID: 1000).description
        .hasSuffix("it belongs to user 1001, not to this user (1000)"))
    // EACCES: strerror's text.
    #expect(
      IdentityError.systemCall(path: path, operation: .read, errorNumber: 13).description
        == "could not read the key file \(path): Permission denied")
  }
}
