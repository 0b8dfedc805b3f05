#include "core/ledger/merkle.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace disclosure {
namespace {

// ---------------------------------------------------------------------------
// Reference vectors, from transparency-dev/merkle (the Go library behind
// Trillian and the Go checksum database):
//   testonly/constants.go  LeafInputs(), RootHashes(), EmptyRootHash()
//   proof/verify_test.go   inclusionProofs, consistencyProofs
// They are the vectors of google/certificate-transparency's C++ merkle tree
// tests, so a tree that matches them matches every RFC 6962 implementation.
// ---------------------------------------------------------------------------

std::string Unhex(const std::string& hex) {
  absl::StatusOr<std::string> bytes = FromHex(hex);
  EXPECT_TRUE(bytes.ok()) << hex;
  return bytes.ok() ? *bytes : std::string();
}

std::vector<std::string> ReferenceEntries() {
  return {Unhex(""),
          Unhex("00"),
          Unhex("10"),
          Unhex("2021"),
          Unhex("3031"),
          Unhex("40414243"),
          Unhex("5051525354555657"),
          Unhex("606162636465666768696a6b6c6d6e6f")};
}

// RootHashes()[1..8]: the root after each of the eight entries.
const char* const kReferenceRoots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};
// EmptyRootHash().
const char kEmptyRoot[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::vector<std::string> ReferenceLeafHashes() {
  std::vector<std::string> out;
  for (const std::string& e : ReferenceEntries()) out.push_back(LeafHash(e));
  return out;
}

struct ProofVector {
  uint64_t a;  // leaf index (0-based here; verify_test.go lists it 1-based)
               // or old size
  uint64_t b;  // tree size or new size
  std::vector<const char*> proof;
};

// verify_test.go inclusionProofs {leaf, size, proof}, leaf made 0-based.
const std::vector<ProofVector>& ReferenceInclusionProofs() {
  static const auto* v = new std::vector<ProofVector>{
      {0, 1, {}},
      {0, 8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5, 8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3,
       {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1, 5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  return *v;
}

// verify_test.go consistencyProofs {size1, size2, proof}.
const std::vector<ProofVector>& ReferenceConsistencyProofs() {
  static const auto* v = new std::vector<ProofVector>{
      {1, 1, {}},
      {1, 8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6, 8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
      {6, 7,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
  return *v;
}

std::vector<std::string> ToHexAll(const std::vector<std::string>& hashes) {
  std::vector<std::string> out;
  for (const std::string& h : hashes) out.push_back(ToHex(h));
  return out;
}

std::vector<std::string> Strings(const std::vector<const char*>& v) {
  return std::vector<std::string>(v.begin(), v.end());
}

// ---------------------------------------------------------------------------
// An independent reference, written from RFC 6962 without looking at
// core/ledger/merkle.cc: the bottom-up construction (pair nodes level by level,
// carry an odd last node up unchanged), which builds the same tree as the
// RFC's recursive largest-power-of-two split.
// ---------------------------------------------------------------------------

std::string BottomUpRoot(std::vector<std::string> level) {
  if (level.empty()) return Unhex(kEmptyRoot);
  while (level.size() > 1) {
    std::vector<std::string> next;
    for (size_t i = 0; i + 1 < level.size(); i += 2) {
      next.push_back(NodeHash(level[i], level[i + 1]));
    }
    if (level.size() % 2 == 1) next.push_back(level.back());
    level = std::move(next);
  }
  return level[0];
}

// The shape of PATH(m, D[n]): for each proof element, bottom-up, whether the
// sibling is on the left ('L') or the right ('R') of the path.
std::string PathShape(uint64_t m, uint64_t n) {
  if (n <= 1) return "";
  uint64_t k = 1;
  while (2 * k < n) k *= 2;
  if (m < k) return PathShape(m, k) + "R";
  return PathShape(m - k, n - k) + "L";
}

// The shape of SUBPROOF(m, D[n], b): the same letters, and 'X' where the
// proof carries the hash of the old tree's last complete subtree (absent when
// the old tree is itself complete, b).
std::string SubproofShape(uint64_t m, uint64_t n, bool b) {
  if (m == n) return b ? "" : "X";
  uint64_t k = 1;
  while (2 * k < n) k *= 2;
  if (m <= k) return SubproofShape(m, k, b) + "R";
  return SubproofShape(m - k, n - k, false) + "L";
}

// Distinct leaf hashes for the exhaustive tests.
std::vector<std::string> ManyLeafHashes(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(LeafHash(std::string("ledger entry ") + std::to_string(i)));
  }
  return out;
}

std::string FlipBit(std::string s, size_t bit) {
  s[bit / 8 % s.size()] ^= static_cast<char>(1 << (bit % 8));
  return s;
}

constexpr int kMaxSize = 64;

// ---------------------------------------------------------------------------
// Hashing and roots.
// ---------------------------------------------------------------------------

TEST(Merkle, HashesAreRfc6962s) {
  EXPECT_EQ(ToHex(EmptyRoot()), kEmptyRoot);
  // MTH({""}) = SHA-256(0x00), the first reference root.
  EXPECT_EQ(ToHex(LeafHash("")), kReferenceRoots[0]);
  // MTH of two leaves is the node hash of their leaf hashes.
  EXPECT_EQ(ToHex(NodeHash(LeafHash(""), LeafHash(std::string(1, '\0')))),
            kReferenceRoots[1]);
  EXPECT_EQ(LeafHash("x").size(), kMerkleHashSize);
  // The prefixes separate leaves from nodes: the same 64 bytes hash
  // differently as a leaf entry and as two children.
  const std::string a(32, 'a'), b(32, 'b');
  EXPECT_NE(LeafHash(a + b), NodeHash(a, b));
}

TEST(Merkle, RootsMatchTheReferenceVectors) {
  const std::vector<std::string> leaves = ReferenceLeafHashes();
  EXPECT_EQ(ToHex(RootFromLeafHashes({})), kEmptyRoot);
  for (size_t n = 1; n <= leaves.size(); ++n) {
    EXPECT_EQ(ToHex(RootFromLeafHashes(absl::MakeConstSpan(leaves).first(n))),
              kReferenceRoots[n - 1])
        << "size " << n;
  }
}

TEST(Merkle, RootsMatchTheBottomUpReference) {
  // Sizes well past the reference vectors, so that every split shape
  // (powers of two, one past, one short) is covered.
  const std::vector<std::string> leaves = ManyLeafHashes(300);
  for (size_t n = 0; n <= leaves.size(); ++n) {
    std::vector<std::string> prefix(leaves.begin(), leaves.begin() + n);
    ASSERT_EQ(ToHex(RootFromLeafHashes(prefix)), ToHex(BottomUpRoot(prefix)))
        << "size " << n;
  }
}

// ---------------------------------------------------------------------------
// Proofs against the reference vectors.
// ---------------------------------------------------------------------------

TEST(Merkle, InclusionProofsMatchTheReferenceVectors) {
  const std::vector<std::string> leaves = ReferenceLeafHashes();
  for (const ProofVector& v : ReferenceInclusionProofs()) {
    SCOPED_TRACE(testing::Message() << "leaf " << v.a << " of " << v.b);
    auto span = absl::MakeConstSpan(leaves).first(v.b);
    absl::StatusOr<std::vector<std::string>> proof = InclusionProof(span, v.a);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_EQ(ToHexAll(*proof), Strings(v.proof));

    std::vector<std::string> raw;
    for (const char* h : v.proof) raw.push_back(Unhex(h));
    EXPECT_TRUE(VerifyInclusion(v.a, v.b, leaves[v.a], raw,
                                Unhex(kReferenceRoots[v.b - 1]))
                    .ok());
  }
}

TEST(Merkle, ConsistencyProofsMatchTheReferenceVectors) {
  const std::vector<std::string> leaves = ReferenceLeafHashes();
  for (const ProofVector& v : ReferenceConsistencyProofs()) {
    SCOPED_TRACE(testing::Message() << "from " << v.a << " to " << v.b);
    auto span = absl::MakeConstSpan(leaves).first(v.b);
    absl::StatusOr<std::vector<std::string>> proof = ConsistencyProof(span, v.a);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_EQ(ToHexAll(*proof), Strings(v.proof));

    std::vector<std::string> raw;
    for (const char* h : v.proof) raw.push_back(Unhex(h));
    absl::Status s =
        VerifyConsistency(v.a, v.b, Unhex(kReferenceRoots[v.a - 1]),
                          Unhex(kReferenceRoots[v.b - 1]), raw);
    EXPECT_TRUE(s.ok()) << s;
  }
}

// ---------------------------------------------------------------------------
// Exhaustive inclusion: every size 1..64, every index.
// ---------------------------------------------------------------------------

TEST(Merkle, EveryInclusionProofVerifiesAndNoTamperedOneDoes) {
  const std::vector<std::string> all = ManyLeafHashes(kMaxSize);
  int same_shape_sizes = 0;
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    auto leaves = absl::MakeConstSpan(all).first(n);
    const std::string root = RootFromLeafHashes(leaves);
    for (uint64_t i = 0; i < n; ++i) {
      SCOPED_TRACE(testing::Message() << "leaf " << i << " of " << n);
      absl::StatusOr<std::vector<std::string>> got = InclusionProof(leaves, i);
      ASSERT_TRUE(got.ok()) << got.status();
      const std::vector<std::string>& proof = *got;
      ASSERT_EQ(proof.size(), PathShape(i, n).size());

      absl::Status s = VerifyInclusion(i, n, leaves[i], proof, root);
      ASSERT_TRUE(s.ok()) << s;

      // A flipped bit anywhere in any element.
      for (size_t j = 0; j < proof.size(); ++j) {
        for (size_t bit : {size_t{0}, size_t{9 * j + 3}, size_t{255}}) {
          std::vector<std::string> bad = proof;
          bad[j] = FlipBit(bad[j], bit);
          EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], bad, root).ok())
              << "element " << j << " bit " << bit;
        }
      }
      // Every other index, and the first one out of range.
      for (uint64_t other = 0; other <= n; ++other) {
        if (other == i) continue;
        EXPECT_FALSE(VerifyInclusion(other, n, leaves[i], proof, root).ok())
            << "index " << other;
      }
      // Every other leaf, and a bit flipped in this one.
      for (uint64_t other = 0; other < n; ++other) {
        if (other == i) continue;
        EXPECT_FALSE(VerifyInclusion(i, n, leaves[other], proof, root).ok())
            << "leaf " << other;
      }
      EXPECT_FALSE(
          VerifyInclusion(i, n, FlipBit(leaves[i], 100), proof, root).ok());
      // A wrong root: of a neighbouring size, or one bit off.
      if (n > 1) {
        EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], proof,
                                     RootFromLeafHashes(leaves.first(n - 1)))
                         .ok());
      }
      EXPECT_FALSE(
          VerifyInclusion(i, n, leaves[i], proof, FlipBit(root, 7)).ok());
      // One element too many or too few.
      std::vector<std::string> longer = proof;
      longer.push_back(root);
      EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], longer, root).ok());
      if (!proof.empty()) {
        std::vector<std::string> shorter(proof.begin(), proof.end() - 1);
        EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], shorter, root).ok());
      }
      // A wrong tree size. The proof and root alone do not pin the size:
      // the RFC 9162 algorithm reads only the path's shape from it, so a size
      // in which the leaf's path has the same shape verifies too (leaf 0 of
      // 3 and of 4: [leaf 1, leaf 2] either way). That is why a client takes
      // the size from a signed checkpoint, never from the proof's sender.
      // Every size whose shape differs must fail.
      for (uint64_t size = i + 1; size <= 2 * kMaxSize; ++size) {
        if (size == n) continue;
        const bool same_shape = PathShape(i, size) == PathShape(i, n);
        same_shape_sizes += same_shape;
        EXPECT_EQ(VerifyInclusion(i, size, leaves[i], proof, root).ok(),
                  same_shape)
            << "size " << size;
      }
      EXPECT_FALSE(VerifyInclusion(i, 2 * n, leaves[i], proof, root).ok());
      EXPECT_FALSE(VerifyInclusion(i, 0, leaves[i], proof, root).ok());
    }
  }
  // The caveat above is real, not hypothetical: make sure the test saw it.
  EXPECT_GT(same_shape_sizes, 0);
}

