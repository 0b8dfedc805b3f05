// audit_service assembled: its store (timed for the metrics), the ledger,
// the AuditService, the feed follower of submit_service, and the gRPC server
// (core/rpc/grpc_server.h) with the health of the follower and of the ledger.
// main.cc, the tests and the benchmarks start it alike.
//
// Thread-safe as the service is; Stop() once, from one thread.
#ifndef DISCLOSURE_AUDIT_SERVICE_SERVER_H_
#define DISCLOSURE_AUDIT_SERVICE_SERVER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audit_service/follower.h"
#include "audit_service/ledger.h"
#include "audit_service/service.h"
#include "audit_service/store/store.h"
#include "core/access/access.h"
#include "core/ledger/checkpoint.h"
#include "core/rpc/grpc_server.h"
#include "grpcpp/grpcpp.h"

namespace disclosure::audit {

// The health name of the service (grpc.health.v1, docs/api.md); the
// follower's and the ledger's are kFollowerHealthService and
// kLedgerHealthService.
inline constexpr char kAuditHealthService[] = "disclosure.v1.AuditService";

struct AuditServerConfig {
  GrpcServerConfig grpc;  // max_message_bytes and health_names are set by Start
  std::string store_url;  // sqlite:PATH or a PostgreSQL URL (core/rpc/rpc_util.h)
  const AccessPolicy* policy = nullptr;  // not owned; outlives the server
  std::optional<CheckpointSigner> ledger_key;
  std::string ledger_origin;
  // submit_service (core/rpc/client_channel.h): the feed and the latest versions.
  std::shared_ptr<grpc::Channel> submit;
  std::function<absl::Time()> clock = absl::Now;  // the deadlines' "today"
  bool follow = true;  // false: the follower is not started (tests of a feed behind)
  // The follower's health turns NOT_SERVING after this long unable to audit.
  absl::Duration follower_unhealthy_after = absl::Seconds(30);
  // Reading published documents for DOC-MATCH (Follower::SetDocumentReader):
  // the reportctl binary (empty: documents are reported unread), its limits.
  // Each read blocks the audits behind it (they are in feed order): its time
  // stays under follower_unhealthy_after, or the follower looks stuck.
  std::string reportctl;
  ChildImportLimits document_limits{uint64_t{1} << 30, absl::Seconds(25)};
  int document_ocr_seconds = 20;
};

class AuditServer {
 public:
  // Opens the store, starts serving and following.
  static absl::StatusOr<std::unique_ptr<AuditServer>> Start(AuditServerConfig config);
  ~AuditServer();  // Stop(2 s) unless stopped

  int port() const { return port_; }
  Store* store() { return store_.get(); }

  // Health NOT_SERVING, the follower stopped, open watches ended, in-flight
  // calls given `grace`, then the store closed.
  void Stop(absl::Duration grace);

 private:
  AuditServer() = default;

  std::unique_ptr<Store> store_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<AuditServiceImpl> service_;
  std::unique_ptr<Follower> follower_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_SERVER_H_
