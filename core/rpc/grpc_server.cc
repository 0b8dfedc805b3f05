#include "core/rpc/grpc_server.h"

#include <pthread.h>

#include "absl/strings/str_cat.h"
#include "core/rpc/listener_watchdog.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "spdlog/spdlog.h"

namespace disclosure {

absl::StatusOr<GrpcServer> StartGrpcServer(const GrpcServerConfig& config,
                                           const std::vector<grpc::Service*>& services) {
  if (config.max_threads < kMinMaxThreads) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_threads is ", config.max_threads, "; it must be at least ",
                     kMinMaxThreads));
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> creds =
      MutualTlsServerCredentials(config.tls);
  if (!creds.ok()) return creds.status();
  // Process-wide switches of gRPC, read by every ServerBuilder after them.
  // Naming the health messages' descriptor keeps it linked in, so that
  // reflection can describe grpc.health.v1.Health (proto/CMakeLists.txt).
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  GrpcServer out;
  builder.AddListeningPort(config.listen, *creds, &out.port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(config.max_message_bytes));
  ApplyServerLimits(&builder, config.max_threads, config.handshake_timeout_ms);
  for (grpc::Service* service : services) builder.RegisterService(service);
  out.server = builder.BuildAndStart();
  if (out.server == nullptr || out.port == 0) {
    return absl::UnavailableError("cannot listen on " + config.listen);
  }
  grpc::HealthCheckServiceInterface* health = out.server->GetHealthCheckService();
  for (const std::string& name : config.health_names) health->SetServingStatus(name, true);
  return out;
}

int ServeUntilSignal(const std::string& name, sigset_t signals, const std::string& listen,
                     int port, absl::Duration probe_interval, const std::function<void()>& stop) {
  // gRPC stops accepting for good after an accept(2) error (EMFILE): the
  // watchdog stops the process then (SIGTERM to itself), for its supervisor
  // to restart it.
  ListenerWatchdog watchdog(listen, port, probe_interval);
  watchdog.Start();
  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("{}: signal {}, shutting down", name, signal);
  stop();
  const int status = watchdog.tripped() ? 1 : 0;
  spdlog::info("{}: stopped{}", name, status != 0 ? " (listener wedged: exit status 1)" : "");
  return status;
}

}  // namespace disclosure
