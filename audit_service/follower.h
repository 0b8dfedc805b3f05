// Follows submit_service's change feed and audits every new version, once.
// The feed position is stored with the audits in the same transaction, so
// after a restart or an outage the follower resumes right after the last
// version audited: none skipped, none audited twice. Versions that arrive
// together are audited together and committed in one transaction (one
// fsync for many audits). A failure (submit_service unreachable, a store
// error) restarts from the stored position after a pause growing from
// 0.1 s to 5 s.
//
// The previous-year report for the cross-year rules is the latest version
// of (agency, year - 1) as of the feed position being audited: the follower
// remembers the latest version of every report it has seen on the feed
// (up to kRememberedReports) and asks submit_service only for the others,
// stepping back from "latest" to the last version stored at or before the
// position (catching up, "latest" may be a later one).
//
// Three threads per stream: a pump reads the feed into a queue; the
// follower thread audits what is queued, a batch at a time; a committer
// stores the batches audited so far (one transaction, one fsync) while the
// next is being audited. Batches are committed in feed order; after a failed commit
// nothing later is committed and the stream restarts from the stored
// position.
#ifndef DISCLOSURE_AUDIT_SERVICE_FOLLOWER_H_
#define DISCLOSURE_AUDIT_SERVICE_FOLLOWER_H_

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "audit_service/auditor.h"
#include "audit_service/store/store.h"
#include "core/import/child_import.h"
#include "core/access/access.h"
#include "core/access/resource_names.h"
#include "disclosure/v1/submission.grpc.pb.h"
#include "google/protobuf/arena.h"

namespace disclosure::audit {

// The latest version number of a report as submit_service has it (0: none),
// for AuditServiceImpl::SetLatestVersionSource; 5 s deadline.
std::function<absl::StatusOr<int64_t>(const std::string&, int32_t)> LatestVersionFrom(
    std::shared_ptr<grpc::Channel> submit_channel);
// A version as submit_service serves it (FULL view), by name: where
// GetVerificationBundle reads the report's canonical bytes.
std::function<absl::StatusOr<v1::ReportVersion>(const std::string&)> VersionFrom(
    std::shared_ptr<grpc::Channel> submit_channel);

// One version from the feed, parsed on an arena of its own: a report is
// ~250 messages, allocated in a block or two and freed at once. Shared
// between the queue, the batch and the cache of latest versions, never
// copied.
struct FeedEvent {
  FeedEvent();
  google::protobuf::Arena arena;
  v1::VersionEvent* event;  // on `arena`
};

class Follower {
 public:
  // Memory: a report parses into a 16 KB arena block or a little more (4 MiB
  // at most, the message limit), so the cache holds ~16–20 MB typically, the
  // queue (kMaxQueued) half as much.
  static constexpr size_t kRememberedReports = 1024;
  static constexpr size_t kMaxBatch = 256;
  // Audited batches waiting for the committer (stored in one transaction).
  static constexpr size_t kMaxPendingCommits = 4;

  // `on_audited` runs after each batch of audits is stored (to wake event
  // streams).
  Follower(std::shared_ptr<grpc::Channel> submit_channel, Store* store,
           const AccessPolicy* policy, std::function<void()> on_audited);

  // How a version's published document is read for DOC-MATCH (before
  // Start): `reportctl` the binary that reads it in a child process
  // (core/import/child_import.h), under `limits`, OCR within `ocr_seconds`.
  // Without it, a document is reported unread (DOC-UNREAD).
  void SetDocumentReader(std::string reportctl, ChildImportLimits limits, int ocr_seconds);
  ~Follower();  // Stop()s

  // Health of the follower, for operators (audit_service/main.cc shows it
  // as the gRPC health service kFollowerHealthService): `on_health(false)`
  // once, while failing, it has for `unhealthy_after` neither stored an
  // audit nor had the feed open with nothing left to audit (submit_service
  // unreachable, the store failing, a version that cannot be audited);
  // `on_health(true)` when either happens again. A stream still open with
  // versions read and not stored (a store that hangs, an audit that does not
  // end) counts as failing too: a watchdog looks once a second. Called from
  // the follower's threads, never under its lock. Set before Start().
  void SetHealthCallback(std::function<void(bool)> on_health, absl::Duration unhealthy_after);

  void Start();
  // Ends the stream and joins the thread; a batch being stored completes.
  void Stop();

