// Resource names of the API (AIP-122):
//   agencies/{agency}/reports/{year}
//   agencies/{agency}/reports/{year}/versions/{n|latest}
//   …/versions/{n}/audit, …/versions/{n}/reviewStatus (singletons)
//   …/versions/{n}/signOffs/{id}
#ifndef DISCLOSURE_CORE_ACCESS_RESOURCE_NAMES_H_
#define DISCLOSURE_CORE_ACCESS_RESOURCE_NAMES_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace disclosure {

struct ReportName {
  std::string agency_id;
  int32_t year = 0;
};

struct VersionName {
  ReportName report;
  int64_t version = 0;  // 0: "latest"
};

// `^[a-z0-9][a-z0-9-]{0,62}$`
bool IsValidAgencyId(absl::string_view id);
// Six ASCII digits.
bool IsValidRegionCode(absl::string_view code);
// 0–6 ASCII digits.
bool IsValidRegionPrefix(absl::string_view prefix);
inline constexpr int32_t kMinYear = 2000;
inline constexpr int32_t kMaxYear = 2100;

// InvalidArgument naming what is wrong with the name.
absl::StatusOr<ReportName> ParseReportName(absl::string_view name);
absl::StatusOr<VersionName> ParseVersionName(absl::string_view name);

std::string FormatReportName(const ReportName& name);
// Version 0 is "latest", as in VersionName.
std::string FormatVersionName(const ReportName& report, int64_t version);

// A position in submit_service's change feed (VersionEvent.position,
// WatchVersionsRequest.start_after): "feed/N", N >= 0 the feed sequence
// number of a version; stores keep N. InvalidArgument for anything else
// ("feed/01", "feed/-5" included).
std::string FormatFeedPosition(int64_t seq);
absl::StatusOr<int64_t> ParseFeedPosition(absl::string_view position);

// The singletons and collections under a version, by suffix.
inline constexpr char kAuditSuffix[] = "/audit";
inline constexpr char kReviewStatusSuffix[] = "/reviewStatus";
inline constexpr char kSignOffsSuffix[] = "/signOffs/";
// `version_name` + kAuditSuffix, + kReviewStatusSuffix, + kSignOffsSuffix + id.
std::string FormatAuditName(absl::string_view version_name);
std::string FormatReviewStatusName(absl::string_view version_name);
std::string FormatSignOffName(absl::string_view version_name, int64_t id);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_ACCESS_RESOURCE_NAMES_H_
