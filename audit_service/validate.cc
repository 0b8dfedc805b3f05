#include "audit_service/validate.h"

#include "core/base/sha256.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "core/rpc/page_token.h"
#include "core/rpc/rpc_util.h"
#include "core/report/template.h"
#include "core/base/text_util.h"

namespace disclosure::audit {
namespace {

// AIP-158: 0 is the default, above the maximum is the maximum, negative is
// refused.
absl::StatusOr<int> PageSize(int32_t size, int default_size, int max_size) {
  if (size < 0) {
    return FieldError("page_size", absl::StrCat("must be 0 (default ", default_size,
                                                ") or more (at most ", max_size,
                                                " are returned), not ", size));
  }
  return size == 0 ? default_size : std::min<int>(size, max_size);
}

// A version name followed by `suffix` (kAuditSuffix, kReviewStatusSuffix, or "").
absl::StatusOr<VersionName> VersionWithSuffix(absl::string_view field, absl::string_view name,
                                              absl::string_view suffix) {
  absl::string_view v = name;
  if (!suffix.empty() && !absl::ConsumeSuffix(&v, suffix)) {
    return FieldError(field, absl::StrCat("must be agencies/{agency}/reports/{year}/versions/"
                                          "{n|latest}",
                                          suffix));
  }
  absl::StatusOr<VersionName> parsed = ParseVersionName(v);
  if (!parsed.ok()) return FieldError(field, parsed.status().message());
  return parsed;
}

bool IsSha256(absl::string_view h) { return IsSha256Hex(h); }

}  // namespace

absl::StatusOr<VersionName> ValidateGetAudit(const v1::GetAuditRequest& request) {
  return VersionWithSuffix("name", request.name(), kAuditSuffix);
}

absl::StatusOr<ValidateReportArgs> ValidateValidateReport(const v1::ValidateReportRequest& request) {
  if (!request.has_report()) return FieldError("report", "is required");
  const int32_t year = request.report().year();
  if (year < kMinYear || year > kMaxYear) {
    return FieldError("report.year", absl::StrCat("must be ", kMinYear, "–", kMaxYear));
  }
  // Each empty cell is looked up in them: their number bounds the call's cost.
  for (const v1::Report* r : {&request.report(), &request.previous_year()}) {
    if (r->import_record().unread_size() > kMaxUnreadEntries) {
      return FieldError(r == &request.report() ? "report.import_record.unread"
                                               : "previous_year.import_record.unread",
                        absl::StrCat("has ", r->import_record().unread_size(),
                                     " entries; the limit is ", kMaxUnreadEntries));
    }
  }
  if (request.has_previous_year() && request.previous_year().year() != year - 1) {
    return FieldError("previous_year.year", absl::StrCat("must be ", year - 1));
  }
  // The kind sets the deadline (D-DUE): an undefined one is no kind at all.
  if (!v1::AgencyKind_IsValid(request.report().agency().kind())) {
    return FieldError("report.agency.kind",
                      absl::StrCat("is ", request.report().agency().kind(),
                                   ", not a defined AgencyKind: AGENCY_KIND_DEPARTMENT (1), "
                                   "AGENCY_KIND_PEOPLES_GOVERNMENT (2), or unset"));
  }
  ValidateReportArgs args;
  if (!request.submitted_date().empty()) {
    // Exactly YYYY-MM-DD: absl's parser also takes 2022-1-20 and +2022-01-20.
    const std::string& d = request.submitted_date();
    bool shape = d.size() == 10 && d[4] == '-' && d[7] == '-';
    for (size_t i = 0; shape && i < d.size(); ++i) {
      shape = i == 4 || i == 7 || absl::ascii_isdigit(static_cast<unsigned char>(d[i]));
    }
    absl::CivilDay day;
    if (!shape || !absl::ParseCivilTime(d, &day)) {
      return FieldError("submitted_date", absl::StrCat("'", Echo(d), "' must be a date YYYY-MM-DD"));
    }
    args.submitted = day;
  }
  return args;
}

absl::StatusOr<VersionName> ValidateCreateSignOff(const v1::CreateSignOffRequest& request) {
  if (!request.has_sign_off()) return FieldError("sign_off", "is required");
  // As CreateVersion's: visible ASCII, which logs and shells keep intact.
  const std::string& id = request.request_id();
  bool visible = id.size() <= kMaxRequestIdLength;
  for (size_t i = 0; visible && i < id.size(); ++i) visible = id[i] >= 0x21 && id[i] <= 0x7E;
  if (!visible) {
    return FieldError("request_id", absl::StrCat("must be empty or 1-", kMaxRequestIdLength,
                                                 " visible ASCII characters (! to ~, no space)"));
  }
  const v1::SignOff& s = request.sign_off();
  absl::StatusOr<VersionName> v = VersionWithSuffix("sign_off.version", s.version(), "");
  if (!v.ok()) return v.status();
  if (v->version == 0) {
    return FieldError("sign_off.version", "must name a version number, not latest: a sign-off "
                                          "is for exactly the version that was read");
  }
  if (!IsSha256(s.content_hash())) {
    return FieldError("sign_off.content_hash", "must be sha256:<64 lowercase hex digits>");
  }
  if (!IsSha256(s.findings_digest())) {
    return FieldError("sign_off.findings_digest", "must be sha256:<64 lowercase hex digits>");
  }
  if (s.reason().size() > kMaxReasonBytes) {
    return FieldError("sign_off.reason", absl::StrCat("is longer than ", kMaxReasonBytes, " bytes"));
  }
  switch (s.kind()) {
    case v1::REVIEW:
      if (s.review_kind() == v1::REVIEW_KIND_UNSPECIFIED || !v1::ReviewKind_IsValid(s.review_kind())) {
        return FieldError("sign_off.review_kind", "is required for a REVIEW");
      }
      if (s.decision() != v1::APPROVE && s.decision() != v1::REJECT) {
        return FieldError("sign_off.decision", "must be APPROVE or REJECT");
      }
      if (s.decision() == v1::REJECT && s.reason().empty()) {
        return FieldError("sign_off.reason", "is required to reject (驳回须说明理由)");
      }
      if (!s.rule_id().empty()) return FieldError("sign_off.rule_id", "is only for WAIVER and ACKNOWLEDGEMENT");
      if (s.has_location() && s.location().ByteSizeLong() > 0) {
        return FieldError("sign_off.location", "is only for WAIVER and ACKNOWLEDGEMENT");
      }
      break;
    case v1::WAIVER:
    case v1::ACKNOWLEDGEMENT:
      if (s.rule_id().empty()) return FieldError("sign_off.rule_id", "names the finding and is required");
      if (s.kind() == v1::WAIVER && s.reason().empty()) {
        return FieldError("sign_off.reason", "is required to waive a finding (豁免须说明理由)");
      }
      if (s.decision() != v1::DECISION_UNSPECIFIED) {
        return FieldError("sign_off.decision", "is only for REVIEW");
      }
      break;
    default:
      return FieldError("sign_off.kind", "must be REVIEW, WAIVER or ACKNOWLEDGEMENT");
  }
  return v;
}

absl::StatusOr<ListSignOffsArgs> ValidateListSignOffs(const v1::ListSignOffsRequest& request) {
  ListSignOffsArgs args;
  absl::StatusOr<VersionName> v = VersionWithSuffix("parent", request.parent(), "");
  if (!v.ok()) return v.status();
  if (v->version == 0) return FieldError("parent", "must name a version number");
  args.version = *v;
  absl::StatusOr<int> size =
      PageSize(request.page_size(), kDefaultSignOffPageSize, kMaxSignOffPageSize);
  if (!size.ok()) return size.status();
  args.page_size = *size;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> pos = DecodePageToken(request.page_token(), request.parent());
    if (!pos.ok()) return pos.status();
    // Sealed by this service, so never forged; checked all the same.
    if (!absl::SimpleAtoi(*pos, &args.after) || args.after < 0) {
      return FieldError("page_token", "invalid page token");
    }
  }
  return args;
}

