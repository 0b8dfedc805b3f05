#include "core/report/canonical.h"

#include "absl/base/internal/endian.h"  // big_endian::Store64
#include "core/report/template.h"
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
