// Follows submit_service's change feed and audits every new version, once.
// The feed position is stored with each audit in the same transaction, so
// after a restart or an outage the follower resumes right after the last
// version audited: none skipped, none audited twice. A version that cannot
// be audited now (submit_service unreachable, a store error) is retried from
// the stored position with a growing pause (0.1 s to 5 s).
#ifndef DISCLOSURE_AUDIT_SERVICE_FOLLOWER_H_
#define DISCLOSURE_AUDIT_SERVICE_FOLLOWER_H_

#include <functional>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "audit_service/store/store.h"
#include "core/access.h"
#include "disclosure/v1/submission.grpc.pb.h"

namespace disclosure::audit {

class Follower {
 public:
  // `on_audited` runs after each audit is stored (to wake event streams).
  Follower(std::shared_ptr<grpc::Channel> submit_channel, Store* store,
           const AccessPolicy* policy, std::function<void()> on_audited);
  ~Follower();  // Stop()s

  void Start();
  // Ends the stream and joins the thread; an audit being stored completes.
  void Stop();

 private:
  void Run();
  // Audits one feed event; OK also when it was audited already.
  absl::Status Process(const v1::VersionEvent& event);
  // A version in the FULL view; NotFound passes through.
  absl::StatusOr<v1::ReportVersion> Fetch(const std::string& name);
  bool Pause(absl::Duration d);  // false when stopping

  std::unique_ptr<v1::SubmissionService::Stub> stub_;
  Store* store_;
  const AccessPolicy* policy_;
  std::function<void()> on_audited_;
  std::thread thread_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* stream_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_FOLLOWER_H_
