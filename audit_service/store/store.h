// The audit service's store: audits, sign-offs, the ledger, the region
// events, each report's dashboard state, and the service's position in
// submit_service's change feed. One interface; the algorithms written once
// above the backends (tx_store.h); one folder per backend (sqlite/,
// postgres/), SQL only; one conformance suite run on both
// (tests/audit_store_conformance.h). No gRPC types here.
//
// Every write is one transaction that also appends to the ledger and to the
// events, so that what is stored, what is in the ledger and what dashboards
// were told never disagree, whatever crashes.
#ifndef DISCLOSURE_AUDIT_SERVICE_STORE_STORE_H_
#define DISCLOSURE_AUDIT_SERVICE_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "disclosure/v1/audit.pb.h"

namespace disclosure::audit {

namespace v1 = ::disclosure::v1;

// One stored audit of one version.
struct AuditRecord {
  std::string agency_id;
  int32_t year = 0;
  int64_t version = 0;
  std::string region_code;  // from the registry when audited
  // name, version, content_hash, rule_set_version, findings, findings_digest,
  // audit_time, previous_year_reference, ledger_index, submitter, counts.
  // Never `changes` or `waivers`: those are computed when read.
  v1::Audit audit;
  // Tables 三 and 四 of the version, packed for region sums
  // (audit_service/region_sums.h).
  std::string cells;
};

// A report's state as dashboards show it: that of its latest audited version.
struct ReportStateRecord {
  std::string agency_id;
  int32_t year = 0;
  std::string region_code;
  int64_t latest_version = 0;
  v1::ReportState state = v1::REPORT_STATE_UNSPECIFIED;
  int32_t error_count = 0, warning_count = 0, info_count = 0;
  std::vector<std::string> rule_ids;  // of the latest version's findings, one per finding
  std::string cells;                  // tables 三 and 四 of the latest version, packed
};

// An event for oversight, in commit order.
struct EventRecord {
  int64_t seq = 0;  // 1, 2, …
  std::string region_code;
  v1::AuditEvent event;  // position is filled by the service from seq
};

// The audit of a version together with its sign-offs, read in the
// transaction of a sign-off.
struct VersionReviews {
  AuditRecord audit;
  std::vector<v1::SignOff> sign_offs;  // in the order they were made
  bool latest = false;                 // no later version audited
};

// Decides a new sign-off inside the write transaction, from what is stored:
// returns the error that refuses it, or OK.
using SignOffCheck = std::function<absl::Status(const VersionReviews&)>;

struct LedgerLeaf {
  std::string entry;      // LedgerEntry bytes as stored
  std::string leaf_hash;  // LeafHash(entry), as computed when appended
  std::string signature;  // EntrySigner's signature when appended (empty: none)
};

// Signs entry `index` whose leaf hash is `leaf_hash` (audit_service/ledger.h
// gives one, holding the ledger key, which never reaches the store).
using EntrySigner =
    std::function<absl::StatusOr<std::string>(int64_t index, absl::string_view leaf_hash)>;

class Store {
 public:
  virtual ~Store() = default;

  // Who signs each ledger entry as it is appended; set once, before any
  // write. Without it every write that appends to the ledger fails
  // (FailedPrecondition) and writes nothing: no entry is stored unsigned.
  // Virtual so that a wrapper (TimedStore) passes it on to the backend.
  virtual void SetEntrySigner(EntrySigner signer) { entry_signer_ = std::move(signer); }

  // The last submit feed position recorded with an audit: N of "feed/N",
  // 0 at first.
  virtual absl::StatusOr<int64_t> FeedPosition() = 0;

  // In one transaction, for each record in order: stores the audit (its
  // audit.ledger_index assigned), appends its ledger entry and a
  // VERSION_AUDITED event, updates the report's state; then records
  // `feed_seq` (N of the last record's feed position "feed/N") unless the
  // stored position is further along: two audit replicas may commit their
  // batches out of feed order, and the position never moves back. A version
  // audited already is skipped (index -1), so a replay after a crash between
  // the commit and its acknowledgement writes nothing twice. Returns the
  // ledger indexes.
  // Taken by value: the store sets each audit's ledger_index in place
  // rather than copying every audit and its findings.
  virtual absl::StatusOr<std::vector<int64_t>> RecordAudits(
      std::vector<AuditRecord> records, int64_t feed_seq) = 0;

  // The audit of a version (version 0: the latest audited). NotFound.
  virtual absl::StatusOr<AuditRecord> GetAudit(const std::string& agency_id, int32_t year,
                                               int64_t version) = 0;
  // The audit with its sign-offs. NotFound.
  virtual absl::StatusOr<VersionReviews> GetReviews(const std::string& agency_id, int32_t year,
                                                    int64_t version) = 0;

  // In one transaction: reads the version's reviews (NotFound when it is not
  // audited), runs `check`, and when it passes stores the sign-off (name,
  // create_time, ledger_index assigned), appends its ledger entry and a
  // SIGNED_OFF event (and CLEARED when the report became cleared), and
  // updates the report's state (audit_service/clearance.h decides it).
  virtual absl::StatusOr<v1::SignOff> AddSignOff(const std::string& agency_id, int32_t year,
                                                 int64_t version, v1::SignOff sign_off,
                                                 const SignOffCheck& check) = 0;

  // Reports' states for `year` whose region starts with `region_prefix`, in
  // no particular order (callers look them up by agency; sorting 10,000 rows
  // was two thirds of the query's time).
  virtual absl::StatusOr<std::vector<ReportStateRecord>> ListReportStates(
      int32_t year, const std::string& region_prefix) = 0;

  // Events after `after_seq` whose region starts with `region_prefix`, at
  // most `limit`; and the last event's seq (0 when none).
  virtual absl::StatusOr<std::vector<EventRecord>> ReadEvents(int64_t after_seq,
                                                              const std::string& region_prefix,
                                                              int limit) = 0;
  virtual absl::StatusOr<int64_t> LastEventSeq() = 0;

  // Ledger entries [from, from + limit), in order.
  virtual absl::StatusOr<std::vector<LedgerLeaf>> ReadLedger(int64_t from, int64_t limit) = 0;
  virtual absl::StatusOr<int64_t> LedgerSize() = 0;

 protected:
  // For the backends: the signature of the entry they append at `index`.
  absl::StatusOr<std::string> SignEntry(int64_t index, absl::string_view leaf_hash) const {
    if (!entry_signer_) {
      return absl::FailedPreconditionError(
          "the store has no ledger entry signer: it may not append to the ledger");
    }
    return entry_signer_(index, leaf_hash);
  }

 private:
  EntrySigner entry_signer_;
};

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_STORE_STORE_H_
