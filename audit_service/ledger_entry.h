// What the ledger records of an audit and of a sign-off (docs/ledger.md):
// one definition for every store backend, so that the same event hashes to
// the same leaf whichever database holds it.
#ifndef DISCLOSURE_AUDIT_SERVICE_LEDGER_ENTRY_H_
#define DISCLOSURE_AUDIT_SERVICE_LEDGER_ENTRY_H_

#include "disclosure/v1/audit.pb.h"

namespace disclosure::audit {

namespace v1 = ::disclosure::v1;

// The version, its content hash, the rule-set version and the findings
// digest, at the audit's time.
v1::LedgerEntry AuditLedgerEntry(const v1::Audit& audit);
// The whole sign-off, at its creation time.
v1::LedgerEntry SignOffLedgerEntry(const v1::SignOff& sign_off);

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_LEDGER_ENTRY_H_
