#include "audit_service/ledger.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/rpc_util.h"

namespace disclosure::audit {
namespace {

constexpr int64_t kSyncBatch = 10000;

absl::Status CheckSizes(const char* field, int64_t size, uint64_t current) {
  if (size < 0 || static_cast<uint64_t>(size) > current) {
    return FieldError(field, absl::StrCat("must be 0–", current, " (the ledger's size), not ", size));
  }
  return absl::OkStatus();
}

}  // namespace

Ledger::Ledger(Store* store, CheckpointSigner signer, std::string origin)
    : store_(store),
      signer_(std::move(signer)),
      origin_(std::move(origin)),
      public_key_pem_(signer_.PublicKeyPem()) {}

absl::Status Ledger::Sync() {
  for (;;) {
    absl::StatusOr<std::vector<LedgerLeaf>> leaves =
        store_->ReadLedger(static_cast<int64_t>(tree_.size()), kSyncBatch);
    if (!leaves.ok()) return leaves.status();
    for (const LedgerLeaf& l : *leaves) {
      if (absl::Status s = tree_.AppendLeafHash(l.leaf_hash); !s.ok()) {
        return absl::DataLossError(
            absl::StrCat("ledger entry ", tree_.size(), ": recorded leaf hash: ", s.message()));
      }
    }
    if (static_cast<int64_t>(leaves->size()) < kSyncBatch) return absl::OkStatus();
  }
}

absl::StatusOr<v1::SignedCheckpoint> Ledger::Checkpoint() {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Sync(); !s.ok()) return s;
  if (root_size_ != tree_.size()) {
    root_ = tree_.root();
    root_size_ = tree_.size();
  }
  disclosure::Checkpoint cp{origin_, root_size_, root_};
  v1::SignedCheckpoint out;
  out.set_body(CheckpointBody(cp));
  absl::StatusOr<std::string> sig = signer_.Sign(out.body());
  if (!sig.ok()) return sig.status();
  out.set_signature(*std::move(sig));
  return out;
}

absl::StatusOr<v1::InclusionProof> Ledger::Inclusion(int64_t index, int64_t tree_size) {
  std::vector<std::string> hashes;
  {
    absl::MutexLock lock(&mu_);
    if (absl::Status s = Sync(); !s.ok()) return s;
    if (absl::Status s = CheckSizes("tree_size", tree_size, tree_.size()); !s.ok()) return s;
    if (tree_size == 0) {
      return FieldError("tree_size", "is 0: the empty tree has no entry to prove");
    }
    if (index < 0 || index >= tree_size) {
      return FieldError("index", absl::StrCat("must be 0–", tree_size - 1, ", not ", index));
    }
    absl::StatusOr<std::vector<std::string>> proof = tree_.ProveInclusion(index, tree_size);
    if (!proof.ok()) return proof.status();
    hashes = *std::move(proof);
  }
  absl::StatusOr<std::vector<LedgerLeaf>> leaf = store_->ReadLedger(index, 1);
  if (!leaf.ok()) return leaf.status();
  if (leaf->empty()) return absl::DataLossError(absl::StrCat("ledger entry ", index, " is missing"));
  v1::InclusionProof out;
  out.set_index(index);
  out.set_tree_size(tree_size);
  out.set_entry((*leaf)[0].entry);
  for (std::string& h : hashes) out.add_hashes(std::move(h));
  return out;
}

absl::StatusOr<v1::ConsistencyProof> Ledger::Consistency(int64_t old_size, int64_t new_size) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Sync(); !s.ok()) return s;
  if (absl::Status s = CheckSizes("new_size", new_size, tree_.size()); !s.ok()) return s;
  if (old_size < 0 || old_size > new_size) {
    return FieldError("old_size", absl::StrCat("must be 0–", new_size, ", not ", old_size));
  }
  absl::StatusOr<std::vector<std::string>> proof = tree_.ProveConsistency(old_size, new_size);
  if (!proof.ok()) return proof.status();
  v1::ConsistencyProof out;
  out.set_old_size(old_size);
  out.set_new_size(new_size);
  for (std::string& h : *proof) out.add_hashes(std::move(h));
  return out;
}

}  // namespace disclosure::audit
