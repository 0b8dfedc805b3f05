#include "core/ledger/checkpoint.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/ledger/merkle.h"
#include "gtest/gtest.h"

namespace disclosure {
namespace {

constexpr char kOrigin[] = "disclosure.example.gov.cn/audit-ledger";

std::string Unhex(absl::string_view hex) {
  absl::StatusOr<std::string> bytes = FromHex(hex);
  EXPECT_TRUE(bytes.ok()) << hex;
  return bytes.ok() ? *bytes : std::string();
}

Checkpoint SampleCheckpoint() {
  MerkleTree tree;
  for (int i = 0; i < 10; ++i) tree.AppendEntry("audit " + std::to_string(i));
  return Checkpoint{kOrigin, tree.size(), tree.root()};
}

CheckpointSigner MakeSigner() {
  absl::StatusOr<CheckpointSigner> signer = CheckpointSigner::Generate();
  EXPECT_TRUE(signer.ok()) << signer.status();
  return std::move(*signer);
}

std::string Pem(absl::string_view label, absl::string_view der) {
  return absl::StrCat("-----BEGIN ", label, "-----\n", absl::Base64Escape(der),
                      "\n-----END ", label, "-----\n");
}

// RFC 8032 §7.1, TEST 1 and TEST 2 (the same vectors as in every Ed25519
// library's tests), wrapped as RFC 8410 PKCS#8 / SubjectPublicKeyInfo.
constexpr char kRfc8032Secret1[] =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr char kRfc8032Public1[] =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr char kRfc8032Signature1[] =  // of the empty message
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590"
    "a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
constexpr char kRfc8032Public2[] =
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
constexpr char kRfc8032Signature2[] =  // of the one byte 0x72
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e"
    "15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

std::string Ed25519PrivatePem(absl::string_view secret_hex) {
  return Pem("PRIVATE KEY",
             Unhex("302e020100300506032b657004220420") + Unhex(secret_hex));
}
std::string Ed25519PublicPem(absl::string_view public_hex) {
  return Pem("PUBLIC KEY", Unhex("302a300506032b6570032100") + Unhex(public_hex));
}

// A temporary file removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(absl::string_view contents) {
    char name[] = "/tmp/checkpoint_test_XXXXXX";
    int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    if (fd >= 0) close(fd);
    path_ = name;
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

// PEM of a key of another kind, written by OpenSSL itself.
std::string OtherKeyPem(bool private_key, const char* type, const char* param) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      param == nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, type)
                       : EVP_PKEY_Q_keygen(nullptr, nullptr, type, param));
  EXPECT_NE(key, nullptr);
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (private_key) {
    PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                             nullptr);
  } else {
    PEM_write_bio_PUBKEY(bio.get(), key.get());
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, n);
}

// ---------------------------------------------------------------------------
// The body.
// ---------------------------------------------------------------------------

TEST(CheckpointBody, IsTheThreeLineNoteBody) {
  Checkpoint c{"example/log", 8,
               Unhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")};
  EXPECT_EQ(CheckpointBody(c),
            "example/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n");
}

TEST(CheckpointBody, ParsesWhatItWrites) {
  for (uint64_t size : {uint64_t{0}, uint64_t{1}, uint64_t{1234567},
                        uint64_t{18446744073709551615u}}) {
    Checkpoint c = SampleCheckpoint();
    c.size = size;
    absl::StatusOr<Checkpoint> back = ParseCheckpointBody(CheckpointBody(c));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->origin, c.origin);
    EXPECT_EQ(back->size, c.size);
    EXPECT_EQ(back->root, c.root);
  }
}

