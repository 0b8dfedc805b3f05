#include "core/report_export.h"
namespace disclosure {
std::string ExportText(const v1::Report&) { return ""; }
std::string ToJson(const google::protobuf::Message&) { return ""; }
absl::Status FromJson(absl::string_view, google::protobuf::Message*) { return absl::UnimplementedError("json"); }
}  // namespace disclosure
