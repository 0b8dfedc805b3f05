#include "core/access/resource_names.h"

#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/base/text_util.h"

namespace disclosure {

bool IsValidAgencyId(absl::string_view id) {
  if (id.empty() || id.size() > 63 || id[0] == '-') return false;
  for (char c : id) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-')) return false;
  }
  return true;
}

static bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

bool IsValidRegionCode(absl::string_view code) { return code.size() == 6 && AllDigits(code); }

bool IsValidRegionPrefix(absl::string_view prefix) {
  return prefix.size() <= 6 && AllDigits(prefix);
}

absl::StatusOr<ReportName> ParseReportName(absl::string_view name) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "agencies" || parts[2] != "reports") {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", Echo(name), "' is not a report name agencies/{agency}/reports/{year}"));
  }
  ReportName out;
  if (!IsValidAgencyId(parts[1])) {
    return absl::InvalidArgumentError(
        absl::StrCat("agency id '", Echo(parts[1]), "' must match [a-z0-9][a-z0-9-]{0,62}"));
  }
  out.agency_id = std::string(parts[1]);
  if (parts[3].size() != 4 || !AllDigits(parts[3]) || !absl::SimpleAtoi(parts[3], &out.year) ||
      out.year < kMinYear || out.year > kMaxYear) {
    return absl::InvalidArgumentError(
        absl::StrCat("year '", Echo(parts[3]), "' must be a year from ", kMinYear, " to ", kMaxYear));
  }
  return out;
}

absl::StatusOr<VersionName> ParseVersionName(absl::string_view name) {
  size_t at = name.find("/versions/");
  if (at == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", Echo(name), "' is not a version name agencies/{agency}/reports/{year}/versions/{n}"));
  }
  absl::StatusOr<ReportName> report = ParseReportName(name.substr(0, at));
  if (!report.ok()) return report.status();
  VersionName out;
  out.report = *report;
  absl::string_view v = name.substr(at + 10);
  if (v == "latest") return out;
  // One spelling per version: "01" would name version 1 too, and a name
  // is compared, logged and cached as a string.
  if (v.empty() || v.size() > 18 || !AllDigits(v) || v[0] == '0' ||
      !absl::SimpleAtoi(v, &out.version) || out.version < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "version '", Echo(v), "' must be a number from 1 without leading zeros, or 'latest'"));
  }
  return out;
}

std::string FormatReportName(const ReportName& name) {
  return absl::StrCat("agencies/", name.agency_id, "/reports/", name.year);
}

std::string FormatVersionName(const ReportName& report, int64_t version) {
  if (version == 0) return absl::StrCat(FormatReportName(report), "/versions/latest");
  return absl::StrCat(FormatReportName(report), "/versions/", version);
}

std::string FormatAuditName(absl::string_view version_name) {
  return absl::StrCat(version_name, kAuditSuffix);
}
std::string FormatReviewStatusName(absl::string_view version_name) {
  return absl::StrCat(version_name, kReviewStatusSuffix);
}
std::string FormatSignOffName(absl::string_view version_name, int64_t id) {
  return absl::StrCat(version_name, kSignOffsSuffix, id);
}

std::string FormatFeedPosition(int64_t seq) { return absl::StrCat("feed/", seq); }

absl::StatusOr<int64_t> ParseFeedPosition(absl::string_view position) {
  absl::string_view digits = position;
  int64_t seq;
  if (!absl::ConsumePrefix(&digits, "feed/") || digits.empty() ||
      !absl::c_all_of(digits, absl::ascii_isdigit) || (digits.size() > 1 && digits[0] == '0') ||
      !absl::SimpleAtoi(digits, &seq)) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a feed position (feed/N): ", Echo(position, 64)));
  }
  return seq;
}

}  // namespace disclosure