TEST(CheckpointBody, RefusesEveryOtherSpelling) {
  const std::string root = absl::Base64Escape(std::string(32, '\x07'));
  ASSERT_TRUE(ParseCheckpointBody("o\n5\n" + root + "\n").ok());
  const std::string bad[] = {
      "",
      "o\n5\n" + root,                    // no final newline
      "o\n5\n" + root + "\n\n",           // an empty fourth line
      "o\n5\n" + root + "\nextension\n",  // extension lines
      "o\n5\n",                           // no root
      "\n5\n" + root + "\n",              // empty origin
      "o\r\n5\n" + root + "\n",           // CR
      "o\tx\n5\n" + root + "\n",          // control character in the origin
      "o\n05\n" + root + "\n",            // leading zero
      "o\n+5\n" + root + "\n",
      "o\n-5\n" + root + "\n",
      "o\n 5\n" + root + "\n",
      "o\n5 \n" + root + "\n",
      "o\n0x5\n" + root + "\n",
      "o\n\n" + root + "\n",                       // no size
      "o\n18446744073709551616\n" + root + "\n",  // 2^64
      "o\n5\n" + root.substr(0, 43) + "\n",       // unpadded
      "o\n5\n" + absl::Base64Escape(std::string(31, '\x07')) + "\n",
      "o\n5\n" + absl::Base64Escape(std::string(33, '\x07')) + "\n",
      "o\n5\n" + absl::WebSafeBase64Escape(std::string(32, '\xff')) + "=\n",
      "o\n5\n" + ToHex(std::string(32, '\x07')) + "\n",
      "o\n5\n " + root + "\n",
  };
  for (const std::string& body : bad) {
    EXPECT_FALSE(ParseCheckpointBody(body).ok()) << absl::CHexEscape(body);
  }
}

TEST(CheckpointBody, RefusesANonCanonicalRootEncoding) {
  // The last base64 digit of a 32-byte value carries two unused bits; a
  // lenient decoder takes "...yg=" and "...yh=" to the same root. Only the
  // canonical one is a checkpoint.
  const std::string body =
      "o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n";
  ASSERT_TRUE(ParseCheckpointBody(body).ok());
  std::string variant = body;
  variant[variant.size() - 3] = 'h';
  EXPECT_FALSE(ParseCheckpointBody(variant).ok());
}

// ---------------------------------------------------------------------------
// Signing and verifying.
// ---------------------------------------------------------------------------

TEST(CheckpointSigner, SignsAndVerifies) {
  CheckpointSigner signer = MakeSigner();
  const Checkpoint c = SampleCheckpoint();
  const std::string body = CheckpointBody(c);
  absl::StatusOr<std::string> sig = signer.Sign(body);
  ASSERT_TRUE(sig.ok()) << sig.status();
  EXPECT_EQ(sig->size(), 64u);
  absl::Status s = VerifyCheckpointSignature(signer.PublicKeyPem(), body, *sig);
  EXPECT_TRUE(s.ok()) << s;

  absl::StatusOr<Checkpoint> opened =
      OpenCheckpoint(signer.PublicKeyPem(), body, *sig);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->origin, c.origin);
  EXPECT_EQ(opened->size, c.size);
  EXPECT_EQ(opened->root, c.root);
}

TEST(CheckpointSigner, AnyChangeBreaksTheSignature) {
  CheckpointSigner signer = MakeSigner();
  const std::string pub = signer.PublicKeyPem();
  const Checkpoint c = SampleCheckpoint();
  const std::string sig = *signer.Sign(CheckpointBody(c));
  ASSERT_TRUE(VerifyCheckpointSignature(pub, CheckpointBody(c), sig).ok());

  Checkpoint size = c;
  size.size += 1;
  Checkpoint smaller = c;
  smaller.size -= 1;
  Checkpoint root = c;
  root.root[31] ^= 1;
  Checkpoint origin = c;
  origin.origin += "2";
  for (const Checkpoint& changed : {size, smaller, root, origin}) {
    EXPECT_FALSE(VerifyCheckpointSignature(pub, CheckpointBody(changed), sig).ok());
    EXPECT_FALSE(OpenCheckpoint(pub, CheckpointBody(changed), sig).ok());
  }
  // Every bit of every signature byte matters.
  for (size_t i = 0; i < sig.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = sig;
      bad[i] ^= static_cast<char>(1 << bit);
      EXPECT_FALSE(VerifyCheckpointSignature(pub, CheckpointBody(c), bad).ok())
          << "byte " << i << " bit " << bit;
    }
  }
  absl::Status s =
      VerifyCheckpointSignature(pub, CheckpointBody(c), sig.substr(0, 63));
  EXPECT_NE(s.message().find("63 bytes, not 64"), absl::string_view::npos) << s;
  EXPECT_FALSE(VerifyCheckpointSignature(pub, CheckpointBody(c), sig + "x").ok());
  EXPECT_FALSE(VerifyCheckpointSignature(pub, CheckpointBody(c), "").ok());
  // Another key's signature of the same body.
  CheckpointSigner other = MakeSigner();
  EXPECT_FALSE(VerifyCheckpointSignature(other.PublicKeyPem(), CheckpointBody(c), sig).ok());
  EXPECT_FALSE(
      VerifyCheckpointSignature(pub, CheckpointBody(c), *other.Sign(CheckpointBody(c)))
          .ok());
}

