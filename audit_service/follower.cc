#include "audit_service/follower.h"

#include "core/base/sha256.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "audit_service/auditor.h"
#include "core/base/metrics.h"
#include "core/access/resource_names.h"
#include "core/rpc/rpc_util.h"
#include "spdlog/spdlog.h"

namespace disclosure::audit {
namespace {

constexpr absl::Duration kFetchDeadline = absl::Seconds(10);
constexpr absl::Duration kFirstPause = absl::Milliseconds(100);
constexpr absl::Duration kMaxPause = absl::Seconds(5);
// Bounds how many events wait in memory while a batch is audited.
constexpr size_t kMaxQueued = 512;

// N of a feed position "feed/N"; -1 when there is none.
int64_t FeedSeq(absl::string_view position) {
  absl::StatusOr<int64_t> seq = ParseFeedPosition(position);
  return seq.ok() ? *seq : -1;
}

// GetVersion with a deadline; NotFound passes through.
absl::StatusOr<v1::ReportVersion> GetVersion(v1::SubmissionService::Stub& stub,
                                             const std::string& name, v1::VersionView view,
                                             absl::Duration deadline) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  v1::GetVersionRequest request;
  request.set_name(name);
  request.set_view(view);
  v1::ReportVersion version;
  grpc::Status s = stub.GetVersion(&context, request, &version);
  if (!s.ok()) return FromGrpcStatus(s);
  return version;
}

google::protobuf::ArenaOptions EventArenaOptions() {
  google::protobuf::ArenaOptions o;
  o.start_block_size = 16 << 10;  // a report of the 2021 template, usually
  return o;
}

}  // namespace

FeedEvent::FeedEvent()
    : arena(EventArenaOptions()),
      event(google::protobuf::Arena::CreateMessage<v1::VersionEvent>(&arena)) {}

std::function<absl::StatusOr<int64_t>(const std::string&, int32_t)> LatestVersionFrom(
    std::shared_ptr<grpc::Channel> submit_channel) {
  std::shared_ptr<v1::SubmissionService::Stub> stub =
      v1::SubmissionService::NewStub(std::move(submit_channel));
  return [stub](const std::string& agency_id, int32_t year) -> absl::StatusOr<int64_t> {
    absl::StatusOr<v1::ReportVersion> v =
        GetVersion(*stub, FormatVersionName({agency_id, year}, 0), v1::VERSION_VIEW_BASIC,
                   absl::Seconds(5));
    if (absl::IsNotFound(v.status())) return 0;
    if (!v.ok()) return v.status();
    return v->version();
  };
}

std::function<absl::StatusOr<v1::ReportVersion>(const std::string&)> VersionFrom(
    std::shared_ptr<grpc::Channel> submit_channel) {
  std::shared_ptr<v1::SubmissionService::Stub> stub =
      v1::SubmissionService::NewStub(std::move(submit_channel));
  return [stub](const std::string& name) {
    return GetVersion(*stub, name, v1::VERSION_VIEW_FULL, absl::Seconds(10));
  };
}

Follower::Follower(std::shared_ptr<grpc::Channel> submit_channel, Store* store,
                   const AccessPolicy* policy, std::function<void()> on_audited)
    : stub_(v1::SubmissionService::NewStub(std::move(submit_channel))),
      store_(store),
      policy_(policy),
      on_audited_(std::move(on_audited)) {}

Follower::~Follower() { Stop(); }

void Follower::SetHealthCallback(std::function<void(bool)> on_health,
                                 absl::Duration unhealthy_after) {
  on_health_ = std::move(on_health);
  unhealthy_after_ = unhealthy_after;
}

void Follower::Progressed() {
  {
    absl::MutexLock lock(&mu_);
    last_progress_ = absl::Now();
    if (healthy_) return;
    healthy_ = true;
  }
  spdlog::info("feed follower: following the feed again");
  if (on_health_) on_health_(true);
}