absl::StatusOr<VersionName> ValidateGetReviewStatus(const v1::GetReviewStatusRequest& request) {
  return VersionWithSuffix("name", request.name(), kReviewStatusSuffix);
}

absl::StatusOr<BundleArgs> ValidateGetVerificationBundle(
    const v1::GetVerificationBundleRequest& request) {
  absl::StatusOr<VersionName> v = VersionWithSuffix("name", request.name(), "");
  if (!v.ok()) return v.status();
  if (v->version == 0) {
    return FieldError("name", "must name a version number, not latest: a bundle proves exactly "
                              "one version");
  }
  if (request.consistency_from_size() < 0) {
    return FieldError("consistency_from_size", "must be 0 (none) or the size of a kept checkpoint");
  }
  return BundleArgs{*v, request.consistency_from_size()};
}

absl::StatusOr<RegionYear> ParseRegionYear(absl::string_view field, absl::string_view name) {
  absl::string_view n = name;
  RegionYear r;
  const char* shape = "must be regions/{0–6 digit prefix}/years/{year}";
  if (!absl::ConsumePrefix(&n, "regions/")) return FieldError(field, shape);
  size_t slash = n.find('/');
  if (slash == absl::string_view::npos) return FieldError(field, shape);
  r.region_prefix = std::string(n.substr(0, slash));
  n.remove_prefix(slash);
  // "regions//years/2021" is the whole country.
  if (!IsValidRegionPrefix(r.region_prefix)) {
    return FieldError(field, "the region prefix must be 0–6 digits");
  }
  if (!absl::ConsumePrefix(&n, "/years/") || !absl::SimpleAtoi(n, &r.year) || r.year < kMinYear ||
      r.year > kMaxYear || absl::StrCat(r.year) != n) {
    return FieldError(field, absl::StrCat(shape, ", the year ", kMinYear, "–", kMaxYear));
  }
  return r;
}