TEST(CheckpointSigner, VerifiesTheRfc8032Vectors) {
  // Pins the algorithm to pure Ed25519 as RFC 8032 defines it, independently
  // of our own signer.
  EXPECT_TRUE(VerifyCheckpointSignature(Ed25519PublicPem(kRfc8032Public1), "",
                                        Unhex(kRfc8032Signature1))
                  .ok());
  EXPECT_TRUE(VerifyCheckpointSignature(Ed25519PublicPem(kRfc8032Public2), "\x72",
                                        Unhex(kRfc8032Signature2))
                  .ok());
  EXPECT_FALSE(VerifyCheckpointSignature(Ed25519PublicPem(kRfc8032Public1), "\x72",
                                         Unhex(kRfc8032Signature1))
                   .ok());
  EXPECT_FALSE(VerifyCheckpointSignature(Ed25519PublicPem(kRfc8032Public2), "",
                                         Unhex(kRfc8032Signature1))
                   .ok());
}

TEST(CheckpointSigner, LoadsTheRfc8032KeyAndDerivesItsPublicKey) {
  absl::StatusOr<CheckpointSigner> signer =
      CheckpointSigner::FromPem(Ed25519PrivatePem(kRfc8032Secret1));
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ(signer->PublicKeyPem(), Ed25519PublicPem(kRfc8032Public1));
  const std::string body = CheckpointBody(SampleCheckpoint());
  absl::StatusOr<std::string> sig = signer->Sign(body);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(
      VerifyCheckpointSignature(Ed25519PublicPem(kRfc8032Public1), body, *sig).ok());
  // Ed25519 is deterministic: the same key and body, the same signature.
  EXPECT_EQ(*signer->Sign(body), *sig);
}

TEST(CheckpointSigner, SignsOnlyCheckpoints) {
  CheckpointSigner signer = MakeSigner();
  EXPECT_FALSE(signer.Sign("").ok());
  EXPECT_FALSE(signer.Sign("anything else").ok());
  EXPECT_FALSE(signer.Sign(CheckpointBody(SampleCheckpoint()) + "more\n").ok());
  Checkpoint bad_origin = SampleCheckpoint();
  bad_origin.origin = "two\nlines";
  EXPECT_FALSE(signer.Sign(CheckpointBody(bad_origin)).ok());
  Checkpoint bad_root = SampleCheckpoint();
  bad_root.root = "short";
  EXPECT_FALSE(signer.Sign(CheckpointBody(bad_root)).ok());
}