// ---------------------------------------------------------------------------
// Exhaustive consistency: every 0 <= old <= new <= 64.
// ---------------------------------------------------------------------------

TEST(Merkle, EveryConsistencyProofVerifiesAndNoTamperedOneDoes) {
  const std::vector<std::string> all = ManyLeafHashes(kMaxSize);
  std::vector<std::string> roots;
  for (uint64_t n = 0; n <= kMaxSize; ++n) {
    roots.push_back(RootFromLeafHashes(absl::MakeConstSpan(all).first(n)));
  }
  int same_shape_sizes = 0;
  for (uint64_t n = 0; n <= kMaxSize; ++n) {
    auto leaves = absl::MakeConstSpan(all).first(n);
    for (uint64_t m = 0; m <= n; ++m) {
      SCOPED_TRACE(testing::Message() << "from " << m << " to " << n);
      absl::StatusOr<std::vector<std::string>> got = ConsistencyProof(leaves, m);
      ASSERT_TRUE(got.ok()) << got.status();
      const std::vector<std::string>& proof = *got;
      EXPECT_EQ(proof.empty(), m == 0 || m == n);

      absl::Status s = VerifyConsistency(m, n, roots[m], roots[n], proof);
      ASSERT_TRUE(s.ok()) << s;

      // A flipped bit anywhere in any element.
      for (size_t j = 0; j < proof.size(); ++j) {
        for (size_t bit : {size_t{0}, size_t{9 * j + 3}, size_t{255}}) {
          std::vector<std::string> bad = proof;
          bad[j] = FlipBit(bad[j], bit);
          EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], bad).ok())
              << "element " << j << " bit " << bit;
        }
      }
      // A wrong old root: one bit off, or the root of any other size.
      EXPECT_FALSE(
          VerifyConsistency(m, n, FlipBit(roots[m], 42), roots[n], proof).ok());
      for (uint64_t other = 0; other <= kMaxSize; ++other) {
        if (other == m) continue;
        EXPECT_FALSE(
            VerifyConsistency(m, n, roots[other], roots[n], proof).ok())
            << "old root of size " << other;
      }
      // A wrong new root. (From the empty tree every new root is
      // consistent: there is no history yet to rewrite.)
      if (m > 0) {
        EXPECT_FALSE(
            VerifyConsistency(m, n, roots[m], FlipBit(roots[n], 200), proof)
                .ok());
      }
      if (m > 0 && m != n) {
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[m], proof).ok());
        // A history rewritten after the old checkpoint: same old prefix, a
        // different entry at position m.
        std::vector<std::string> forked(all.begin(), all.begin() + n);
        forked[m] = LeafHash("rewritten");
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m],
                                       RootFromLeafHashes(forked), proof)
                         .ok());
        // And a history rewritten before it: the proof for the forked tree
        // does not reconcile it with the old root.
        std::vector<std::string> early(all.begin(), all.begin() + n);
        early[m - 1] = LeafHash("rewritten");
        absl::StatusOr<std::vector<std::string>> fork_proof =
            ConsistencyProof(early, m);
        ASSERT_TRUE(fork_proof.ok());
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m],
                                       RootFromLeafHashes(early), *fork_proof)
                         .ok());
      }
      // One element too many or too few, or the order changed.
      std::vector<std::string> longer = proof;
      longer.push_back(roots[n]);
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], longer).ok());
      if (!proof.empty()) {
        std::vector<std::string> shorter(proof.begin(), proof.end() - 1);
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], shorter).ok());
        std::vector<std::string> front = proof;
        front.insert(front.begin(), proof[0]);
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], front).ok());
      }
      if (proof.size() > 1) {
        std::vector<std::string> swapped = proof;
        std::swap(swapped.front(), swapped.back());
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], swapped).ok());
      }
      // A log that shrank.
      if (m != n) {
        EXPECT_FALSE(VerifyConsistency(n, m, roots[n], roots[m], proof).ok());
      }
      // Wrong sizes. As with inclusion, the algorithm reads only the shape
      // of the proof from the sizes, so sizes that give the same shape verify
      // the same proof and roots; every other pair must fail.
      if (m == 0 || m == n) continue;
      const std::string shape = SubproofShape(m, n, true);
      for (uint64_t other = m + 1; other <= 2 * kMaxSize; ++other) {
        if (other == n) continue;
        const bool same_shape = SubproofShape(m, other, true) == shape;
        same_shape_sizes += same_shape;
        EXPECT_EQ(VerifyConsistency(m, other, roots[m], roots[n], proof).ok(),
                  same_shape)
            << "new size " << other;
      }
      for (uint64_t other = 1; other < n; ++other) {
        if (other == m) continue;
        const bool same_shape = SubproofShape(other, n, true) == shape;
        same_shape_sizes += same_shape;
        EXPECT_EQ(VerifyConsistency(other, n, roots[m], roots[n], proof).ok(),
                  same_shape)
            << "old size " << other;
      }
    }
  }
  EXPECT_GT(same_shape_sizes, 0);
}

