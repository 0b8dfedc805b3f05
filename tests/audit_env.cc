#include "tests/audit_env.h"

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "grpcpp/generic/generic_stub.h"
#include "core/ledger/checkpoint.h"
#include "core/rpc/client_channel.h"
#include "core/rpc/rpc_util.h"
#include "core/storage/store_url.h"
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
  const Certs& certs = DevCerts();
  audit::AuditServerConfig config;
  config.grpc.tls = {certs.dir + "/ca.crt", certs.dir + "/server.crt", certs.dir + "/server.key"};
  // A path, or any store URL (sqlite:…, a PostgreSQL connection string).
  config.store_url = ParseStoreUrl(db_path).ok() ? db_path : "sqlite:" + db_path;
  config.policy = &DevPolicy();
  config.ledger_key = *CheckpointSigner::FromPem(TestLedgerKeyPem());
  config.ledger_origin = "test/audit-ledger";
  config.submit = ChannelAs(submit_address, "audit-service");
  config.clock = std::move(clock);
  config.follow = follow;
  config.reportctl = DISCLOSURE_REPORTCTL;  // DOC-MATCH reads documents with it
  absl::StatusOr<std::unique_ptr<audit::AuditServer>> server =
      audit::AuditServer::Start(std::move(config));
  EXPECT_TRUE(server.ok()) << server.status();
  if (server.ok()) server_ = *std::move(server);
  address_ = absl::StrCat("127.0.0.1:", server_ != nullptr ? server_->port() : 0);
}

InProcessAuditServer::~InProcessAuditServer() = default;

std::string HealthOf(const std::string& address, const std::string& service) {
  grpc::health::v1::HealthCheckResponse::ServingStatus serving;
  grpc::Status status =
      CheckHealth(ChannelAs(address, "oversight-henan"), service, absl::Seconds(5), &serving);
  if (!status.ok()) return absl::StrCat("error ", status.error_code(), ": ", status.error_message());
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(serving);
}

std::unique_ptr<v1::AuditService::Stub> AuditStubAs(const std::string& address,
                                                    const std::string& principal) {
  return v1::AuditService::NewStub(ChannelAs(address, principal));
}

v1::SignOff ReviewOf(const v1::Audit& audit, v1::ReviewKind kind, v1::Decision decision,
                     const std::string& reason) {
  v1::SignOff s;
  s.set_version(audit.version());
  s.set_content_hash(audit.content_hash());
  s.set_findings_digest(audit.findings_digest());
  s.set_kind(v1::REVIEW);
  s.set_review_kind(kind);
  s.set_decision(decision);
  s.set_reason(reason);
  return s;
}

std::optional<v1::Audit> AwaitAudit(const std::string& address, const std::string& version,
                                    const std::string& principal) {
  auto stub = AuditStubAs(address, principal);
  v1::GetAuditRequest req;
  req.set_name(version + "/audit");
  for (int i = 0; i < 200; ++i) {
    v1::Audit a;
    grpc::ClientContext c;
    if (stub->GetAudit(&c, req, &a).ok()) return a;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::nullopt;
}

}  // namespace disclosure::testing