// Entry signatures (issue 12): bound to origin, index and leaf hash; made
// only by the key's holder; never interchangeable with a checkpoint's.
TEST(LedgerEntrySignature, SignsTheEntryAtItsIndexInItsLedgerOnly) {
  absl::StatusOr<CheckpointSigner> signer = CheckpointSigner::Generate();
  ASSERT_TRUE(signer.ok());
  const std::string pem = signer->PublicKeyPem();
  const std::string leaf = LeafHash("entry"), other = LeafHash("other");
  absl::StatusOr<std::string> sig = signer->SignLedgerEntry(kOrigin, 7, leaf);
  ASSERT_TRUE(sig.ok()) << sig.status();
  EXPECT_EQ(sig->size(), 64u);
  EXPECT_TRUE(VerifyLedgerEntrySignature(pem, kOrigin, 7, leaf, *sig).ok());
  EXPECT_TRUE(signer->VerifyLedgerEntry(kOrigin, 7, leaf, *sig).ok());
  EXPECT_FALSE(VerifyLedgerEntrySignature(pem, kOrigin, 8, leaf, *sig).ok());    // moved
  EXPECT_FALSE(VerifyLedgerEntrySignature(pem, kOrigin, 7, other, *sig).ok());   // changed
  EXPECT_FALSE(VerifyLedgerEntrySignature(pem, "other/log", 7, leaf, *sig).ok()); // other ledger
  EXPECT_FALSE(VerifyLedgerEntrySignature(pem, kOrigin, 7, leaf, "").ok());      // unsigned
  absl::StatusOr<CheckpointSigner> stranger = CheckpointSigner::Generate();
  EXPECT_FALSE(VerifyLedgerEntrySignature(stranger->PublicKeyPem(), kOrigin, 7, leaf, *sig).ok());
  EXPECT_FALSE(stranger->VerifyLedgerEntry(kOrigin, 7, leaf, *sig).ok());
  EXPECT_FALSE(signer->SignLedgerEntry(kOrigin, 7, "short").ok());
  EXPECT_FALSE(signer->SignLedgerEntry("", 7, leaf).ok());

  // The message: prefix, NUL, origin, NUL, 8-byte big-endian index, leaf.
  absl::StatusOr<std::string> m = LedgerEntrySigningMessage(kOrigin, 0x0102, leaf);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, absl::StrCat("disclosure ledger entry v1", std::string(1, '\0'), kOrigin,
                             std::string(1, '\0'), std::string("\0\0\0\0\0\0\x01\x02", 8),
                             leaf));
  // Never a checkpoint: the key does not sign it as one, and a checkpoint's
  // signature is no entry's.
  EXPECT_FALSE(ParseCheckpointBody(*m).ok());
  EXPECT_FALSE(signer->Sign(*m).ok());
  const std::string body = CheckpointBody(SampleCheckpoint());
  absl::StatusOr<std::string> cp_sig = signer->Sign(body);
  ASSERT_TRUE(cp_sig.ok());
  EXPECT_FALSE(VerifyLedgerEntrySignature(pem, kOrigin, 0, leaf, *cp_sig).ok());
  EXPECT_FALSE(OpenCheckpoint(pem, *m, *signer->SignLedgerEntry(kOrigin, 0x0102, leaf)).ok());
}

TEST(CheckpointSigner, KeyRoundTripsThroughAPemFile) {
  CheckpointSigner original = MakeSigner();
  const std::string pem = original.PrivateKeyPem();
  EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << pem;
  TempFile file(pem);
  absl::StatusOr<CheckpointSigner> loaded = CheckpointSigner::FromPemFile(file.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->PublicKeyPem(), original.PublicKeyPem());
  EXPECT_EQ(loaded->PublicKeyPem().rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);

  const std::string body = CheckpointBody(SampleCheckpoint());
  EXPECT_TRUE(
      VerifyCheckpointSignature(original.PublicKeyPem(), body, *loaded->Sign(body))
          .ok());
  EXPECT_EQ(*loaded->Sign(body), *original.Sign(body));
  // Two generated keys differ.
  EXPECT_NE(MakeSigner().PublicKeyPem(), original.PublicKeyPem());
}

TEST(CheckpointSigner, RefusesKeysThatAreNotEd25519) {
  for (bool from_file : {false, true}) {
    SCOPED_TRACE(from_file ? "file" : "text");
    auto load = [&](const std::string& pem) {
      if (!from_file) return CheckpointSigner::FromPem(pem);
      TempFile file(pem);
      return CheckpointSigner::FromPemFile(file.path());
    };
    for (const std::string& pem :
         {OtherKeyPem(true, "EC", "P-256"), OtherKeyPem(true, "X25519", nullptr),
          OtherKeyPem(true, "ED448", nullptr)}) {
      absl::StatusOr<CheckpointSigner> s = load(pem);
      ASSERT_FALSE(s.ok()) << pem;
      EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_NE(s.status().message().find("Ed25519"), absl::string_view::npos)
          << s.status();
    }
    // A public key, garbage, nothing.
    EXPECT_FALSE(load(MakeSigner().PublicKeyPem()).ok());
    EXPECT_FALSE(load("not a key").ok());
    EXPECT_FALSE(load("").ok());
  }
  EXPECT_EQ(CheckpointSigner::FromPemFile("/nonexistent/ledger.key").status().code(),
            absl::StatusCode::kNotFound);

  // Nor does the verifier take another kind of public key, or a private key.
  const std::string body = CheckpointBody(SampleCheckpoint());
  CheckpointSigner signer = MakeSigner();
  const std::string sig = *signer.Sign(body);
  absl::Status s =
      VerifyCheckpointSignature(OtherKeyPem(false, "EC", "P-256"), body, sig);
  EXPECT_NE(s.message().find("not Ed25519"), absl::string_view::npos) << s;
  EXPECT_FALSE(VerifyCheckpointSignature(signer.PrivateKeyPem(), body, sig).ok());
  EXPECT_FALSE(VerifyCheckpointSignature("", body, sig).ok());
}

