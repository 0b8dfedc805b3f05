// submit_service: stores every version of every agency's report.
// Thin main: flags, configuration, store, server, signals.
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "core/rpc/service_main.h"
#include "core/storage/store_url.h"
#include "spdlog/spdlog.h"
#include "submit_service/server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "address to listen on");
ABSL_FLAG(std::string, store, "sqlite:run/submit.db",
          "store URL: sqlite:PATH, postgres://… or a libpq connection string");

namespace {

int Fail(const std::string& what, const absl::Status& s) {
  spdlog::critical("submit_service: {}: {}", what, s.ToString());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("submit_service --listen ADDR --store sqlite:PATH --ca … --cert … --key …");
  absl::ParseCommandLine(argc, argv);
  absl::StatusOr<std::unique_ptr<disclosure::ServiceMain>> m =
      disclosure::StartServiceMain("submit_service", absl::GetFlag(FLAGS_listen));
  if (!m.ok()) return Fail("start", m.status());

  disclosure::submit::SubmitServerConfig config;
  config.grpc = (*m)->grpc;
  config.store_url = absl::GetFlag(FLAGS_store);
  config.policy = &(*m)->policy;
  absl::StatusOr<std::unique_ptr<disclosure::submit::SubmitServer>> server =
      disclosure::submit::SubmitServer::Start(config);
  if (!server.ok()) return Fail("start", server.status());
  spdlog::info("submit_service listening on {} (port {}), store {}", config.grpc.listen,
               // A PostgreSQL URL may carry a password: not logged.
               (*server)->port(), disclosure::StoreUrlForLogs(config.store_url));

  const int status = disclosure::ServeServiceUntilSignal(
      "submit_service", **m, (*server)->port(),
      [&](absl::Duration grace) { (*server)->Stop(grace); });
  spdlog::shutdown();  // flushes the log
  return status;
}