// ---------------------------------------------------------------------------
// Edges and errors.
// ---------------------------------------------------------------------------

TEST(Merkle, ProofsRefuseOutOfRangeArguments) {
  const std::vector<std::string> leaves = ManyLeafHashes(5);
  EXPECT_FALSE(InclusionProof(leaves, 5).ok());
  EXPECT_FALSE(InclusionProof({}, 0).ok());
  EXPECT_FALSE(ConsistencyProof(leaves, 6).ok());
  ASSERT_TRUE(ConsistencyProof(leaves, 5).ok());
  EXPECT_TRUE(ConsistencyProof(leaves, 5)->empty());
  ASSERT_TRUE(ConsistencyProof({}, 0).ok());
  EXPECT_TRUE(ConsistencyProof({}, 0)->empty());
}

TEST(Merkle, VerifiersRefuseHashesOfTheWrongLength) {
  const std::vector<std::string> leaves = ManyLeafHashes(4);
  const std::string root = RootFromLeafHashes(leaves);
  std::vector<std::string> proof = *InclusionProof(leaves, 1);
  ASSERT_TRUE(VerifyInclusion(1, 4, leaves[1], proof, root).ok());
  EXPECT_FALSE(VerifyInclusion(1, 4, leaves[1].substr(1), proof, root).ok());
  EXPECT_FALSE(VerifyInclusion(1, 4, leaves[1], proof, root + "x").ok());
  proof[0] += "x";
  absl::Status s = VerifyInclusion(1, 4, leaves[1], proof, root);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("33 bytes"), absl::string_view::npos) << s;

  const std::string old_root = RootFromLeafHashes({leaves[0], leaves[1], leaves[2]});
  std::vector<std::string> cproof = *ConsistencyProof(leaves, 3);
  ASSERT_TRUE(VerifyConsistency(3, 4, old_root, root, cproof).ok());
  EXPECT_FALSE(VerifyConsistency(3, 4, "", root, cproof).ok());
  EXPECT_FALSE(VerifyConsistency(3, 4, old_root, ToHex(root), cproof).ok());
  cproof.back().pop_back();
  EXPECT_FALSE(VerifyConsistency(3, 4, old_root, root, cproof).ok());
}

