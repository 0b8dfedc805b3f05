// The audit store's algorithms, written once above the backends: recording
// audits, reading a version's reviews, and recording a sign-off with its
// ledger entry, events and the report's new state. A backend gives the SQL
// of single steps (AuditTx) and runs a function in one read or write
// transaction (TxStore::ReadTx / WriteTx); TxStore does the rest, so both
// backends behave alike by construction.
//
// Thread-safety: as Store (any number of callers). A backend serializes its
// write transactions; AuditTx objects are used by one thread, inside one
// transaction.
#ifndef DISCLOSURE_AUDIT_SERVICE_STORE_TX_STORE_H_
#define DISCLOSURE_AUDIT_SERVICE_STORE_TX_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "audit_service/store/store.h"

namespace disclosure::audit {

// The SQL of one step, inside the transaction it was given for. Every
// method returns an error status rather than throwing.
class AuditTx {
 public:
  virtual ~AuditTx() = default;

  // The audit of a version (version 0: the latest audited); NotFound.
  virtual absl::StatusOr<AuditRecord> ReadAudit(const std::string& agency_id, int32_t year,
                                                int64_t version) = 0;
  // A version's sign-offs in the order they were made.
  virtual absl::StatusOr<std::vector<v1::SignOff>> ReadSignOffs(const std::string& agency_id,
                                                                int32_t year,
                                                                int64_t version) = 0;
  // The highest audited version of a report; 0 when none.
  virtual absl::StatusOr<int64_t> LatestAuditedVersion(const std::string& agency_id,
                                                       int32_t year) = 0;

  // Writes, in a write transaction only.
  // For each record, whether its version has an audit stored already.
  virtual absl::StatusOr<std::vector<bool>> AuditsStored(
      const std::vector<AuditRecord>& records) = 0;
  virtual absl::StatusOr<int64_t> LedgerSize() = 0;
  virtual absl::StatusOr<int64_t> LastEventSeq() = 0;
  virtual absl::StatusOr<int64_t> LastSignOffId() = 0;
  // Entries first_index, first_index + 1, … of the ledger.
  virtual absl::Status WriteLedger(int64_t first_index, const std::vector<LedgerLeaf>& leaves) = 0;
  virtual absl::Status WriteAudits(const std::vector<const AuditRecord*>& records) = 0;
  virtual absl::Status WriteEvents(const std::vector<EventRecord>& events) = 0;
  virtual absl::Status WriteSignOff(int64_t id, const std::string& agency_id, int32_t year,
                                    int64_t version, const v1::SignOff& sign_off) = 0;
  // The report's dashboard state (REPORT_STATE_UNSPECIFIED when none).
  virtual absl::StatusOr<v1::ReportState> ReadState(const std::string& agency_id,
                                                    int32_t year) = 0;
  virtual absl::Status WriteState(const ReportStateRecord& state) = 0;
  // Sets the feed position to `feed_seq` unless the stored one is further.
  virtual absl::Status AdvanceFeed(int64_t feed_seq) = 0;
};

// A Store whose writes and reviews are the algorithms above; a backend
// derives from it and implements the transactions, AuditTx and the plain
// reads (ListReportStates, ReadEvents, ReadLedger, …).
class TxStore : public Store {
 public:
  absl::StatusOr<std::vector<int64_t>> RecordAudits(std::vector<AuditRecord> records,
                                                    int64_t feed_seq) final;
  absl::StatusOr<AuditRecord> GetAudit(const std::string& agency_id, int32_t year,
                                       int64_t version) final;
  absl::StatusOr<VersionReviews> GetReviews(const std::string& agency_id, int32_t year,
                                            int64_t version) final;
  absl::StatusOr<v1::SignOff> AddSignOff(const std::string& agency_id, int32_t year,
                                         int64_t version, v1::SignOff sign_off,
                                         const SignOffCheck& check) final;

 protected:
  using TxFn = absl::FunctionRef<absl::Status(AuditTx&)>;
  // Runs fn in one read-only snapshot transaction.
  virtual absl::Status ReadTx(absl::string_view step, TxFn fn) = 0;
  // Runs fn in one write transaction, serialized with every other writer
  // (of every replica on a shared database); commits when fn returns OK,
  // rolls back otherwise.
  virtual absl::Status WriteTx(absl::string_view step, TxFn fn) = 0;
};

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_STORE_TX_STORE_H_
