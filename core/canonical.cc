#include "core/canonical.h"

#include <openssl/evp.h>

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

std::string Sha256Hex(absl::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // EVP_Digest cannot fail for SHA-256 on in-memory input short of OOM.
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

std::string ContentHash(const v1::Report& report) { return Sha256Hex(CanonicalBytes(report)); }

}  // namespace disclosure
