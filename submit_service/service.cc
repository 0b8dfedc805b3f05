#include "submit_service/service.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/report/canonical.h"
#include "core/report/diff.h"
#include "core/access/resource_names.h"
#include "core/rpc/handler.h"
#include "core/rpc/rpc_util.h"
#include "core/base/text_util.h"
#include "google/protobuf/arena.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/server_builder.h"
#include "submit_service/validate.h"

namespace disclosure::submit {
namespace {

constexpr char kService[] = "SubmissionService";

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  int64_t us = absl::ToUnixMicros(t);
  ts.set_seconds(us / 1000000);
  ts.set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
  return ts;
}

template <typename Body>
grpc::Status Handle(grpc::ServerContextBase* context, const char* method,
                    const AccessPolicy& policy, Body body) {
  return HandleRpc(context, kService, method, policy, body);
}

}  // namespace

SubmissionServiceImpl::SubmissionServiceImpl(Store* store, const AccessPolicy* policy,
                                             size_t list_page_bytes)
    : store_(store), policy_(policy), list_page_bytes_(list_page_bytes) {
  SetMessageAllocatorFor_CreateVersion(&create_allocator_);
  absl::StatusOr<int64_t> last = store_->LastFeedSeq();
  absl::MutexLock lock(&feed_mu_);
  feed_seq_ = last.ok() ? *last : 0;
}

void SubmissionServiceImpl::StopWatches() {
  absl::MutexLock lock(&feed_mu_);
  stopping_ = true;
}

void SubmissionServiceImpl::NotifyFeed(int64_t seq) {
  absl::MutexLock lock(&feed_mu_);
  if (seq > feed_seq_) feed_seq_ = seq;
}


absl::Status SubmissionServiceImpl::Authorize(const std::string& principal, Action action,
                                              const std::string& agency_id) const {
  const v1::Agency* agency = policy_->FindAgency(agency_id);
  bool allowed = agency != nullptr && (action == Action::kSubmit
                                           ? policy_->CanSubmit(principal, agency_id)
                                           : policy_->CanRead(principal, *agency));
  if (allowed) return absl::OkStatus();
  // An unlisted agency and another agency's report are refused alike, so a
  // refusal never tells whether the agency or its report exists.
  return absl::PermissionDeniedError(absl::StrCat(
      "principal '", Echo(principal), "' may not ", action == Action::kSubmit ? "submit" : "read",
      " reports of agency '", Echo(agency_id), "'"));
}

absl::StatusOr<v1::ReportVersion> SubmissionServiceImpl::ToProto(const VersionRecord& r,
                                                                  bool with_report,
                                                                  const std::string& principal) const {
  v1::ReportVersion v;
  v.set_name(FormatVersionName({r.agency_id, r.year}, r.version));
  v.set_version(r.version);
  v.set_content_hash(r.content_hash);
  v.set_submitter(r.submitter);
  *v.mutable_create_time() = ToTimestamp(r.create_time);
  // A feed position counts every agency's commits: only the feed's reader
  // (the audit service) gets it, so no one else learns others' activity.
  if (policy_->IsAuditService(principal)) v.set_feed_position(FormatFeedPosition(r.feed_seq));
  if (with_report) {
    if (!v.mutable_report()->ParseFromString(r.report)) {
      return absl::DataLossError(absl::StrCat(v.name(), ": stored report does not parse"));
    }
  }
  return v;
}

