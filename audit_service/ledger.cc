#include "audit_service/ledger.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "audit_service/ledger_entry.h"
#include "core/report/canonical.h"
#include "core/access/resource_names.h"
#include "core/rpc/rpc_util.h"
#include "spdlog/spdlog.h"

namespace disclosure::audit {
namespace {

constexpr int64_t kSyncBatch = 10000;

absl::Status CheckSizes(const char* field, int64_t size, uint64_t current) {
  if (size < 0 || static_cast<uint64_t>(size) > current) {
    return FieldError(field, absl::StrCat("must be 0–", current, " (the ledger's size), not ", size));
  }
  return absl::OkStatus();
}

int64_t MaxIndex(const VersionReviews& r) {
  int64_t m = r.audit.audit.ledger_index();
  for (const v1::SignOff& s : r.sign_offs) m = std::max(m, s.ledger_index());
  return m;
}

}  // namespace

Ledger::Ledger(Store* store, CheckpointSigner signer, std::string origin)
    : store_(store),
      signer_(std::move(signer)),
      origin_(std::move(origin)) {
  store_->SetEntrySigner([this](int64_t index, absl::string_view leaf_hash) {
    return signer_.SignLedgerEntry(origin_, static_cast<uint64_t>(index), leaf_hash);
  });
}

absl::Status Ledger::Alarm(absl::Status s) {
  spdlog::error("audit_service: LEDGER CHECK FAILED: {}", std::string(s.message()));
  absl::MutexLock lock(&alarm_mu_);
  if (alarm_) alarm_(s);
  return s;
}

absl::StatusOr<uint64_t> Ledger::Sync() {
  if (!broken_.ok()) return broken_;
  for (;;) {
    absl::StatusOr<std::vector<LedgerLeaf>> leaves =
        store_->ReadLedger(static_cast<int64_t>(tree_.size()), kSyncBatch);
    if (!leaves.ok()) return leaves.status();
    for (const LedgerLeaf& l : *leaves) {
      const uint64_t i = tree_.size();
      absl::Status refused;
      v1::LedgerEntry entry;
      if (LeafHash(l.entry) != l.leaf_hash) {
        refused = absl::DataLossError(absl::StrCat(
            "ledger entry ", i, " does not hash to its recorded leaf hash: changed in the database"));
      } else if (absl::Status sig = signer_.VerifyLedgerEntry(origin_, i, l.leaf_hash, l.signature);
                 !sig.ok()) {
        refused = absl::DataLossError(absl::StrCat(
            "ledger entry ", i, " is refused: ", l.signature.empty() ? "it is not signed" : sig.message(),
            " (the service did not append it: written into the database)"));
      } else if (!entry.ParseFromString(l.entry) ||
                 (!entry.has_audit() && !entry.has_sign_off())) {
        refused = absl::DataLossError(absl::StrCat("ledger entry ", i, " does not parse"));
      } else if (absl::Status s = tree_.AppendLeafHash(l.leaf_hash); !s.ok()) {
        refused = absl::DataLossError(
            absl::StrCat("ledger entry ", i, ": recorded leaf hash: ", s.message()));
      }
      if (!refused.ok()) {
        broken_ = refused;
        return Alarm(refused);
      }
      const std::string& version =
          entry.has_audit() ? entry.audit().version() : entry.sign_off().version();
      by_version_[version].push_back(static_cast<int64_t>(i));
    }
    if (static_cast<int64_t>(leaves->size()) < kSyncBatch) return tree_.size();
  }
}

absl::StatusOr<std::string> Ledger::SignBundleStatement(const std::string& version,
                                                        int64_t tree_size,
                                                        const std::vector<int64_t>& indices) const {
  return signer_.SignBundleStatement(origin_, version, static_cast<uint64_t>(tree_size), indices);
}

absl::StatusOr<v1::SignedCheckpoint> Ledger::Checkpoint() {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Sync().status(); !s.ok()) return s;
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
  std::string leaf_hash;
  {
    absl::MutexLock lock(&mu_);
    if (absl::Status s = Sync().status(); !s.ok()) return s;
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
    leaf_hash = tree_.leaf_hashes()[index];
  }
  absl::StatusOr<std::vector<LedgerLeaf>> leaf = store_->ReadLedger(index, 1);
  if (!leaf.ok()) return leaf.status();
  if (leaf->empty()) return absl::DataLossError(absl::StrCat("ledger entry ", index, " is missing"));
  // Served as stored, so that the client's own proof names the entry; but
  // not silently.
  if (LeafHash((*leaf)[0].entry) != leaf_hash) {
    (void)Alarm(absl::DataLossError(absl::StrCat(
        "ledger entry ", index, " as stored now is not the entry the tree holds: changed in the "
        "database")));
  }
  v1::InclusionProof out;
  out.set_index(index);
  out.set_tree_size(tree_size);
  out.set_entry((*leaf)[0].entry);
  out.set_entry_signature((*leaf)[0].signature);
  for (std::string& h : hashes) out.add_hashes(std::move(h));
  return out;
}

absl::StatusOr<v1::ConsistencyProof> Ledger::Consistency(int64_t old_size, int64_t new_size) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Sync().status(); !s.ok()) return s;
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

