// console: the web console (docs/console.md). Thin main: flags, the gRPC
// channels to both services with the console's own certificate, the HTTPS
// server, signals.
#include <signal.h>

#include <memory>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "console/api.h"
#include "console/server.h"
#include "core/rpc/client_channel.h"
#include "core/rpc/rpc_util.h"
#include "core/rpc/service_main.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, listen_host, "127.0.0.1", "address the HTTPS server listens on");
ABSL_FLAG(int, port, 8443, "HTTPS port");
// --ca (the CA of the services and of users' certificates), --cert and --key
// (the console's server certificate for browsers): the services' flags
// (core/rpc/service_main.cc), which this binary links.
ABSL_DECLARE_FLAG(std::string, ca);
ABSL_DECLARE_FLAG(std::string, cert);
ABSL_DECLARE_FLAG(std::string, key);
ABSL_FLAG(std::string, client_cert, "run/certs/console.crt",
          "the console's client certificate for the services (a principal with the console role)");
ABSL_FLAG(std::string, client_key, "run/certs/console.key", "its private key (PEM)");
ABSL_FLAG(std::string, audit_target, "127.0.0.1:50052", "audit_service address(es)");
ABSL_FLAG(std::string, submit_target, "127.0.0.1:50051", "submit_service address(es)");
ABSL_FLAG(std::string, authority, "localhost", "name in the services' certificates");
ABSL_FLAG(std::string, pages_dir, DISCLOSURE_CONSOLE_PAGES_DIR, "the console's pages (console/pages)");
ABSL_FLAG(std::string, ledger_public_key, "",
          "the ledger's public key (PEM), which the ledger page verifies checkpoints and entries with");
ABSL_FLAG(std::string, reportctl, DISCLOSURE_REPORTCTL,
          "the reportctl binary that reads uploaded documents, in a child process; empty: no upload");
ABSL_FLAG(int, import_seconds, 120, "an upload's import, at most (wall clock and CPU)");
ABSL_FLAG(int, import_memory_mb, 1024, "an upload's import, at most this address space");
ABSL_FLAG(int, import_ocr_seconds, 60, "a scanned upload's OCR, at most (≤ --import_seconds)");
ABSL_FLAG(std::string, chart_js, "/usr/share/javascript/chart.js/chart.min.js",
          "Chart.js (Debian's libjs-chart.js)");

namespace {

int Fail(const std::string& what, const absl::Status& s) {
  spdlog::critical("console: {}: {}", what, s.ToString());
  spdlog::shutdown();
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("console --port 8443 --ca PEM --cert PEM --key PEM --client_cert PEM …");
  absl::ParseCommandLine(argc, argv);
  sigset_t signals = disclosure::StartServiceProcess();

  auto creds = disclosure::MutualTlsChannelCredentials(
      {absl::GetFlag(FLAGS_ca), absl::GetFlag(FLAGS_client_cert), absl::GetFlag(FLAGS_client_key)});
  if (!creds.ok()) return Fail("TLS (client)", creds.status());
  constexpr int kMaxReceiveBytes = 64 << 20;
  auto audit = disclosure::OpenClientChannel(absl::GetFlag(FLAGS_audit_target),
                                             absl::GetFlag(FLAGS_authority), *creds, kMaxReceiveBytes);
  if (!audit.ok()) return Fail("--audit_target", audit.status());
  auto submit = disclosure::OpenClientChannel(absl::GetFlag(FLAGS_submit_target),
                                              absl::GetFlag(FLAGS_authority), *creds, kMaxReceiveBytes);
  if (!submit.ok()) return Fail("--submit_target", submit.status());
  disclosure::console::ImportConfig import;
  import.reportctl = absl::GetFlag(FLAGS_reportctl);
  import.limits.max_time = absl::Seconds(absl::GetFlag(FLAGS_import_seconds));
  import.limits.max_memory_bytes = static_cast<uint64_t>(absl::GetFlag(FLAGS_import_memory_mb)) << 20;
  import.max_ocr_seconds = std::min(absl::GetFlag(FLAGS_import_ocr_seconds), absl::GetFlag(FLAGS_import_seconds));
  disclosure::console::Api api(*audit, *submit, import);

  disclosure::console::ServerConfig config;
  config.host = absl::GetFlag(FLAGS_listen_host);
  config.port = absl::GetFlag(FLAGS_port);
  config.ca = absl::GetFlag(FLAGS_ca);
  config.cert = absl::GetFlag(FLAGS_cert);
  config.key = absl::GetFlag(FLAGS_key);
  config.pages_dir = absl::GetFlag(FLAGS_pages_dir);
  config.chart_js = absl::GetFlag(FLAGS_chart_js);
  config.ledger_public_key = absl::GetFlag(FLAGS_ledger_public_key);
  auto server = disclosure::console::Server::Start(config, &api);
  if (!server.ok()) return Fail("start", server.status());
  spdlog::info("console: https://{}:{}/ (client certificates of {})", config.host, (*server)->port(),
               config.ca);
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("console: signal {}, shutting down", sig);
  (*server)->Stop();
  spdlog::info("console: stopped");
  spdlog::shutdown();
  return 0;
}
