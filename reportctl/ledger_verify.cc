#include "reportctl/ledger_verify.h"

#include <map>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/report/canonical.h"
#include "core/ledger/merkle.h"
#include "core/rpc/rpc_util.h"

namespace disclosure {
namespace {

void SetDeadline(grpc::ClientContext* c, absl::Duration d) {
  c->set_deadline(absl::ToChronoTime(absl::Now() + d));
}

// What the service serves of one version: its audit and all its sign-offs.
struct Served {
  bool readable = true;  // false: not this principal's to read
  v1::Audit audit;
  std::vector<v1::SignOff> sign_offs;
  std::set<int64_t> matched;  // sign-offs' ledger indexes seen in the ledger
};

absl::StatusOr<Served> FetchServed(v1::AuditService::StubInterface* stub,
                                   const std::string& version, absl::Duration deadline) {
  Served out;
  v1::GetAuditRequest req;
  req.set_name(version + "/audit");
  grpc::ClientContext c;
  SetDeadline(&c, deadline);
  grpc::Status s = stub->GetAudit(&c, req, &out.audit);
  if (s.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    out.readable = false;
    return out;
  }
  if (!s.ok()) return FromGrpcStatus(s);
  v1::ListSignOffsRequest list;
  list.set_parent(version);
  list.set_page_size(100);
  do {
    v1::ListSignOffsResponse resp;
    grpc::ClientContext lc;
    SetDeadline(&lc, deadline);
    grpc::Status ls = stub->ListSignOffs(&lc, list, &resp);
    if (!ls.ok()) return FromGrpcStatus(ls);
    out.sign_offs.insert(out.sign_offs.end(), resp.sign_offs().begin(), resp.sign_offs().end());
    list.set_page_token(resp.next_page_token());
  } while (!list.page_token().empty());
  return out;
}

const char* DecisionName(v1::Decision d) {
  return d == v1::APPROVE ? "APPROVE" : d == v1::REJECT ? "REJECT" : "no decision";
}

// Entry `i` against what the service serves of its version.
absl::Status CompareServed(int64_t i, const v1::LedgerEntry& entry, Served& served) {
  auto differ = [i](absl::string_view what) {
    return absl::DataLossError(
        absl::StrCat("ledger entry ", i, ": what the service serves is not the entry: ", what));
  };
  if (entry.has_audit()) {
    const v1::LedgerEntry::AuditRecord& e = entry.audit();
    const v1::Audit& a = served.audit;
    if (a.ledger_index() != i) {
      return differ(absl::StrCat("the audit of ", e.version(), " is served as entry ",
                                 a.ledger_index()));
    }
    if (a.content_hash() != e.content_hash()) {
      return differ(absl::StrCat("version hash ", a.content_hash(), ", recorded ",
                                 e.content_hash()));
    }
    if (a.findings_digest() != e.findings_digest()) {
      return differ(absl::StrCat("findings digest ", a.findings_digest(), ", recorded ",
                                 e.findings_digest()));
    }
    if (FindingsDigest(a.findings()) != e.findings_digest()) {
      return differ(absl::StrCat("the ", a.findings_size(),
                                 " findings served do not hash to the recorded digest ",
                                 e.findings_digest()));
    }
    if (a.rule_set_version() != e.rule_set_version() ||
        DeterministicBytes(a.audit_time()) != DeterministicBytes(entry.time())) {
      return differ("rule set version or audit time");
    }
    return absl::OkStatus();
  }
  const v1::SignOff& e = entry.sign_off();
  for (const v1::SignOff& so : served.sign_offs) {
    if (so.ledger_index() != i) continue;
    served.matched.insert(i);
    if (so.decision() != e.decision()) {
      return differ(absl::StrCat(so.name(), " has decision ", DecisionName(so.decision()),
                                 ", recorded ", DecisionName(e.decision())));
    }
    if (so.content_hash() != e.content_hash() || so.findings_digest() != e.findings_digest()) {
      return differ(absl::StrCat(so.name(), ": version hash or findings digest"));
    }
    v1::SignOff as_entry = so;
    as_entry.clear_ledger_index();
    if (DeterministicBytes(as_entry) != DeterministicBytes(e)) {
      return differ(absl::StrCat(so.name(), " differs from the recorded sign-off"));
    }
    return absl::OkStatus();
  }
  return differ(absl::StrCat("the sign-off ", e.name(), " (", DecisionName(e.decision()),
                             ") is not among the sign-offs served for ", e.version()));
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
    std::map<std::string, Served> served;  // by version name
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
      const std::string leaf = LeafHash(proof.entry());
      absl::Status v = VerifyInclusion(i, cp->size, leaf, hashes, cp->root);
      if (!v.ok()) {
        return absl::DataLossError(absl::StrCat("ledger entry ", i,
                                                " is not the entry the checkpoint covers: ",
                                                v.message()));
      }
      if (absl::Status sig = VerifyLedgerEntrySignature(public_key_pem, cp->origin, i, leaf,
                                                        proof.entry_signature());
          !sig.ok()) {
        return absl::DataLossError(absl::StrCat(
            "ledger entry ", i, " was not appended by the service (", sig.message(), ")"));
      }
      ++out.entries_verified;
      v1::LedgerEntry entry;
      if (!entry.ParseFromString(proof.entry()) || (!entry.has_audit() && !entry.has_sign_off())) {
        return absl::DataLossError(absl::StrCat("ledger entry ", i, " is not a LedgerEntry"));
      }
      const std::string& version =
          entry.has_audit() ? entry.audit().version() : entry.sign_off().version();
      auto it = served.find(version);
      if (it == served.end()) {
        absl::StatusOr<Served> got = FetchServed(stub, version, deadline);
        if (!got.ok()) {
          return absl::DataLossError(absl::StrCat("ledger entry ", i, ": the service does not serve ",
                                                  version, " as recorded: ",
                                                  got.status().message()));
        }
        it = served.emplace(version, *std::move(got)).first;
      }
      if (!it->second.readable) {
        ++out.entries_not_compared;
        continue;
      }
      if (absl::Status m = CompareServed(static_cast<int64_t>(i), entry, it->second); !m.ok()) {
        return m;
      }
      ++out.entries_compared;
    }
    // And nothing served that the ledger does not record.
    for (const auto& [version, s] : served) {
      for (const v1::SignOff& so : s.sign_offs) {
        if (so.ledger_index() >= static_cast<int64_t>(cp->size)) continue;  // newer
        if (!s.matched.count(so.ledger_index())) {
          return absl::DataLossError(absl::StrCat(
              "the service serves sign-off ", so.name(), " as ledger entry ", so.ledger_index(),
              ", which records something else: the ledger does not record it"));
        }
      }
    }
  }
  return out;
}

}  // namespace disclosure
