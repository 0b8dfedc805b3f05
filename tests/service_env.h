// Test environment for the services: development certificates made by
// deploy/dev-certs.sh in a temporary folder, the development principals and
// registry, and a real submit_service, in process or as a child process, on
// a loopback port with mutual TLS and a real SQLite file.
#ifndef DISCLOSURE_TESTS_SERVICE_ENV_H_
#define DISCLOSURE_TESTS_SERVICE_ENV_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "core/access/access.h"
#include "core/rpc/rpc_util.h"
#include "disclosure/v1/submission.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "submit_service/server.h"
#include "submit_service/store/store.h"

namespace disclosure::testing {

// A fresh temporary directory, removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Certificates for every development principal (and "nobody", who has no
// role), made once per test binary; plus a second, unrelated CA with a
// certificate for "clerk-zz-psb".
struct Certs {
  std::string dir;        // ca.crt, server.{crt,key}, PRINCIPAL.{crt,key}
  std::string other_dir;  // another CA
};
const Certs& DevCerts();

// The development principals and agency registry of deploy/dev.
const AccessPolicy& DevPolicy();
std::string DevConfigPath(const std::string& file);  // deploy/dev/<file>

// How the in-process server differs from the default.
struct ServerOptions {
  const AccessPolicy* policy = nullptr;  // default DevPolicy()
  int max_threads = kDefaultMaxThreads;
  size_t list_page_bytes = submit::kMaxListPageBytes;
};

// A submit_service in this process.
class InProcessSubmitServer {
 public:
  // Opens the SQLite store at `db_path` (or a store URL) and listens on
  // 127.0.0.1:<free port>: submit_service/server.h, as main.cc starts it.
  explicit InProcessSubmitServer(const std::string& db_path, ServerOptions options = {});
  ~InProcessSubmitServer();
  std::string address() const { return address_; }
  submit::Store* store() { return server_->store(); }

 private:
  std::unique_ptr<submit::SubmitServer> server_;  // as submit_service/main.cc starts it
  std::string address_;
};

// A service binary as a child process (for kill -9 and restarts): starts
// `args` (argv[0] the binary) and waits until 127.0.0.1:`port` takes a TLS
// connection. Its stdout and stderr go to `log_path` when given (else the
// test's).
class ChildServer {
 public:
  ChildServer(int port, std::vector<std::string> args, const std::string& log_path = "");
  ChildServer(const ChildServer&) = delete;
  ChildServer& operator=(const ChildServer&) = delete;
  ~ChildServer();
  void Kill9();
  // SIGTERM and wait; returns the exit status.
  int Terminate();
  std::string address() const;

 private:
  pid_t pid_ = -1;
  int port_;
};

// submit_service with the development certificates and configuration, and
// `extra_args`.
class ChildSubmitServer : public ChildServer {
 public:
  ChildSubmitServer(const std::string& db_path, int port,
                    const std::vector<std::string>& extra_args = {},
                    const std::string& log_path = "");
};

// audit_service, likewise, following `submit_address`; its ledger key is
// generated at `ledger_key_path` when missing.
class ChildAuditServer : public ChildServer {
 public:
  ChildAuditServer(const std::string& db_path, int port, const std::string& submit_address,
                   const std::string& ledger_key_path,
                   const std::vector<std::string>& extra_args = {});
};

// A free TCP port on 127.0.0.1 (bound and released).
int FreePort();

// A channel to `address` presenting `principal`'s certificate (from `dir`,
// default DevCerts().dir); principal "" presents no client certificate.
// Several addresses joined by commas: one channel over all of them, as
// core/rpc/client_channel.h makes it (round_robin, retries on UNAVAILABLE).
std::shared_ptr<grpc::Channel> ChannelAs(const std::string& address, const std::string& principal,
                                         const std::string& dir = "");
std::unique_ptr<v1::SubmissionService::Stub> SubmitStubAs(const std::string& address,
                                                          const std::string& principal,
                                                          const std::string& dir = "");

// The sample report (tests/testdata/zhengzhou-psb-2021.txt) imported, with
// agency id "zz-psb".
v1::Report SampleReport();

}  // namespace disclosure::testing

#endif  // DISCLOSURE_TESTS_SERVICE_ENV_H_