std::string FormatRegionYear(const RegionYear& r) {
  return absl::StrCat("regions/", r.region_prefix, "/years/", r.year);
}

absl::StatusOr<ListAgencyStatesArgs> ValidateListAgencyStates(
    const v1::ListAgencyStatesRequest& request) {
  ListAgencyStatesArgs args;
  absl::StatusOr<RegionYear> r = ParseRegionYear("parent", request.parent());
  if (!r.ok()) return r.status();
  args.region = *r;
  absl::StatusOr<int> size =
      PageSize(request.page_size(), kDefaultAgencyPageSize, kMaxAgencyPageSize);
  if (!size.ok()) return size.status();
  args.page_size = *size;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> pos = DecodePageToken(request.page_token(), request.parent());
    if (!pos.ok()) return pos.status();
    args.after_agency = *pos;
  }
  return args;
}

absl::StatusOr<RegionYear> ValidateGetRegionSummary(const v1::GetRegionSummaryRequest& request) {
  return ParseRegionYear("name", request.name());
}

absl::StatusOr<int64_t> ValidateWatchEvents(const v1::WatchEventsRequest& request) {
  if (!IsValidRegionPrefix(request.region_prefix())) {
    return FieldError("region_prefix", "must be 0–6 digits");
  }
  if (request.start_after().empty()) return 0;
  int64_t seq;
  absl::string_view p = request.start_after();
  if (!absl::ConsumePrefix(&p, "events/") || !absl::SimpleAtoi(p, &seq) || seq < 0) {
    return FieldError("start_after", "is not an event position (from AuditEvent.position)");
  }
  return seq;
}

std::string EncodeEventPosition(int64_t seq) { return absl::StrCat("events/", seq); }

}  // namespace disclosure::audit