absl::StatusOr<CreateVersionArgs> SubmissionServiceImpl::PrepareCreateVersion(
    const std::string& principal, const v1::CreateVersionRequest& request) const {
  absl::StatusOr<ReportName> parent = ValidateCreateVersion(request);
  if (!parent.ok()) {
    // Access first when the name parses: a stranger learns nothing from
    // validation messages about another agency's report.
    absl::StatusOr<ReportName> name = ParseReportName(request.parent());
    if (name.ok()) {
      if (absl::Status s = Authorize(principal, Action::kSubmit, name->agency_id); !s.ok()) {
        return s;
      }
    }
    return parent.status();
  }
  if (absl::Status s = Authorize(principal, Action::kSubmit, parent->agency_id); !s.ok()) {
    return s;
  }
  const v1::Agency& agency = *policy_->FindAgency(parent->agency_id);
  // One copy to complete and canonicalize, on an arena: a report is ~250
  // sub-messages, freed here at once.
  google::protobuf::ArenaOptions arena_options;
  arena_options.start_block_size = 16 << 10;
  google::protobuf::Arena arena(arena_options);
  v1::Report& report = *google::protobuf::Arena::CreateMessage<v1::Report>(&arena);
  report = request.report();
  // The registry is the authority on who the agency is.
  if (!report.agency().region_code().empty() &&
      report.agency().region_code() != agency.region_code()) {
    return FieldError("report.agency.region_code",
                      absl::StrCat("'", Echo(report.agency().region_code()),
                                   "' is not the registry's region code of '", agency.id(), "' (",
                                   agency.region_code(), ")"));
  }
  report.mutable_agency()->set_region_code(agency.region_code());
  if (report.agency().name().empty()) report.mutable_agency()->set_name(agency.name());
  // So is it on the agency's kind where it states one: the kind sets the
  // deadline (D-DUE), which a clerk must not choose for itself.
  if (agency.kind() != v1::AGENCY_KIND_UNSPECIFIED) {
    if (report.agency().kind() != v1::AGENCY_KIND_UNSPECIFIED &&
        report.agency().kind() != agency.kind()) {
      return FieldError("report.agency.kind",
                        absl::StrCat(v1::AgencyKind_Name(report.agency().kind()),
                                     " is not the registry's kind of '", agency.id(), "' (",
                                     v1::AgencyKind_Name(agency.kind()),
                                     "): leave it unset, the registry decides"));
    }
    report.mutable_agency()->set_kind(agency.kind());
  }
  // The published document, described by the service (in the canonical
  // bytes: the content hash covers it).
  if (!request.document().empty()) {
    absl::StatusOr<v1::PublishedDocument> d = DescribeDocument(request.document());
    if (!d.ok()) return d.status();
    *report.mutable_published_document() = *std::move(d);
  }
  CreateVersionArgs args;
  args.document = request.document();
  args.document_sha256 = report.published_document().sha256();
  args.agency_id = parent->agency_id;
  args.year = parent->year;
  args.agency_name = agency.name();
  args.region_code = agency.region_code();
  args.report = CanonicalizeAndSerialize(&report);
  args.content_hash = Sha256Hex(args.report);
  args.submitter = principal;
  args.request_id = request.request_id();
  args.expected_latest_version = request.expected_latest_version();
  return args;
}

