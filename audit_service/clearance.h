// What the reviews and findings of one version add up to: its review status
// (CLEARED, or exactly what blocks it) and the state an oversight dashboard
// shows for the report. Pure functions of the stored audit and sign-offs, so
// every replica and every reader computes the same answer.
//
// The rules (docs/api.md, AuditService):
//  - An ERROR finding blocks unless a WAIVER sign-off names it (rule id and
//    location). Waivers belong to one version and never carry over.
//  - For each review kind, each reviewer's latest REVIEW sign-off counts (a
//    later one supersedes); the kind is REJECTED when any counted sign-off
//    rejects, APPROVED when at least one approves and none rejects, MISSING
//    otherwise.
//  - A version is CLEARED when it is the latest, no ERROR finding is left
//    unwaived and all three kinds are APPROVED.
#ifndef DISCLOSURE_AUDIT_SERVICE_CLEARANCE_H_
#define DISCLOSURE_AUDIT_SERVICE_CLEARANCE_H_

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "core/report/canonical.h"
#include "disclosure/v1/audit.pb.h"

namespace disclosure::audit {

namespace v1 = ::disclosure::v1;

// The same finding: same rule and same place (field path and text span).
bool SameFinding(const v1::Finding& f, absl::string_view rule_id, const v1::Location& at);

// Whether `rule_id` is one of the confidentiality pre-screen rules (C-*),
// which a confidentiality reviewer acknowledges one by one.
bool IsPrescreenRule(absl::string_view rule_id);

// The review status of the version whose audit is `audit`, given all its
// sign-offs in the order they were made and whether it is the latest version.
v1::ReviewStatus ReviewStatusOf(const v1::Audit& audit, const std::vector<v1::SignOff>& sign_offs,
                                bool latest);

// The dashboard state of a report whose latest version has that status.
v1::ReportState ReportStateOf(const v1::ReviewStatus& status);

// The waivers among `sign_offs`, as shown with the audit.
std::vector<v1::FindingWaiver> WaiversOf(const std::vector<v1::SignOff>& sign_offs);

// Findings of `current` against those of `previous` (NEW / FIXED / OPEN),
// matched by SameFinding, in the order of `current` then the fixed ones.
std::vector<v1::FindingChange> CompareFindings(const std::vector<v1::Finding>& previous,
                                               const std::vector<v1::Finding>& current);

// FindingsDigest (core/report/canonical.h): what a reviewer signs.
using ::disclosure::FindingsDigest;

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_CLEARANCE_H_