TEST(Merkle, TrivialConsistencyCases) {
  const std::string a = LeafHash("a"), b = LeafHash("b");
  // Equal sizes: equal roots and an empty proof, nothing else.
  EXPECT_TRUE(VerifyConsistency(5, 5, a, a, {}).ok());
  EXPECT_FALSE(VerifyConsistency(5, 5, a, b, {}).ok());
  EXPECT_FALSE(VerifyConsistency(5, 5, a, a, {a}).ok());
  EXPECT_TRUE(VerifyConsistency(0, 0, EmptyRoot(), EmptyRoot(), {}).ok());
  // From the empty tree: anything, but the old root must be the empty root.
  EXPECT_TRUE(VerifyConsistency(0, 9, EmptyRoot(), b, {}).ok());
  EXPECT_FALSE(VerifyConsistency(0, 9, a, b, {}).ok());
  EXPECT_FALSE(VerifyConsistency(0, 9, EmptyRoot(), b, {a}).ok());
  // Shrinking, and a proper extension with no proof (old size a power of
  // two or not: the RFC algorithm would index an empty path for the latter).
  EXPECT_FALSE(VerifyConsistency(2, 1, a, b, {}).ok());
  EXPECT_FALSE(VerifyConsistency(1, 2, a, b, {}).ok());
  absl::Status s = VerifyConsistency(3, 4, a, b, {});
  EXPECT_NE(s.message().find("is empty"), absl::string_view::npos) << s;
}

