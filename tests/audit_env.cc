#include "tests/audit_env.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/health_check_service_interface.h"
#include "audit_service/store/open_store.h"
#include "audit_service/validate.h"
#include "core/checkpoint.h"
#include "core/rpc_util.h"
#include "gtest/gtest.h"
#include "tests/service_env.h"

namespace disclosure::testing {

const std::string& TestLedgerKeyPem() {
  static const std::string* pem = [] {
    absl::StatusOr<CheckpointSigner> s = CheckpointSigner::Generate();
    EXPECT_TRUE(s.ok()) << s.status();
    return new std::string(s->PrivateKeyPem());
  }();
  return *pem;
}

std::string TestLedgerPublicKeyPem() {
  return CheckpointSigner::FromPem(TestLedgerKeyPem())->PublicKeyPem();
}

InProcessAuditServer::InProcessAuditServer(const std::string& db_path,
                                           const std::string& submit_address,
                                           std::function<absl::Time()> clock, bool follow) {
  // A path, or any store URL (sqlite:…, a PostgreSQL connection string).
  auto store = audit::OpenStore(ParseStoreUrl(db_path).ok() ? db_path : "sqlite:" + db_path);
  EXPECT_TRUE(store.ok()) << store.status();
  store_ = std::move(*store);
  ledger_ = std::make_unique<audit::Ledger>(
      store_.get(), *CheckpointSigner::FromPem(TestLedgerKeyPem()), "test/audit-ledger");
  service_ = std::make_unique<audit::AuditServiceImpl>(store_.get(), &DevPolicy(), ledger_.get(),
                                                       std::move(clock));
  std::shared_ptr<grpc::Channel> submit = ChannelAs(submit_address, "audit-service");
  service_->SetLatestVersionSource(audit::LatestVersionFrom(submit));
  follower_ = std::make_unique<audit::Follower>(
      submit, store_.get(), &DevPolicy(),
      [s = service_.get()] { s->NotifyEvents(); });
  const Certs& certs = DevCerts();
  auto creds = MutualTlsServerCredentials(
      {certs.dir + "/ca.crt", certs.dir + "/server.crt", certs.dir + "/server.key"});
  EXPECT_TRUE(creds.ok()) << creds.status();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", *creds, &port);
  builder.SetMaxReceiveMessageSize(audit::kMaxMessageBytes);
  builder.RegisterService(service_.get());
  ApplyServerLimits(&builder, kDefaultMaxThreads);
  server_ = builder.BuildAndStart();
  address_ = absl::StrCat("127.0.0.1:", port);
  // As audit_service's main.
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  health->SetServingStatus(audit::kLedgerHealthService, true);
  ledger_->SetAlarm([health](const absl::Status&) {
    health->SetServingStatus(audit::kLedgerHealthService, false);
  });
  if (follow) follower_->Start();
}

InProcessAuditServer::~InProcessAuditServer() {
  follower_->Stop();
  service_->StopWatches();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server_->Wait();
}

std::string HealthOf(const std::string& address, const std::string& service) {
  std::string request_bytes;
  if (!service.empty()) {
    request_bytes = std::string("\x0a", 1) + static_cast<char>(service.size()) + service;
  }
  grpc::GenericStub stub(ChannelAs(address, "oversight-henan"));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                 &response, [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) return absl::StrCat("error ", status.error_code(), ": ", status.error_message());
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (response.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices) {
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  if (bytes == std::string("\x08\x01", 2)) return "SERVING";
  if (bytes == std::string("\x08\x02", 2)) return "NOT_SERVING";
  return "UNKNOWN";
}

std::unique_ptr<v1::AuditService::Stub> AuditStubAs(const std::string& address,
                                                    const std::string& principal) {
  return v1::AuditService::NewStub(ChannelAs(address, principal));
}

}  // namespace disclosure::testing
