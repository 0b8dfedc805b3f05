#include "core/ledger/merkle.h"

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "core/base/sha256.h"

namespace disclosure {

namespace {

const char kLeafPrefix[1] = {'\x00'};
const char kNodePrefix[1] = {'\x01'};

// The largest power of two strictly below n, for n >= 2 (RFC 6962 §2.1:
// k < n <= 2k). Written as k < n - k so that it cannot overflow for n near
// 2^64.
uint64_t SplitPoint(uint64_t n) {
  uint64_t k = 1;
  while (k < n - k) k <<= 1;
  return k;
}

using Leaves = absl::Span<const std::string>;

std::string Mth(Leaves d) {
  if (d.empty()) return EmptyRoot();
  if (d.size() == 1) return d[0];
  const uint64_t k = SplitPoint(d.size());
  return NodeHash(Mth(d.subspan(0, k)), Mth(d.subspan(k)));
}

// The MTH of the `n` leaves from `begin`, however it is had: rehashed from
// the leaf hashes (the free functions) or from stored subtrees (MerkleTree).
using RangeHashFn = absl::FunctionRef<std::string(uint64_t begin, uint64_t n)>;

// PATH(m, D[begin:begin+n]) of RFC 6962 §2.1.1, m < n. The recursion appends
// the deepest sibling first, which is the order the verifier consumes.
void Path(uint64_t m, uint64_t begin, uint64_t n, RangeHashFn mth, std::vector<std::string>* out) {
  if (n <= 1) return;
  const uint64_t k = SplitPoint(n);
  if (m < k) {
    Path(m, begin, k, mth, out);
    out->push_back(mth(begin + k, n - k));
  } else {
    Path(m - k, begin + k, n - k, mth, out);
    out->push_back(mth(begin, k));
  }
}

// SUBPROOF(m, D[begin:begin+n], b) of RFC 6962 §2.1.2, 0 < m <= n. `b` says
// whether D[0:m] is a complete subtree of the tree the proof was asked for,
// in which case the verifier already knows its hash (it is the old root).
void Subproof(uint64_t m, uint64_t begin, uint64_t n, bool b, RangeHashFn mth,
              std::vector<std::string>* out) {
  if (m == n) {
    if (!b) out->push_back(mth(begin, n));
    return;
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    Subproof(m, begin, k, b, mth, out);
    out->push_back(mth(begin + k, n - k));
  } else {
    Subproof(m - k, begin + k, n - k, false, mth, out);
    out->push_back(mth(begin, k));
  }
}

absl::Status CheckHashLength(absl::string_view what, absl::string_view hash) {
  if (hash.size() == kMerkleHashSize) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(what, " is ", hash.size(),
                                                 " bytes, not ",
                                                 kMerkleHashSize));
}

absl::Status CheckProofLengths(absl::string_view kind,
                               const std::vector<std::string>& proof) {
  for (size_t i = 0; i < proof.size(); ++i) {
    absl::Status s =
        CheckHashLength(absl::StrCat(kind, " proof element ", i), proof[i]);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// Right-shift fn and sn together until LSB(fn) is set or fn is 0
// (RFC 9162 §2.1.3.2 step 4.b.ii, §2.1.4.2 step 6.b.iii).
void ShiftWhileEven(uint64_t* fn, uint64_t* sn) {
  while (*fn != 0 && (*fn & 1) == 0) {
    *fn >>= 1;
    *sn >>= 1;
  }
}

}  // namespace

std::string LeafHash(absl::string_view entry) {
  return Sha256({absl::string_view(kLeafPrefix, 1), entry});
}

namespace {
thread_local uint64_t node_hashes = 0;
}  // namespace

std::string NodeHash(absl::string_view left, absl::string_view right) {
  ++node_hashes;
  return Sha256({absl::string_view(kNodePrefix, 1), left, right});
}

uint64_t NodeHashesOnThisThread() { return node_hashes; }

std::string EmptyRoot() { return Sha256({}); }

std::string RootFromLeafHashes(absl::Span<const std::string> leaf_hashes) {
  return Mth(leaf_hashes);
}

absl::StatusOr<std::vector<std::string>> InclusionProof(
    absl::Span<const std::string> leaf_hashes, uint64_t index) {
  if (index >= leaf_hashes.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("inclusion proof: leaf index ", index,
                     " is not below the tree size ", leaf_hashes.size()));
  }
  std::vector<std::string> proof;
  Path(index, 0, leaf_hashes.size(), [&](uint64_t b, uint64_t n) {
    return Mth(leaf_hashes.subspan(b, n));
  }, &proof);
  return proof;
}

absl::StatusOr<std::vector<std::string>> ConsistencyProof(
    absl::Span<const std::string> leaf_hashes, uint64_t old_size) {
  if (old_size > leaf_hashes.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("consistency proof: old size ", old_size,
                     " is above the tree size ", leaf_hashes.size()));
  }
  std::vector<std::string> proof;
  if (old_size == 0 || old_size == leaf_hashes.size()) return proof;
  Subproof(old_size, 0, leaf_hashes.size(), true, [&](uint64_t b, uint64_t n) {
    return Mth(leaf_hashes.subspan(b, n));
  }, &proof);
  return proof;
}