TEST(Merkle, VerifiersSurviveHugeSizes) {
  // Sizes near 2^64 must neither overflow nor loop; a proof of 64 hashes is
  // the longest any tree can need.
  const std::string leaf = LeafHash("x");
  std::vector<std::string> proof(64, LeafHash("y"));
  EXPECT_FALSE(
      VerifyInclusion(UINT64_MAX - 1, UINT64_MAX, leaf, proof, leaf).ok());
  EXPECT_FALSE(VerifyInclusion(0, UINT64_MAX, leaf, proof, leaf).ok());
  EXPECT_FALSE(VerifyConsistency(UINT64_MAX - 1, UINT64_MAX, leaf, leaf, proof).ok());
  EXPECT_FALSE(VerifyConsistency(1ull << 63, UINT64_MAX, leaf, leaf, proof).ok());
}

TEST(Merkle, ErrorsSayWhatFailed) {
  const std::vector<std::string> leaves = ManyLeafHashes(6);
  const std::string root = RootFromLeafHashes(leaves);
  std::vector<std::string> proof = *InclusionProof(leaves, 2);
  EXPECT_NE(VerifyInclusion(6, 6, leaves[2], proof, root).message().find("not below"),
            absl::string_view::npos);
  std::vector<std::string> longer = proof;
  longer.push_back(root);
  EXPECT_NE(VerifyInclusion(2, 6, leaves[2], longer, root).message().find("too many"),
            absl::string_view::npos);
  std::vector<std::string> shorter(proof.begin(), proof.end() - 1);
  EXPECT_NE(VerifyInclusion(2, 6, leaves[2], shorter, root).message().find("too few"),
            absl::string_view::npos);
  EXPECT_NE(VerifyInclusion(2, 6, leaves[3], proof, root).message().find(ToHex(root)),
            absl::string_view::npos);
  const std::string old_root = RootFromLeafHashes({leaves[0], leaves[1], leaves[2]});
  std::vector<std::string> cproof = *ConsistencyProof(leaves, 3);
  EXPECT_NE(VerifyConsistency(3, 6, root, root, cproof).message().find("old root"),
            absl::string_view::npos);
  EXPECT_NE(VerifyConsistency(3, 6, old_root, old_root, cproof).message().find("new root"),
            absl::string_view::npos);
  EXPECT_NE(VerifyConsistency(6, 3, root, old_root, cproof).message().find("shrinks"),
            absl::string_view::npos);
}

