// The AuditService handlers. Each RPC: principal from the certificate,
// validation (validate.h), access (the Authorize* functions, the only places
// that decide), the store, one log line. Audits themselves are written by
// the Follower (follower.h), never by an RPC.
#ifndef DISCLOSURE_AUDIT_SERVICE_SERVICE_H_
#define DISCLOSURE_AUDIT_SERVICE_SERVICE_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "audit_service/ledger.h"
#include "audit_service/store/store.h"
#include "core/access/access.h"
#include "core/rpc/rpc_util.h"
#include "core/rpc/watch_stream.h"
#include "disclosure/v1/audit.grpc.pb.h"
#include "disclosure/v1/submission.pb.h"

namespace disclosure::audit {

// ValidateReport, the one RPC under load from many clients, is on gRPC's
// callback API (answered inline, no hop to a server thread); the rest are
// synchronous handlers.
//
// WatchEvents is on the callback API too, each stream on a thread of its own
// (core/rpc/watch_stream.h): open streams never hold the synchronous handlers'
// threads, and one principal holds at most a few.
class AuditServiceImpl final
    : public v1::AuditService::WithCallbackMethod_ValidateReport<
          v1::AuditService::WithCallbackMethod_WatchEvents<v1::AuditService::Service>> {
 public:
  // `clock` gives "now" for overdue reports (tests move it). Audits and
  // sign-offs are read through `ledger` (Ledger::ReadReviews), so that what
  // is served and decided on is what the ledger proves.
  AuditServiceImpl(Store* store, const AccessPolicy* policy, Ledger* ledger,
                   std::function<absl::Time()> clock = absl::Now);

  // Where GetReviewStatus confirms that a version is still the latest
  // (submit_service: a newer version may be stored and not yet audited).
  // Returns the latest version number of a report, 0 when none. Without
  // it, the latest audited version counts as the latest.
  using LatestVersionSource = std::function<absl::StatusOr<int64_t>(const std::string& agency_id,
                                                                    int32_t year)>;
  void SetLatestVersionSource(LatestVersionSource source) { latest_source_ = std::move(source); }
  // Where GetVerificationBundle reads a version's report (submit_service,
  // FULL view; the name has a number). Without it, bundles are UNAVAILABLE.
  using VersionSource = std::function<absl::StatusOr<v1::ReportVersion>(const std::string& name)>;
  void SetVersionSource(VersionSource source) { version_source_ = std::move(source); }

  // Wakes WatchEvents streams: new events were stored.
  void NotifyEvents();
  // Ends open WatchEvents streams (on shutdown).
  void StopWatches();

  grpc::Status GetAudit(grpc::ServerContext* context, const v1::GetAuditRequest* request,
                        v1::Audit* response) override;
  grpc::ServerUnaryReactor* ValidateReport(grpc::CallbackServerContext* context,
                                           const v1::ValidateReportRequest* request,
                                           v1::ValidateReportResponse* response) override;
  grpc::Status CreateSignOff(grpc::ServerContext* context,
                             const v1::CreateSignOffRequest* request,
                             v1::SignOff* response) override;
  grpc::Status ListSignOffs(grpc::ServerContext* context, const v1::ListSignOffsRequest* request,
                            v1::ListSignOffsResponse* response) override;
  grpc::Status GetReviewStatus(grpc::ServerContext* context,
                               const v1::GetReviewStatusRequest* request,
                               v1::ReviewStatus* response) override;
  grpc::Status ListAgencyStates(grpc::ServerContext* context,
                                const v1::ListAgencyStatesRequest* request,
                                v1::ListAgencyStatesResponse* response) override;
  grpc::Status GetRegionSummary(grpc::ServerContext* context,
                                const v1::GetRegionSummaryRequest* request,
                                v1::RegionSummary* response) override;
  grpc::ServerWriteReactor<v1::AuditEvent>* WatchEvents(
      grpc::CallbackServerContext* context, const v1::WatchEventsRequest* request) override;
  grpc::Status GetCheckpoint(grpc::ServerContext* context,
                             const v1::GetCheckpointRequest* request,
                             v1::SignedCheckpoint* response) override;
  grpc::Status GetInclusionProof(grpc::ServerContext* context,
                                 const v1::GetInclusionProofRequest* request,
                                 v1::InclusionProof* response) override;
  grpc::Status GetConsistencyProof(grpc::ServerContext* context,
                                   const v1::GetConsistencyProofRequest* request,
                                   v1::ConsistencyProof* response) override;
  grpc::Status GetVerificationBundle(grpc::ServerContext* context,
                                     const v1::GetVerificationBundleRequest* request,
                                     v1::VerificationBundle* response) override;

 private:
  // Reading a report's audits, sign-offs and status: its clerks, reviewers,
  // oversight of its region, the audit service (AccessPolicy::CanRead).
  // PERMISSION_DENIED alike whether or not the agency or report exists.
  absl::StatusOr<const v1::Agency*> AuthorizeRead(const std::string& principal,
                                                  const std::string& agency_id) const;
  // A sign-off of `kind` needs the reviewer role of that kind for the agency.
  absl::StatusOr<const v1::Agency*> AuthorizeSignOff(const std::string& principal,
                                                     v1::ReviewKind kind,
                                                     const std::string& agency_id) const;
  // Oversight views and events: oversight whose region contains the prefix.
  absl::Status AuthorizeRegion(const std::string& principal, const std::string& prefix) const;
  // The ledger: oversight offices and the audit service.
  absl::Status AuthorizeLedger(const std::string& principal) const;

  Store* store_;
  const AccessPolicy* policy_;
  Ledger* ledger_;
  ArenaMessageAllocator<v1::ValidateReportRequest, v1::ValidateReportResponse> validate_allocator_;
  std::function<absl::Time()> clock_;
  LatestVersionSource latest_source_;
  VersionSource version_source_;

  WatchLimiter watch_limiter_;

  absl::Mutex events_mu_;
  int64_t event_seq_ ABSL_GUARDED_BY(events_mu_) = 0;  // bumped on NotifyEvents
  bool stopping_ ABSL_GUARDED_BY(events_mu_) = false;
};

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_SERVICE_H_
