#include "core/ledger/checkpoint.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <climits>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/ledger/merkle.h"

namespace disclosure {

namespace {

constexpr size_t kEd25519SignatureSize = 64;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// Empties OpenSSL's thread-local error queue into one line, so that a
// failure here neither leaks into the next caller's ERR_get_error() nor goes
// unexplained.
std::string DrainOpensslErrors() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    absl::StrAppend(&out, out.empty() ? "" : "; ", buf);
  }
  return out;
}

std::string WithOpensslErrors(absl::string_view message) {
  std::string errors = DrainOpensslErrors();
  if (errors.empty()) return std::string(message);
  return absl::StrCat(message, " (", errors, ")");
}

BioPtr MemoryBio(absl::string_view data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  if (data == nullptr || length <= 0) return std::string();
  return std::string(data, static_cast<size_t>(length));
}

// Declines to supply a pass phrase. Without it OpenSSL's default callback
// would prompt on the terminal, which a service must never do.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) {
  return -1;
}

bool IsEd25519(const EVP_PKEY* key) { return EVP_PKEY_is_a(key, "ED25519") == 1; }

// For messages about a key of the wrong kind.
std::string KeyTypeName(const EVP_PKEY* key) {
  const char* name = EVP_PKEY_get0_type_name(key);
  return absl::StrCat("a key of type ", name == nullptr ? "unknown" : name);
}

bool IsPrintableAscii(absl::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

std::string CheckpointBody(const Checkpoint& checkpoint) {
  return absl::StrCat(checkpoint.origin, "\n", checkpoint.size, "\n",
                      absl::Base64Escape(checkpoint.root), "\n");
}

absl::StatusOr<Checkpoint> ParseCheckpointBody(absl::string_view body) {
  if (body.empty() || body.back() != '\n') {
    return absl::InvalidArgumentError(
        "checkpoint body does not end with a newline");
  }
  std::vector<absl::string_view> lines =
      absl::StrSplit(body.substr(0, body.size() - 1), '\n');
  if (lines.size() != 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint body has ", lines.size(),
        " lines, not 3 (origin, size, root)"));
  }
  Checkpoint c;

  if (lines[0].empty() || !IsPrintableAscii(lines[0])) {
    return absl::InvalidArgumentError(
        "checkpoint origin is empty or not printable ASCII");
  }
  c.origin = std::string(lines[0]);

  // Canonical decimal only: "007" and "+7" would sign the same size under a
  // second spelling.
  absl::string_view size = lines[1];
  bool digits = !size.empty() && (size == "0" || size[0] != '0');
  for (char ch : size) digits = digits && ch >= '0' && ch <= '9';
  if (!digits || !absl::SimpleAtoi(size, &c.size)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint size \"", absl::CHexEscape(size),
        "\" is not a canonical decimal uint64"));
  }

  absl::string_view root = lines[2];
  if (!absl::Base64Unescape(root, &c.root) || c.root.size() != kMerkleHashSize ||
      absl::Base64Escape(c.root) != root) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint root \"", absl::CHexEscape(root),
        "\" is not the padded standard base64 of 32 bytes"));
  }
  return c;
}

void CheckpointSigner::KeyFree::operator()(EVP_PKEY* key) const {
  EVP_PKEY_free(key);
}

absl::StatusOr<CheckpointSigner> CheckpointSigner::FromPemFile(
    const std::string& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (bio == nullptr) {
    return absl::NotFoundError(WithOpensslErrors(
        absl::StrCat("cannot open the ledger key file ", path)));
  }
  return FromBio(bio.get(), path);
}

absl::StatusOr<CheckpointSigner> CheckpointSigner::FromPem(
    absl::string_view pem) {
  BioPtr bio = MemoryBio(pem);
  if (bio == nullptr) {
    return absl::InvalidArgumentError(
        WithOpensslErrors("cannot read the PEM text"));
  }
  return FromBio(bio.get(), "the PEM text");
}

absl::StatusOr<CheckpointSigner> CheckpointSigner::FromBio(
    BIO* bio, absl::string_view source) {
  KeyPtr key(PEM_read_bio_PrivateKey(bio, nullptr, NoPassphrase, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(WithOpensslErrors(
        absl::StrCat(source, " holds no unencrypted PEM private key")));
  }
  // The decoders may leave notes of the formats they tried even on success.
  DrainOpensslErrors();
  if (!IsEd25519(key.get())) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, " holds ", KeyTypeName(key.get()),
                     "; the ledger key must be Ed25519"));
  }
  return CheckpointSigner(std::move(key));
}

