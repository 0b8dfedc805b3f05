// The audit ledger as the service serves it: the Merkle tree (core/merkle.h)
// over the leaf hashes the store recorded when each entry was appended,
// brought up to date from the store before each answer, and checkpoints
// signed with the service's Ed25519 key (core/checkpoint.h).
//
// Why the tree is built from the recorded leaf hashes and not from the
// entries: an inclusion proof carries the entry as stored, so an entry
// changed by hand in the database no longer hashes to its leaf and the
// client's verification fails at exactly that entry (docs/ledger.md).
#ifndef DISCLOSURE_AUDIT_SERVICE_LEDGER_H_
#define DISCLOSURE_AUDIT_SERVICE_LEDGER_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "audit_service/store/store.h"
#include "core/checkpoint.h"
#include "core/merkle.h"
#include "disclosure/v1/audit.pb.h"

namespace disclosure::audit {

class Ledger {
 public:
  Ledger(Store* store, CheckpointSigner signer, std::string origin);

  // The current size and root, signed.
  absl::StatusOr<v1::SignedCheckpoint> Checkpoint();
  // Entry `index` as stored, with its proof in the tree of `tree_size`
  // entries. InvalidArgument naming the field when out of range.
  absl::StatusOr<v1::InclusionProof> Inclusion(int64_t index, int64_t tree_size);
  absl::StatusOr<v1::ConsistencyProof> Consistency(int64_t old_size, int64_t new_size);

  const std::string& public_key_pem() const { return public_key_pem_; }

 private:
  // Appends the leaves the store has and the tree does not yet.
  absl::Status Sync() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Store* store_;
  const CheckpointSigner signer_;
  const std::string origin_;
  const std::string public_key_pem_;
  absl::Mutex mu_;
  MerkleTree tree_ ABSL_GUARDED_BY(mu_);
  // The last root computed and its size (a root costs O(size) hashes).
  uint64_t root_size_ ABSL_GUARDED_BY(mu_) = 0;
  std::string root_ ABSL_GUARDED_BY(mu_) = EmptyRoot();
};

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_LEDGER_H_
