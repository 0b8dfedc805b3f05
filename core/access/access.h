// Identity and access, shared by both services: who a principal is (from
// the principals file) and what its roles let it read and write. Every RPC
// asks here, in one place; nothing else decides access.
#ifndef DISCLOSURE_CORE_ACCESS_ACCESS_H_
#define DISCLOSURE_CORE_ACCESS_ACCESS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "disclosure/v1/access.pb.h"
#include "disclosure/v1/report.pb.h"

namespace disclosure {


// What a principal may read: everything, or agencies and region prefixes.
struct ReadScope {
  bool all = false;
  std::vector<std::string> agency_ids;
  std::vector<std::string> region_prefixes;
};

class AccessPolicy {
 public:
  // Parses the text-format files; InvalidArgument names the file and what is
  // wrong (duplicate ids, a malformed region code, a role naming an agency
  // that is not in the registry, …).
  static absl::StatusOr<AccessPolicy> Load(const std::string& principals_path,
                                           const std::string& registry_path);
  static absl::StatusOr<AccessPolicy> Create(v1::PrincipalsFile principals,
                                             v1::AgencyRegistry registry);

  // The registry's agency, or nullptr.
  const v1::Agency* FindAgency(absl::string_view agency_id) const;
  const std::vector<v1::Agency>& agencies() const { return agencies_; }
  // Known principal with at least one role.
  bool IsKnown(absl::string_view principal) const;

  // Clerk of that agency.
  bool CanSubmit(absl::string_view principal, absl::string_view agency_id) const;
  // May read that agency's reports (its clerks, its reviewers, oversight of
  // its region, the audit service).
  bool CanRead(absl::string_view principal, const v1::Agency& agency) const;
  ReadScope ReadScopeOf(absl::string_view principal) const;
  // Reviewer of `kind` for that agency (by id or region prefix).
  bool CanReview(absl::string_view principal, v1::ReviewKind kind, const v1::Agency& agency) const;
  // Oversight of a region prefix: the principal's oversight prefix is a
  // prefix of `region_prefix` (it may look at a part of its region).
  bool CanOversee(absl::string_view principal, absl::string_view region_prefix) const;
  bool IsAuditService(absl::string_view principal) const;
  // Holds the console role (then no other): may act for a user.
  bool IsConsole(absl::string_view principal) const;
  // Holds an oversight role for some region.
  bool IsOversight(absl::string_view principal) const;

 private:
  const std::vector<v1::Role>* RolesOf(absl::string_view principal) const;

  std::vector<v1::Agency> agencies_;
  std::map<std::string, size_t, std::less<>> agency_index_;
  std::map<std::string, std::vector<v1::Role>, std::less<>> roles_;
};

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_ACCESS_ACCESS_H_
