#include "audit_service/follower.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "audit_service/auditor.h"
#include "core/resource_names.h"
#include "core/rpc_util.h"
#include "spdlog/spdlog.h"

namespace disclosure::audit {
namespace {

constexpr absl::Duration kFetchDeadline = absl::Seconds(10);
constexpr absl::Duration kFirstPause = absl::Milliseconds(100);
constexpr absl::Duration kMaxPause = absl::Seconds(5);

}  // namespace

Follower::Follower(std::shared_ptr<grpc::Channel> submit_channel, Store* store,
                   const AccessPolicy* policy, std::function<void()> on_audited)
    : stub_(v1::SubmissionService::NewStub(std::move(submit_channel))),
      store_(store),
      policy_(policy),
      on_audited_(std::move(on_audited)) {}

Follower::~Follower() { Stop(); }

void Follower::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "feed-follower");
    Run();
  });
}

void Follower::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (stream_ != nullptr) stream_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

bool Follower::Pause(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stopping_), d);
  return !stopping_;
}

void Follower::Run() {
  absl::Duration pause = kFirstPause;
  for (;;) {
    absl::StatusOr<std::string> position = store_->FeedPosition();
    absl::Status failure;
    if (!position.ok()) {
      failure = position.status();
    } else {
      grpc::ClientContext context;
      {
        absl::MutexLock lock(&mu_);
        if (stopping_) return;
        stream_ = &context;
      }
      v1::WatchVersionsRequest request;
      request.set_start_after(*position);
      std::unique_ptr<grpc::ClientReader<v1::VersionEvent>> reader =
          stub_->WatchVersions(&context, request);
      v1::VersionEvent event;
      while (reader->Read(&event)) {
        failure = Process(event);
        if (!failure.ok()) {
          context.TryCancel();
          break;
        }
        pause = kFirstPause;
      }
      grpc::Status end = reader->Finish();
      if (failure.ok()) failure = FromGrpcStatus(end);
      absl::MutexLock lock(&mu_);
      stream_ = nullptr;
      if (stopping_) return;
    }
    spdlog::warn("feed follower: {}; resuming from the stored position in {}",
                 failure.ToString(), absl::FormatDuration(pause));
    if (!Pause(pause)) return;
    pause = std::min(pause * 2, kMaxPause);
  }
}

absl::StatusOr<v1::ReportVersion> Follower::Fetch(const std::string& name) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kFetchDeadline));
  v1::GetVersionRequest request;
  request.set_name(name);
  request.set_view(v1::VERSION_VIEW_FULL);
  v1::ReportVersion version;
  grpc::Status s = stub_->GetVersion(&context, request, &version);
  if (!s.ok()) return FromGrpcStatus(s);
  return version;
}

absl::Status Follower::Process(const v1::VersionEvent& event) {
  absl::StatusOr<v1::ReportVersion> version = Fetch(event.version().name());
  if (!version.ok()) return version.status();
  absl::StatusOr<VersionName> name = ParseVersionName(version->name());
  if (!name.ok()) return name.status();
  absl::StatusOr<v1::ReportVersion> previous = absl::NotFoundError("no earlier year");
  if (name->report.year - 1 >= kMinYear) {
    previous = Fetch(absl::StrCat(
        FormatReportName({name->report.agency_id, name->report.year - 1}), "/versions/latest"));
    if (!previous.ok() && !absl::IsNotFound(previous.status())) return previous.status();
  }

  absl::StatusOr<AuditRecord> record =
      AuditVersion(*version, previous.ok() ? &*previous : nullptr, *policy_, absl::Now());
  if (!record.ok()) return record.status();
  RecordAuditArgs args{*std::move(record), event.position()};
  absl::StatusOr<int64_t> index = store_->RecordAudit(args);
  if (absl::IsAlreadyExists(index.status())) return absl::OkStatus();
  if (!index.ok()) return index.status();
  spdlog::info("audited version={} findings={} errors={} ledger_index={}", version->name(),
               args.record.audit.findings_size(), args.record.audit.error_count(), *index);
  on_audited_();
  return absl::OkStatus();
}

}  // namespace disclosure::audit
