// audit_service: audits every stored version, records the reviews, clears
// reports for publication, answers oversight, keeps the ledger.
// Thin main: flags, configuration, store, ledger key, feed follower, server,
// signals.
#include <unistd.h>

#include <sys/stat.h>

#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "audit_service/server.h"
#include "audit_service/validate.h"
#include "core/base/file.h"
#include "core/ledger/checkpoint.h"
#include "core/rpc/client_channel.h"
#include "core/rpc/rpc_util.h"
#include "core/rpc/service_main.h"
#include "core/storage/store_url.h"
#include "grpcpp/grpcpp.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50052", "address to listen on");
ABSL_FLAG(std::string, store, "sqlite:run/audit.db", "store URL: sqlite:PATH, postgres://… or a libpq connection string");
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
ABSL_FLAG(std::string, reportctl, DISCLOSURE_REPORTCTL,
          "the reportctl binary that reads a version's published document (DOC-MATCH) in a child "
          "process; empty: documents are reported unread (DOC-UNREAD)");
// The follower audits in feed order: every second here delays the audits
// behind a slow document, and below the follower's 30 s health threshold.
ABSL_FLAG(int, document_seconds, 25, "reading one published document, at most (wall clock and CPU)");
ABSL_FLAG(int, document_memory_mb, 1024, "reading one published document, at most this address space");
ABSL_FLAG(int, document_ocr_seconds, 20, "a scanned published document's OCR, at most");

namespace {

// What submit_service sends at most: a version in the DOCUMENT view is a
// report beside a 16 MiB published document (submit_service/validate.h).
constexpr int kMaxFromSubmitBytes = 24 << 20;

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
  mode_t old = umask(077);  // the key is readable by its owner only
  absl::Status written = disclosure::WriteFileAtomically(path, signer->PrivateKeyPem());
  umask(old);
  if (!written.ok()) return written;
  spdlog::info("audit_service: generated a ledger key in {}", path);
  return signer;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "audit_service --listen ADDR --store sqlite:PATH --submit_target ADDR --ledger_key PEM …");
  absl::ParseCommandLine(argc, argv);
  absl::StatusOr<std::unique_ptr<disclosure::ServiceMain>> m =
      disclosure::StartServiceMain("audit_service", absl::GetFlag(FLAGS_listen));
  if (!m.ok()) return Fail("start", m.status());

  absl::StatusOr<disclosure::CheckpointSigner> signer =
      LoadLedgerKey(absl::GetFlag(FLAGS_ledger_key));
  if (!signer.ok()) return Fail("--ledger_key", signer.status());

  auto client_creds = disclosure::MutualTlsChannelCredentials(
      {(*m)->grpc.tls.ca, absl::GetFlag(FLAGS_client_cert), absl::GetFlag(FLAGS_client_key)});
  if (!client_creds.ok()) return Fail("TLS (client)", client_creds.status());
  // Several submit_service replicas: a comma list of addresses or a DNS name
  // (round_robin), calls retried on UNAVAILABLE (core/rpc/client_channel.h).
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = disclosure::OpenClientChannel(
      absl::GetFlag(FLAGS_submit_target), absl::GetFlag(FLAGS_submit_authority), *client_creds,
      kMaxFromSubmitBytes);
  if (!channel.ok()) return Fail("--submit_target", channel.status());

  disclosure::audit::AuditServerConfig config;
  config.grpc = (*m)->grpc;
  config.store_url = absl::GetFlag(FLAGS_store);
  config.policy = &(*m)->policy;
  config.ledger_key = *std::move(signer);
  config.ledger_origin = absl::GetFlag(FLAGS_ledger_origin);
  config.reportctl = absl::GetFlag(FLAGS_reportctl);
  // A reader that cannot run would stop every audit of a document: refuse
  // to start instead.
  if (!config.reportctl.empty() && access(config.reportctl.c_str(), X_OK) != 0) {
    return Fail("--reportctl", absl::FailedPreconditionError(absl::StrCat(
                                   config.reportctl, " is not an executable reportctl (give the "
                                   "installed one, or --reportctl= to report documents unread)")));
  }
  config.document_limits.max_time = absl::Seconds(absl::GetFlag(FLAGS_document_seconds));
  config.document_limits.max_memory_bytes =
      static_cast<uint64_t>(absl::GetFlag(FLAGS_document_memory_mb)) << 20;
  config.document_ocr_seconds =
      std::min(absl::GetFlag(FLAGS_document_ocr_seconds), absl::GetFlag(FLAGS_document_seconds));
  config.submit = *channel;
  absl::StatusOr<std::unique_ptr<disclosure::audit::AuditServer>> server =
      disclosure::audit::AuditServer::Start(std::move(config));
  if (!server.ok()) return Fail("start", server.status());
  const std::string listen = absl::GetFlag(FLAGS_listen);
  spdlog::info("audit_service listening on {} (port {}), store {}, following {}", listen,
               (*server)->port(), disclosure::StoreUrlForLogs(absl::GetFlag(FLAGS_store)),
               absl::GetFlag(FLAGS_submit_target));

  const int status = disclosure::ServeServiceUntilSignal(
      "audit_service", **m, (*server)->port(),
      [&](absl::Duration grace) { (*server)->Stop(grace); });
  spdlog::shutdown();  // flushes the log
  return status;
}
