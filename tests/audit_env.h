// Test environment for audit_service: the real service (store, ledger, feed
// follower, gRPC server with mutual TLS on loopback) in this process,
// following a submit_service at a given address. Stop it and start another
// on the same database to test catching up.
#ifndef DISCLOSURE_TESTS_AUDIT_ENV_H_
#define DISCLOSURE_TESTS_AUDIT_ENV_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "audit_service/server.h"
#include "audit_service/store/store.h"
#include "disclosure/v1/audit.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace disclosure::testing {

// The ledger key of every test audit server (so checkpoints verify across
// restarts), and its public half.
const std::string& TestLedgerKeyPem();
std::string TestLedgerPublicKeyPem();

class InProcessAuditServer {
 public:
  // `follow` false: the follower is not started (an audit service whose
  // feed is behind).
  InProcessAuditServer(const std::string& db_path, const std::string& submit_address,
                       std::function<absl::Time()> clock = absl::Now, bool follow = true);
  ~InProcessAuditServer();
  std::string address() const { return address_; }
  audit::Store* store() { return server_->store(); }

 private:
  std::unique_ptr<audit::AuditServer> server_;  // as audit_service/main.cc starts it
  std::string address_;
};

// grpc.health.v1.Health/Check of `service` ("" for the server): "SERVING",
// "NOT_SERVING", or "error N: …".
std::string HealthOf(const std::string& address, const std::string& service);

// A review of exactly what `audit` is of (its version, content hash and
// findings digest), as a reviewer signs it off.
v1::SignOff ReviewOf(const v1::Audit& audit, v1::ReviewKind kind, v1::Decision decision,
                     const std::string& reason = "");

std::unique_ptr<v1::AuditService::Stub> AuditStubAs(const std::string& address,
                                                    const std::string& principal);

// The audit of `version` as `principal` reads it, once the service has made
// it (asked every 50 ms); nullopt after 10 s.
std::optional<v1::Audit> AwaitAudit(const std::string& address, const std::string& version,
                                    const std::string& principal = "oversight-henan");

}  // namespace disclosure::testing

#endif  // DISCLOSURE_TESTS_AUDIT_ENV_H_
