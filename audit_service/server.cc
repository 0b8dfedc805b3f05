#include "audit_service/server.h"

#include <chrono>

#include "audit_service/store/open_store.h"
#include "audit_service/store/timed_store.h"
#include "audit_service/validate.h"
#include "core/base/metrics.h"
#include "grpcpp/health_check_service_interface.h"

namespace disclosure::audit {
namespace {

void SetFollowerGauge(bool ok) {
  metrics::Registry::Global().SetGauge(
      "disclosure_feed_follower_healthy",
      "1 while the feed follower audits (health disclosure.v1.AuditService/feed), else 0.",
      ok ? 1 : 0);
}

}  // namespace

absl::StatusOr<std::unique_ptr<AuditServer>> AuditServer::Start(AuditServerConfig config) {
  if (config.policy == nullptr) return absl::InvalidArgumentError("no access policy");
  if (!config.ledger_key.has_value()) return absl::InvalidArgumentError("no ledger key");
  if (config.submit == nullptr) return absl::InvalidArgumentError("no submit_service channel");
  std::unique_ptr<AuditServer> s(new AuditServer);
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(config.store_url);
  if (!store.ok()) return store.status();
  s->store_ = std::make_unique<TimedStore>(*std::move(store));
  // Before anything writes to the store: the ledger signs every entry.
  s->ledger_ = std::make_unique<Ledger>(s->store_.get(), *std::move(config.ledger_key),
                                        config.ledger_origin);
  s->service_ = std::make_unique<AuditServiceImpl>(s->store_.get(), config.policy,
                                                   s->ledger_.get(), config.clock);
  s->service_->SetLatestVersionSource(LatestVersionFrom(config.submit));
  s->service_->SetVersionSource(VersionFrom(config.submit));
  s->follower_ = std::make_unique<Follower>(config.submit, s->store_.get(), config.policy,
                                            [service = s->service_.get()] {
                                              service->NotifyEvents();
                                            });
  s->follower_->SetDocumentReader(config.reportctl, config.document_limits,
                                  config.document_ocr_seconds);

  config.grpc.max_message_bytes = kMaxMessageBytes;
  config.grpc.health_names.push_back(kAuditHealthService);
  config.grpc.health_names.push_back(kFollowerHealthService);
  config.grpc.health_names.push_back(kLedgerHealthService);
  absl::StatusOr<GrpcServer> grpc = StartGrpcServer(config.grpc, {s->service_.get()});
  if (!grpc.ok()) return grpc.status();
  s->server_ = std::move(grpc->server);
  s->port_ = grpc->port;

  grpc::HealthCheckServiceInterface* health = s->server_->GetHealthCheckService();
  // The follower's health beside the service's own: NOT_SERVING while it
  // has been unable to audit (the service's reads still answer).
  SetFollowerGauge(true);
  s->follower_->SetHealthCallback(
      [health](bool ok) {
        health->SetServingStatus(kFollowerHealthService, ok);
        SetFollowerGauge(ok);
      },
      config.follower_unhealthy_after);
  // The ledger's and its records' health: NOT_SERVING for good (until a
  // restart) once an entry or a served record failed its check.
  s->ledger_->SetAlarm([health](const absl::Status&) {
    health->SetServingStatus(kLedgerHealthService, false);
  });
  if (config.follow) s->follower_->Start();
  return s;
}

AuditServer::~AuditServer() {
  if (server_ != nullptr) Stop(absl::Seconds(2));
}

void AuditServer::Stop(absl::Duration grace) {
  server_->GetHealthCheckService()->Shutdown();
  follower_->Stop();
  service_->StopWatches();
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace));
  server_->Wait();
  server_.reset();
  follower_.reset();
  service_.reset();
  ledger_.reset();
  store_.reset();  // closes the database cleanly
}

}  // namespace disclosure::audit
