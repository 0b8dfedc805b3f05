#include "core/access/access.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/access/resource_names.h"
#include "core/base/text_util.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace disclosure {
namespace {

// Collects the text-format parser's errors with line and column.
class ErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (first_.empty()) first_ = absl::StrCat("line ", line + 1, ":", column + 1, ": ", message);
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

absl::Status ParseTextFile(const std::string& path, google::protobuf::Message* message) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(path, ": cannot open"));
  std::ostringstream s;
  s << in.rdbuf();
  google::protobuf::TextFormat::Parser parser;
  ErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(s.str(), message)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", errors.first()));
  }
  return absl::OkStatus();
}

bool HasPrefix(const std::vector<std::string>& prefixes, absl::string_view code) {
  for (const auto& p : prefixes) {
    if (absl::StartsWith(code, p)) return true;
  }
  return false;
}

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& ids, absl::string_view id) {
  for (const auto& i : ids) {
    if (i == id) return true;
  }
  return false;
}

bool PrefixOf(const google::protobuf::RepeatedPtrField<std::string>& prefixes,
              absl::string_view code) {
  for (const auto& p : prefixes) {
    if (absl::StartsWith(code, p)) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<AccessPolicy> AccessPolicy::Load(const std::string& principals_path,
                                                const std::string& registry_path) {
  v1::PrincipalsFile principals;
  v1::AgencyRegistry registry;
  if (absl::Status s = ParseTextFile(principals_path, &principals); !s.ok()) return s;
  if (absl::Status s = ParseTextFile(registry_path, &registry); !s.ok()) return s;
  return Create(std::move(principals), std::move(registry));
}

absl::StatusOr<AccessPolicy> AccessPolicy::Create(v1::PrincipalsFile principals,
                                                  v1::AgencyRegistry registry) {
  AccessPolicy p;
  for (const v1::Agency& a : registry.agencies()) {
    std::string where = absl::StrCat("agency registry: agency '", a.id(), "'");
    if (!IsValidAgencyId(a.id())) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": id must match [a-z0-9][a-z0-9-]{0,62}"));
    }
    if (!IsValidRegionCode(a.region_code())) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": region_code '", a.region_code(),
                                                     "' must be six digits"));
    }
    if (a.name().empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": name is empty"));
    if (!p.agency_index_.emplace(a.id(), p.agencies_.size()).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": listed twice"));
    }
    p.agencies_.push_back(a);
  }
  for (const v1::Principal& pr : principals.principals()) {
    std::string where = absl::StrCat("principals: '", pr.name(), "'");
    if (pr.name().empty()) return absl::InvalidArgumentError("principals: a principal has no name");
    if (p.roles_.count(pr.name())) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": listed twice"));
    }
    for (const v1::Role& role : pr.roles()) {
      const google::protobuf::RepeatedPtrField<std::string>* ids = nullptr;
      std::vector<std::string> prefixes;
      const char* role_name = "";
      switch (role.role_case()) {
        case v1::Role::kSubmitter:
          role_name = "submitter";
          ids = &role.submitter().agency_ids();
          break;
        case v1::Role::kReviewer:
          role_name = "reviewer";
          if (role.reviewer().kind() == v1::REVIEW_KIND_UNSPECIFIED) {
            return absl::InvalidArgumentError(absl::StrCat(where, ": reviewer role has no kind"));
          }
          ids = &role.reviewer().agency_ids();
          prefixes.assign(role.reviewer().region_prefixes().begin(),
                          role.reviewer().region_prefixes().end());
          break;
        case v1::Role::kOversight:
          role_name = "oversight";
          prefixes.push_back(role.oversight().region_prefix());
          break;
        case v1::Role::kAuditService:
          break;
        case v1::Role::kConsole:
          // What it may do is its users' to decide: mixing in roles of its
          // own would make its calls ambiguous.
          if (pr.roles_size() != 1) {
            return absl::InvalidArgumentError(
                absl::StrCat(where, ": a console holds no other role"));
          }
          break;
        default:
          return absl::InvalidArgumentError(absl::StrCat(where, ": empty role"));
      }
      if (ids != nullptr) {
        for (const auto& id : *ids) {
          if (!p.agency_index_.count(id)) {
            return absl::InvalidArgumentError(
                absl::StrCat(where, ": agency '", id, "' is not in the agency registry"));
          }
        }
      }
      // An empty prefix is a prefix of every region code: a role with one
      // would read every report in the country. Refuse it rather than guess.
      for (const auto& prefix : prefixes) {
        if (prefix.empty() || !IsValidRegionPrefix(prefix)) {
          return absl::InvalidArgumentError(absl::StrCat(where, ": ", role_name,
                                                         " role: region prefix '", Echo(prefix),
                                                         "' must be 1–6 digits"));
        }
      }
    }
    p.roles_[pr.name()].assign(pr.roles().begin(), pr.roles().end());
  }
  return p;
}

