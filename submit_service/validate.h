// One validation function per RPC of SubmissionService. Each returns
// INVALID_ARGUMENT naming the offending field (FieldError) and, on success,
// the parsed pieces the handler needs. Access is checked elsewhere.
#ifndef DISCLOSURE_SUBMIT_SERVICE_VALIDATE_H_
#define DISCLOSURE_SUBMIT_SERVICE_VALIDATE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/rpc/page_token.h"  // EncodePageToken, DecodePageToken
#include "core/access/resource_names.h"
#include "disclosure/v1/submission.pb.h"

namespace disclosure::submit {

namespace v1 = ::disclosure::v1;

// Limits stated once; docs/api.md repeats them.
inline constexpr int kMaxRequestIdLength = 128;
inline constexpr int kMaxTitleCodePoints = 200;
// ImportRecord.unread[].source ("第 3 页（x 120，y 356）").
inline constexpr int kMaxUnreadSourceCodePoints = 100;
inline constexpr int kMaxNarrativeCodePoints = 100000;
inline constexpr int kMaxAgencyNameCodePoints = 100;
inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 100;
// The published document of a CreateVersion (docs/api.md); a message may
// carry it beside a report.
inline constexpr size_t kMaxDocumentBytes = 16 << 20;
inline constexpr int kMaxMessageBytes = kMaxDocumentBytes + (4 << 20);
// A ListVersions page stops before the version that would take it past this
// (FULL views carry whole reports): under kMaxMessageBytes with room to spare.
// A page always holds at least one version.
inline constexpr size_t kMaxListPageBytes = 3 << 20;

absl::StatusOr<ReportName> ValidateCreateVersion(const v1::CreateVersionRequest& request);
// The published document's description (hash, media type from the bytes,
// size), or INVALID_ARGUMENT naming `document`. Part of ValidateCreateVersion
// for a request that carries one.
absl::StatusOr<v1::PublishedDocument> DescribeDocument(absl::string_view document);
absl::StatusOr<VersionName> ValidateGetVersion(const v1::GetVersionRequest& request);

struct ListVersionsArgs {
  ReportName report;
  int page_size = kDefaultPageSize;
  int64_t after_version = 0;
};
absl::StatusOr<ListVersionsArgs> ValidateListVersions(const v1::ListVersionsRequest& request);

struct ListReportsArgs {
  int page_size = kDefaultPageSize;
  std::optional<std::string> after_region, after_agency;
  int32_t after_year = 0;
};
absl::StatusOr<ListReportsArgs> ValidateListReports(const v1::ListReportsRequest& request);

struct DiffArgs {
  VersionName a, b;
};
absl::StatusOr<DiffArgs> ValidateDiffVersions(const v1::DiffVersionsRequest& request);

// The document hash asked for.
absl::StatusOr<std::string> ValidateFindDocumentVersions(
    const v1::FindDocumentVersionsRequest& request);
inline constexpr int kMaxDocumentVersions = 20;

// Returns the feed position to start after.
absl::StatusOr<int64_t> ValidateWatchVersions(const v1::WatchVersionsRequest& request);


}  // namespace disclosure::submit

#endif  // DISCLOSURE_SUBMIT_SERVICE_VALIDATE_H_
