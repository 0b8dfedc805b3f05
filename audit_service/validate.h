// One validation function per RPC of AuditService. Each returns
// INVALID_ARGUMENT naming the offending field (FieldError) and, on success,
// the parsed pieces the handler needs. Access is checked elsewhere
// (service.cc, Authorize*), before anything is looked up.
#ifndef DISCLOSURE_AUDIT_SERVICE_VALIDATE_H_
#define DISCLOSURE_AUDIT_SERVICE_VALIDATE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "core/access/resource_names.h"
#include "disclosure/v1/audit.pb.h"

namespace disclosure::audit {

namespace v1 = ::disclosure::v1;

// Limits stated once; docs/api.md repeats them.
// CreateSignOffRequest.request_id, as CreateVersion's.
inline constexpr int kMaxRequestIdLength = 128;
inline constexpr int kMaxReasonBytes = 2000;
inline constexpr int kDefaultSignOffPageSize = 50;
inline constexpr int kMaxSignOffPageSize = 100;
inline constexpr int kDefaultAgencyPageSize = 100;
inline constexpr int kMaxAgencyPageSize = 500;
inline constexpr int kMaxMessageBytes = 4 << 20;

// "…/versions/{n|latest}/audit" → the version.
absl::StatusOr<VersionName> ValidateGetAudit(const v1::GetAuditRequest& request);

struct ValidateReportArgs {
  std::optional<absl::CivilDay> submitted;
};
absl::StatusOr<ValidateReportArgs> ValidateValidateReport(const v1::ValidateReportRequest& request);

// The version signed (a number, never latest). Checks the fields' shapes;
// whether they match the stored audit is decided with the store.
absl::StatusOr<VersionName> ValidateCreateSignOff(const v1::CreateSignOffRequest& request);

struct ListSignOffsArgs {
  VersionName version;
  int page_size = kDefaultSignOffPageSize;
  int64_t after = 0;  // index into the version's sign-offs
};
absl::StatusOr<ListSignOffsArgs> ValidateListSignOffs(const v1::ListSignOffsRequest& request);

absl::StatusOr<VersionName> ValidateGetReviewStatus(const v1::GetReviewStatusRequest& request);
struct BundleArgs {
  VersionName version;  // a number, not latest
  int64_t consistency_from_size = 0;
};
absl::StatusOr<BundleArgs> ValidateGetVerificationBundle(
    const v1::GetVerificationBundleRequest& request);

// regions/{prefix}/years/{year}
struct RegionYear {
  std::string region_prefix;
  int32_t year = 0;
};
absl::StatusOr<RegionYear> ParseRegionYear(absl::string_view field, absl::string_view name);
std::string FormatRegionYear(const RegionYear& r);

struct ListAgencyStatesArgs {
  RegionYear region;
  int page_size = kDefaultAgencyPageSize;
  std::string after_agency;
};
absl::StatusOr<ListAgencyStatesArgs> ValidateListAgencyStates(
    const v1::ListAgencyStatesRequest& request);
absl::StatusOr<RegionYear> ValidateGetRegionSummary(const v1::GetRegionSummaryRequest& request);

// Returns the event seq to start after.
absl::StatusOr<int64_t> ValidateWatchEvents(const v1::WatchEventsRequest& request);
std::string EncodeEventPosition(int64_t seq);

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_VALIDATE_H_
