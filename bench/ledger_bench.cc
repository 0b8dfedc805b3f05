// The ledger's Merkle tree at 10^6 entries (docs/performance.md): a root,
// an inclusion proof and a consistency proof from the stored subtrees
// (MerkleTree, what GetInclusionProof / GetConsistencyProof serve), against
// the reference that rehashes the leaves (the free functions, what every
// proof cost before), in the same run.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "core/ledger/merkle.h"

namespace disclosure {
namespace {

constexpr uint64_t kEntries = 1000000;

const MerkleTree& Tree() {
  static const MerkleTree* tree = [] {
    auto* t = new MerkleTree;
    for (uint64_t i = 0; i < kEntries; ++i) t->AppendEntry(absl::StrCat("ledger entry ", i));
    return t;
  }();
  return *tree;
}

// Indexes spread over the tree (a verifier asks for every one).
uint64_t NextIndex(uint64_t* x) {
  *x = (*x * 6364136223846793005u + 1442695040888963407u);
  return (*x >> 11) % kEntries;
}

// Node hashes per iteration, as a counter.
class CountHashes {
 public:
  explicit CountHashes(benchmark::State* state) : state_(state), start_(NodeHashesOnThisThread()) {}
  ~CountHashes() {
    state_->counters["node_hashes"] = benchmark::Counter(
        static_cast<double>(NodeHashesOnThisThread() - start_), benchmark::Counter::kAvgIterations);
  }

 private:
  benchmark::State* state_;
  uint64_t start_;
};

void BM_Append(benchmark::State& state) {
  CountHashes count(&state);
  MerkleTree tree;
  uint64_t i = 0;
  for (auto _ : state) tree.AppendEntry(absl::StrCat("ledger entry ", i++));
  state.counters["leaves"] = static_cast<double>(tree.size());
}
BENCHMARK(BM_Append);

void BM_Root_Stored(benchmark::State& state) {
  const MerkleTree& tree = Tree();
  CountHashes count(&state);
  uint64_t size = kEntries;
  for (auto _ : state) {
    benchmark::DoNotOptimize(tree.root_at(size));
    size = size == kEntries ? kEntries - 12345 : kEntries;
  }
}
BENCHMARK(BM_Root_Stored);

void BM_Root_Rehash(benchmark::State& state) {
  const MerkleTree& tree = Tree();
  CountHashes count(&state);
  for (auto _ : state) benchmark::DoNotOptimize(RootFromLeafHashes(tree.leaf_hashes()));
}
BENCHMARK(BM_Root_Rehash)->Unit(benchmark::kMillisecond);

void BM_InclusionProof_Stored(benchmark::State& state) {
  const MerkleTree& tree = Tree();
  CountHashes count(&state);
  uint64_t x = 1;
  for (auto _ : state) benchmark::DoNotOptimize(tree.ProveInclusion(NextIndex(&x), kEntries));
}
BENCHMARK(BM_InclusionProof_Stored);

void BM_InclusionProof_Rehash(benchmark::State& state) {
  const MerkleTree& tree = Tree();
  CountHashes count(&state);
  uint64_t x = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(InclusionProof(tree.leaf_hashes(), NextIndex(&x)));
  }
}
BENCHMARK(BM_InclusionProof_Rehash)->Unit(benchmark::kMillisecond);

void BM_ConsistencyProof_Stored(benchmark::State& state) {
  const MerkleTree& tree = Tree();
  CountHashes count(&state);
  uint64_t x = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(tree.ProveConsistency(NextIndex(&x) + 1, kEntries));
  }
}
BENCHMARK(BM_ConsistencyProof_Stored);

void BM_ConsistencyProof_Rehash(benchmark::State& state) {
  const MerkleTree& tree = Tree();
  CountHashes count(&state);
  uint64_t x = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ConsistencyProof(tree.leaf_hashes(), NextIndex(&x) + 1));
  }
}
BENCHMARK(BM_ConsistencyProof_Rehash)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace disclosure

BENCHMARK_MAIN();
