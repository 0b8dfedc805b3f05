#include "core/ledger_verify.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/merkle.h"
#include "core/rpc_util.h"

namespace disclosure {
namespace {

void SetDeadline(grpc::ClientContext* c, absl::Duration d) {
  c->set_deadline(absl::ToChronoTime(absl::Now() + d));
}

}  // namespace

absl::StatusOr<LedgerCheck> VerifyLedger(v1::AuditService::StubInterface* stub,
                                         const std::string& public_key_pem,
                                         const std::optional<Checkpoint>& trusted,
                                         bool check_entries, absl::Duration deadline) {
  v1::SignedCheckpoint signed_cp;
  {
    grpc::ClientContext c;
    SetDeadline(&c, deadline);
    grpc::Status s = stub->GetCheckpoint(&c, v1::GetCheckpointRequest(), &signed_cp);
    if (!s.ok()) return FromGrpcStatus(s);
  }
  absl::StatusOr<Checkpoint> cp =
      OpenCheckpoint(public_key_pem, signed_cp.body(), signed_cp.signature());
  if (!cp.ok()) {
    return absl::DataLossError(absl::StrCat("the ledger checkpoint does not verify: ",
                                            cp.status().message()));
  }
  LedgerCheck out;
  out.checkpoint = *cp;
  out.signed_checkpoint = signed_cp;
  if (trusted.has_value()) {
    if (trusted->origin != cp->origin) {
      return absl::DataLossError(absl::StrCat("the ledger is '", cp->origin,
                                              "', not the trusted '", trusted->origin, "'"));
    }
    if (trusted->size > cp->size) {
      return absl::DataLossError(absl::StrCat("the ledger shrank from ", trusted->size, " to ",
                                              cp->size, " entries: its history was rewritten"));
    }
    v1::GetConsistencyProofRequest req;
    req.set_old_size(static_cast<int64_t>(trusted->size));
    req.set_new_size(static_cast<int64_t>(cp->size));
    v1::ConsistencyProof proof;
    grpc::ClientContext c;
    SetDeadline(&c, deadline);
    grpc::Status s = stub->GetConsistencyProof(&c, req, &proof);
    if (!s.ok()) return FromGrpcStatus(s);
    std::vector<std::string> hashes(proof.hashes().begin(), proof.hashes().end());
    absl::Status v =
        VerifyConsistency(trusted->size, cp->size, trusted->root, cp->root, hashes);
    if (!v.ok()) {
      return absl::DataLossError(absl::StrCat(
          "the ledger of ", cp->size, " entries is not an extension of the trusted checkpoint of ",
          trusted->size, " entries (its history was rewritten): ", v.message()));
    }
  }
  if (check_entries) {
    for (uint64_t i = 0; i < cp->size; ++i) {
      v1::GetInclusionProofRequest req;
      req.set_index(static_cast<int64_t>(i));
      req.set_tree_size(static_cast<int64_t>(cp->size));
      v1::InclusionProof proof;
      grpc::ClientContext c;
      SetDeadline(&c, deadline);
      grpc::Status s = stub->GetInclusionProof(&c, req, &proof);
      if (!s.ok()) return FromGrpcStatus(s);
      std::vector<std::string> hashes(proof.hashes().begin(), proof.hashes().end());
      absl::Status v = VerifyInclusion(i, cp->size, LeafHash(proof.entry()), hashes, cp->root);
      if (!v.ok()) {
        return absl::DataLossError(absl::StrCat("ledger entry ", i,
                                                " is not the entry the checkpoint covers: ",
                                                v.message()));
      }
      ++out.entries_verified;
    }
  }
  return out;
}

}  // namespace disclosure