// ---------------------------------------------------------------------------
// MerkleTree.
// ---------------------------------------------------------------------------

TEST(MerkleTree, GrowsThroughTheReferenceRoots) {
  MerkleTree tree;
  EXPECT_EQ(tree.size(), 0u);
  EXPECT_EQ(ToHex(tree.root()), kEmptyRoot);
  const std::vector<std::string> entries = ReferenceEntries();
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(tree.AppendEntry(entries[i]), i);
    EXPECT_EQ(tree.size(), i + 1);
    EXPECT_EQ(ToHex(tree.root()), kReferenceRoots[i]);
  }
  for (uint64_t n = 0; n <= tree.size(); ++n) {
    absl::StatusOr<std::string> r = tree.root_at(n);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(ToHex(*r), n == 0 ? kEmptyRoot : kReferenceRoots[n - 1]);
  }
  EXPECT_FALSE(tree.root_at(9).ok());
}

TEST(MerkleTree, ProofsAtEarlierSizesVerifyAgainstEarlierRoots) {
  MerkleTree tree;
  for (const std::string& h : ManyLeafHashes(40)) {
    ASSERT_TRUE(tree.AppendLeafHash(h).ok());
  }
  for (uint64_t n = 1; n <= tree.size(); ++n) {
    const std::string root = *tree.root_at(n);
    for (uint64_t i = 0; i < n; ++i) {
      absl::StatusOr<std::vector<std::string>> p = tree.ProveInclusion(i, n);
      ASSERT_TRUE(p.ok()) << p.status();
      EXPECT_TRUE(VerifyInclusion(i, n, tree.leaf_hashes()[i], *p, root).ok());
    }
    for (uint64_t m = 0; m <= n; ++m) {
      absl::StatusOr<std::vector<std::string>> p = tree.ProveConsistency(m, n);
      ASSERT_TRUE(p.ok()) << p.status();
      EXPECT_TRUE(VerifyConsistency(m, n, *tree.root_at(m), root, *p).ok())
          << m << " -> " << n;
    }
  }
  EXPECT_FALSE(tree.ProveInclusion(0, 41).ok());
  EXPECT_FALSE(tree.ProveInclusion(40, 40).ok());
  EXPECT_FALSE(tree.ProveConsistency(10, 41).ok());
  EXPECT_FALSE(tree.ProveConsistency(11, 10).ok());
}