grpc::ServerUnaryReactor* SubmissionServiceImpl::CreateVersion(
    grpc::CallbackServerContext* context, const v1::CreateVersionRequest* request,
    v1::CreateVersionResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  Caller caller;
  grpc::Status refused = AdmitCaller(*context, *policy_, &caller);
  const std::string principal = caller.principal;
  // Logged when the last reference goes, after Finish.
  auto log = std::make_shared<RequestLog>(kService, "CreateVersion", principal);
  log->set_via(caller.via);
  log->set_resource(request->parent());
  auto finish = [reactor, log](const grpc::Status& status) {
    log->set_status(status);
    reactor->Finish(status);
  };
  if (!refused.ok()) {
    finish(refused);
    return reactor;
  }
  absl::StatusOr<CreateVersionArgs> args = PrepareCreateVersion(principal, *request);
  if (!args.ok()) {
    finish(ToGrpcStatus(args.status()));
    return reactor;
  }
  // No server thread waits for the commit: the store answers when the
  // version is durable (group commit), and the call finishes from there.
  store_->CreateVersionAsync(
      *std::move(args),
      [this, response, log, finish, principal](absl::StatusOr<CreateVersionResult> result) {
        if (!result.ok()) {
          finish(ToGrpcStatus(result.status()));
          return;
        }
        if (result->created) NotifyFeed(result->version.feed_seq);
        // BASIC view: the report is the one the client just sent (or, for a
        // replay, sent before); GetVersion returns it.
        absl::StatusOr<v1::ReportVersion> v = ToProto(result->version, false, principal);
        if (!v.ok()) {
          finish(ToGrpcStatus(v.status()));
          return;
        }
        log->set_resource(v->name());
        *response->mutable_version() = *std::move(v);
        response->set_created(result->created);
        finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::Status SubmissionServiceImpl::GetVersion(grpc::ServerContext* context,
                                               const v1::GetVersionRequest* request,
                                               v1::ReportVersion* response) {
  return Handle(context, "GetVersion", *policy_, [&](const std::string& principal,
                                                     RequestLog* log) -> absl::Status {
    log->set_resource(request->name());
    absl::StatusOr<VersionName> name = ValidateGetVersion(*request);
    if (!name.ok()) return name.status();
    if (absl::Status s = Authorize(principal, Action::kRead, name->report.agency_id); !s.ok()) {
      return s;
    }
    absl::StatusOr<VersionRecord> r =
        store_->GetVersion(name->report.agency_id, name->report.year, name->version,
                           request->view() != v1::VERSION_VIEW_BASIC);
    if (!r.ok()) return r.status();
    absl::StatusOr<v1::ReportVersion> v =
        ToProto(*r, request->view() != v1::VERSION_VIEW_BASIC, principal);
    if (!v.ok()) return v.status();
    // The document's bytes only when asked for, and only when it has one.
    if (request->view() == v1::VERSION_VIEW_DOCUMENT && v->report().has_published_document()) {
      absl::StatusOr<std::string> doc = store_->GetDocument(r->agency_id, r->year, r->version);
      if (!doc.ok()) return doc.status();
      v->set_document(*std::move(doc));
    }
    *response = *std::move(v);
    return absl::OkStatus();
  });
}

grpc::Status SubmissionServiceImpl::ListVersions(grpc::ServerContext* context,
                                                 const v1::ListVersionsRequest* request,
                                                 v1::ListVersionsResponse* response) {
  return Handle(context, "ListVersions", *policy_, [&](const std::string& principal,
                                                       RequestLog* log) -> absl::Status {
    log->set_resource(request->parent());
    absl::StatusOr<ListVersionsArgs> args = ValidateListVersions(*request);
    if (!args.ok()) return args.status();
    if (absl::Status s = Authorize(principal, Action::kRead, args->report.agency_id); !s.ok()) {
      return s;
    }
    bool full = request->view() == v1::VERSION_VIEW_FULL;
    // One more than the page tells whether there is a next page. Reports
    // are read one at a time below, so that only the page's are in memory.
    absl::StatusOr<std::vector<VersionRecord>> rows =
        store_->ListVersions(args->report.agency_id, args->report.year, args->after_version,
                             args->page_size + 1, /*with_report=*/false);
    if (!rows.ok()) return rows.status();
    // A report without versions does not exist: NOT_FOUND, as GetVersion
    // says. Told only to those Authorize let through, who may read the
    // agency's reports anyway.
    if (rows->empty() && args->after_version == 0) {
      return absl::NotFoundError(absl::StrCat("report ", FormatReportName(args->report),
                                              " has no versions"));
    }
    bool more = static_cast<int>(rows->size()) > args->page_size;
    if (more) rows->pop_back();
    // FULL versions can be up to 4 MiB each: the page also ends before the
    // version that would take it past the byte budget (always one at least).
    size_t bytes = 0;
    int64_t last_listed = 0;
    for (VersionRecord& r : *rows) {
      if (full) {
        absl::StatusOr<VersionRecord> with_report =
            store_->GetVersion(r.agency_id, r.year, r.version, true);
        if (!with_report.ok()) return with_report.status();
        r = *std::move(with_report);
      }
      absl::StatusOr<v1::ReportVersion> v = ToProto(r, full, principal);
      if (!v.ok()) return v.status();
      size_t size = v->ByteSizeLong();
      if (last_listed != 0 && bytes + size > list_page_bytes_) {
        more = true;
        break;
      }
      bytes += size;
      last_listed = r.version;
      *response->add_versions() = *std::move(v);
    }
    if (more) {
      absl::StatusOr<std::string> token =
          EncodePageToken(request->parent(), std::to_string(last_listed));
      if (!token.ok()) return token.status();
      response->set_next_page_token(*std::move(token));
    }
    return absl::OkStatus();
  });
}

grpc::Status SubmissionServiceImpl::ListReports(grpc::ServerContext* context,
                                                const v1::ListReportsRequest* request,
                                                v1::ListReportsResponse* response) {
  return Handle(context, "ListReports", *policy_, [&](const std::string& principal,
                                                      RequestLog* log) -> absl::Status {
    log->set_resource(absl::StrCat("region:", request->region_prefix(), " year:", request->year()));
    absl::StatusOr<ListReportsArgs> args = ValidateListReports(*request);
    if (!args.ok()) return args.status();
    // The store narrows by what its rows say (the region and name as of
    // each report's latest version); the registry decides. A report whose
    // agency left the registry or moved out of the caller's region is not
    // listed, as Authorize would refuse to read it.
    ReportFilter filter;
    filter.region_prefix = request->region_prefix();
    filter.year = request->year();
    ReadScope scope = policy_->ReadScopeOf(principal);
    if (!scope.all) filter.scope = ReportFilter::Scope{scope.agency_ids, scope.region_prefixes};
    auto visible = [&](const ReportRecord& r) {
      const v1::Agency* agency = policy_->FindAgency(r.agency_id);
      return agency != nullptr && policy_->CanRead(principal, *agency) &&
             absl::StartsWith(agency->region_code(), request->region_prefix());
    };
    std::optional<ReportKey> after;
    if (args->after_region) after = ReportKey{*args->after_region, *args->after_agency, args->after_year};
    // One bounded scan per page: page_size rows (one more tells whether
    // there is a next page). Rows the registry hides are skipped, so a page
    // may be short, even empty with a next_page_token; the token continues
    // after the last row scanned, so every call makes progress.
    absl::StatusOr<std::vector<ReportRecord>> rows =
        store_->ListReports(filter, after, args->page_size + 1);
    if (!rows.ok()) return rows.status();
    bool more = static_cast<int>(rows->size()) > args->page_size;
    if (more) rows->pop_back();
    for (const ReportRecord& r : *rows) {
      if (!visible(r)) continue;
      v1::ReportSummary* s = response->add_reports();
      s->set_name(FormatReportName({r.agency_id, r.year}));
      s->set_agency_id(r.agency_id);
      s->set_agency_name(r.agency_name);
      s->set_region_code(r.region_code);
      s->set_year(r.year);
      absl::StatusOr<v1::ReportVersion> v = ToProto(r.latest, false, principal);
      if (!v.ok()) return v.status();
      *s->mutable_latest() = *std::move(v);
    }
    if (more) {
      const ReportRecord& last = rows->back();  // scanned, listed or not
      absl::StatusOr<std::string> token = EncodePageToken(
          absl::StrCat(request->region_prefix(), "|", request->year()),
          absl::StrCat(last.region_code, "|", last.agency_id, "|", last.year));
      if (!token.ok()) return token.status();
      response->set_next_page_token(*std::move(token));
    }
    return absl::OkStatus();
  });
}

grpc::Status SubmissionServiceImpl::FindDocumentVersions(
    grpc::ServerContext* context, const v1::FindDocumentVersionsRequest* request,
    v1::FindDocumentVersionsResponse* response) {
  return Handle(context, "FindDocumentVersions", *policy_, [&](const std::string& principal,
                                                               RequestLog* log) -> absl::Status {
    log->set_resource(request->document_sha256().substr(0, 80));
    absl::StatusOr<std::string> sha256 = ValidateFindDocumentVersions(*request);
    if (!sha256.ok()) return sha256.status();
    // Only what the caller may read: another agency's copy of the file is
    // neither shown nor told of.
    absl::StatusOr<std::vector<VersionRecord>> found = store_->FindDocument(*sha256, 1000);
    if (!found.ok()) return found.status();
    for (const VersionRecord& r : *found) {
      if (response->versions_size() == kMaxDocumentVersions) break;
      if (!Authorize(principal, Action::kRead, r.agency_id).ok()) continue;
      absl::StatusOr<v1::ReportVersion> v = ToProto(r, false, principal);
      if (!v.ok()) return v.status();
      *response->add_versions() = *std::move(v);
    }
    return absl::OkStatus();
  });
}

grpc::Status SubmissionServiceImpl::DiffVersions(grpc::ServerContext* context,
                                                 const v1::DiffVersionsRequest* request,
                                                 v1::DiffVersionsResponse* response) {
  return Handle(context, "DiffVersions", *policy_, [&](const std::string& principal,
                                                       RequestLog* log) -> absl::Status {
    log->set_resource(request->name());
    absl::StatusOr<DiffArgs> args = ValidateDiffVersions(*request);
    if (!args.ok()) return args.status();
    if (absl::Status s = Authorize(principal, Action::kRead, args->a.report.agency_id); !s.ok()) {
      return s;
    }
    v1::Report reports[2];
    const VersionName* names[2] = {&args->a, &args->b};
    for (int i = 0; i < 2; ++i) {
      absl::StatusOr<VersionRecord> r = store_->GetVersion(
          names[i]->report.agency_id, names[i]->report.year, names[i]->version, true);
      if (!r.ok()) return r.status();
      if (!reports[i].ParseFromString(r->report)) {
        return absl::DataLossError("stored report does not parse");
      }
    }
    for (const ReportChange& c : DiffReports(reports[0], reports[1])) {
      v1::FieldChange* f = response->add_changes();
      f->set_field_path(c.field_path);
      f->set_label(c.label);
      f->set_before(c.before.value_or(""));
      f->set_after(c.after.value_or(""));
      f->set_before_empty(!c.before.has_value());
      f->set_after_empty(!c.after.has_value());
    }
    return absl::OkStatus();
  });
}

grpc::ServerWriteReactor<v1::VersionEvent>* SubmissionServiceImpl::WatchVersions(
    grpc::CallbackServerContext* context, const v1::WatchVersionsRequest* request) {
  return StartWatch<v1::VersionEvent>(
      context, kService, "WatchVersions", *policy_, &watch_limiter_,
      [this, request](const std::string& principal, RequestLog* log,
                      WatchWriter<v1::VersionEvent>* writer) -> absl::Status {
    log->set_resource(absl::StrCat("feed after:", request->start_after()));
    // The feed is every agency's commits in order: even filtered, its
    // positions and timing tell of others' activity. It is the audit
    // service's alone.
    if (!policy_->IsAuditService(principal)) {
      return absl::PermissionDeniedError(absl::StrCat(
          "principal '", Echo(principal), "' may not follow the change feed (audit service only)"));
    }
    absl::StatusOr<int64_t> after = ValidateWatchVersions(*request);
    if (!after.ok()) return after.status();
    // A position past the end is a client bug (or another store's
    // position): waiting would skip the versions until the feed gets there.
    absl::StatusOr<int64_t> last = store_->LastFeedSeq();
    if (!last.ok()) return last.status();
    if (*after > *last) {
      return absl::OutOfRangeError(absl::StrCat("start_after: '", Echo(request->start_after()),
                                                "' is beyond the end of the feed (",
                                                FormatFeedPosition(*last), ")"));
    }
    // Tells the follower, before any version comes, that the stream is open
    // and where the feed ends (its health: audit_service/follower.h).
    writer->SendInitialMetadata(kFeedOpenMetadata, FormatFeedPosition(*last));
    int64_t position = *after;
    while (!writer->IsCancelled()) {
      // The FULL view carries the reports: fewer rows per read.
      const bool full = request->view() == v1::VERSION_VIEW_FULL;
      absl::StatusOr<std::vector<VersionRecord>> rows =
          store_->ReadFeed(position, full ? 32 : 100, full);
      if (!rows.ok()) return rows.status();
      for (const VersionRecord& r : *rows) {
        position = r.feed_seq;
        const v1::Agency* agency = policy_->FindAgency(r.agency_id);
        if (agency == nullptr || !policy_->CanRead(principal, *agency) ||
            !absl::StartsWith(agency->region_code(), request->region_prefix())) {
          continue;  // not the caller's to see
        }
        v1::VersionEvent event;
        event.set_position(FormatFeedPosition(r.feed_seq));
        absl::StatusOr<v1::ReportVersion> v = ToProto(r, full, principal);
        if (!v.ok()) return v.status();
        *event.mutable_version() = *std::move(v);
        if (!writer->Write(event)) return absl::CancelledError("client went away");
      }
      if (!rows->empty()) continue;
      // Caught up: wait for a commit, a shutdown, or a second to pass (the
      // second bounds how late a cancelled stream notices it).
      absl::MutexLock lock(&feed_mu_);
      auto ready = [this, position]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(feed_mu_) {
        return feed_seq_ > position || stopping_;
      };
      feed_mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Seconds(1));
      if (stopping_) return absl::UnavailableError("server is shutting down; resume from the last position");
    }
    return absl::CancelledError("client cancelled");
  });
}

}  // namespace disclosure::submit
