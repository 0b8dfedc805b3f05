#include "audit_service/auditor.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "audit_service/clearance.h"
#include "audit_service/region_sums.h"
#include "core/access/resource_names.h"
#include "core/rules/rules.h"
#include "google/protobuf/util/time_util.h"

namespace disclosure::audit {

std::string EngineName() { return absl::StrCat("disclosure-rules ", kRuleSetVersion); }

absl::StatusOr<AuditRecord> AuditVersion(const v1::ReportVersion& version,
                                         const v1::ReportVersion* previous_year,
                                         const AccessPolicy& policy, absl::Time now,
                                         const DocumentReading* document) {
  absl::StatusOr<VersionName> name = ParseVersionName(version.name());
  if (!name.ok()) return name.status();
  const v1::Report& report = version.report();

  ValidationContext context;
  if (previous_year != nullptr) {
    context.previous = &previous_year->report();
    context.previous_reference =
        absl::StrCat(previous_year->name(), " ", previous_year->content_hash());
  }
  // Submission deadlines are dates in China Standard Time (UTC+8, no DST).
  const absl::Time committed = absl::FromUnixMicros(
      google::protobuf::util::TimeUtil::TimestampToMicroseconds(version.create_time()));
  context.submitted =
      absl::ToCivilDay(committed, absl::FixedTimeZone(8 * 60 * 60));

  AuditRecord r;
  r.agency_id = name->report.agency_id;
  r.year = name->report.year;
  r.version = name->version;
  const v1::Agency* agency = policy.FindAgency(r.agency_id);
  r.region_code = agency != nullptr ? agency->region_code() : report.agency().region_code();
  v1::Audit& a = r.audit;
  a.set_name(FormatAuditName(version.name()));
  a.set_version(version.name());
  a.set_content_hash(version.content_hash());
  a.set_document_sha256(report.published_document().sha256());
  a.set_rule_set_version(kRuleSetVersion);
  Validate(report, context, a.mutable_findings());
  if (report.has_published_document()) {
    const bool read = document != nullptr && document->imported.has_value();
    CompareWithDocument(report, read ? &*document->imported : nullptr,
                        document == nullptr ? "审核服务未读取发布文件" : document->why,
                        a.mutable_findings());
  }
  a.set_findings_digest(FindingsDigest(a.findings()));
  *a.mutable_audit_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
  a.set_previous_year_reference(context.previous_reference);
  a.set_submitter(version.submitter());
  for (const v1::Finding& f : a.findings()) {
    switch (f.severity()) {
      case v1::ERROR: a.set_error_count(a.error_count() + 1); break;
      case v1::WARNING: a.set_warning_count(a.warning_count() + 1); break;
      default: a.set_info_count(a.info_count() + 1); break;
    }
  }
  r.cells = PackTableCells(report);
  return r;
}

}  // namespace disclosure::audit
