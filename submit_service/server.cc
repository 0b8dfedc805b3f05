#include "submit_service/server.h"

#include <chrono>

#include "grpcpp/health_check_service_interface.h"
#include "submit_service/store/open_store.h"
#include "submit_service/store/timed_store.h"

namespace disclosure::submit {

absl::StatusOr<std::unique_ptr<SubmitServer>> SubmitServer::Start(SubmitServerConfig config) {
  if (config.policy == nullptr) return absl::InvalidArgumentError("no access policy");
  std::unique_ptr<SubmitServer> s(new SubmitServer);
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(config.store_url);
  if (!store.ok()) return store.status();
  s->store_ = std::make_unique<TimedStore>(*std::move(store));
  s->service_ = std::make_unique<SubmissionServiceImpl>(s->store_.get(), config.policy,
                                                        config.list_page_bytes);
  config.grpc.max_message_bytes = kMaxMessageBytes;
  config.grpc.health_names.push_back(kSubmitHealthService);
  absl::StatusOr<GrpcServer> grpc = StartGrpcServer(config.grpc, {s->service_.get()});
  if (!grpc.ok()) return grpc.status();
  s->server_ = std::move(grpc->server);
  s->port_ = grpc->port;
  return s;
}

SubmitServer::~SubmitServer() {
  if (server_ != nullptr) Stop(absl::Seconds(2));
}

void SubmitServer::Stop(absl::Duration grace) {
  server_->GetHealthCheckService()->Shutdown();
  service_->StopWatches();
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace));
  server_->Wait();
  server_.reset();
  service_.reset();
  store_.reset();  // closes the database cleanly
}

}  // namespace disclosure::submit
