// submit_service assembled: its store (timed for the metrics), the
// SubmissionService and the gRPC server (core/rpc/grpc_server.h). main.cc, the
// tests and the benchmarks start it alike.
//
// Thread-safe as the service is; Stop() once, from one thread.
#ifndef DISCLOSURE_SUBMIT_SERVICE_SERVER_H_
#define DISCLOSURE_SUBMIT_SERVICE_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/access/access.h"
#include "core/rpc/grpc_server.h"
#include "submit_service/service.h"
#include "submit_service/store/store.h"
#include "submit_service/validate.h"

namespace disclosure::submit {

// The health name of the service (grpc.health.v1, docs/api.md).
inline constexpr char kSubmitHealthService[] = "disclosure.v1.SubmissionService";

struct SubmitServerConfig {
  GrpcServerConfig grpc;  // max_message_bytes and health_names are set by Start
  std::string store_url;  // sqlite:PATH or a PostgreSQL URL (core/rpc/rpc_util.h)
  const AccessPolicy* policy = nullptr;  // not owned; outlives the server
  size_t list_page_bytes = kMaxListPageBytes;
};

class SubmitServer {
 public:
  // Opens the store and starts serving.
  static absl::StatusOr<std::unique_ptr<SubmitServer>> Start(SubmitServerConfig config);
  ~SubmitServer();  // Stop(2 s) unless stopped

  int port() const { return port_; }
  Store* store() { return store_.get(); }

  // Health NOT_SERVING, open watches ended, in-flight calls given `grace`,
  // then the store closed.
  void Stop(absl::Duration grace);

 private:
  SubmitServer() = default;

  std::unique_ptr<Store> store_;
  std::unique_ptr<SubmissionServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace disclosure::submit

#endif  // DISCLOSURE_SUBMIT_SERVICE_SERVER_H_
