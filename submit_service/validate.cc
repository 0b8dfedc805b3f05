#include "submit_service/validate.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/rpc/page_token.h"
#include "core/rpc/rpc_util.h"
#include "core/report/decimal.h"
#include "core/report/template.h"
#include "core/base/sha256.h"
#include "core/base/text_util.h"
#include "core/import/import.h"

namespace disclosure::submit {
namespace {

absl::Status Named(absl::string_view field, const absl::Status& s) {
  return s.ok() ? s : FieldError(field, s.message());
}

// AIP-158: 0 is the default, above the maximum is the maximum, negative is
// refused.
absl::StatusOr<int> PageSize(absl::string_view field, int32_t size) {
  if (size < 0) {
    return FieldError(field, absl::StrCat("must be 0 (default ", kDefaultPageSize,
                                          ") or more (at most ", kMaxPageSize,
                                          " are returned), not ", size));
  }
  return size == 0 ? kDefaultPageSize : std::min<int>(size, kMaxPageSize);
}

// Tab, line feed, carriage return and form feed (a page break in text
// read from a PDF) are text; no other control character is.
bool IsControl(unsigned char c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7F;
}

absl::Status ValidateText(absl::string_view field, const std::string& text, int max_code_points) {
  // Whichever comes first, a control character (a NUL among them, which the
  // UTF-8 check also stops at) or bytes that are not UTF-8: said as such,
  // and where (in characters from 0, as finding offsets count).
  size_t control = 0;
  while (control < text.size() && !IsControl(static_cast<unsigned char>(text[control]))) ++control;
  const size_t bad = Utf8ErrorOffset(text);
  if (control < text.size() && (bad == absl::string_view::npos || control <= bad)) {
    return FieldError(
        field, absl::StrFormat("contains the control character U+%04X at character %d (byte %d); "
                               "text may hold tabs and line breaks, no other control character",
                               static_cast<unsigned char>(text[control]),
                               CodePointCount(absl::string_view(text).substr(0, control)),
                               control));
  }
  if (bad != absl::string_view::npos) {
    return FieldError(field, absl::StrCat("is not valid UTF-8 text (from byte ", bad, ")"));
  }
  // No text has more code points than bytes: count only when it may matter.
  if (text.size() <= static_cast<size_t>(max_code_points)) return absl::OkStatus();
  int n = CodePointCount(text);
  if (n > max_code_points) {
    return FieldError(field, absl::StrCat("has ", n, " characters; the limit is ", max_code_points));
  }
  return absl::OkStatus();
}

// What the importer could not read: known cells, bounded (docs/api.md).
absl::Status ValidateImportRecord(const v1::ImportRecord& record) {
  static constexpr const char* kFormats[] = {"", "text", "pdf", "html", "docx", "scan"};
  if (std::find(std::begin(kFormats), std::end(kFormats), record.format()) == std::end(kFormats)) {
    return FieldError("report.import_record.format",
                      absl::StrCat("'", Echo(record.format()),
                                   "' is not one of text, pdf, html, docx, scan"));
  }
  if (record.unread_size() > kMaxUnreadEntries) {
    return FieldError("report.import_record.unread",
                      absl::StrCat("has ", record.unread_size(), " entries; the limit is ",
                                   kMaxUnreadEntries));
  }
  for (int i = 0; i < record.unread_size(); ++i) {
    const v1::UnreadCells& u = record.unread(i);
    const std::string field = absl::StrCat("report.import_record.unread[", i, "]");
    if (!IsTablePath(u.field_path())) {
      return FieldError(absl::StrCat(field, ".field_path"),
                        absl::StrCat("'", Echo(u.field_path()),
                                     "' is not a cell, row or block of tables 二, 三, 四"));
    }
    if (absl::Status s = ValidateText(absl::StrCat(field, ".source"), u.source(),
                                      kMaxUnreadSourceCodePoints);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// What a stored report must be: the 2021 template, well-formed cells and
// bounded text. Consistency rules (sums, …) are the audit's, not the store's.
absl::Status ValidateReport(const v1::Report& r, const ReportName& parent) {
  if (r.agency().id() != parent.agency_id) {
    return FieldError("report.agency.id", absl::StrCat("'", Echo(r.agency().id()),
                                                       "' is not the agency of parent '",
                                                       parent.agency_id, "'"));
  }
  if (r.year() != parent.year) {
    return FieldError("report.year",
                      absl::StrCat(r.year(), " is not the year of parent (", parent.year, ")"));
  }
  if (r.template_version() == v1::TEMPLATE_VERSION_UNSPECIFIED) {
    return FieldError("report.template_version", "is missing: must be TEMPLATE_VERSION_2021");
  }
  if (r.template_version() == v1::TEMPLATE_VERSION_2019) {
    return FieldError("report.template_version",
                      "must be TEMPLATE_VERSION_2021 (the 2019 format is not accepted)");
  }
  if (r.template_version() != v1::TEMPLATE_VERSION_2021) {
    return FieldError("report.template_version",
                      absl::StrCat("is ", static_cast<int>(r.template_version()),
                                   ", not a defined template version: must be "
                                   "TEMPLATE_VERSION_2021"));
  }
  if (!r.agency().region_code().empty() && !IsValidRegionCode(r.agency().region_code())) {
    return FieldError("report.agency.region_code", "must be six digits");
  }
  if (!v1::AgencyKind_IsValid(r.agency().kind())) {
    return FieldError("report.agency.kind",
                      absl::StrCat("is ", r.agency().kind(),
                                   ", not a defined AgencyKind: AGENCY_KIND_DEPARTMENT (1), "
                                   "AGENCY_KIND_PEOPLES_GOVERNMENT (2), or unset for the "
                                   "registry's"));
  }
  for (const CountCell& c : AllCountCells()) {
    std::optional<int64_t> v = GetCount(r, c);
    if (v && (*v < 0 || *v > kMaxCount)) {
      return FieldError(absl::StrCat("report.", c.field_path),
                        absl::StrCat("is ", *v, "; counts are whole numbers from 0 to ",
                                     kMaxCount, " (the most a report can hold)"));
    }
  }
  // The value is report content: not echoed (docs/api.md, Logs).
  if (std::optional<std::string> fee = GetFee(r); fee && DiagnoseDecimal(*fee) != DecimalProblem::kNone) {
    return FieldError("report.proactive_disclosure.administrative_fees.amount_10k_yuan",
                      "is not a decimal amount in 万元 (up to 14 whole digits and 4 decimals)");
  }
  struct {
    const char* field;
    const std::string& text;
    int max;
  } texts[] = {
      {"report.title", r.title(), kMaxTitleCodePoints},
      {"report.agency.name", r.agency().name(), kMaxAgencyNameCodePoints},
      {"report.overview", r.overview(), kMaxNarrativeCodePoints},
      {"report.problems_and_improvements", r.problems_and_improvements(), kMaxNarrativeCodePoints},
      {"report.other_matters", r.other_matters(), kMaxNarrativeCodePoints},
  };
  for (const auto& t : texts) {
    if (absl::Status s = ValidateText(t.field, t.text, t.max); !s.ok()) return s;
  }
  return ValidateImportRecord(r.import_record());
}

}  // namespace

absl::StatusOr<v1::PublishedDocument> DescribeDocument(absl::string_view document) {
  if (document.size() > kMaxDocumentBytes) {
    return FieldError("document", absl::StrCat("has ", document.size(), " bytes; the limit is ",
                                               kMaxDocumentBytes, " (16 MiB)"));
  }
  v1::PublishedDocument d;
  switch (SniffFormat(document)) {
    case DocumentFormat::kPdf: d.set_media_type("application/pdf"); break;
    case DocumentFormat::kDocx:
      d.set_media_type("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
      break;
    case DocumentFormat::kHtml: d.set_media_type("text/html"); break;
    default:
      if (Utf8ErrorOffset(document) != absl::string_view::npos ||
          document.find('\0') != absl::string_view::npos) {
        return FieldError("document", "is not a PDF, a web page, a Word (DOCX) file or UTF-8 text");
      }
      d.set_media_type("text/plain");
  }
  d.set_sha256(Sha256Hex(document));
  d.set_size_bytes(static_cast<int64_t>(document.size()));
  return d;
}

absl::StatusOr<ReportName> ValidateCreateVersion(const v1::CreateVersionRequest& request) {
  absl::StatusOr<ReportName> parent = ParseReportName(request.parent());
  if (!parent.ok()) return Named("parent", parent.status());
  if (!request.has_report()) return FieldError("report", "is required");
  // Visible ASCII only (no space): an id is copied between logs, shells and
  // scripts, where spaces and control characters get lost or mangled.
  if (request.request_id().empty() || request.request_id().size() > kMaxRequestIdLength) {
    return FieldError("request_id", absl::StrCat("must be 1-", kMaxRequestIdLength,
                                                 " visible ASCII characters (! to ~, no space)"));
  }
  for (char c : request.request_id()) {
    if (c < 0x21 || c > 0x7E) {
      return FieldError("request_id", "must be visible ASCII characters (! to ~, no space)");
    }
  }
  if (request.expected_latest_version() < 0) {
    return FieldError("expected_latest_version", "must be ≥ 0 (0: no version seen)");
  }
  if (absl::Status s = ValidateReport(request.report(), *parent); !s.ok()) return s;
  // The service describes the document; a client may only repeat that.
  if (request.report().has_published_document()) {
    if (request.document().empty()) {
      return FieldError("report.published_document",
                        "is set by the service from `document`, which is missing");
    }
    absl::StatusOr<v1::PublishedDocument> d = DescribeDocument(request.document());
    if (!d.ok()) return d.status();
    if (d->SerializeAsString() != request.report().published_document().SerializeAsString()) {
      return FieldError("report.published_document",
                        absl::StrCat("is not the description of `document` (", d->sha256(),
                                     "): leave it unset, the service fills it"));
    }
  }
  return parent;
}

absl::StatusOr<VersionName> ValidateGetVersion(const v1::GetVersionRequest& request) {
  absl::StatusOr<VersionName> name = ParseVersionName(request.name());
  if (!name.ok()) return Named("name", name.status());
  return name;
}

absl::StatusOr<std::string> ValidateFindDocumentVersions(
    const v1::FindDocumentVersionsRequest& request) {
  if (!IsSha256Hex(request.document_sha256())) {
    return FieldError("document_sha256", "must be sha256:<64 lowercase hex digits>");
  }
  return request.document_sha256();
}

absl::StatusOr<ListVersionsArgs> ValidateListVersions(const v1::ListVersionsRequest& request) {
  if (request.view() == v1::VERSION_VIEW_DOCUMENT) {
    return FieldError("view", "VERSION_VIEW_DOCUMENT is GetVersion's; a listing is BASIC or FULL");
  }
  ListVersionsArgs args;
  absl::StatusOr<ReportName> parent = ParseReportName(request.parent());
  if (!parent.ok()) return Named("parent", parent.status());
  args.report = *parent;
  absl::StatusOr<int> size = PageSize("page_size", request.page_size());
  if (!size.ok()) return size.status();
  args.page_size = *size;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> pos = DecodePageToken(request.page_token(), request.parent());
    if (!pos.ok()) return pos.status();
    // Sealed by this service, so never forged; checked all the same.
    if (!absl::SimpleAtoi(*pos, &args.after_version) || args.after_version < 0) {
      return FieldError("page_token", "invalid page token");
    }
  }
  return args;
}

absl::StatusOr<ListReportsArgs> ValidateListReports(const v1::ListReportsRequest& request) {
  ListReportsArgs args;
  if (!IsValidRegionPrefix(request.region_prefix())) {
    return FieldError("region_prefix", "must be 0–6 digits");
  }
  if (request.year() != 0 && (request.year() < kMinYear || request.year() > kMaxYear)) {
    return FieldError("year", absl::StrCat("must be 0 or ", kMinYear, "–", kMaxYear));
  }
  absl::StatusOr<int> size = PageSize("page_size", request.page_size());
  if (!size.ok()) return size.status();
  args.page_size = *size;
  if (!request.page_token().empty()) {
    std::string bound = absl::StrCat(request.region_prefix(), "|", request.year());
    absl::StatusOr<std::string> pos = DecodePageToken(request.page_token(), bound);
    if (!pos.ok()) return pos.status();
    std::vector<std::string> parts = absl::StrSplit(*pos, '|');
    if (parts.size() != 3 || !absl::SimpleAtoi(parts[2], &args.after_year)) {
      return FieldError("page_token", "invalid page token");
    }
    args.after_region = parts[0];
    args.after_agency = parts[1];
  }
  return args;
}

absl::StatusOr<DiffArgs> ValidateDiffVersions(const v1::DiffVersionsRequest& request) {
  DiffArgs args;
  absl::StatusOr<VersionName> a = ParseVersionName(request.name());
  if (!a.ok()) return Named("name", a.status());
  absl::StatusOr<VersionName> b = ParseVersionName(request.other_name());
  if (!b.ok()) return Named("other_name", b.status());
  if (a->report.agency_id != b->report.agency_id || a->report.year != b->report.year) {
    return FieldError("other_name", "must be a version of the same report as name");
  }
  args.a = *a;
  args.b = *b;
  return args;
}

absl::StatusOr<int64_t> ValidateWatchVersions(const v1::WatchVersionsRequest& request) {
  if (!IsValidRegionPrefix(request.region_prefix())) {
    return FieldError("region_prefix", "must be 0–6 digits");
  }
  if (request.start_after().empty()) return 0;
  absl::StatusOr<int64_t> seq = ParseFeedPosition(request.start_after());
  if (!seq.ok()) {
    return FieldError("start_after", "is not a feed position (from VersionEvent.position)");
  }
  return seq;
}

}  // namespace disclosure::submit
