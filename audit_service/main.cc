// audit_service: audits every stored version, records the reviews, clears
// reports for publication, answers oversight, keeps the ledger.
// Thin main: flags, configuration, store, ledger key, feed follower, server,
// signals.
#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "audit_service/server.h"
#include "audit_service/validate.h"
#include "core/access/access.h"
#include "core/ledger/checkpoint.h"
#include "core/rpc/client_channel.h"
#include "core/rpc/grpc_server.h"
#include "core/base/metrics.h"
#include "core/rpc/page_token.h"
#include "core/rpc/rpc_util.h"
#include "core/storage/store_url.h"
#include "grpcpp/grpcpp.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50052", "address to listen on");
ABSL_FLAG(std::string, store, "sqlite:run/audit.db", "store URL: sqlite:PATH, postgres://… or a libpq connection string");
ABSL_FLAG(std::string, ca, "run/certs/ca.crt", "CA certificate (PEM) that signs peers");
ABSL_FLAG(std::string, cert, "run/certs/server.crt", "server certificate (PEM)");
ABSL_FLAG(std::string, key, "run/certs/server.key", "server private key (PEM)");
ABSL_FLAG(std::string, submit_target, "127.0.0.1:50051",
          "submit_service address(es): host:port, several ip:port joined by commas, or dns:///name:port");
ABSL_FLAG(std::string, submit_authority, "localhost",
          "name in submit_service's certificate (TLS target name)");
ABSL_FLAG(std::string, client_cert, "run/certs/audit-service.crt",
          "this service's client certificate for submit_service (PEM)");
ABSL_FLAG(std::string, client_key, "run/certs/audit-service.key", "its private key (PEM)");
ABSL_FLAG(std::string, ledger_key, "run/ledger.key",
          "Ed25519 private key (PEM) that signs ledger checkpoints");
ABSL_FLAG(bool, generate_ledger_key, false,
          "create --ledger_key if it does not exist (development)");
ABSL_FLAG(std::string, ledger_origin, "disclosure.dev/audit-ledger", "the ledger's name");
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
          "threads of the synchronous handlers (WatchEvents streams run beside them)");

namespace {

int Fail(const std::string& what, const absl::Status& s) {
  spdlog::critical("audit_service: {}: {}", what, s.ToString());
  spdlog::shutdown();
  return 1;
}

absl::StatusOr<disclosure::CheckpointSigner> LoadLedgerKey(const std::string& path) {
  absl::StatusOr<disclosure::CheckpointSigner> signer =
      disclosure::CheckpointSigner::FromPemFile(path);
  if (!absl::IsNotFound(signer.status()) || !absl::GetFlag(FLAGS_generate_ledger_key)) {
    return signer;
  }
  signer = disclosure::CheckpointSigner::Generate();
  if (!signer.ok()) return signer;
  std::string pem = signer->PrivateKeyPem();
  mode_t old = umask(077);
  std::ofstream out(path, std::ios::binary);
  out << pem;
  out.close();
  umask(old);
  if (!out) return absl::UnavailableError("cannot write " + path);
  spdlog::info("audit_service: generated a ledger key in {}", path);
  return signer;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "audit_service --listen ADDR --store sqlite:PATH --submit_target ADDR --ledger_key PEM …");
  absl::ParseCommandLine(argc, argv);
  sigset_t signals = disclosure::StartServiceProcess();

  absl::StatusOr<disclosure::AccessPolicy> policy =
      disclosure::AccessPolicy::Load(absl::GetFlag(FLAGS_principals), absl::GetFlag(FLAGS_registry));
  if (!policy.ok()) return Fail("configuration", policy.status());

  if (absl::Status s = disclosure::SetUpPageTokenKey(absl::GetFlag(FLAGS_page_token_key_file),
                                                    "audit_service");
      !s.ok()) {
    return Fail("--page_token_key_file", s);
  }

  absl::StatusOr<disclosure::CheckpointSigner> signer =
      LoadLedgerKey(absl::GetFlag(FLAGS_ledger_key));
  if (!signer.ok()) return Fail("--ledger_key", signer.status());

  auto client_creds = disclosure::MutualTlsChannelCredentials(
      {absl::GetFlag(FLAGS_ca), absl::GetFlag(FLAGS_client_cert), absl::GetFlag(FLAGS_client_key)});
  if (!client_creds.ok()) return Fail("TLS (client)", client_creds.status());
  // Several submit_service replicas: a comma list of addresses or a DNS name
  // (round_robin), calls retried on UNAVAILABLE (core/rpc/client_channel.h).
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = disclosure::OpenClientChannel(
      absl::GetFlag(FLAGS_submit_target), absl::GetFlag(FLAGS_submit_authority), *client_creds,
      disclosure::audit::kMaxMessageBytes);
  if (!channel.ok()) return Fail("--submit_target", channel.status());

  // Metrics before the server: a scrape sees the process as soon as it runs.
  std::unique_ptr<disclosure::metrics::HttpEndpoint> metrics;
  if (const std::string listen = absl::GetFlag(FLAGS_metrics_listen); !listen.empty()) {
    absl::StatusOr<std::unique_ptr<disclosure::metrics::HttpEndpoint>> m =
        disclosure::metrics::HttpEndpoint::Start(listen);
    if (!m.ok()) return Fail("--metrics_listen", m.status());
    metrics = *std::move(m);
    spdlog::info("audit_service: metrics on http://{}/metrics (port {})", listen, metrics->port());
  }

  disclosure::audit::AuditServerConfig config;
  config.grpc.listen = absl::GetFlag(FLAGS_listen);
  config.grpc.tls = {absl::GetFlag(FLAGS_ca), absl::GetFlag(FLAGS_cert), absl::GetFlag(FLAGS_key)};
  config.grpc.max_threads = absl::GetFlag(FLAGS_max_threads);
  config.grpc.handshake_timeout_ms = absl::GetFlag(FLAGS_handshake_timeout_seconds) * 1000;
  config.store_url = absl::GetFlag(FLAGS_store);
  config.policy = &*policy;
  config.ledger_key = *std::move(signer);
  config.ledger_origin = absl::GetFlag(FLAGS_ledger_origin);
  config.submit = *channel;
  absl::StatusOr<std::unique_ptr<disclosure::audit::AuditServer>> server =
      disclosure::audit::AuditServer::Start(std::move(config));
  if (!server.ok()) return Fail("start", server.status());
  const std::string listen = absl::GetFlag(FLAGS_listen);
  spdlog::info("audit_service listening on {} (port {}), store {}, following {}", listen,
               (*server)->port(), disclosure::StoreUrlForLogs(absl::GetFlag(FLAGS_store)),
               absl::GetFlag(FLAGS_submit_target));

  const int status = disclosure::ServeUntilSignal(
      "audit_service", signals, listen, (*server)->port(),
      absl::Seconds(absl::GetFlag(FLAGS_listener_probe_seconds)), [&] {
        (*server)->Stop(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
      });
  spdlog::shutdown();  // flushes the log
  return status;
}
