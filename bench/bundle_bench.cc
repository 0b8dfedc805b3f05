// The verification bundle at 10^6 ledger entries (docs/performance.md): what
// GetVerificationBundle does with the ledger (a signed checkpoint, the
// inclusion proofs of a version's four entries, a consistency proof, the
// bundle serialized) and what `reportctl verify` does offline
// (reportctl/bundle_verify.h), each beside its irreducible part measured in
// the same run: one Ed25519 signature, and the five Ed25519 verifications a
// bundle of four entries needs.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "audit_service/ledger_entry.h"
#include "benchmark/benchmark.h"
#include "core/base/file.h"
#include "core/base/sha256.h"
#include "core/ledger/checkpoint.h"
#include "core/ledger/merkle.h"
#include "core/report/canonical.h"
#include "core/report/export.h"
#include "core/rules/rules.h"
#include "reportctl/bundle_verify.h"

namespace disclosure {
namespace {

constexpr uint64_t kEntries = 1000000;
constexpr char kOrigin[] = "bench/audit-ledger";
constexpr char kVersion[] = "agencies/zz-psb/reports/2021/versions/1";

struct World {
  CheckpointSigner key = *CheckpointSigner::Generate();
  MerkleTree tree;
  std::string report;  // canonical bytes
  v1::VerificationBundle bundle;  // proved at kEntries
  std::string document = "the published document";

  World() {
    v1::Report r;
    std::string json = *ReadFileToString(DISCLOSURE_TESTDATA "/zhengzhou-psb-2021.json");
    (void)FromJson(json, &r);
    r.mutable_published_document()->set_sha256(Sha256Hex(document));
    report = CanonicalBytes(r);
    v1::Audit audit;
    audit.set_version(kVersion);
    audit.set_content_hash(Sha256Hex(report));
    for (v1::Finding& f : Validate(r, ValidationContext())) *audit.add_findings() = f;
    audit.set_findings_digest(FindingsDigest(audit.findings()));
    audit.set_document_sha256(Sha256Hex(document));
    // The version's four entries are the last of 10^6.
    for (uint64_t i = 0; i < kEntries - 4; ++i) tree.AppendEntry(absl::StrCat("ledger entry ", i));
    std::vector<std::string> entries = {DeterministicBytes(audit::AuditLedgerEntry(audit))};
    const v1::ReviewKind kinds[] = {v1::LEGALITY, v1::NORMATIVITY, v1::CONFIDENTIALITY};
    for (v1::ReviewKind kind : kinds) {
      v1::SignOff s;
      s.set_version(kVersion);
      s.set_content_hash(audit.content_hash());
      s.set_findings_digest(audit.findings_digest());
      s.set_document_sha256(audit.document_sha256());
      s.set_kind(v1::REVIEW);
      s.set_review_kind(kind);
      s.set_decision(v1::APPROVE);
      s.set_reviewer(absl::StrCat("reviewer-", kind));
      entries.push_back(DeterministicBytes(audit::SignOffLedgerEntry(s)));
    }
    bundle.set_version(kVersion);
    bundle.set_report(report);
    bundle.set_content_hash(audit.content_hash());
    *bundle.mutable_findings() = audit.findings();
    bundle.set_findings_digest(audit.findings_digest());
    for (const std::string& e : entries) {
      const uint64_t index = tree.AppendEntry(e);
      v1::BundleEntry* b = bundle.add_entries();
      b->set_index(static_cast<int64_t>(index));
      b->set_entry(e);
      b->set_entry_signature(*key.SignLedgerEntry(kOrigin, index, LeafHash(e)));
    }
    Assemble(&bundle);
  }

  // The ledger's part of GetVerificationBundle.
  void Assemble(v1::VerificationBundle* b) const {
    Checkpoint cp{kOrigin, tree.size(), tree.root()};
    b->mutable_checkpoint()->set_body(CheckpointBody(cp));
    b->mutable_checkpoint()->set_signature(*key.Sign(b->checkpoint().body()));
    for (v1::BundleEntry& e : *b->mutable_entries()) {
      e.clear_inclusion_proof();
      const absl::StatusOr<std::vector<std::string>> proof = tree.ProveInclusion(e.index(), tree.size());
      for (const std::string& h : *proof) e.add_inclusion_proof(h);
    }
    std::vector<int64_t> indices;
    for (const v1::BundleEntry& e : b->entries()) indices.push_back(e.index());
    b->set_statement_signature(*key.SignBundleStatement(kOrigin, kVersion, tree.size(), indices));
    b->set_consistency_from_size(kEntries / 2);
    b->clear_consistency_proof();
    const absl::StatusOr<std::vector<std::string>> proof = tree.ProveConsistency(kEntries / 2, tree.size());
    for (const std::string& h : *proof) b->add_consistency_proof(h);
  }
};

World& TheWorld() {
  static World* w = new World();
  return *w;
}

void BM_Sign_Reference(benchmark::State& state) {
  const World& w = TheWorld();
  const std::string body = w.bundle.checkpoint().body();
  for (auto _ : state) benchmark::DoNotOptimize(w.key.Sign(body));
}
BENCHMARK(BM_Sign_Reference)->Unit(benchmark::kMicrosecond);

void BM_BundleAssemble(benchmark::State& state) {
  const World& w = TheWorld();
  v1::VerificationBundle b = w.bundle;
  for (auto _ : state) {
    w.Assemble(&b);
    benchmark::DoNotOptimize(b.SerializeAsString());
  }
  state.counters["bundle_bytes"] = static_cast<double>(b.ByteSizeLong());
  state.counters["inclusion_hashes"] = b.entries(0).inclusion_proof_size();
  state.counters["consistency_hashes"] = b.consistency_proof_size();
}
BENCHMARK(BM_BundleAssemble)->Unit(benchmark::kMicrosecond);

// Five verifications: the checkpoint's and four entries' signatures.
void BM_FiveVerifies_Reference(benchmark::State& state) {
  const World& w = TheWorld();
  const std::string pem = w.key.PublicKeyPem();
  const v1::VerificationBundle& b = w.bundle;
  for (auto _ : state) {
    benchmark::DoNotOptimize(VerifyCheckpointSignature(pem, b.checkpoint().body(), b.checkpoint().signature()));
    for (const v1::BundleEntry& e : b.entries()) {
      benchmark::DoNotOptimize(VerifyLedgerEntrySignature(pem, kOrigin, e.index(), LeafHash(e.entry()),
                                                          e.entry_signature()));
    }
  }
}
BENCHMARK(BM_FiveVerifies_Reference)->Unit(benchmark::kMicrosecond);

void BM_VerifyBundle(benchmark::State& state) {
  const World& w = TheWorld();
  BundleVerifyOptions options;
  options.public_key_pem = w.key.PublicKeyPem();
  options.document = w.document;
  v1::SignedCheckpoint kept;
  {
    // A checkpoint kept at half the size, as a client that verified before.
    Checkpoint half{kOrigin, kEntries / 2, *w.tree.root_at(kEntries / 2)};
    kept.set_body(CheckpointBody(half));
    kept.set_signature(*w.key.Sign(kept.body()));
  }
  options.ledger_state = kept;
  bool ok = true;
  for (auto _ : state) ok &= VerifyBundle(w.bundle, options).ok();
  if (!ok) state.SkipWithError("the bundle did not verify");
}
BENCHMARK(BM_VerifyBundle)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace disclosure

BENCHMARK_MAIN();
