#include "audit_service/ledger_entry.h"

namespace disclosure::audit {

v1::LedgerEntry AuditLedgerEntry(const v1::Audit& audit) {
  v1::LedgerEntry entry;
  v1::LedgerEntry::AuditRecord* e = entry.mutable_audit();
  e->set_version(audit.version());
  e->set_content_hash(audit.content_hash());
  e->set_rule_set_version(audit.rule_set_version());
  e->set_findings_digest(audit.findings_digest());
  e->set_document_sha256(audit.document_sha256());
  *entry.mutable_time() = audit.audit_time();
  return entry;
}

v1::LedgerEntry SignOffLedgerEntry(const v1::SignOff& sign_off) {
  v1::LedgerEntry entry;
  *entry.mutable_sign_off() = sign_off;
  *entry.mutable_time() = sign_off.create_time();
  return entry;
}

}  // namespace disclosure::audit
