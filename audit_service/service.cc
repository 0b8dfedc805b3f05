#include "audit_service/service.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "audit_service/auditor.h"
#include "audit_service/clearance.h"
#include "audit_service/region_sums.h"
#include "audit_service/validate.h"
#include "core/ledger/checkpoint.h"
#include "core/report/canonical.h"
#include "google/protobuf/util/time_util.h"
#include "core/rpc/page_token.h"
#include "core/access/resource_names.h"
#include "core/rpc/handler.h"
#include "core/rpc/rpc_util.h"
#include "core/rules/rules.h"
#include "core/base/text_util.h"

namespace disclosure::audit {
namespace {

constexpr char kService[] = "AuditService";
constexpr int kEventBatch = 100;
constexpr int kMostFrequentRules = 10;

template <typename Body>
grpc::Status Handle(grpc::ServerContextBase* context, const char* method,
                    const AccessPolicy& policy, Body body) {
  return HandleRpc(context, kService, method, policy, body);
}

v1::ReviewKind KindNeeded(const v1::SignOff& s) {
  switch (s.kind()) {
    case v1::WAIVER: return v1::NORMATIVITY;
    case v1::ACKNOWLEDGEMENT: return v1::CONFIDENTIALITY;
    default: return s.review_kind();
  }
}

const v1::Finding* FindFinding(const v1::Audit& audit, const v1::SignOff& s) {
  for (const v1::Finding& f : audit.findings()) {
    if (SameFinding(f, s.rule_id(), s.location())) return &f;
  }
  return nullptr;
}

// The checks of a sign-off against what is stored, in the store's write
// transaction (so two reviewers racing see each other).
absl::Status CheckSignOff(const v1::SignOff& s, const VersionReviews& r) {
  const v1::Audit& audit = r.audit.audit;
  if (s.reviewer() == audit.submitter()) {
    return absl::PermissionDeniedError(
        absl::StrCat("'", s.reviewer(), "' submitted ", audit.version(),
                     " and may not review it (提交人不得审查本人提交的版本)"));
  }
  if (s.content_hash() != audit.content_hash()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "sign_off.content_hash: ", s.content_hash(), " is not the hash of ", audit.version(),
        " (", audit.content_hash(), "); read the version again"));
  }
  if (s.findings_digest() != audit.findings_digest()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "sign_off.findings_digest: not the digest of the audit of ", audit.version(), " (",
        audit.findings_digest(), "); read the audit again"));
  }
  if (s.document_sha256() != audit.document_sha256()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "sign_off.document_sha256: ", s.document_sha256(), " is not the published document of ",
        audit.version(), " (", audit.document_sha256().empty() ? "none" : audit.document_sha256(),
        ")"));
  }
  switch (s.kind()) {
    case v1::WAIVER: {
      const v1::Finding* f = FindFinding(audit, s);
      if (f == nullptr || f->severity() != v1::ERROR) {
        return absl::FailedPreconditionError(absl::StrCat(
            "sign_off.rule_id: the audit of ", audit.version(), " has no ERROR finding ",
            Echo(s.rule_id()), " at '", Echo(s.location().field_path()), "' to waive"));
      }
      return absl::OkStatus();
    }
    case v1::ACKNOWLEDGEMENT: {
      const v1::Finding* f = FindFinding(audit, s);
      if (f == nullptr || !IsPrescreenRule(f->rule_id())) {
        return absl::FailedPreconditionError(absl::StrCat(
            "sign_off.rule_id: the audit of ", audit.version(),
            " has no confidentiality pre-screen finding ", Echo(s.rule_id()), " at '",
            Echo(s.location().field_path()), "'"));
      }
      return absl::OkStatus();
    }
    default:
      break;
  }
  if (s.review_kind() == v1::CONFIDENTIALITY && s.decision() == v1::APPROVE) {
    std::vector<std::string> open;
    for (const v1::Finding& f : audit.findings()) {
      if (!IsPrescreenRule(f.rule_id())) continue;
      bool acknowledged = false;
      for (const v1::SignOff& a : r.sign_offs) {
        acknowledged |= a.kind() == v1::ACKNOWLEDGEMENT && a.reviewer() == s.reviewer() &&
                        SameFinding(f, a.rule_id(), a.location());
      }
      if (!acknowledged) {
        open.push_back(absl::StrCat(f.rule_id(), " at ", f.location().field_path(), " [",
                                    f.location().start_offset(), ",", f.location().end_offset(),
                                    ")"));
      }
    }
    if (!open.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "a confidentiality approval needs each pre-screen finding acknowledged by the same "
          "reviewer first (保密审查通过前须逐条确认保密预审发现); not acknowledged: ",
          open.size(), ": ", absl::StrJoin(open, "; ")));
    }
  }
  return absl::OkStatus();
}


