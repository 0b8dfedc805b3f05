// submit_service: stores every version of every agency's report.
// Thin main: flags, configuration, store, server, signals.
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "core/access/access.h"
#include "core/rpc/grpc_server.h"
#include "core/base/metrics.h"
#include "core/rpc/page_token.h"
#include "core/rpc/rpc_util.h"
#include "core/storage/store_url.h"
#include "spdlog/spdlog.h"
#include "submit_service/server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "address to listen on");
ABSL_FLAG(std::string, store, "sqlite:run/submit.db",
          "store URL: sqlite:PATH, postgres://… or a libpq connection string");
ABSL_FLAG(std::string, ca, "run/certs/ca.crt", "CA certificate (PEM) that signs clients");
ABSL_FLAG(std::string, cert, "run/certs/server.crt", "server certificate (PEM)");
ABSL_FLAG(std::string, key, "run/certs/server.key", "server private key (PEM)");
ABSL_FLAG(std::string, principals, "deploy/dev/principals.textproto", "principals and roles");
ABSL_FLAG(std::string, registry, "deploy/dev/agencies.textproto", "agency registry");
ABSL_FLAG(std::string, page_token_key_file, "",
          "secret (at least 32 random bytes) sealing page tokens; replicas behind one "
          "address share it. Empty: a key drawn per process (tokens end with it)");
ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT of the plain-HTTP Prometheus endpoint (/metrics); empty: none. "
          "Unauthenticated: a loopback or cluster-internal address");
ABSL_FLAG(int, shutdown_grace_seconds, 10, "on SIGTERM, time given to in-flight requests");
ABSL_FLAG(int, handshake_timeout_seconds, disclosure::kHandshakeTimeoutMs / 1000,
          "a connection that has not completed its TLS handshake by then is closed");
ABSL_FLAG(int, listener_probe_seconds, 10,
          "how often the process checks that its port still accepts connections (0: never); "
          "three failed checks in a row stop it with exit status 1, for a restart");
ABSL_FLAG(int, max_threads, disclosure::kDefaultMaxThreads,
          "threads of the synchronous handlers (the reads; watches run beside them); at least 4");

namespace {

int Fail(const std::string& what, const absl::Status& s) {
  spdlog::critical("submit_service: {}: {}", what, s.ToString());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("submit_service --listen ADDR --store sqlite:PATH --ca … --cert … --key …");
  absl::ParseCommandLine(argc, argv);
  sigset_t signals = disclosure::StartServiceProcess();

  absl::StatusOr<disclosure::AccessPolicy> policy =
      disclosure::AccessPolicy::Load(absl::GetFlag(FLAGS_principals), absl::GetFlag(FLAGS_registry));
  if (!policy.ok()) return Fail("configuration", policy.status());

  if (absl::Status s = disclosure::SetUpPageTokenKey(absl::GetFlag(FLAGS_page_token_key_file),
                                                    "submit_service");
      !s.ok()) {
    return Fail("--page_token_key_file", s);
  }

  // Metrics before the server: a scrape sees the process as soon as it runs.
  std::unique_ptr<disclosure::metrics::HttpEndpoint> metrics;
  if (const std::string listen = absl::GetFlag(FLAGS_metrics_listen); !listen.empty()) {
    absl::StatusOr<std::unique_ptr<disclosure::metrics::HttpEndpoint>> m =
        disclosure::metrics::HttpEndpoint::Start(listen);
    if (!m.ok()) return Fail("--metrics_listen", m.status());
    metrics = *std::move(m);
    spdlog::info("submit_service: metrics on http://{}/metrics (port {})", listen, metrics->port());
  }

  disclosure::submit::SubmitServerConfig config;
  config.grpc.listen = absl::GetFlag(FLAGS_listen);
  config.grpc.tls = {absl::GetFlag(FLAGS_ca), absl::GetFlag(FLAGS_cert), absl::GetFlag(FLAGS_key)};
  config.grpc.max_threads = absl::GetFlag(FLAGS_max_threads);
  config.grpc.handshake_timeout_ms = absl::GetFlag(FLAGS_handshake_timeout_seconds) * 1000;
  config.store_url = absl::GetFlag(FLAGS_store);
  config.policy = &*policy;
  absl::StatusOr<std::unique_ptr<disclosure::submit::SubmitServer>> server =
      disclosure::submit::SubmitServer::Start(config);
  if (!server.ok()) return Fail("start", server.status());
  spdlog::info("submit_service listening on {} (port {}), store {}", config.grpc.listen,
               // A PostgreSQL URL may carry a password: not logged.
               (*server)->port(), disclosure::StoreUrlForLogs(config.store_url));

  const int status = disclosure::ServeUntilSignal(
      "submit_service", signals, config.grpc.listen, (*server)->port(),
      absl::Seconds(absl::GetFlag(FLAGS_listener_probe_seconds)), [&] {
        (*server)->Stop(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
      });
  spdlog::shutdown();  // flushes the log
  return status;
}