const v1::Agency* AccessPolicy::FindAgency(absl::string_view agency_id) const {
  auto it = agency_index_.find(agency_id);
  return it == agency_index_.end() ? nullptr : &agencies_[it->second];
}

const std::vector<v1::Role>* AccessPolicy::RolesOf(absl::string_view principal) const {
  auto it = roles_.find(principal);
  return it == roles_.end() ? nullptr : &it->second;
}

bool AccessPolicy::IsKnown(absl::string_view principal) const {
  const auto* roles = RolesOf(principal);
  return roles != nullptr && !roles->empty();
}

bool AccessPolicy::CanSubmit(absl::string_view principal, absl::string_view agency_id) const {
  const auto* roles = RolesOf(principal);
  if (roles == nullptr) return false;
  for (const auto& r : *roles) {
    if (r.has_submitter() && Contains(r.submitter().agency_ids(), agency_id)) return true;
  }
  return false;
}

bool AccessPolicy::CanRead(absl::string_view principal, const v1::Agency& agency) const {
  ReadScope scope = ReadScopeOf(principal);
  if (scope.all) return true;
  for (const auto& id : scope.agency_ids) {
    if (id == agency.id()) return true;
  }
  return HasPrefix(scope.region_prefixes, agency.region_code());
}

ReadScope AccessPolicy::ReadScopeOf(absl::string_view principal) const {
  ReadScope scope;
  const auto* roles = RolesOf(principal);
  if (roles == nullptr) return scope;
  for (const auto& r : *roles) {
    switch (r.role_case()) {
      case v1::Role::kSubmitter:
        scope.agency_ids.insert(scope.agency_ids.end(), r.submitter().agency_ids().begin(),
                                r.submitter().agency_ids().end());
        break;
      case v1::Role::kReviewer:
        scope.agency_ids.insert(scope.agency_ids.end(), r.reviewer().agency_ids().begin(),
                                r.reviewer().agency_ids().end());
        scope.region_prefixes.insert(scope.region_prefixes.end(),
                                     r.reviewer().region_prefixes().begin(),
                                     r.reviewer().region_prefixes().end());
        break;
      case v1::Role::kOversight:
        scope.region_prefixes.push_back(r.oversight().region_prefix());
        break;
      case v1::Role::kAuditService:
        scope.all = true;
        break;
      default:
        break;
    }
  }
  return scope;
}

bool AccessPolicy::CanReview(absl::string_view principal, v1::ReviewKind kind,
                             const v1::Agency& agency) const {
  const auto* roles = RolesOf(principal);
  if (roles == nullptr) return false;
  for (const auto& r : *roles) {
    if (!r.has_reviewer() || r.reviewer().kind() != kind) continue;
    if (Contains(r.reviewer().agency_ids(), agency.id()) ||
        PrefixOf(r.reviewer().region_prefixes(), agency.region_code())) {
      return true;
    }
  }
  return false;
}

bool AccessPolicy::CanOversee(absl::string_view principal, absl::string_view region_prefix) const {
  const auto* roles = RolesOf(principal);
  if (roles == nullptr) return false;
  for (const auto& r : *roles) {
    if (r.has_oversight() && absl::StartsWith(region_prefix, r.oversight().region_prefix())) {
      return true;
    }
  }
  return false;
}

bool AccessPolicy::IsConsole(absl::string_view principal) const {
  const auto* roles = RolesOf(principal);
  if (roles == nullptr) return false;
  for (const auto& r : *roles) {
    if (r.has_console()) return true;
  }
  return false;
}

bool AccessPolicy::IsAuditService(absl::string_view principal) const {
  const auto* roles = RolesOf(principal);
  if (roles == nullptr) return false;
  for (const auto& r : *roles) {
    if (r.has_audit_service()) return true;
  }
  return false;
}

bool AccessPolicy::IsOversight(absl::string_view principal) const {
  const auto* roles = RolesOf(principal);
  if (roles == nullptr) return false;
  for (const auto& r : *roles) {
    if (r.has_oversight()) return true;
  }
  return false;
}

}  // namespace disclosure