absl::CivilDay TodayInChina(absl::Time now) {
  return absl::ToCivilDay(now, absl::FixedTimeZone(8 * 60 * 60));
}

// The registry's agencies in a region, by id.
std::vector<const v1::Agency*> AgenciesIn(const AccessPolicy& policy, const std::string& prefix) {
  std::vector<const v1::Agency*> out;
  for (const v1::Agency& a : policy.agencies()) {
    if (absl::StartsWith(a.region_code(), prefix)) out.push_back(&a);
  }
  std::sort(out.begin(), out.end(),
            [](const v1::Agency* a, const v1::Agency* b) { return a->id() < b->id(); });
  return out;
}

// Not cleared after the due date: the dashboards' and the summary's rule.
bool IsOverdue(v1::ReportState state, absl::CivilDay due, absl::CivilDay today) {
  return state != v1::CLEARED && today > due;
}

v1::AgencyStatus StatusOf(const v1::Agency& agency, int32_t year, const ReportStateRecord* r,
                          absl::CivilDay today) {
  v1::AgencyStatus s;
  *s.mutable_agency() = agency;
  s.set_year(year);
  const absl::CivilDay due = ReportDueDate(agency, year);
  s.set_due_date(absl::FormatCivilTime(due));
  if (r == nullptr) {
    s.set_state(v1::NOT_SUBMITTED);
  } else {
    s.set_state(r->state);
    s.set_latest_version(FormatVersionName({r->agency_id, r->year}, r->latest_version));
    s.set_error_count(r->error_count);
    s.set_warning_count(r->warning_count);
    s.set_info_count(r->info_count);
  }
  s.set_overdue(IsOverdue(s.state(), due, today));
  return s;
}

}  // namespace

AuditServiceImpl::AuditServiceImpl(Store* store, const AccessPolicy* policy, Ledger* ledger,
                                   std::function<absl::Time()> clock)
    : store_(store), policy_(policy), ledger_(ledger), clock_(std::move(clock)) {
  SetMessageAllocatorFor_ValidateReport(&validate_allocator_);
}

void AuditServiceImpl::NotifyEvents() {
  absl::MutexLock lock(&events_mu_);
  ++event_seq_;
}

void AuditServiceImpl::StopWatches() {
  absl::MutexLock lock(&events_mu_);
  stopping_ = true;
}

absl::StatusOr<const v1::Agency*> AuditServiceImpl::AuthorizeRead(
    const std::string& principal, const std::string& agency_id) const {
  const v1::Agency* agency = policy_->FindAgency(agency_id);
  if (agency != nullptr && policy_->CanRead(principal, *agency)) return agency;
  return absl::PermissionDeniedError(absl::StrCat("principal '", principal,
                                                  "' may not read the reports of agency '",
                                                  agency_id, "'"));
}

