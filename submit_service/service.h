// The SubmissionService handlers. Each RPC: principal from the certificate,
// validation (validate.h), access (Authorize, the one place that decides),
// the store, one log line.
#ifndef DISCLOSURE_SUBMIT_SERVICE_SERVICE_H_
#define DISCLOSURE_SUBMIT_SERVICE_SERVICE_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "core/access/access.h"
#include "core/rpc/rpc_util.h"
#include "core/rpc/watch_stream.h"
#include "disclosure/v1/submission.grpc.pb.h"
#include "grpcpp/server_builder.h"
#include "submit_service/store/store.h"
#include "submit_service/validate.h"

namespace disclosure::submit {

namespace v1 = ::disclosure::v1;

// CreateVersion uses gRPC's callback API (it waits on a durable commit and
// must not hold a thread meanwhile); so does WatchVersions (each stream on a
// thread of its own, core/rpc/watch_stream.h, never one of the synchronous
// handlers'); the reads are synchronous handlers.
class SubmissionServiceImpl final
    : public v1::SubmissionService::WithCallbackMethod_CreateVersion<
          v1::SubmissionService::WithCallbackMethod_WatchVersions<v1::SubmissionService::Service>> {
 public:
  // `list_page_bytes`: the ListVersions page budget (tests lower it).
  SubmissionServiceImpl(Store* store, const AccessPolicy* policy,
                        size_t list_page_bytes = kMaxListPageBytes);

  // Ends open WatchVersions streams (on shutdown).
  void StopWatches();

  grpc::ServerUnaryReactor* CreateVersion(grpc::CallbackServerContext* context,
                                          const v1::CreateVersionRequest* request,
                                          v1::CreateVersionResponse* response) override;
  grpc::Status GetVersion(grpc::ServerContext* context, const v1::GetVersionRequest* request,
                          v1::ReportVersion* response) override;
  grpc::Status ListVersions(grpc::ServerContext* context, const v1::ListVersionsRequest* request,
                            v1::ListVersionsResponse* response) override;
  grpc::Status ListReports(grpc::ServerContext* context, const v1::ListReportsRequest* request,
                           v1::ListReportsResponse* response) override;
  grpc::Status DiffVersions(grpc::ServerContext* context, const v1::DiffVersionsRequest* request,
                            v1::DiffVersionsResponse* response) override;
  grpc::Status FindDocumentVersions(grpc::ServerContext* context,
                                    const v1::FindDocumentVersionsRequest* request,
                                    v1::FindDocumentVersionsResponse* response) override;
  grpc::ServerWriteReactor<v1::VersionEvent>* WatchVersions(
      grpc::CallbackServerContext* context, const v1::WatchVersionsRequest* request) override;

 private:
  enum class Action { kSubmit, kRead };
  // The one access decision of every RPC: PERMISSION_DENIED, with the same
  // message whether or not the agency or its report exists.
  absl::Status Authorize(const std::string& principal, Action action,
                         const std::string& agency_id) const;

  // Validation, access and the canonical bytes of a CreateVersion.
  absl::StatusOr<CreateVersionArgs> PrepareCreateVersion(
      const std::string& principal, const v1::CreateVersionRequest& request) const;
  // The version as `principal` sees it (feed_position: audit service only).
  absl::StatusOr<v1::ReportVersion> ToProto(const VersionRecord& r, bool with_report,
                                            const std::string& principal) const;
  void NotifyFeed(int64_t seq);

  Store* store_;
  const AccessPolicy* policy_;
  const size_t list_page_bytes_;
  // CreateVersion's request and response on one arena per call.
  ArenaMessageAllocator<v1::CreateVersionRequest, v1::CreateVersionResponse> create_allocator_;

  WatchLimiter watch_limiter_;

  absl::Mutex feed_mu_;
  int64_t feed_seq_ ABSL_GUARDED_BY(feed_mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(feed_mu_) = false;
};

}  // namespace disclosure::submit

#endif  // DISCLOSURE_SUBMIT_SERVICE_SERVICE_H_