void Follower::NoteFeed(int64_t head, int64_t audited) {
  // Positions only grow (a replica's commit may land after a later one's).
  auto raise = [](std::atomic<int64_t>& v, int64_t to) {
    for (int64_t now = v.load(); to > now && !v.compare_exchange_weak(now, to);) {
    }
  };
  if (head >= 0) raise(feed_head_, head);
  if (audited >= 0) raise(feed_audited_, audited);
  const int64_t h = std::max(feed_head_.load(), feed_audited_.load()), a = feed_audited_.load();
  metrics::Registry& m = metrics::Registry::Global();
  m.SetGauge("disclosure_feed_head_position",
             "The last submit_service feed position the follower has seen (feed/N).", h);
  m.SetGauge("disclosure_feed_audited_position",
             "The feed position of the last version audited and stored.", a);
  m.SetGauge("disclosure_feed_lag_versions",
             "Versions seen on the feed and not yet audited (head - audited).", h - a);
}

void Follower::Start() {
  {
    absl::MutexLock lock(&mu_);
    last_progress_ = absl::Now();
  }
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "feed-follower");
    Run();
  });
  watchdog_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "feed-watchdog");
    Watch();
  });
}

void Follower::Watch() {
  absl::MutexLock lock(&mu_);
  for (;;) {
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Seconds(1));
    if (stopping_) return;
    // Only a stream with work in hand can be stuck; an idle one is caught up.
    const bool waiting = !queue_.empty() || !pending_.empty() || audits_in_hand_ || storing_;
    const absl::Duration stuck = absl::Now() - last_progress_;
    if (!waiting || !healthy_ || stuck < unhealthy_after_) continue;
    const size_t read = queue_.size();
    mu_.Unlock();
    TurnUnhealthy(stuck, absl::StrCat("versions in hand (", read,
                                      " more read), none stored: the store or an audit hangs"));
    mu_.Lock();
  }
}

void Follower::TurnUnhealthy(absl::Duration stuck, const std::string& why) {
  {
    absl::MutexLock lock(&mu_);
    if (!healthy_) return;
    healthy_ = false;
  }
  spdlog::error("feed follower: no feed and no audit stored for {}: {}",
                absl::FormatDuration(absl::Trunc(stuck, absl::Seconds(1))), why);
  if (on_health_) on_health_(false);
}

void Follower::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (stream_ != nullptr) stream_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
  if (watchdog_.joinable()) watchdog_.join();
}

bool Follower::Pause(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stopping_), d);
  return !stopping_;
}

void Follower::Run() {
  absl::Duration pause = kFirstPause;
  for (;;) {
    absl::StatusOr<int64_t> seq = store_->FeedPosition();
    absl::Status failure = seq.ok() ? Follow(*seq > 0 ? FormatFeedPosition(*seq) : "")
                                    : seq.status();
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    if (failure.ok()) pause = kFirstPause;  // progress was made before the stream ended
    spdlog::warn("feed follower: {}; resuming from the stored position in {}",
                 failure.ToString(), absl::FormatDuration(pause));
    absl::Duration stuck;
    {
      absl::MutexLock lock(&mu_);
      stuck = absl::Now() - last_progress_;
    }
    if (!failure.ok() && stuck >= unhealthy_after_) TurnUnhealthy(stuck, failure.ToString());
    if (!Pause(pause)) return;
    pause = std::min(pause * 2, kMaxPause);
  }
}