absl::StatusOr<const v1::Agency*> AuditServiceImpl::AuthorizeSignOff(
    const std::string& principal, v1::ReviewKind kind, const std::string& agency_id) const {
  const v1::Agency* agency = policy_->FindAgency(agency_id);
  if (agency != nullptr && policy_->CanReview(principal, kind, *agency)) return agency;
  return absl::PermissionDeniedError(absl::StrCat("principal '", principal, "' is not a ",
                                                  v1::ReviewKind_Name(kind),
                                                  " reviewer of agency '", agency_id, "'"));
}

absl::Status AuditServiceImpl::AuthorizeRegion(const std::string& principal,
                                               const std::string& prefix) const {
  if (policy_->CanOversee(principal, prefix)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("principal '", principal,
                                                  "' does not oversee region '", prefix, "'"));
}

absl::Status AuditServiceImpl::AuthorizeLedger(const std::string& principal) const {
  if (policy_->IsOversight(principal) || policy_->IsAuditService(principal)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("principal '", principal, "' may not read the ledger (oversight only)"));
}

grpc::Status AuditServiceImpl::GetAudit(grpc::ServerContext* context,
                                        const v1::GetAuditRequest* request,
                                        v1::Audit* response) {
  return Handle(context, "GetAudit", *policy_, [&](const std::string& principal,
                                                   RequestLog* log) -> absl::Status {
    log->set_resource(request->name());
    absl::StatusOr<VersionName> v = ValidateGetAudit(*request);
    if (!v.ok()) return v.status();
    if (absl::Status s = AuthorizeRead(principal, v->report.agency_id).status(); !s.ok()) return s;
    absl::StatusOr<VersionReviews> r =
        ledger_->ReadReviews(v->report.agency_id, v->report.year, v->version);
    if (!r.ok()) return r.status();
    *response = r->audit.audit;
    for (v1::FindingWaiver& w : WaiversOf(r->sign_offs)) *response->add_waivers() = std::move(w);
    if (r->audit.version > 1) {
      absl::StatusOr<AuditRecord> previous =
          store_->GetAudit(v->report.agency_id, v->report.year, r->audit.version - 1);
      if (!previous.ok() && !absl::IsNotFound(previous.status())) return previous.status();
      if (previous.ok()) {
        if (absl::Status s = ledger_->CheckAudit(*previous); !s.ok()) return s;
      }
      std::vector<v1::Finding> before, now(response->findings().begin(),
                                           response->findings().end());
      if (previous.ok()) before.assign(previous->audit.findings().begin(),
                                       previous->audit.findings().end());
      for (v1::FindingChange& c : CompareFindings(before, now)) {
        *response->add_changes() = std::move(c);
      }
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AuditServiceImpl::ValidateReport(
    grpc::CallbackServerContext* context, const v1::ValidateReportRequest* request,
    v1::ValidateReportResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = Handle(context, "ValidateReport", *policy_,
                               [&](const std::string&, RequestLog* log) -> absl::Status {
    log->set_resource("(dry run)");
    absl::StatusOr<ValidateReportArgs> args = ValidateValidateReport(*request);
    if (!args.ok()) return args.status();
    ValidationContext ctx;
    if (request->has_previous_year()) ctx.previous = &request->previous_year();
    ctx.submitted = args->submitted;
    // The findings are made in the response, on the call's arena.
    Validate(request->report(), ctx, response->mutable_findings());
    response->set_rule_set_version(kRuleSetVersion);
    response->set_engine(EngineName());
    response->set_findings_digest(FindingsDigest(response->findings()));
    return absl::OkStatus();
  });
  reactor->Finish(status);
  return reactor;
}

namespace {

// Whether `stored` is the sign-off `requested` asks for (what the client
// sent, as CreateSignOff completes it): a retry, not another sign-off.
bool SameSignOff(v1::SignOff stored, const v1::SignOff& requested) {
  stored.clear_name();
  stored.clear_create_time();
  stored.clear_ledger_index();
  return DeterministicBytes(stored) == DeterministicBytes(requested);
}

// FAILED_PRECONDITION carrying `field_error`'s message and field violation.
absl::Status Precondition(const absl::Status& field_error) {
  absl::Status out(absl::StatusCode::kFailedPrecondition, field_error.message());
  field_error.ForEachPayload(
      [&](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

}  // namespace

grpc::Status AuditServiceImpl::CreateSignOff(grpc::ServerContext* context,
                                             const v1::CreateSignOffRequest* request,
                                             v1::SignOff* response) {
  return Handle(context, "CreateSignOff", *policy_, [&](const std::string& principal,
                                                        RequestLog* log) -> absl::Status {
    log->set_resource(request->sign_off().version());
    absl::StatusOr<VersionName> v = ValidateCreateSignOff(*request);
    if (!v.ok()) return v.status();
    v1::SignOff sign_off = request->sign_off();
    absl::StatusOr<const v1::Agency*> agency =
        AuthorizeSignOff(principal, KindNeeded(sign_off), v->report.agency_id);
    if (!agency.ok()) return agency.status();
    sign_off.clear_name();
    sign_off.clear_create_time();
    sign_off.set_reviewer(principal);
    sign_off.set_console(log->via());  // the console the reviewer signed through, if any
    if (sign_off.kind() != v1::REVIEW) sign_off.set_review_kind(KindNeeded(sign_off));
    sign_off.set_request_id(request->request_id());
    // The document the sign-off binds: the audited version's. A reviewer
    // may name it (what they read); another one is refused.
    if (absl::StatusOr<AuditRecord> audited =
            store_->GetAudit(v->report.agency_id, v->report.year, v->version);
        audited.ok()) {
      if (!sign_off.document_sha256().empty() &&
          sign_off.document_sha256() != audited->audit.document_sha256()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "sign_off.document_sha256: ", Echo(sign_off.document_sha256()),
            " is not the published document of ", sign_off.version(), " (",
            audited->audit.document_sha256().empty() ? "none" : audited->audit.document_sha256(),
            ")"));
      }
      sign_off.set_document_sha256(audited->audit.document_sha256());
    }
    // A retry of a request already stored is answered with the first
    // sign-off. Decided in the store's transaction, from the version's
    // sign-offs the ledger proves: two concurrent retries store one.
    std::optional<v1::SignOff> first;
    absl::StatusOr<v1::SignOff> stored = store_->AddSignOff(
        v->report.agency_id, v->report.year, v->version, sign_off,
        [&](const VersionReviews& r) {
          // What the reviewer is added to must be what the ledger proves.
          if (absl::Status s = ledger_->CheckReviews(r); !s.ok()) return s;
          if (!sign_off.request_id().empty()) {
            for (const v1::SignOff& s : r.sign_offs) {
              if (s.reviewer() != principal || s.request_id() != sign_off.request_id()) continue;
              if (!SameSignOff(s, sign_off)) {
                return Precondition(FieldError(
                    "request_id", absl::StrCat("'", Echo(sign_off.request_id()), "' made ",
                                               s.name(), ", another sign-off: a new sign-off "
                                               "needs a new request_id")));
              }
              first = s;
              return absl::AlreadyExistsError("retry");  // stores nothing
            }
          }
          return CheckSignOff(sign_off, r);
        });
    if (first.has_value()) {
      log->set_resource(first->name());
      *response = *std::move(first);
      return absl::OkStatus();
    }

    if (absl::IsNotFound(stored.status())) {
      return absl::FailedPreconditionError(absl::StrCat(
          sign_off.version(), " is not audited (yet): there is nothing to sign off"));
    }
    if (!stored.ok()) return stored.status();
    log->set_resource(stored->name());
    *response = *std::move(stored);
    NotifyEvents();
    return absl::OkStatus();
  });
}

grpc::Status AuditServiceImpl::ListSignOffs(grpc::ServerContext* context,
                                            const v1::ListSignOffsRequest* request,
                                            v1::ListSignOffsResponse* response) {
  return Handle(context, "ListSignOffs", *policy_, [&](const std::string& principal,
                                                       RequestLog* log) -> absl::Status {
    log->set_resource(request->parent());
    absl::StatusOr<ListSignOffsArgs> args = ValidateListSignOffs(*request);
    if (!args.ok()) return args.status();
    const ReportName& rn = args->version.report;
    if (absl::Status s = AuthorizeRead(principal, rn.agency_id).status(); !s.ok()) return s;
    absl::StatusOr<VersionReviews> r = ledger_->ReadReviews(rn.agency_id, rn.year,
                                                          args->version.version);
    if (!r.ok()) return r.status();
    const int64_t n = static_cast<int64_t>(r->sign_offs.size());
    // The token's position is the client's to send: clamp before adding.
    const int64_t start = std::min(n, args->after);
    const int64_t end = std::min(n, start + args->page_size);
    for (int64_t i = start; i < end; ++i) *response->add_sign_offs() = r->sign_offs[i];
    if (end < n) {
      absl::StatusOr<std::string> token = EncodePageToken(request->parent(), absl::StrCat(end));
      if (!token.ok()) return token.status();
      response->set_next_page_token(*std::move(token));
    }
    return absl::OkStatus();
  });
}

grpc::Status AuditServiceImpl::GetReviewStatus(grpc::ServerContext* context,
                                               const v1::GetReviewStatusRequest* request,
                                               v1::ReviewStatus* response) {
  return Handle(context, "GetReviewStatus", *policy_, [&](const std::string& principal,
                                                          RequestLog* log) -> absl::Status {
    log->set_resource(request->name());
    absl::StatusOr<VersionName> v = ValidateGetReviewStatus(*request);
    if (!v.ok()) return v.status();
    if (absl::Status s = AuthorizeRead(principal, v->report.agency_id).status(); !s.ok()) return s;
    absl::StatusOr<VersionReviews> r =
        ledger_->ReadReviews(v->report.agency_id, v->report.year, v->version);
    if (!r.ok()) return r.status();
    bool latest = r->latest;
    if (latest && latest_source_) {
      // Cleared means cleared for publication: only the latest version.
      absl::StatusOr<int64_t> n = latest_source_(v->report.agency_id, v->report.year);
      if (!n.ok()) {
        return absl::UnavailableError(absl::StrCat(
            "cannot confirm with submit_service that ", r->audit.audit.version(),
            " is the latest version: ", n.status().message()));
      }
      latest = *n <= r->audit.version;
    }
    *response = ReviewStatusOf(r->audit.audit, r->sign_offs, latest);
    return absl::OkStatus();
  });
}

grpc::Status AuditServiceImpl::ListAgencyStates(grpc::ServerContext* context,
                                                const v1::ListAgencyStatesRequest* request,
                                                v1::ListAgencyStatesResponse* response) {
  return Handle(context, "ListAgencyStates", *policy_, [&](const std::string& principal,
                                                           RequestLog* log) -> absl::Status {
    log->set_resource(request->parent());
    absl::StatusOr<ListAgencyStatesArgs> args = ValidateListAgencyStates(*request);
    if (!args.ok()) return args.status();
    const RegionYear& region = args->region;
    if (absl::Status s = AuthorizeRegion(principal, region.region_prefix); !s.ok()) return s;
    absl::StatusOr<std::vector<ReportStateRecord>> states =
        store_->ListReportStates(region.year, region.region_prefix);
    if (!states.ok()) return states.status();
    std::map<std::string, const ReportStateRecord*> by_agency;
    for (const ReportStateRecord& r : *states) by_agency[r.agency_id] = &r;
    const absl::CivilDay today = TodayInChina(clock_());
    std::vector<const v1::Agency*> agencies = AgenciesIn(*policy_, region.region_prefix);
    auto it = std::upper_bound(agencies.begin(), agencies.end(), args->after_agency,
                               [](const std::string& id, const v1::Agency* a) { return id < a->id(); });
    for (; it != agencies.end() && response->agencies_size() < args->page_size; ++it) {
      auto found = by_agency.find((*it)->id());
      *response->add_agencies() = StatusOf(**it, region.year,
                                           found == by_agency.end() ? nullptr : found->second, today);
    }
    if (it != agencies.end()) {
      absl::StatusOr<std::string> token = EncodePageToken(request->parent(), (*(it - 1))->id());
      if (!token.ok()) return token.status();
      response->set_next_page_token(*std::move(token));
    }
    return absl::OkStatus();
  });
}

grpc::Status AuditServiceImpl::GetRegionSummary(grpc::ServerContext* context,
                                                const v1::GetRegionSummaryRequest* request,
                                                v1::RegionSummary* response) {
  return Handle(context, "GetRegionSummary", *policy_, [&](const std::string& principal,
                                                           RequestLog* log) -> absl::Status {
    log->set_resource(request->name());
    absl::StatusOr<RegionYear> region = ValidateGetRegionSummary(*request);
    if (!region.ok()) return region.status();
    if (absl::Status s = AuthorizeRegion(principal, region->region_prefix); !s.ok()) return s;
    absl::StatusOr<std::vector<ReportStateRecord>> states =
        store_->ListReportStates(region->year, region->region_prefix);
    if (!states.ok()) return states.status();
    absl::flat_hash_map<absl::string_view, const ReportStateRecord*> by_agency;
    by_agency.reserve(states->size());
    for (const ReportStateRecord& r : *states) by_agency[r.agency_id] = &r;

    // As StatusOf, without building a message per agency (10,000 of them).
    const absl::CivilDay today = TodayInChina(clock_());
    std::map<v1::ReportState, int32_t> counts;
    absl::flat_hash_map<std::string, int64_t> rules;
    RegionSums sums;
    int32_t overdue = 0, agencies = 0;
    for (const v1::Agency& a : policy_->agencies()) {
      if (!absl::StartsWith(a.region_code(), region->region_prefix)) continue;
      auto found = by_agency.find(a.id());
      const ReportStateRecord* r = found == by_agency.end() ? nullptr : found->second;
      const v1::ReportState state = r == nullptr ? v1::NOT_SUBMITTED : r->state;
      ++agencies;
      ++counts[state];
      if (IsOverdue(state, ReportDueDate(a, region->year), today)) ++overdue;
      if (r == nullptr) continue;
      sums.Add(r->cells);
      for (const std::string& id : r->rule_ids) ++rules[id];
    }
    response->set_name(FormatRegionYear(*region));
    response->set_agencies(agencies);
    response->set_overdue(overdue);
    for (const auto& [state, n] : counts) {
      v1::StateCount* c = response->add_states();
      c->set_state(state);
      c->set_count(n);
    }
    v1::Report totals = sums.ToReport();
    *response->mutable_requests_total() = totals.requests();
    *response->mutable_appeals_total() = totals.appeals();
    std::vector<std::pair<std::string, int64_t>> ranked(rules.begin(), rules.end());
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    for (size_t i = 0; i < ranked.size() && i < kMostFrequentRules; ++i) {
      v1::RuleCount* c = response->add_most_frequent_rules();
      c->set_rule_id(ranked[i].first);
      c->set_count(ranked[i].second);
    }
    return absl::OkStatus();
  });
}

grpc::ServerWriteReactor<v1::AuditEvent>* AuditServiceImpl::WatchEvents(
    grpc::CallbackServerContext* context, const v1::WatchEventsRequest* request) {
  return StartWatch<v1::AuditEvent>(
      context, kService, "WatchEvents", *policy_, &watch_limiter_,
      [this, request](const std::string& principal, RequestLog* log,
                      WatchWriter<v1::AuditEvent>* writer) -> absl::Status {
    log->set_resource(absl::StrCat("regions/", request->region_prefix(), " events after:",
                                   request->start_after()));
    absl::StatusOr<int64_t> after = ValidateWatchEvents(*request);
    if (!after.ok()) return after.status();
    if (absl::Status s = AuthorizeRegion(principal, request->region_prefix()); !s.ok()) return s;
    absl::StatusOr<int64_t> last = store_->LastEventSeq();
    if (!last.ok()) return last.status();
    if (*after > *last) {
      // Not saying where the end is: positions count the events of every
      // region.
      return absl::OutOfRangeError(absl::StrCat("start_after: event ", *after,
                                                " is beyond the last event"));
    }
    writer->SendInitialMetadata(kWatchOpenMetadata, "1");
    int64_t position = *after;
    while (!writer->IsCancelled()) {
      int64_t seen;
      {
        absl::MutexLock lock(&events_mu_);
        seen = event_seq_;
      }
      absl::StatusOr<std::vector<EventRecord>> events =
          store_->ReadEvents(position, request->region_prefix(), kEventBatch);
      if (!events.ok()) return events.status();
      for (EventRecord& e : *events) {
        position = e.seq;
        e.event.set_position(EncodeEventPosition(e.seq));
        if (!writer->Write(e.event)) return absl::CancelledError("client went away");
      }
      if (static_cast<int>(events->size()) == kEventBatch) continue;
      // Caught up: wait for a write, a shutdown, or a second to pass (the
      // second bounds how late a cancelled stream notices it, and picks up
      // events written by another replica).
      absl::MutexLock lock(&events_mu_);
      auto ready = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(events_mu_) {
        return event_seq_ != seen || stopping_;
      };
      events_mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Seconds(1));
      if (stopping_) {
        return absl::UnavailableError("server is shutting down; resume from the last position");
      }
    }
    return absl::CancelledError("client cancelled");
  });
}

grpc::Status AuditServiceImpl::GetCheckpoint(grpc::ServerContext* context,
                                             const v1::GetCheckpointRequest*,
                                             v1::SignedCheckpoint* response) {
  return Handle(context, "GetCheckpoint", *policy_, [&](const std::string& principal,
                                                        RequestLog* log) -> absl::Status {
    log->set_resource("ledger");
    if (absl::Status s = AuthorizeLedger(principal); !s.ok()) return s;
    absl::StatusOr<v1::SignedCheckpoint> cp = ledger_->Checkpoint();
    if (!cp.ok()) return cp.status();
    *response = *std::move(cp);
    return absl::OkStatus();
  });
}

grpc::Status AuditServiceImpl::GetInclusionProof(grpc::ServerContext* context,
                                                 const v1::GetInclusionProofRequest* request,
                                                 v1::InclusionProof* response) {
  return Handle(context, "GetInclusionProof", *policy_, [&](const std::string& principal,
                                                            RequestLog* log) -> absl::Status {
    log->set_resource(absl::StrCat("ledger/entries/", request->index()));
    if (absl::Status s = AuthorizeLedger(principal); !s.ok()) return s;
    absl::StatusOr<v1::InclusionProof> p =
        ledger_->Inclusion(request->index(), request->tree_size());
    if (!p.ok()) return p.status();
    *response = *std::move(p);
    return absl::OkStatus();
  });
}

grpc::Status AuditServiceImpl::GetConsistencyProof(grpc::ServerContext* context,
                                                   const v1::GetConsistencyProofRequest* request,
                                                   v1::ConsistencyProof* response) {
  return Handle(context, "GetConsistencyProof", *policy_, [&](const std::string& principal,
                                                              RequestLog* log) -> absl::Status {
    log->set_resource(absl::StrCat("ledger ", request->old_size(), "..", request->new_size()));
    if (absl::Status s = AuthorizeLedger(principal); !s.ok()) return s;
    absl::StatusOr<v1::ConsistencyProof> p =
        ledger_->Consistency(request->old_size(), request->new_size());
    if (!p.ok()) return p.status();
    *response = *std::move(p);
    return absl::OkStatus();
  });
}

grpc::Status AuditServiceImpl::GetVerificationBundle(grpc::ServerContext* context,
                                                     const v1::GetVerificationBundleRequest* request,
                                                     v1::VerificationBundle* response) {
  return Handle(context, "GetVerificationBundle", *policy_, [&](const std::string& principal,
                                                                RequestLog* log) -> absl::Status {
    log->set_resource(request->name());
    absl::StatusOr<BundleArgs> args = ValidateGetVerificationBundle(*request);
    if (!args.ok()) return args.status();
    const VersionName& v = args->version;
    // Whoever may read the report's audit may prove it.
    if (absl::Status s = AuthorizeRead(principal, v.report.agency_id).status(); !s.ok()) return s;
    // The audit and sign-offs as the ledger proves them.
    absl::StatusOr<VersionReviews> reviews =
        ledger_->ReadReviews(v.report.agency_id, v.report.year, v.version);
    if (!reviews.ok()) return reviews.status();
    const v1::Audit& audit = reviews->audit.audit;
    if (!version_source_) return absl::UnavailableError("no submit_service to read the report from");
    absl::StatusOr<v1::ReportVersion> version = version_source_(audit.version());
    if (!version.ok()) return version.status();
    // The bytes the content hash is of; they must be the audited version's.
    std::string report = CanonicalBytes(version->report());
    if (Sha256Hex(report) != audit.content_hash()) {
      return absl::DataLossError(absl::StrCat("submit_service serves ", audit.version(), " as ",
                                              Sha256Hex(report), ", not the audited ",
                                              audit.content_hash()));
    }
    absl::StatusOr<v1::SignedCheckpoint> checkpoint = ledger_->Checkpoint();
    if (!checkpoint.ok()) return checkpoint.status();
    absl::StatusOr<Checkpoint> cp = ParseCheckpointBody(checkpoint->body());
    if (!cp.ok()) return absl::InternalError(std::string(cp.status().message()));
    const int64_t size = static_cast<int64_t>(cp->size);
    std::vector<int64_t> indices = {audit.ledger_index()};
    for (const v1::SignOff& s : reviews->sign_offs) indices.push_back(s.ledger_index());
    for (int64_t index : indices) {
      absl::StatusOr<v1::InclusionProof> p = ledger_->Inclusion(index, size);
      if (!p.ok()) return p.status();
      v1::BundleEntry* e = response->add_entries();
      e->set_index(index);
      e->set_entry(p->entry());
      e->set_entry_signature(p->entry_signature());
      for (const std::string& h : p->hashes()) e->add_inclusion_proof(h);
    }
    // That these are all of the version's entries: the service's signed word.
    absl::StatusOr<std::string> statement =
        ledger_->SignBundleStatement(audit.version(), size, indices);
    if (!statement.ok()) return statement.status();
    response->set_statement_signature(*std::move(statement));
    if (args->consistency_from_size > 0) {
      absl::StatusOr<v1::ConsistencyProof> p =
          ledger_->Consistency(args->consistency_from_size, size);
      if (!p.ok()) return p.status();
      response->set_consistency_from_size(args->consistency_from_size);
      for (const std::string& h : p->hashes()) response->add_consistency_proof(h);
    }
    response->set_version(audit.version());
    response->set_report(std::move(report));
    response->set_content_hash(audit.content_hash());
    *response->mutable_findings() = audit.findings();
    response->set_findings_digest(audit.findings_digest());
    *response->mutable_checkpoint() = *std::move(checkpoint);
    *response->mutable_create_time() =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(clock_()));
    return absl::OkStatus();
  });
}

}  // namespace disclosure::audit