// The stored subtrees give exactly the reference's roots and proofs (the
// free functions, which rehash from the leaves), at every size.
TEST(MerkleTree, StoredSubtreesGiveTheReferenceRootsAndProofs) {
  MerkleTree tree;
  const std::vector<std::string> leaves = ManyLeafHashes(70);
  for (const std::string& h : leaves) ASSERT_TRUE(tree.AppendLeafHash(h).ok());
  const absl::Span<const std::string> all(leaves);
  for (uint64_t n = 0; n <= tree.size(); ++n) {
    EXPECT_EQ(*tree.root_at(n), RootFromLeafHashes(all.first(n))) << n;
    for (uint64_t i = 0; i < n; ++i) {
      EXPECT_EQ(*tree.ProveInclusion(i, n), *InclusionProof(all.first(n), i)) << i << " of " << n;
    }
    for (uint64_t m = 0; m <= n; ++m) {
      EXPECT_EQ(*tree.ProveConsistency(m, n), *ConsistencyProof(all.first(n), m))
          << m << " -> " << n;
    }
  }
}

// Issue 12: each proof rehashed every leaf, so `ledger verify --entries`
// was quadratic (41,819 entries: 17 minutes). From the stored subtrees a
// root costs at most log2(n) node hashes and a proof at most log2(n)^2,
// whatever the size and index: counted here in a tree of 2^20 + 5 leaves
// (rehashing, a proof took ~10^6).
TEST(MerkleTree, RootsAndProofsCostLogarithmicallyManyHashes) {
  MerkleTree tree;
  constexpr uint64_t kSize = (uint64_t{1} << 20) + 5;
  for (uint64_t i = 0; i < kSize; ++i) tree.AppendEntry(absl::StrCat("entry ", i));
  constexpr uint64_t kLog = 21;  // ceil(log2(kSize))
  uint64_t index = 12345, most_root = 0, most_proof = 0;
  for (int k = 0; k < 300; ++k) {
    index = (index * 2654435761u + 17) % kSize;
    const uint64_t size = kSize - static_cast<uint64_t>(k) * 3001;
    uint64_t before = NodeHashesOnThisThread();
    const std::string root = *tree.root_at(size);
    most_root = std::max(most_root, NodeHashesOnThisThread() - before);
    if (index >= size) continue;
    before = NodeHashesOnThisThread();
    absl::StatusOr<std::vector<std::string>> p = tree.ProveInclusion(index, size);
    most_proof = std::max(most_proof, NodeHashesOnThisThread() - before);
    ASSERT_TRUE(p.ok()) << p.status();
    ASSERT_TRUE(VerifyInclusion(index, size, tree.leaf_hashes()[index], *p, root).ok());
    before = NodeHashesOnThisThread();
    absl::StatusOr<std::vector<std::string>> c = tree.ProveConsistency(index + 1, size);
    most_proof = std::max(most_proof, NodeHashesOnThisThread() - before);
    ASSERT_TRUE(c.ok());
    const std::string old_root = *tree.root_at(index + 1);
    ASSERT_TRUE(VerifyConsistency(index + 1, size, old_root, root, *c).ok());
  }
  EXPECT_LE(most_root, kLog);
  EXPECT_LE(most_proof, kLog * kLog);
  // Appending costs one node hash per leaf, amortized.
  const uint64_t before = NodeHashesOnThisThread();
  for (int i = 0; i < 1024; ++i) tree.AppendEntry("more");
  EXPECT_LE(NodeHashesOnThisThread() - before, 1024u + kLog);
}

TEST(MerkleTree, RefusesLeafHashesOfTheWrongLength) {
  MerkleTree tree;
  EXPECT_FALSE(tree.AppendLeafHash("short").ok());
  EXPECT_FALSE(tree.AppendLeafHash(std::string(33, 'x')).ok());
  EXPECT_EQ(tree.size(), 0u);
  EXPECT_TRUE(tree.AppendLeafHash(std::string(32, 'x')).ok());
  EXPECT_EQ(tree.size(), 1u);
  EXPECT_EQ(tree.root(), std::string(32, 'x'));
}

// ---------------------------------------------------------------------------
// Hex.
// ---------------------------------------------------------------------------

TEST(Hex, RoundTripsAndRefusesJunk) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  const std::string hex = ToHex(all);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(hex.size() - 4), "feff");
  ASSERT_TRUE(FromHex(hex).ok());
  EXPECT_EQ(*FromHex(hex), all);
  EXPECT_EQ(*FromHex("ABcd"), "\xab\xcd");
  EXPECT_EQ(*FromHex(""), "");
  EXPECT_FALSE(FromHex("abc").ok());
  EXPECT_FALSE(FromHex("0g").ok());
  EXPECT_FALSE(FromHex("g0").ok());
  EXPECT_FALSE(FromHex(" 00").ok());
}

}  // namespace
}  // namespace disclosure