absl::StatusOr<CheckpointSigner> CheckpointSigner::Generate() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (key == nullptr) {
    return absl::InternalError(
        WithOpensslErrors("Ed25519 key generation failed"));
  }
  return CheckpointSigner(std::move(key));
}

std::string CheckpointSigner::PublicKeyPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (key_ == nullptr || bio == nullptr ||
      PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    DrainOpensslErrors();
    return std::string();
  }
  return BioContents(bio.get());
}

std::string CheckpointSigner::PrivateKeyPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (key_ == nullptr || bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0,
                               nullptr, nullptr) != 1) {
    DrainOpensslErrors();
    return std::string();
  }
  return BioContents(bio.get());
}

namespace {

absl::StatusOr<std::string> SignWith(EVP_PKEY* key, absl::string_view message) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string signature(kEd25519SignatureSize, '\0');
  size_t length = signature.size();
  // Ed25519 is only available one-shot, with no digest (the NULL md): the
  // algorithm hashes the message itself.
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(&signature[0]),
                     &length, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1 ||
      length != kEd25519SignatureSize) {
    return absl::InternalError(WithOpensslErrors("Ed25519 signing failed"));
  }
  return signature;
}

// `what` names the signature in the messages ("checkpoint signature").
absl::Status VerifyWith(EVP_PKEY* key, absl::string_view message,
                        absl::string_view signature, absl::string_view what) {
  if (signature.size() != kEd25519SignatureSize) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is ", signature.size(), " bytes, not ", kEd25519SignatureSize));
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1) {
    return absl::InternalError(
        WithOpensslErrors("Ed25519 verification could not start"));
  }
  const int verified = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
      signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
      message.size());
  // A bad signature also leaves an entry in the error queue.
  DrainOpensslErrors();
  if (verified != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " does not verify under the ledger key"));
  }
  return absl::OkStatus();
}

using PublicKeyPtr = std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)>;

absl::StatusOr<PublicKeyPtr> ReadPublicKey(absl::string_view public_key_pem) {
  BioPtr bio = MemoryBio(public_key_pem);
  PublicKeyPtr key(
      bio == nullptr ? nullptr
                     : PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr),
      EVP_PKEY_free);
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        WithOpensslErrors("no PEM public key for the ledger"));
  }
  DrainOpensslErrors();
  if (!IsEd25519(key.get())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the ledger public key is ", KeyTypeName(key.get()), ", not Ed25519"));
  }
  return key;
}

}  // namespace

absl::StatusOr<std::string> LedgerEntrySigningMessage(absl::string_view origin, uint64_t index,
                                                      absl::string_view leaf_hash) {
  if (origin.empty() || !IsPrintableAscii(origin)) {
    return absl::InvalidArgumentError("ledger origin is empty or not printable ASCII");
  }
  if (leaf_hash.size() != kMerkleHashSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf hash is ", leaf_hash.size(), " bytes, not ", kMerkleHashSize));
  }
  char be[8];
  for (int i = 0; i < 8; ++i) be[i] = static_cast<char>((index >> (56 - 8 * i)) & 0xff);
  return absl::StrCat(kLedgerEntrySignaturePrefix, absl::string_view("\0", 1), origin,
                      absl::string_view("\0", 1), absl::string_view(be, 8), leaf_hash);
}

absl::StatusOr<std::string> BundleStatementMessage(absl::string_view origin,
                                                   absl::string_view version, uint64_t tree_size,
                                                   const std::vector<int64_t>& indices) {
  if (origin.empty() || !IsPrintableAscii(origin)) {
    return absl::InvalidArgumentError("ledger origin is empty or not printable ASCII");
  }
  if (version.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError("version name holds a NUL");
  }
  auto be = [](uint64_t v) {
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (56 - 8 * i)) & 0xff);
    return out;
  };
  std::string message = absl::StrCat(kBundleStatementPrefix, absl::string_view("\0", 1), origin,
                                     absl::string_view("\0", 1), version,
                                     absl::string_view("\0", 1), be(tree_size));
  int64_t last = -1;
  for (int64_t index : indices) {
    if (index <= last || static_cast<uint64_t>(index) >= tree_size) {
      return absl::InvalidArgumentError(absl::StrCat(
          "entry index ", index, " is not after ", last, " and below the tree size ", tree_size));
    }
    last = index;
    message += be(static_cast<uint64_t>(index));
  }
  return message;
}

