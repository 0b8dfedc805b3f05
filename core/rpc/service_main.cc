#include "core/rpc/service_main.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/rpc/listener_watchdog.h"
#include "core/rpc/page_token.h"
#include "core/rpc/rpc_util.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, ca, "run/certs/ca.crt", "CA certificate (PEM) that signs the peers");
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
          "threads of the synchronous handlers (watch streams run beside them); at least 4");

namespace disclosure {
namespace {

absl::Status Named(absl::string_view flag, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat(flag, ": ", s.message()));
}

}  // namespace

sigset_t StartServiceProcess() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  UseBufferedLogging();
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
  RaiseOpenFileLimit();
  RouteGrpcLogsToSpdlog();
  return signals;
}

absl::StatusOr<std::unique_ptr<ServiceMain>> StartServiceMain(const std::string& name,
                                                              const std::string& listen) {
  auto m = std::make_unique<ServiceMain>();
  m->signals = StartServiceProcess();
  absl::StatusOr<AccessPolicy> policy =
      AccessPolicy::Load(absl::GetFlag(FLAGS_principals), absl::GetFlag(FLAGS_registry));
  if (!policy.ok()) return Named("--principals / --registry", policy.status());
  m->policy = *std::move(policy);
  if (absl::Status s = SetUpPageTokenKey(absl::GetFlag(FLAGS_page_token_key_file), name); !s.ok()) {
    return Named("--page_token_key_file", s);
  }
  if (const std::string at = absl::GetFlag(FLAGS_metrics_listen); !at.empty()) {
    absl::StatusOr<std::unique_ptr<metrics::HttpEndpoint>> e = metrics::HttpEndpoint::Start(at);
    if (!e.ok()) return Named("--metrics_listen", e.status());
    m->metrics = *std::move(e);
    spdlog::info("{}: metrics on http://{}/metrics (port {})", name, at, m->metrics->port());
  }
  m->grpc.listen = listen;
  m->grpc.tls = {absl::GetFlag(FLAGS_ca), absl::GetFlag(FLAGS_cert), absl::GetFlag(FLAGS_key)};
  m->grpc.max_threads = absl::GetFlag(FLAGS_max_threads);
  m->grpc.handshake_timeout_ms = absl::GetFlag(FLAGS_handshake_timeout_seconds) * 1000;
  return m;
}

int ServeServiceUntilSignal(const std::string& name, const ServiceMain& m, int port,
                            const std::function<void(absl::Duration grace)>& stop) {
  const absl::Duration grace = absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds));
  return ServeUntilSignal(name, m.signals, m.grpc.listen, port,
                          absl::Seconds(absl::GetFlag(FLAGS_listener_probe_seconds)),
                          [&] { stop(grace); });
}

}  // namespace disclosure
