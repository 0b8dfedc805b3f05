// The one assembly of a gRPC server, used by both services' mains, their
// tests and the benchmarks (so the server a test talks to is the server
// that runs): mutual TLS, the message-size limits both ways, the thread
// quota, keepalive and handshake timeout (ApplyServerLimits), grpc.health.v1
// with every name of `health_names` SERVING, and server reflection.
//
// ServeUntilSignal is the rest of a service's main: the listener watchdog,
// waiting for SIGTERM or SIGINT, and the shutdown order.
#ifndef DISCLOSURE_CORE_RPC_GRPC_SERVER_H_
#define DISCLOSURE_CORE_RPC_GRPC_SERVER_H_

#include <signal.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/rpc/rpc_util.h"
#include "grpcpp/grpcpp.h"

namespace disclosure {

struct GrpcServerConfig {
  std::string listen = "127.0.0.1:0";  // HOST:PORT; port 0 takes a free one
  TlsFiles tls;                        // the server's certificate, the clients' CA
  size_t max_message_bytes = 4 << 20;  // received and sent
  int max_threads = kDefaultMaxThreads;  // >= kMinMaxThreads
  int handshake_timeout_ms = kHandshakeTimeoutMs;
  // Served by grpc.health.v1 besides "" (the server), SERVING at start.
  std::vector<std::string> health_names;
};

struct GrpcServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;  // the port it listens on
};

// Builds and starts a server for `services` (not owned; they must outlive
// it). INVALID_ARGUMENT for a bad configuration (files, thread count),
// UNAVAILABLE when the address cannot be listened on.
absl::StatusOr<GrpcServer> StartGrpcServer(const GrpcServerConfig& config,
                                           const std::vector<grpc::Service*>& services);

// Runs a started service until SIGTERM or SIGINT (blocked in `signals`, as
// StartServiceProcess leaves them) or until the listener watchdog finds the
// port wedged (probing every `probe_interval`; zero: never). Then calls
// `stop` (which shuts the server down) and returns main's exit status: 0, or
// 1 when the listener was wedged (for Restart=on-failure). `name` prefixes
// the log lines.
int ServeUntilSignal(const std::string& name, sigset_t signals, const std::string& listen,
                     int port, absl::Duration probe_interval, const std::function<void()>& stop);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_RPC_GRPC_SERVER_H_
