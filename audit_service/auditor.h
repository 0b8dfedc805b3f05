// Turns a stored version into its audit: the rules library (core/rules/rules.h)
// on the report, with the agency's previous-year version for the cross-year
// rules and the commit date (China Standard Time) for D-DUE. Pure: the
// follower fetches, this decides, the store records.
#ifndef DISCLOSURE_AUDIT_SERVICE_AUDITOR_H_
#define DISCLOSURE_AUDIT_SERVICE_AUDITOR_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audit_service/store/store.h"
#include "core/access/access.h"
#include "disclosure/v1/submission.pb.h"

namespace disclosure::audit {

// `version` in the FULL view; `previous_year` null when the agency has no
// report for year - 1. InvalidArgument when the version's name does not
// parse. The region is the registry's when the agency is listed.
absl::StatusOr<AuditRecord> AuditVersion(const v1::ReportVersion& version,
                                         const v1::ReportVersion* previous_year,
                                         const AccessPolicy& policy, absl::Time now);

// "disclosure-rules 2021.1": what ValidateReport echoes as its engine.
std::string EngineName();

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_AUDITOR_H_
