// Turns a stored version into its audit: the rules library (core/rules/rules.h)
// on the report, with the agency's previous-year version for the cross-year
// rules, the commit date (China Standard Time) for D-DUE, and the published
// document as read for DOC-MATCH. Pure: the follower fetches and reads, this
// decides, the store records.
#ifndef DISCLOSURE_AUDIT_SERVICE_AUDITOR_H_
#define DISCLOSURE_AUDIT_SERVICE_AUDITOR_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audit_service/store/store.h"
#include "core/access/access.h"
#include "disclosure/v1/submission.pb.h"

namespace disclosure::audit {

// The version's published document as the importer read it, for
// DOC-MATCH: `imported` when it could be read, else `why` not.
struct DocumentReading {
  std::optional<v1::Report> imported;
  std::string why;
};

// `version` in the FULL view; `previous_year` null when the agency has no
// report for year - 1; `document` null when the version has no published
// document. InvalidArgument when the version's name does not parse. The
// region is the registry's when the agency is listed.
absl::StatusOr<AuditRecord> AuditVersion(const v1::ReportVersion& version,
                                         const v1::ReportVersion* previous_year,
                                         const AccessPolicy& policy, absl::Time now,
                                         const DocumentReading* document = nullptr);

// "disclosure-rules 2021.1": what ValidateReport echoes as its engine.
std::string EngineName();

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_AUDITOR_H_
