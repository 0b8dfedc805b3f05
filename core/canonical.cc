#include "core/canonical.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/base/internal/endian.h"  // big_endian::Store64
#include "core/template.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace disclosure {

std::string CanonicalBytes(const v1::Report& report) {
  v1::Report copy = report;
  return CanonicalizeAndSerialize(&copy);
}

std::string CanonicalizeAndSerialize(v1::Report* report) {
  report->DiscardUnknownFields();
  MaterializeTables(report);
  return DeterministicBytes(*report);
}

std::string DeterministicBytes(const google::protobuf::MessageLite& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

namespace {

// The SHA-256 implementation, fetched once: an implicit fetch through
// EVP_sha256() looks the provider up again on every call (~0.2–0.4 µs, as
// much as hashing 64 bytes). Intentionally never freed.
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

std::string Sha256(std::initializer_list<absl::string_view> parts) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  bool ok = ctx != nullptr && Sha256Md() != nullptr &&
            EVP_DigestInit_ex(ctx.get(), Sha256Md(), nullptr) == 1;
  for (absl::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx.get(), digest, &length) == 1 && length == 32;
  if (!ok) {
    std::fputs("disclosure: OpenSSL SHA-256 failed\n", stderr);
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string Sha256Hex(absl::string_view bytes) {
  const std::string digest = Sha256({bytes});
  static const char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  out.reserve(7 + 2 * digest.size());
  for (unsigned char c : digest) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string ContentHash(const v1::Report& report) { return Sha256Hex(CanonicalBytes(report)); }

std::string FindingsDigest(const google::protobuf::RepeatedPtrField<v1::Finding>& findings) {
  // Written into one buffer: what DeterministicBytes() gives for each
  // finding, without a string of its own per finding.
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    for (const v1::Finding& f : findings) {
      char len[8];
      absl::big_endian::Store64(len, f.ByteSizeLong());
      coded.WriteRaw(len, sizeof len);
      f.SerializeWithCachedSizes(&coded);
    }
  }
  return Sha256Hex(bytes);
}

}  // namespace disclosure