absl::Status Ledger::CheckAuditLocked(const AuditRecord& r) {
  const v1::Audit& a = r.audit;
  const std::string name = FormatVersionName({r.agency_id, r.year}, r.version);
  auto fail = [&](absl::string_view what) {
    return Alarm(absl::DataLossError(absl::StrCat("the stored audit of ", name, " ", what)));
  };
  if (a.version() != name) return fail(absl::StrCat("names another version (", a.version(), ")"));
  const int64_t i = a.ledger_index();
  if (i < 0 || static_cast<uint64_t>(i) >= tree_.size()) {
    return fail(absl::StrCat("claims ledger entry ", i, ", beyond the ledger"));
  }
  if (LeafHash(DeterministicBytes(AuditLedgerEntry(a))) != tree_.leaf_hashes()[i]) {
    return fail(absl::StrCat("is not what ledger entry ", i, " records (changed in the database)"));
  }
  if (FindingsDigest(a.findings()) != a.findings_digest()) {
    return fail("has findings that are not those of its digest (findings changed in the database)");
  }
  int32_t counts[4] = {0, 0, 0, 0};
  for (const v1::Finding& f : a.findings()) {
    if (f.severity() >= 1 && f.severity() <= 3) ++counts[f.severity()];
  }
  if (counts[v1::ERROR] != a.error_count() || counts[v1::WARNING] != a.warning_count() ||
      counts[v1::INFO] != a.info_count()) {
    return fail("has counts that are not those of its findings (changed in the database)");
  }
  return absl::OkStatus();
}

absl::Status Ledger::CheckReviewsLocked(const VersionReviews& r, uint64_t limit) {
  if (absl::Status s = CheckAuditLocked(r.audit); !s.ok()) return s;
  const std::string& name = r.audit.audit.version();
  auto fail = [&](absl::string_view what) {
    return Alarm(absl::DataLossError(absl::StrCat("the stored sign-offs of ", name, " ", what)));
  };
  std::vector<int64_t> got = {r.audit.audit.ledger_index()};
  for (const v1::SignOff& s : r.sign_offs) {
    const int64_t i = s.ledger_index();
    if (i <= got.back()) {
      return fail(absl::StrCat("are not in ledger order (", s.name(), " at entry ", i, ")"));
    }
    if (static_cast<uint64_t>(i) >= tree_.size()) {
      return fail(absl::StrCat("include ", s.name(), ", which claims ledger entry ", i,
                               ", beyond the ledger"));
    }
    v1::SignOff as_entry = s;
    as_entry.clear_ledger_index();
    if (s.version() != name ||
        LeafHash(DeterministicBytes(SignOffLedgerEntry(as_entry))) != tree_.leaf_hashes()[i]) {
      return fail(absl::StrCat("include ", s.name(), ", which is not what ledger entry ", i,
                               " records (changed in the database)"));
    }
    got.push_back(i);
  }
  auto it = by_version_.find(name);
  std::vector<int64_t> want;
  if (it != by_version_.end()) {
    for (int64_t i : it->second) {
      if (static_cast<uint64_t>(i) < limit) want.push_back(i);
    }
  }
  if (got != want) {
    for (int64_t i : want) {
      if (!std::binary_search(got.begin(), got.end(), i)) {
        return fail(absl::StrCat("lack the record of ledger entry ", i,
                                 " (removed from the database)"));
      }
    }
    return fail("do not match the ledger's entries of this version");
  }
  return absl::OkStatus();
}

absl::Status Ledger::CheckAudit(const AuditRecord& audit) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Sync().status(); !s.ok()) return s;
  return CheckAuditLocked(audit);
}

absl::Status Ledger::CheckReviews(const VersionReviews& reviews) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<uint64_t> size = Sync();
  if (!size.ok()) return size.status();
  return CheckReviewsLocked(reviews, *size);
}

absl::StatusOr<VersionReviews> Ledger::ReadReviews(const std::string& agency_id, int32_t year,
                                                   int64_t version) {
  uint64_t size;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<uint64_t> n = Sync();
    if (!n.ok()) return n.status();
    size = *n;
  }
  // Read after the sync: the record of every entry below `size` is visible.
  absl::StatusOr<VersionReviews> r = store_->GetReviews(agency_id, year, version);
  absl::MutexLock lock(&mu_);
  if (absl::IsNotFound(r.status()) && version != 0) {
    auto it = by_version_.find(FormatVersionName({agency_id, year}, version));
    if (it != by_version_.end()) {
      return Alarm(absl::DataLossError(absl::StrCat(
          "the ledger records ", it->first, " (entry ", it->second.front(),
          ") but the store has no audit of it (removed from the database)")));
    }
  }
  if (!r.ok()) return r.status();
  // Records of entries appended since (by another replica): entries are
  // appended in commit order, so every entry up to the newest record read
  // was committed before the read, and its record must be there too.
  const int64_t newest = MaxIndex(*r);
  if (newest >= static_cast<int64_t>(tree_.size())) {
    if (absl::Status s = Sync().status(); !s.ok()) return s;
  }
  const uint64_t limit =
      std::min<uint64_t>(tree_.size(), std::max<uint64_t>(size, static_cast<uint64_t>(newest) + 1));
  if (absl::Status s = CheckReviewsLocked(*r, limit); !s.ok()) return s;
  return r;
}

}  // namespace disclosure::audit
