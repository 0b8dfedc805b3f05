// The audit ledger as the service serves it, and the check that what the
// service serves is what the ledger proves (docs/ledger.md).
//
// The tree: the Merkle tree (core/ledger/merkle.h) over the leaf hashes the store
// recorded when each entry was appended, brought up to date from the store
// before each answer, and checkpoints signed with the service's Ed25519 key
// (core/ledger/checkpoint.h). The same key signs every entry as the store appends
// it (the Ledger is the store's EntrySigner); the key never reaches the
// database. An entry joins the tree only when its stored bytes hash to its
// recorded leaf hash and its signature verifies: the first one that does not
// stops the tree there, for good (until a restart), and raises the alarm.
//
// The records: audits and sign-offs are read from the store through
// ReadReviews / CheckReviews, which compare them with their ledger entries —
// each record must remake exactly its entry, an audit's findings must hash to
// its digest, a version's records must be exactly the entries the ledger
// holds for that version, in ledger order. A mismatch is DataLoss, logged as
// an error and raised as the alarm; it is never served.
//
// Thread-safe.
#ifndef DISCLOSURE_AUDIT_SERVICE_LEDGER_H_
#define DISCLOSURE_AUDIT_SERVICE_LEDGER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "audit_service/store/store.h"
#include "core/ledger/checkpoint.h"
#include "core/ledger/merkle.h"
#include "disclosure/v1/audit.pb.h"

namespace disclosure::audit {

class Ledger {
 public:
  // Becomes `store`'s entry signer (Store::SetEntrySigner): construct it
  // before anything writes to the store, and keep it while the store writes.
  Ledger(Store* store, CheckpointSigner signer, std::string origin);

  // Called (after the error log) with what failed, each time the ledger or a
  // record fails its check: the service turns it into health NOT_SERVING
  // (kLedgerHealthService).
  void SetAlarm(std::function<void(const absl::Status&)> alarm) {
    absl::MutexLock lock(&alarm_mu_);
    alarm_ = std::move(alarm);
  }

  // The current size and root, signed. DataLoss while an entry is refused.
  absl::StatusOr<v1::SignedCheckpoint> Checkpoint();
  // Entry `index` as stored, with its signature and its proof in the tree of
  // `tree_size` entries. InvalidArgument naming the field when out of range.
  absl::StatusOr<v1::InclusionProof> Inclusion(int64_t index, int64_t tree_size);
  absl::StatusOr<v1::ConsistencyProof> Consistency(int64_t old_size, int64_t new_size);
  // The bundle statement (core/ledger/checkpoint.h) of `version` and its
  // entries `indices` in the tree of `tree_size`, signed with the ledger key.
  absl::StatusOr<std::string> SignBundleStatement(const std::string& version, int64_t tree_size,
                                                  const std::vector<int64_t>& indices) const;

  // store->GetReviews, checked against the ledger (version 0: the latest).
  // NotFound as the store; DataLoss when the records are not what the
  // ledger proves.
  absl::StatusOr<VersionReviews> ReadReviews(const std::string& agency_id, int32_t year,
                                             int64_t version);
  // The same check of reviews read inside the store's write transaction
  // (AddSignOff's check), where no other write can commit meanwhile.
  absl::Status CheckReviews(const VersionReviews& reviews);
  // One audit against its own entry only (not its version's sign-offs).
  absl::Status CheckAudit(const AuditRecord& audit);

 private:
  // Appends the entries the store has and the tree does not yet, checking
  // each; the ledger's size after it.
  absl::StatusOr<uint64_t> Sync() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckAuditLocked(const AuditRecord& audit) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // `limit`: entries from there on may be newer than the read of `reviews`.
  absl::Status CheckReviewsLocked(const VersionReviews& reviews, uint64_t limit)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Logs, raises the alarm, and returns `s`.
  absl::Status Alarm(absl::Status s);

  Store* store_;
  const CheckpointSigner signer_;
  const std::string origin_;
  absl::Mutex alarm_mu_;
  std::function<void(const absl::Status&)> alarm_ ABSL_GUARDED_BY(alarm_mu_);
  absl::Mutex mu_;
  MerkleTree tree_ ABSL_GUARDED_BY(mu_);
  // The ledger indexes of each version's entries (audit, then sign-offs),
  // by version name.
  absl::flat_hash_map<std::string, std::vector<int64_t>> by_version_ ABSL_GUARDED_BY(mu_);
  // Why the tree stopped (an entry refused); OK while it grows.
  absl::Status broken_ ABSL_GUARDED_BY(mu_);
  // The last root computed and its size (a root costs O(size) hashes).
  uint64_t root_size_ ABSL_GUARDED_BY(mu_) = 0;
  std::string root_ ABSL_GUARDED_BY(mu_) = EmptyRoot();
};

// The health service name of the ledger and of the records it proves:
// NOT_SERVING once an entry or a record failed its check.
inline constexpr char kLedgerHealthService[] = "disclosure.v1.AuditService/ledger";

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_LEDGER_H_
