// What a client (reportctl, an oversight office's tooling) does to trust the
// audit ledger: verify the signed checkpoint with the key it was given,
// prove the new checkpoint extends the last one it trusted (so a rewritten
// history is caught), and optionally prove every entry is in the tree (so a
// changed entry is caught, and named). Nothing the server says is trusted
// without a proof; see docs/ledger.md.
#ifndef DISCLOSURE_REPORTCTL_LEDGER_VERIFY_H_
#define DISCLOSURE_REPORTCTL_LEDGER_VERIFY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/ledger/checkpoint.h"
#include "disclosure/v1/audit.grpc.pb.h"

namespace disclosure {

struct LedgerCheck {
  Checkpoint checkpoint;        // verified, and consistent with `trusted`
  v1::SignedCheckpoint signed_checkpoint;  // as received: to keep for next time
  int64_t entries_verified = 0; // entries whose inclusion and signature were proved
  // Of those, entries whose record the service serves was compared with the
  // entry, and entries of versions this principal may not read (another
  // region's), not compared.
  int64_t entries_compared = 0;
  int64_t entries_not_compared = 0;
};

// Fetches and verifies the current checkpoint against `public_key_pem`; when
// `trusted` is given, verifies a consistency proof from it; when
// `check_entries`, verifies an inclusion proof of every entry at the new
// size, checks its signature, and compares the entry with what the service
// serves of it (GetAudit: version hash, findings digest, the findings
// themselves; ListSignOffs: the whole sign-off, decision included), and that
// the service serves no sign-off the ledger does not record. Errors name
// what failed: "ledger entry 17: …", "the ledger is not an extension of the
// trusted checkpoint (size …)", a bad signature (DataLoss), or the service's
// own refusal. Every call has `deadline_per_call`.
absl::StatusOr<LedgerCheck> VerifyLedger(v1::AuditService::StubInterface* stub,
                                         const std::string& public_key_pem,
                                         const std::optional<Checkpoint>& trusted,
                                         bool check_entries,
                                         absl::Duration deadline_per_call = absl::Seconds(10));

}  // namespace disclosure

#endif  // DISCLOSURE_REPORTCTL_LEDGER_VERIFY_H_