absl::StatusOr<std::string> CheckpointSigner::SignBundleStatement(
    absl::string_view origin, absl::string_view version, uint64_t tree_size,
    const std::vector<int64_t>& indices) const {
  if (key_ == nullptr) {
    return absl::FailedPreconditionError("checkpoint signer was moved from");
  }
  absl::StatusOr<std::string> message = BundleStatementMessage(origin, version, tree_size, indices);
  if (!message.ok()) return message.status();
  return SignWith(key_.get(), *message);
}

absl::Status VerifyBundleStatement(absl::string_view public_key_pem, absl::string_view origin,
                                   absl::string_view version, uint64_t tree_size,
                                   const std::vector<int64_t>& indices,
                                   absl::string_view signature) {
  absl::StatusOr<std::string> message = BundleStatementMessage(origin, version, tree_size, indices);
  if (!message.ok()) return message.status();
  absl::StatusOr<PublicKeyPtr> key = ReadPublicKey(public_key_pem);
  if (!key.ok()) return key.status();
  return VerifyWith(key->get(), *message, signature, "bundle statement signature");
}

absl::StatusOr<std::string> CheckpointSigner::Sign(
    absl::string_view body) const {
  if (key_ == nullptr) {
    return absl::FailedPreconditionError("checkpoint signer was moved from");
  }
  absl::StatusOr<Checkpoint> parsed = ParseCheckpointBody(body);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "refusing to sign a malformed checkpoint: ", parsed.status().message()));
  }
  return SignWith(key_.get(), body);
}

absl::StatusOr<std::string> CheckpointSigner::SignLedgerEntry(absl::string_view origin,
                                                              uint64_t index,
                                                              absl::string_view leaf_hash) const {
  if (key_ == nullptr) {
    return absl::FailedPreconditionError("checkpoint signer was moved from");
  }
  absl::StatusOr<std::string> message = LedgerEntrySigningMessage(origin, index, leaf_hash);
  if (!message.ok()) return message.status();
  return SignWith(key_.get(), *message);
}

absl::Status CheckpointSigner::VerifyLedgerEntry(absl::string_view origin, uint64_t index,
                                                 absl::string_view leaf_hash,
                                                 absl::string_view signature) const {
  if (key_ == nullptr) {
    return absl::FailedPreconditionError("checkpoint signer was moved from");
  }
  absl::StatusOr<std::string> message = LedgerEntrySigningMessage(origin, index, leaf_hash);
  if (!message.ok()) return message.status();
  return VerifyWith(key_.get(), *message, signature, "ledger entry signature");
}

absl::Status VerifyCheckpointSignature(absl::string_view public_key_pem,
                                       absl::string_view body,
                                       absl::string_view signature) {
  if (signature.size() != kEd25519SignatureSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint signature is ", signature.size(),
                     " bytes, not ", kEd25519SignatureSize));
  }
  absl::StatusOr<PublicKeyPtr> key = ReadPublicKey(public_key_pem);
  if (!key.ok()) return key.status();
  return VerifyWith(key->get(), body, signature, "checkpoint signature");
}

absl::Status VerifyLedgerEntrySignature(absl::string_view public_key_pem,
                                        absl::string_view origin, uint64_t index,
                                        absl::string_view leaf_hash,
                                        absl::string_view signature) {
  absl::StatusOr<std::string> message = LedgerEntrySigningMessage(origin, index, leaf_hash);
  if (!message.ok()) return message.status();
  absl::StatusOr<PublicKeyPtr> key = ReadPublicKey(public_key_pem);
  if (!key.ok()) return key.status();
  return VerifyWith(key->get(), *message, signature, "ledger entry signature");
}

absl::StatusOr<Checkpoint> OpenCheckpoint(absl::string_view public_key_pem,
                                          absl::string_view body,
                                          absl::string_view signature) {
  absl::Status s = VerifyCheckpointSignature(public_key_pem, body, signature);
  if (!s.ok()) return s;
  return ParseCheckpointBody(body);
}

}  // namespace disclosure
