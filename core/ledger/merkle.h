// The Merkle tree of the audit ledger, exactly as RFC 6962 §2.1 and RFC 9162
// §2.1 define it, so that any independent implementation (transparency-dev,
// certificate-transparency, an oversight office's own script) computes the
// same roots and accepts the same proofs. docs/ledger.md states it for
// clients.
//
// Hashes are raw 32-byte SHA-256 strings everywhere; ToHex() is for people.
//
//   leaf hash  = SHA-256(0x00 || entry)
//   node hash  = SHA-256(0x01 || left || right)
//   MTH({})    = SHA-256("")
//   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two
//                below n (k < n <= 2k)
//
// The functions over spans take leaf hashes (not entries), so that a future
// storage-backed tree can feed them whatever range it reads. They assume every
// element is 32 bytes; MerkleTree checks that on append. Building a root or a
// proof over n leaf hashes costs O(n) hashes; verifying costs O(log n).
//
// The verifiers are what clients run. They never trust a size, index or hash
// they were given: every failure is an error Status saying what did not hold,
// and OK means the proof holds.
#ifndef DISCLOSURE_CORE_LEDGER_MERKLE_H_
#define DISCLOSURE_CORE_LEDGER_MERKLE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/base/sha256.h"
#include "absl/types/span.h"

namespace disclosure {

// Size in bytes of every hash in this file (SHA-256).
inline constexpr size_t kMerkleHashSize = 32;

// SHA-256(0x00 || entry): the hash under which an entry enters the tree. The
// 0x00/0x01 prefixes keep a leaf from ever being passed off as an interior
// node (second-preimage resistance, RFC 6962 §2.1).
std::string LeafHash(absl::string_view entry);

// SHA-256(0x01 || left || right).
std::string NodeHash(absl::string_view left, absl::string_view right);
// How many NodeHash calls this thread has made: what a root or a proof cost
// (tests bound it; benchmarks report it).
uint64_t NodeHashesOnThisThread();

// SHA-256(""), the root of the empty tree.
std::string EmptyRoot();

// MTH over the given leaf hashes; EmptyRoot() for none.
std::string RootFromLeafHashes(absl::Span<const std::string> leaf_hashes);

// PATH(index, D[n]) of RFC 6962 §2.1.1 for the tree of n = leaf_hashes.size()
// leaves, bottom-up: the sibling of the leaf first, the sibling of the root's
// child last. Empty for a tree of one leaf. InvalidArgument if index >= n.
absl::StatusOr<std::vector<std::string>> InclusionProof(
    absl::Span<const std::string> leaf_hashes, uint64_t index);

// PROOF(old_size, D[n]) = SUBPROOF(old_size, D[n], true) of RFC 6962 §2.1.2
// for n = leaf_hashes.size(). Empty when old_size is 0 or n (nothing to
// prove: the empty tree is a prefix of every tree, and a tree of itself).
// InvalidArgument if old_size > n.
absl::StatusOr<std::vector<std::string>> ConsistencyProof(
    absl::Span<const std::string> leaf_hashes, uint64_t old_size);

// RFC 9162 §2.1.3.2: OK iff `proof` shows that `leaf_hash` is leaf number
// `index` of the tree of `tree_size` leaves whose root is `root`.
// InvalidArgument otherwise (index out of range, a hash of the wrong length,
// a proof too long or too short for the index and size, root mismatch).
absl::Status VerifyInclusion(uint64_t index, uint64_t tree_size,
                             absl::string_view leaf_hash,
                             const std::vector<std::string>& proof,
                             absl::string_view root);

// RFC 9162 §2.1.4.2: OK iff `proof` shows that the tree of `old_size` leaves
// with root `old_root` is a prefix of the tree of `new_size` leaves with root
// `new_root`, i.e. the log only appended in between. InvalidArgument
// otherwise. The cases the RFC algorithm leaves out are decided as follows:
//   old_size > new_size           -> error (a log never shrinks);
//   old_size == new_size          -> OK iff the proof is empty and the roots
//                                    are equal;
//   old_size == 0 < new_size      -> OK iff the proof is empty and old_root
//                                    is EmptyRoot().
absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size,
                               absl::string_view old_root,
                               absl::string_view new_root,
                               const std::vector<std::string>& proof);

// An append-only list of leaf hashes with the tree operations over it, at the
// current size or any earlier one. Besides the leaf hashes it keeps the hash
// of every complete subtree (2^k leaves starting at a multiple of 2^k), made
// once as the leaves arrive (one node hash per append, amortized; 32 bytes
// per leaf in all), as transparency logs store them. In an RFC 6962 tree
// every node is such a subtree except those on the right edge of the tree
// asked about, so a root costs at most log2(n) node hashes and a proof at
// most log2(n)^2, whatever the size and the index: bounded per call (issue
// 12: each proof rehashed the whole tree, and `ledger verify --entries` of
// 41,819 entries took 17 minutes). The free functions above stay the
// reference they are checked against.
//
// Not thread-safe for concurrent append; const methods may run concurrently.
class MerkleTree {
 public:
  MerkleTree() = default;

  // Appends one leaf hash; InvalidArgument (and nothing appended) unless it
  // is kMerkleHashSize bytes.
  absl::Status AppendLeafHash(absl::string_view leaf_hash);
  // Appends LeafHash(entry) and returns its index.
  uint64_t AppendEntry(absl::string_view entry);

  // MTH of the `n` leaves from `begin` (begin + n <= size()).
  std::string RangeHash(uint64_t begin, uint64_t n) const;

  uint64_t size() const { return leaf_hashes_.size(); }
  absl::Span<const std::string> leaf_hashes() const { return leaf_hashes_; }

  // Root of the whole tree, and of the tree of its first `tree_size` leaves
  // (InvalidArgument if tree_size > size()).
  std::string root() const;
  absl::StatusOr<std::string> root_at(uint64_t tree_size) const;

  // Inclusion proof of leaf `index` in the tree of the first `tree_size`
  // leaves, and consistency proof from `old_size` to `new_size`; both sizes
  // at most size(). Errors as the free functions above.
  absl::StatusOr<std::vector<std::string>> ProveInclusion(
      uint64_t index, uint64_t tree_size) const;
  absl::StatusOr<std::vector<std::string>> ProveConsistency(
      uint64_t old_size, uint64_t new_size) const;

 private:
  absl::Status CheckSize(uint64_t tree_size) const;
  // Makes the complete subtrees that the leaf just appended completes.
  void CompleteSubtrees();

  std::vector<std::string> leaf_hashes_;
  // subtrees_[j]: the hashes of the complete subtrees of 2^(j+1) leaves, in
  // order, kMerkleHashSize bytes each, back to back.
  std::vector<std::string> subtrees_;
};


}  // namespace disclosure

#endif  // DISCLOSURE_CORE_LEDGER_MERKLE_H_