TEST(CheckpointSigner, RefusesAnEncryptedKeyWithoutPrompting) {
  // OpenSSL's default would ask for the pass phrase on the terminal; a
  // service must fail instead. (If it prompted, this test would hang.)
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  ASSERT_NE(key, nullptr);
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  static const char kPass[] = "secret";
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), key.get(), EVP_aes_256_cbc(),
                                     reinterpret_cast<const unsigned char*>(kPass),
                                     6, nullptr, nullptr),
            1);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  const std::string pem(data, n);
  ASSERT_NE(pem.find("ENCRYPTED"), std::string::npos);
  EXPECT_FALSE(CheckpointSigner::FromPem(pem).ok());
  TempFile file(pem);
  EXPECT_FALSE(CheckpointSigner::FromPemFile(file.path()).ok());
}

TEST(CheckpointSigner, AMovedFromSignerSignsNothing) {
  CheckpointSigner a = MakeSigner();
  CheckpointSigner b = std::move(a);
  const std::string body = CheckpointBody(SampleCheckpoint());
  EXPECT_TRUE(b.Sign(body).ok());
  EXPECT_EQ(a.Sign(body).status().code(),  // NOLINT(bugprone-use-after-move)
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(a.PublicKeyPem(), "");  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace disclosure

namespace disclosure {
namespace {

// The bundle statement: verifies for exactly its arguments, is never a
// checkpoint body, and refuses indices out of order or past the tree.
TEST(BundleStatement, SignedForExactlyItsEntriesAndNothingElse) {
  absl::StatusOr<CheckpointSigner> key = CheckpointSigner::Generate();
  ASSERT_TRUE(key.ok());
  const std::string pem = key->PublicKeyPem();
  const std::vector<int64_t> indices = {3, 7, 9};
  absl::StatusOr<std::string> sig = key->SignBundleStatement("o", "agencies/a/reports/2021/versions/1", 10, indices);
  ASSERT_TRUE(sig.ok()) << sig.status();
  EXPECT_TRUE(VerifyBundleStatement(pem, "o", "agencies/a/reports/2021/versions/1", 10, indices, *sig).ok());
  EXPECT_FALSE(VerifyBundleStatement(pem, "o", "agencies/a/reports/2021/versions/1", 10, {3, 9}, *sig).ok());
  EXPECT_FALSE(VerifyBundleStatement(pem, "o", "agencies/a/reports/2021/versions/1", 11, indices, *sig).ok());
  EXPECT_FALSE(VerifyBundleStatement(pem, "o", "agencies/a/reports/2021/versions/2", 10, indices, *sig).ok());
  EXPECT_FALSE(key->SignBundleStatement("o", "v", 10, {7, 3}).ok());
  EXPECT_FALSE(key->SignBundleStatement("o", "v", 10, {3, 3}).ok());
  EXPECT_FALSE(key->SignBundleStatement("o", "v", 10, {10}).ok());
  absl::StatusOr<std::string> message = BundleStatementMessage("o", "v", 10, indices);
  ASSERT_TRUE(message.ok());
  EXPECT_FALSE(ParseCheckpointBody(*message).ok());
  EXPECT_FALSE(key->Sign(*message).ok());  // the checkpoint signer signs only checkpoints
}

}  // namespace
}  // namespace disclosure