 private:
  void Run();
  // Reads one stream from `position` until it ends or fails.
  absl::Status Follow(const std::string& position);
  // An audited batch, to be stored.
  struct Audited {
    std::vector<AuditRecord> records;
    std::string position;  // of the last event
  };
  // Audits a batch of feed events.
  absl::StatusOr<Audited> Audit(const std::vector<std::shared_ptr<FeedEvent>>& events);
  // Stores one audited batch and wakes event streams (committer thread).
  absl::Status Commit(Audited batch);
  // A version in the FULL view; NotFound passes through.
  absl::StatusOr<v1::ReportVersion> Fetch(const std::string& name);
  // The version's published document read for DOC-MATCH; an error only when
  // submit_service could not be asked (the batch is retried).
  absl::StatusOr<DocumentReading> ReadDocument(const v1::ReportVersion& version);
  // The latest version of (agency, year - 1) at feed seq `as_of`; null when none.
  absl::StatusOr<const v1::ReportVersion*> PreviousYear(const std::string& agency_id, int32_t year,
                                                        int64_t as_of);
  // The number of the last version among 1..below of `report` at or before
  // feed seq `as_of`, 0 when none: O(log below) GetVersion calls.
  absl::StatusOr<int64_t> LastVersionAsOf(const ReportName& report, int64_t below, int64_t as_of);
  void Remember(const std::string& agency_id, int32_t year, std::shared_ptr<const FeedEvent> e);
  bool Pause(absl::Duration d);  // false when stopping
  // Turns unhealthy (once) when versions wait unstored for unhealthy_after_.
  void Watch();
  // Sets healthy_ = false and says so, unless it already was; `why` for the log.
  void TurnUnhealthy(absl::Duration stuck, const std::string& why);
  // The feed is open or an audit was stored: healthy (again).
  void Progressed();
  // The feed's last position seen (`head`, from submit_service) or stored
  // with an audit (`audited`) moved; -1 leaves it. Sets the feed gauges
  // (core/base/metrics.h): positions, and the lag between them in versions.
  void NoteFeed(int64_t head, int64_t audited);

  std::unique_ptr<v1::SubmissionService::Stub> stub_;
  Store* store_;
  const AccessPolicy* policy_;
  std::string reportctl_;  // SetDocumentReader
  ChildImportLimits document_limits_;
  int document_ocr_seconds_ = 0;
  std::function<void()> on_audited_;
  std::function<void(bool)> on_health_;
  absl::Duration unhealthy_after_ = absl::Seconds(30);
  std::thread thread_;
  std::thread watchdog_;
  std::atomic<int64_t> feed_head_{0};
  std::atomic<int64_t> feed_audited_{0};
  // Latest version seen of each (agency, year); follower thread only.
  std::map<std::pair<std::string, int32_t>, std::shared_ptr<const FeedEvent>> latest_;
  std::map<std::pair<std::string, int32_t>, bool> known_absent_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* stream_ ABSL_GUARDED_BY(mu_) = nullptr;
  // Events read and not yet processed, and whether the stream ended.
  std::deque<std::shared_ptr<FeedEvent>> queue_ ABSL_GUARDED_BY(mu_);
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  // Audited batches for the committer; the first failed commit; whether
  // the follower thread has no more batches for this stream.
  std::deque<Audited> pending_ ABSL_GUARDED_BY(mu_);
  absl::Status commit_failure_ ABSL_GUARDED_BY(mu_);
  bool audits_done_ ABSL_GUARDED_BY(mu_) = false;
  int64_t commits_ ABSL_GUARDED_BY(mu_) = 0;
  // Open with nothing read and not yet stored (health: being caught up is
  // progress for as long as it lasts); a batch being audited; one being stored.
  bool caught_up_ ABSL_GUARDED_BY(mu_) = false;
  bool audits_in_hand_ ABSL_GUARDED_BY(mu_) = false;
  bool storing_ ABSL_GUARDED_BY(mu_) = false;  // the committer is in Commit()
  bool healthy_ ABSL_GUARDED_BY(mu_) = true;
  absl::Time last_progress_ ABSL_GUARDED_BY(mu_);
};

// The gRPC health service name under which audit_service reports its
// follower: NOT_SERVING while it cannot audit (the service itself stays
// SERVING: its reads still answer).
inline constexpr char kFollowerHealthService[] = "disclosure.v1.AuditService/feed";

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_FOLLOWER_H_