absl::Status Follower::Follow(const std::string& position) {
  grpc::ClientContext context;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::CancelledError("stopping");
    stream_ = &context;
    queue_.clear();
    ended_ = false;
    pending_.clear();
    commit_failure_ = absl::OkStatus();
    audits_done_ = false;
    commits_ = 0;
    caught_up_ = false;
    audits_in_hand_ = false;
  }
  NoteFeed(-1, std::max<int64_t>(FeedSeq(position), 0));
  v1::WatchVersionsRequest request;
  request.set_start_after(position);
  request.set_view(v1::VERSION_VIEW_FULL);
  std::unique_ptr<grpc::ClientReader<v1::VersionEvent>> reader =
      stub_->WatchVersions(&context, request);
  // The pump reads while this thread audits, so that what arrives during an
  // audit is audited in the next batch.
  std::thread pump([&] {
    pthread_setname_np(pthread_self(), "feed-pump");
    // submit_service opens the stream with kFeedOpenMetadata, the feed's
    // end (a stream that failed before that has none). Open with nothing
    // left to audit is progress; with versions left, only their audits
    // stored are (a version that cannot be audited must not look healthy).
    reader->WaitForInitialMetadata();
    const auto& metadata = context.GetServerInitialMetadata();
    if (auto it = metadata.find(kFeedOpenMetadata); it != metadata.end()) {
      const int64_t end = FeedSeq(absl::string_view(it->second.data(), it->second.size()));
      NoteFeed(end, -1);
      if (end >= 0 && end <= std::max<int64_t>(FeedSeq(position), 0)) {
        {
          absl::MutexLock lock(&mu_);
          caught_up_ = true;
        }
        Progressed();
      }
    }
    for (;;) {
      auto event = std::make_shared<FeedEvent>();
      if (!reader->Read(event->event)) break;
      NoteFeed(FeedSeq(event->event->position()), -1);
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Follower* f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f->mu_) {
            return f->queue_.size() < kMaxQueued || f->stopping_ || f->ended_;
          },
          this));
      if (ended_) break;  // the consumer gave up; stop reading
      queue_.push_back(std::move(event));
      // Caught up until now was progress: time without any counts from here.
      if (caught_up_) last_progress_ = absl::Now();
      caught_up_ = false;
    }
    absl::MutexLock lock(&mu_);
    ended_ = true;
  });
  // The committer stores audited batches in order while the next is audited.
  std::thread committer([&] {
    pthread_setname_np(pthread_self(), "feed-committer");
    for (;;) {
      Audited batch;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](Follower* f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f->mu_) {
              return !f->pending_.empty() || f->audits_done_;
            },
            this));
        if (pending_.empty()) return;  // audits_done_
        // Everything audited meanwhile goes into one transaction.
        batch = std::move(pending_.front());
        pending_.pop_front();
        for (; !pending_.empty(); pending_.pop_front()) {
          for (AuditRecord& r : pending_.front().records) batch.records.push_back(std::move(r));
          batch.position = std::move(pending_.front().position);
        }
        storing_ = true;
      }
      absl::Status s = Commit(std::move(batch));
      if (s.ok()) Progressed();
      absl::MutexLock lock(&mu_);
      storing_ = false;
      if (!s.ok()) {
        commit_failure_ = s;
        pending_.clear();  // nothing after a failed batch is stored
        return;
      }
      ++commits_;
      // Nothing read and not yet stored: caught up while the stream stays open.
      caught_up_ = queue_.empty() && pending_.empty() && !audits_in_hand_;
    }
  });
  absl::Status failure;
  for (;;) {
    std::vector<std::shared_ptr<FeedEvent>> batch;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Follower* f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f->mu_) {
            return !f->queue_.empty() || f->ended_ || f->stopping_ || !f->commit_failure_.ok();
          },
          this));
      if (stopping_ || !commit_failure_.ok() || (queue_.empty() && ended_)) break;
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      audits_in_hand_ = true;
    }
    absl::StatusOr<Audited> audited = Audit(batch);
    if (!audited.ok()) {
      failure = audited.status();
      break;
    }
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](Follower* f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f->mu_) {
          return f->pending_.size() < kMaxPendingCommits || !f->commit_failure_.ok();
        },
        this));
    audits_in_hand_ = false;
    if (!commit_failure_.ok()) break;
    pending_.push_back(*std::move(audited));
  }
  {
    absl::MutexLock lock(&mu_);
    ended_ = true;        // releases a pump waiting for room
    audits_done_ = true;  // the committer stores what is pending, then ends
  }
  committer.join();
  context.TryCancel();
  pump.join();
  grpc::Status end = reader->Finish();
  // A stream that was open with nothing left to audit was healthy until it
  // ended: an idle feed broken by a submit_service restart is not an outage
  // since the last audit.
  bool was_caught_up;
  {
    absl::MutexLock lock(&mu_);
    was_caught_up = caught_up_;
    caught_up_ = false;
  }
  if (was_caught_up) Progressed();
  absl::MutexLock lock(&mu_);
  stream_ = nullptr;
  if (failure.ok()) failure = commit_failure_;
  if (!failure.ok()) {
    // What was remembered may be ahead of the stored position; forget it
    // so that the retry reads the same state as before.
    latest_.clear();
    known_absent_.clear();
    return failure;
  }
  if (commits_ == 0) {
    return FromGrpcStatus(end).ok() ? absl::UnavailableError("feed ended") : FromGrpcStatus(end);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ReportVersion> Follower::Fetch(const std::string& name) {
  return GetVersion(*stub_, name, v1::VERSION_VIEW_FULL, kFetchDeadline);
}

void Follower::SetDocumentReader(std::string reportctl, ChildImportLimits limits,
                                 int ocr_seconds) {
  reportctl_ = std::move(reportctl);
  document_limits_ = limits;
  document_ocr_seconds_ = ocr_seconds;
}

absl::StatusOr<DocumentReading> Follower::ReadDocument(const v1::ReportVersion& version) {
  DocumentReading out;
  if (reportctl_.empty()) {
    out.why = "审核服务未配置文档读取（--reportctl）";
    return out;
  }
  absl::StatusOr<v1::ReportVersion> with =
      GetVersion(*stub_, version.name(), v1::VERSION_VIEW_DOCUMENT, kFetchDeadline);
  // What retrying cannot mend (too large for this channel, gone, not the
  // file the report names) is said in the audit, not retried for ever.
  if (!with.ok() && (absl::IsResourceExhausted(with.status()) || absl::IsNotFound(with.status()) ||
                     absl::IsDataLoss(with.status()) || absl::IsInvalidArgument(with.status()))) {
    out.why = absl::StrCat("无法从报送服务取得发布文件（", with.status().message(), "）");
    return out;
  }
  if (!with.ok()) return with.status();
  if (Sha256Hex(with->document()) != version.report().published_document().sha256()) {
    spdlog::error("follower document of {} does not hash to its report's description", version.name());
    out.why = "报送服务给出的发布文件与报告所记的摘要不符";
    return out;
  }
  ImportOptions options;
  options.max_ocr_seconds = document_ocr_seconds_;
  absl::StatusOr<v1::ImportedReport> imported =
      ImportInChildProcess(reportctl_, with->document(), options, document_limits_);
  if (imported.ok()) {
    out.imported = imported->report();
  } else if (absl::IsInternal(imported.status())) {
    return imported.status();  // the child could not run: retried, not a finding
  } else {
    out.why = std::string(imported.status().message());
  }
  return out;
}

absl::StatusOr<int64_t> Follower::LastVersionAsOf(const ReportName& report, int64_t below,
                                                  int64_t as_of) {
  int64_t lo = 1, hi = below, found = 0;
  while (lo <= hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    absl::StatusOr<v1::ReportVersion> v =
        GetVersion(*stub_, FormatVersionName(report, mid), v1::VERSION_VIEW_BASIC,
                   kFetchDeadline);
    if (!v.ok()) return v.status();
    if (FeedSeq(v->feed_position()) <= as_of) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

void Follower::Remember(const std::string& agency_id, int32_t year,
                        std::shared_ptr<const FeedEvent> e) {
  if (latest_.size() >= kRememberedReports) latest_.clear();  // crude, and enough
  latest_[{agency_id, year}] = std::move(e);
  known_absent_.erase({agency_id, year});
}

absl::StatusOr<const v1::ReportVersion*> Follower::PreviousYear(const std::string& agency_id,
                                                                int32_t year, int64_t as_of) {
  const int32_t previous = year - 1;
  if (previous < kMinYear) return nullptr;
  auto key = std::make_pair(agency_id, previous);
  // What is remembered may be ahead of `as_of` (a batch that failed after
  // remembering later versions): then ask again.
  if (auto it = latest_.find(key);
      it != latest_.end() && FeedSeq(it->second->event->version().feed_position()) <= as_of) {
    return &it->second->event->version();
  }
  if (known_absent_.count(key)) return nullptr;
  const ReportName report{agency_id, previous};
  absl::StatusOr<v1::ReportVersion> v = Fetch(FormatVersionName(report, 0));
  if (absl::IsNotFound(v.status())) {
    if (known_absent_.size() >= kRememberedReports) known_absent_.clear();
    known_absent_[key] = true;  // until the feed brings one
    return nullptr;
  }
  if (!v.ok()) return v.status();
  // "latest" is the latest now; catching up, that may be a version stored
  // well after `as_of`. Versions of a report are committed in order, so
  // their feed positions grow with their numbers: a binary search (BASIC
  // views) finds the last at or before `as_of` in a few calls, where
  // stepping back one version at a time took hundreds while far behind.
  if (FeedSeq(v->feed_position()) > as_of) {
    absl::StatusOr<int64_t> at = LastVersionAsOf(report, v->version() - 1, as_of);
    if (!at.ok()) return at.status();
    if (*at == 0) return nullptr;  // none yet as of `as_of`
    v = Fetch(FormatVersionName(report, *at));
    if (!v.ok()) return v.status();
  }
  auto fetched = std::make_shared<FeedEvent>();
  *fetched->event->mutable_version() = *std::move(v);
  Remember(agency_id, previous, fetched);
  return &fetched->event->version();
}

absl::StatusOr<Follower::Audited> Follower::Audit(
    const std::vector<std::shared_ptr<FeedEvent>>& events) {
  Audited out;
  out.records.reserve(events.size());
  for (const std::shared_ptr<FeedEvent>& e : events) {
    const v1::VersionEvent& event = *e->event;
    v1::ReportVersion* version = e->event->mutable_version();
    if (!version->has_report()) {  // the feed sent the BASIC view
      absl::StatusOr<v1::ReportVersion> full = Fetch(version->name());
      if (!full.ok()) return full.status();
      *version = *std::move(full);
    }
    absl::StatusOr<VersionName> name = ParseVersionName(version->name());
    if (!name.ok()) return name.status();
    absl::StatusOr<const v1::ReportVersion*> previous =
        PreviousYear(name->report.agency_id, name->report.year, FeedSeq(event.position()));
    if (!previous.ok()) return previous.status();
    std::optional<DocumentReading> document;
    if (version->report().has_published_document()) {
      absl::StatusOr<DocumentReading> read = ReadDocument(*version);
      if (!read.ok()) return read.status();
      document = *std::move(read);
    }
    absl::StatusOr<AuditRecord> record = AuditVersion(*version, *previous, *policy_, absl::Now(),
                                                      document ? &*document : nullptr);
    if (!record.ok()) return record.status();
    out.records.push_back(*std::move(record));
    Remember(name->report.agency_id, name->report.year, e);
  }
  out.position = events.back()->event->position();
  return out;
}

absl::Status Follower::Commit(Audited batch) {
  // For the log line; the records themselves go to the store.
  const std::string first = batch.records.front().audit.version(),
                    last = batch.records.back().audit.version();
  std::vector<bool> has_errors;
  for (const AuditRecord& r : batch.records) has_errors.push_back(r.audit.error_count() > 0);
  const absl::Time start = absl::Now();
  absl::StatusOr<std::vector<int64_t>> indexes =
      store_->RecordAudits(std::move(batch.records), FeedSeq(batch.position));
  if (!indexes.ok()) return indexes.status();
  NoteFeed(-1, FeedSeq(batch.position));
  const double commit_ms = absl::ToDoubleMilliseconds(absl::Now() - start);
  // One line per batch (the ledger has one entry per audit).
  int stored = 0, errors = 0;
  for (size_t i = 0; i < indexes->size(); ++i) {
    if ((*indexes)[i] < 0) continue;
    ++stored;
    errors += has_errors[i] ? 1 : 0;
  }
  spdlog::info(
      "audited versions={} with_errors={} skipped={} first=\"{}\" last=\"{}\" feed={} "
      "commit_ms={:.3f}",
      stored, errors, static_cast<int>(indexes->size()) - stored, first, last, batch.position,
      commit_ms);
  on_audited_();
  return absl::OkStatus();
}

}  // namespace disclosure::audit
