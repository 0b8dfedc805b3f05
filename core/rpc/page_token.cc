#include "core/rpc/page_token.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <memory>

#include "core/base/file.h"
#include "absl/base/const_init.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/rpc/rpc_util.h"
#include "spdlog/spdlog.h"

namespace disclosure {
namespace {

// token = base64url(version | nonce | AES-256-GCM(listing digest | position) | tag);
// the version byte is authenticated as associated data. A fresh random
// nonce per token: far fewer than the 2^32 tokens per key GCM allows.
constexpr char kVersion = '\x01';
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr size_t kListingDigestBytes = 16;
constexpr size_t kKeyBytes = SHA256_DIGEST_LENGTH;

ABSL_CONST_INIT absl::Mutex key_mu(absl::kConstInit);
std::string* key ABSL_GUARDED_BY(key_mu) = nullptr;

std::string Sha256(const std::string& s) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return std::string(reinterpret_cast<char*>(d), sizeof d);
}

// This process's key: set, or drawn at first use.
std::string Key() {
  absl::MutexLock lock(&key_mu);
  if (key == nullptr) {
    std::string k(kKeyBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(k.data()), k.size()) != 1) {
      // No randomness: a known key would make tokens forgeable.
      std::abort();
    }
    key = new std::string(std::move(k));
  }
  return *key;
}

std::string ListingDigest(const std::string& bound_to) {
  return Sha256(bound_to).substr(0, kListingDigestBytes);
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* U(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* U(std::string* s) { return reinterpret_cast<unsigned char*>(s->data()); }

absl::Status InvalidToken() {
  return FieldError("page_token", "invalid page token (not one this service made for this key)");
}

}  // namespace

absl::Status SetPageTokenSecret(const std::string& secret) {
  if (secret.size() < kMinPageTokenSecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat("page-token key: at least ",
                                                   kMinPageTokenSecretBytes, " bytes needed, got ",
                                                   secret.size()));
  }
  absl::MutexLock lock(&key_mu);
  delete key;
  key = new std::string(Sha256(secret));
  return absl::OkStatus();
}

absl::Status LoadPageTokenKeyFile(const std::string& path) {
  absl::StatusOr<std::string> secret = ReadFileToString(path);
  if (!secret.ok()) return secret.status();
  absl::Status s = SetPageTokenSecret(*secret);
  if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", s.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::string> EncodePageToken(const std::string& bound_to,
                                            const std::string& position) {
  const std::string k = Key();
  const std::string plain = ListingDigest(bound_to) + position;
  std::string out(1 + kNonceBytes + plain.size() + kTagBytes, '\0');
  out[0] = kVersion;
  unsigned char* nonce = U(&out) + 1;
  unsigned char* sealed = nonce + kNonceBytes;
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int n = 0;
  if (!ctx || RAND_bytes(nonce, kNonceBytes) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(k), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, U(out), 1) != 1 ||
      EVP_EncryptUpdate(ctx.get(), sealed, &n, U(plain), plain.size()) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), sealed + n, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, sealed + plain.size()) != 1) {
    return absl::InternalError("cannot make a page token (OpenSSL)");
  }
  return absl::WebSafeBase64Escape(out);
}

absl::StatusOr<std::string> DecodePageToken(const std::string& token,
                                            const std::string& bound_to) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) ||
      raw.size() < 1 + kNonceBytes + kListingDigestBytes + kTagBytes || raw[0] != kVersion) {
    return InvalidToken();
  }
  const std::string k = Key();
  const size_t sealed_size = raw.size() - 1 - kNonceBytes - kTagBytes;
  unsigned char* nonce = U(&raw) + 1;
  unsigned char* sealed = nonce + kNonceBytes;
  std::string plain(sealed_size, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int n = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(k), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, U(raw), 1) != 1 ||
      EVP_DecryptUpdate(ctx.get(), U(&plain), &n, sealed, sealed_size) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, sealed + sealed_size) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), U(&plain) + n, &n) != 1) {
    return InvalidToken();  // not sealed with this key: garbage, altered, another key
  }
  if (plain.compare(0, kListingDigestBytes, ListingDigest(bound_to)) != 0) {
    return FieldError("page_token", "belongs to another listing");
  }
  return plain.substr(kListingDigestBytes);
}

absl::Status SetUpPageTokenKey(const std::string& path, const std::string& service) {
  if (!path.empty()) return LoadPageTokenKeyFile(path);
  spdlog::warn("{}: no --page_token_key_file: page tokens are sealed with a key of this "
               "process, refused after a restart and by other replicas",
               service);
  return absl::OkStatus();
}

}  // namespace disclosure