absl::Status VerifyInclusion(uint64_t index, uint64_t tree_size,
                             absl::string_view leaf_hash,
                             const std::vector<std::string>& proof,
                             absl::string_view root) {
  absl::Status s = CheckHashLength("leaf hash", leaf_hash);
  if (s.ok()) s = CheckHashLength("root", root);
  if (s.ok()) s = CheckProofLengths("inclusion", proof);
  if (!s.ok()) return s;

  // Step 1.
  if (index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("inclusion proof: leaf index ", index,
                     " is not below the tree size ", tree_size));
  }
  // Steps 2 and 3. fn walks the leaf's position up the tree, sn the last
  // position at that level; they meet at the root.
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  std::string r(leaf_hash);
  // Step 4.
  for (const std::string& p : proof) {
    if (sn == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "inclusion proof has ", proof.size(), " hashes, too many for leaf ",
          index, " of a tree of size ", tree_size));
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      if ((fn & 1) == 0) ShiftWhileEven(&fn, &sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 5.
  if (sn != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "inclusion proof has ", proof.size(), " hashes, too few for leaf ",
        index, " of a tree of size ", tree_size));
  }
  if (r != root) {
    return absl::InvalidArgumentError(absl::StrCat(
        "inclusion proof does not lead to the root: computed ", ToHex(r),
        ", expected ", ToHex(root)));
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size,
                               absl::string_view old_root,
                               absl::string_view new_root,
                               const std::vector<std::string>& proof) {
  absl::Status s = CheckHashLength("old root", old_root);
  if (s.ok()) s = CheckHashLength("new root", new_root);
  if (s.ok()) s = CheckProofLengths("consistency", proof);
  if (!s.ok()) return s;

  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("consistency proof: old size ", old_size,
                     " is above the new size ", new_size,
                     "; a log never shrinks"));
  }
  // The cases RFC 9162 §2.1.4.2 does not cover (its proofs are for
  // 0 < old_size < new_size): nothing to prove, so the proof must be empty,
  // and what is known must agree.
  if (old_size == new_size || old_size == 0) {
    if (!proof.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "consistency proof from size ", old_size, " to ", new_size,
          " must be empty, and has ", proof.size(), " hashes"));
    }
    if (old_size == new_size && old_root != new_root) {
      return absl::InvalidArgumentError(absl::StrCat(
          "two different roots for the tree size ", old_size, ": ",
          ToHex(old_root), " and ", ToHex(new_root)));
    }
    if (old_size == 0 && old_root != EmptyRoot()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the root of the empty tree is ", ToHex(EmptyRoot()),
                       ", not ", ToHex(old_root)));
    }
    return absl::OkStatus();
  }

  // Step 1.
  if (proof.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "consistency proof from size ", old_size, " to ", new_size,
        " is empty"));
  }
  // Step 2. When old_size is a power of two the old tree is a complete
  // subtree of the new one, and its hash (the old root) starts the path.
  std::vector<std::string> path;
  path.reserve(proof.size() + 1);
  if ((old_size & (old_size - 1)) == 0) path.emplace_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  // Step 3.
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  // Step 4.
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  // Step 5. fr rebuilds the old root, sr the new one, from the same path.
  std::string fr = path[0];
  std::string sr = path[0];
  // Step 6.
  for (size_t i = 1; i < path.size(); ++i) {
    const std::string& c = path[i];
    if (sn == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "consistency proof has ", proof.size(), " hashes, too many from size ",
          old_size, " to ", new_size));
    }
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if ((fn & 1) == 0) ShiftWhileEven(&fn, &sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 7.
  if (sn != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "consistency proof has ", proof.size(), " hashes, too few from size ",
        old_size, " to ", new_size));
  }
  if (fr != old_root) {
    return absl::InvalidArgumentError(absl::StrCat(
        "consistency proof does not lead to the old root: computed ",
        ToHex(fr), ", expected ", ToHex(old_root)));
  }
  if (sr != new_root) {
    return absl::InvalidArgumentError(absl::StrCat(
        "consistency proof does not lead to the new root: computed ",
        ToHex(sr), ", expected ", ToHex(new_root)));
  }
  return absl::OkStatus();
}

