#include "audit_service/clearance.h"

#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/access/resource_names.h"
#include "core/report/canonical.h"
#include "core/report/template.h"

namespace disclosure::audit {
namespace {

const v1::ReviewKind kKinds[] = {v1::LEGALITY, v1::NORMATIVITY, v1::CONFIDENTIALITY};

const char* KindName(v1::ReviewKind k) {
  switch (k) {
    case v1::LEGALITY: return "合法性审查";
    case v1::NORMATIVITY: return "规范性审查";
    case v1::CONFIDENTIALITY: return "保密性审查";
    default: return "审查";
  }
}

bool IsWaived(const v1::Finding& f, const std::vector<v1::SignOff>& sign_offs) {
  for (const v1::SignOff& s : sign_offs) {
    if (s.kind() == v1::WAIVER && SameFinding(f, s.rule_id(), s.location())) return true;
  }
  return false;
}

}  // namespace

bool SameFinding(const v1::Finding& f, absl::string_view rule_id, const v1::Location& at) {
  const v1::Location& l = f.location();
  return f.rule_id() == rule_id && l.field_path() == at.field_path() &&
         l.start_offset() == at.start_offset() && l.end_offset() == at.end_offset();
}

bool IsPrescreenRule(absl::string_view rule_id) { return absl::StartsWith(rule_id, "C-"); }

v1::ReviewStatus ReviewStatusOf(const v1::Audit& audit, const std::vector<v1::SignOff>& sign_offs,
                                bool latest) {
  v1::ReviewStatus st;
  st.set_version(audit.version());
  st.set_name(FormatReviewStatusName(audit.version()));
  st.set_content_hash(audit.content_hash());
  st.set_latest(latest);
  if (!latest) st.add_blockers("已有更新的版本，只有最新版本可以发布");
  for (const v1::Finding& f : audit.findings()) {
    if (f.severity() != v1::ERROR || IsWaived(f, sign_offs)) continue;
    *st.add_blocking_findings() = f;
    st.add_blockers(absl::StrCat("错误“", f.rule_id(), "”未改正也未豁免：", f.message()));
  }
  for (v1::ReviewKind kind : kKinds) {
    // Each reviewer's latest REVIEW of this kind; sign-offs come in order.
    std::map<std::string, const v1::SignOff*> latest_by_reviewer;
    for (const v1::SignOff& s : sign_offs) {
      if (s.kind() == v1::REVIEW && s.review_kind() == kind) latest_by_reviewer[s.reviewer()] = &s;
    }
    v1::ReviewKindStatus* ks = st.add_reviews();
    ks->set_kind(kind);
    bool approved = false, rejected = false;
    for (const auto& [reviewer, s] : latest_by_reviewer) {
      *ks->add_sign_offs() = *s;
      approved |= s->decision() == v1::APPROVE;
      rejected |= s->decision() == v1::REJECT;
    }
    if (rejected) {
      ks->set_state(v1::ReviewKindStatus::REJECTED);
      st.add_blockers(absl::StrCat(KindName(kind), "未通过"));
    } else if (approved) {
      ks->set_state(v1::ReviewKindStatus::APPROVED);
    } else {
      ks->set_state(v1::ReviewKindStatus::MISSING);
      st.add_blockers(absl::StrCat("尚缺", KindName(kind)));
    }
  }
  st.set_state(st.blockers().empty() ? v1::ReviewStatus::CLEARED : v1::ReviewStatus::BLOCKED);
  return st;
}

v1::ReportState ReportStateOf(const v1::ReviewStatus& status) {
  if (status.state() == v1::ReviewStatus::CLEARED) return v1::CLEARED;
  if (!status.blocking_findings().empty()) return v1::HAS_ERRORS;
  for (const v1::ReviewKindStatus& k : status.reviews()) {
    if (k.state() == v1::ReviewKindStatus::REJECTED) return v1::REJECTED;
  }
  return v1::AWAITING_REVIEW;
}

std::vector<v1::FindingWaiver> WaiversOf(const std::vector<v1::SignOff>& sign_offs) {
  std::vector<v1::FindingWaiver> out;
  for (const v1::SignOff& s : sign_offs) {
    if (s.kind() != v1::WAIVER) continue;
    v1::FindingWaiver& w = out.emplace_back();
    w.set_rule_id(s.rule_id());
    *w.mutable_location() = s.location();
    w.set_reviewer(s.reviewer());
    w.set_reason(s.reason());
    w.set_sign_off(s.name());
  }
  return out;
}

std::vector<v1::FindingChange> CompareFindings(const std::vector<v1::Finding>& previous,
                                               const std::vector<v1::Finding>& current) {
  std::vector<v1::FindingChange> out;
  std::vector<bool> matched(previous.size(), false);
  for (const v1::Finding& f : current) {
    v1::FindingChange& c = out.emplace_back();
    c.set_kind(v1::FindingChange::NEW);
    *c.mutable_finding() = f;
    for (size_t i = 0; i < previous.size(); ++i) {
      if (!matched[i] && SameFinding(previous[i], f.rule_id(), f.location())) {
        matched[i] = true;
        c.set_kind(v1::FindingChange::OPEN);
        break;
      }
    }
  }
  for (size_t i = 0; i < previous.size(); ++i) {
    if (matched[i]) continue;
    v1::FindingChange& c = out.emplace_back();
    c.set_kind(v1::FindingChange::FIXED);
    *c.mutable_finding() = previous[i];
  }
  return out;
}

}  // namespace disclosure::audit
