// A signed checkpoint of the audit ledger: "the log named <origin> had <size>
// entries and this Merkle root", signed with the ledger's Ed25519 key. A
// client keeps the last checkpoint it verified and asks for a consistency
// proof to every newer one (core/ledger/merkle.h), which is how a rewritten history
// is caught. docs/ledger.md states the format for clients.
//
// The body follows the transparency-dev checkpoint note
// (github.com/transparency-dev/formats, log/README.md), without extension
// lines:
//
//   <origin>\n
//   <size, decimal ASCII, no leading zeros>\n
//   <root, standard base64 with padding, of the 32 raw bytes>\n
//
// The signature is the raw 64-byte pure Ed25519 signature (RFC 8032, not
// Ed25519ph) over exactly these bytes. How it travels (a signed-note line, a
// protobuf field) is the transport's business.
#ifndef DISCLOSURE_CORE_LEDGER_CHECKPOINT_H_
#define DISCLOSURE_CORE_LEDGER_CHECKPOINT_H_

#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace disclosure {

struct Checkpoint {
  // Names the log, e.g. "disclosure.example.gov.cn/audit-ledger". Non-empty,
  // printable ASCII (no control characters, so no newline).
  std::string origin;
  uint64_t size = 0;
  // Raw 32-byte Merkle root of the first `size` entries.
  std::string root;
};

// The body text above. The fields are not checked here: a body made from a
// Checkpoint that breaks the rules of the struct is refused by
// ParseCheckpointBody and by CheckpointSigner::Sign.
std::string CheckpointBody(const Checkpoint& checkpoint);

// Inverse of CheckpointBody, and strict: exactly three lines each ending in
// "\n", no "\r", the size canonical decimal within uint64, the root canonical
// base64 of 32 bytes. Strict so that one checkpoint has one body, and a
// signature covers the only way to read it. InvalidArgument otherwise.
absl::StatusOr<Checkpoint> ParseCheckpointBody(absl::string_view body);

// Holds the ledger's Ed25519 private key. Move-only (a moved-from signer
// signs nothing); Sign may be called from several threads at once.
class CheckpointSigner {
 public:
  // Reads a PEM private key, as `openssl genpkey -algorithm ed25519` writes
  // it. NotFound if the file cannot be opened; InvalidArgument if it holds no
  // unencrypted private key or a key that is not Ed25519 (an encrypted key is
  // refused rather than prompting for a pass phrase).
  static absl::StatusOr<CheckpointSigner> FromPemFile(const std::string& path);
  // The same from the PEM text itself.
  static absl::StatusOr<CheckpointSigner> FromPem(absl::string_view pem);
  // A fresh random key (tests, development).
  static absl::StatusOr<CheckpointSigner> Generate();

  CheckpointSigner(CheckpointSigner&&) = default;
  CheckpointSigner& operator=(CheckpointSigner&&) = default;

  // SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"), what clients
  // are given to verify with.
  std::string PublicKeyPem() const;
  // PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), unencrypted, for writing a
  // generated key to a file. Handle with care.
  std::string PrivateKeyPem() const;

  // The 64-byte signature of `body`. The body must parse as a checkpoint
  // (InvalidArgument otherwise), so that the ledger key never vouches for
  // anything else; Internal if OpenSSL fails.
  absl::StatusOr<std::string> Sign(absl::string_view body) const;

  // The 64-byte signature of ledger entry `index` of the ledger `origin`,
  // whose leaf hash (core/ledger/merkle.h, LeafHash) is `leaf_hash`: what the audit
  // service stores with each entry it appends, so that an entry written
  // straight into the database is recognised (docs/ledger.md). The signed
  // message is LedgerEntrySigningMessage, which never parses as a checkpoint.
  // InvalidArgument for a bad origin or a leaf hash not of 32 bytes.
  absl::StatusOr<std::string> SignLedgerEntry(absl::string_view origin, uint64_t index,
                                              absl::string_view leaf_hash) const;
  // The signature of BundleStatementMessage(...): the service's word, in a
  // verification bundle, that `indices` are all the ledger entries of
  // `version` in the tree of `tree_size` entries, in ledger order.
  absl::StatusOr<std::string> SignBundleStatement(absl::string_view origin,
                                                  absl::string_view version, uint64_t tree_size,
                                                  const std::vector<int64_t>& indices) const;
  // OK iff `signature` is this key's SignLedgerEntry of the same arguments;
  // InvalidArgument otherwise.
  absl::Status VerifyLedgerEntry(absl::string_view origin, uint64_t index,
                                 absl::string_view leaf_hash,
                                 absl::string_view signature) const;

 private:
  struct KeyFree {
    void operator()(EVP_PKEY* key) const;
  };
  using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

  explicit CheckpointSigner(KeyPtr key) : key_(std::move(key)) {}
  static absl::StatusOr<CheckpointSigner> FromBio(BIO* bio,
                                                  absl::string_view source);

  KeyPtr key_;
};

// OK iff `signature` is a valid Ed25519 signature of `body` under the key in
// `public_key_pem` (SubjectPublicKeyInfo PEM). InvalidArgument if the PEM
// holds no public key or not an Ed25519 one, or if the signature does not
// verify.
absl::Status VerifyCheckpointSignature(absl::string_view public_key_pem,
                                       absl::string_view body,
                                       absl::string_view signature);

// What an entry signature signs: kLedgerEntrySignaturePrefix, a NUL byte,
// the origin, a NUL byte, the index as 8 bytes big-endian, the 32-byte leaf
// hash. Its first line holds a NUL, so it is never a checkpoint body, and a
// checkpoint body (printable first line) is never one of these.
inline constexpr char kLedgerEntrySignaturePrefix[] = "disclosure ledger entry v1";
absl::StatusOr<std::string> LedgerEntrySigningMessage(absl::string_view origin, uint64_t index,
                                                      absl::string_view leaf_hash);

// What a bundle statement signs: kBundleStatementPrefix, NUL, the origin,
// NUL, the version's name, NUL, the tree size as 8 bytes big-endian, then
// each index as 8 bytes big-endian (strictly increasing). A NUL in its first
// line: never a checkpoint body; another prefix: never an entry's message.
// InvalidArgument for a bad origin, a version with a NUL or indices not
// strictly increasing, or an index at or past tree_size.
inline constexpr char kBundleStatementPrefix[] = "disclosure bundle v1";
absl::StatusOr<std::string> BundleStatementMessage(absl::string_view origin,
                                                   absl::string_view version, uint64_t tree_size,
                                                   const std::vector<int64_t>& indices);
// The client's check of a bundle statement; InvalidArgument unless it verifies.
absl::Status VerifyBundleStatement(absl::string_view public_key_pem, absl::string_view origin,
                                   absl::string_view version, uint64_t tree_size,
                                   const std::vector<int64_t>& indices,
                                   absl::string_view signature);

// The client's check of an entry signature, with the public key it was
// given (SubjectPublicKeyInfo PEM). InvalidArgument if it does not verify.
absl::Status VerifyLedgerEntrySignature(absl::string_view public_key_pem,
                                        absl::string_view origin, uint64_t index,
                                        absl::string_view leaf_hash,
                                        absl::string_view signature);

// What a client does with a checkpoint it receives: verify the signature,
// then parse. Never returns a checkpoint whose signature did not verify.
absl::StatusOr<Checkpoint> OpenCheckpoint(absl::string_view public_key_pem,
                                          absl::string_view body,
                                          absl::string_view signature);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_LEDGER_CHECKPOINT_H_