absl::Status MerkleTree::AppendLeafHash(absl::string_view leaf_hash) {
  absl::Status s = CheckHashLength("leaf hash", leaf_hash);
  if (!s.ok()) return s;
  leaf_hashes_.emplace_back(leaf_hash);
  CompleteSubtrees();
  return absl::OkStatus();
}

uint64_t MerkleTree::AppendEntry(absl::string_view entry) {
  leaf_hashes_.push_back(LeafHash(entry));
  CompleteSubtrees();
  return leaf_hashes_.size() - 1;
}

void MerkleTree::CompleteSubtrees() {
  const uint64_t n = leaf_hashes_.size();
  // Leaf n - 1 completes the subtree of 2^(j+1) leaves ending with it for
  // every j with 2^(j+1) dividing n: its two halves are the subtrees of
  // 2^j leaves just before (the last two at level j - 1, or two leaves).
  for (size_t j = 0; n % (uint64_t{2} << j) == 0; ++j) {
    if (subtrees_.size() == j) subtrees_.emplace_back();
    std::string node;
    if (j == 0) {
      node = NodeHash(leaf_hashes_[n - 2], leaf_hashes_[n - 1]);
    } else {
      const std::string& below = subtrees_[j - 1];
      const absl::string_view last(below.data() + below.size() - 2 * kMerkleHashSize,
                                   2 * kMerkleHashSize);
      node = NodeHash(last.substr(0, kMerkleHashSize), last.substr(kMerkleHashSize));
    }
    subtrees_[j] += node;
  }
}

std::string MerkleTree::RangeHash(uint64_t begin, uint64_t n) const {
  if (n == 0) return EmptyRoot();
  if (n == 1) return leaf_hashes_[begin];
  // A complete subtree: stored.
  if ((n & (n - 1)) == 0 && begin % n == 0) {
    const size_t j = static_cast<size_t>(__builtin_ctzll(n)) - 1;
    const uint64_t i = begin / n;
    return subtrees_[j].substr(i * kMerkleHashSize, kMerkleHashSize);
  }
  const uint64_t k = SplitPoint(n);
  return NodeHash(RangeHash(begin, k), RangeHash(begin + k, n - k));
}

std::string MerkleTree::root() const { return RangeHash(0, size()); }

absl::Status MerkleTree::CheckSize(uint64_t tree_size) const {
  if (tree_size <= size()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "tree size ", tree_size, " is above the ", size(), " leaves appended"));
}

absl::StatusOr<std::string> MerkleTree::root_at(uint64_t tree_size) const {
  absl::Status s = CheckSize(tree_size);
  if (!s.ok()) return s;
  return RangeHash(0, tree_size);
}

absl::StatusOr<std::vector<std::string>> MerkleTree::ProveInclusion(
    uint64_t index, uint64_t tree_size) const {
  absl::Status s = CheckSize(tree_size);
  if (!s.ok()) return s;
  if (index >= tree_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "inclusion proof: leaf index ", index, " is not below the tree size ", tree_size));
  }
  std::vector<std::string> proof;
  Path(index, 0, tree_size, [this](uint64_t b, uint64_t n) { return RangeHash(b, n); }, &proof);
  return proof;
}

absl::StatusOr<std::vector<std::string>> MerkleTree::ProveConsistency(
    uint64_t old_size, uint64_t new_size) const {
  absl::Status s = CheckSize(new_size);
  if (!s.ok()) return s;
  if (old_size > new_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "consistency proof: old size ", old_size, " is above the tree size ", new_size));
  }
  std::vector<std::string> proof;
  if (old_size == 0 || old_size == new_size) return proof;
  Subproof(old_size, 0, new_size, true,
           [this](uint64_t b, uint64_t n) { return RangeHash(b, n); }, &proof);
  return proof;
}


}  // namespace disclosure
