#include "tests/service_env.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "core/base/file.h"
#include "absl/strings/str_cat.h"
#include "core/rpc/client_channel.h"
#include "core/import/import.h"
#include "core/rpc/rpc_util.h"
#include "core/storage/store_url.h"
#include "gtest/gtest.h"
#include "submit_service/store/open_store.h"
#include "submit_service/store/sqlite/sqlite_store.h"
#include "submit_service/validate.h"

namespace disclosure::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "disclosure-test-XXXXXX").string();
  path_ = mkdtemp(tmpl.data()) ? tmpl : "";
  if (path_.empty()) ADD_FAILURE() << "mkdtemp failed";
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

const Certs& DevCerts() {
  static const Certs* certs = [] {
    static TempDir dir;  // lives as long as the test binary
    auto* c = new Certs{dir.path() + "/dev", dir.path() + "/other"};
    std::string script = std::string(DISCLOSURE_SOURCE_DIR) + "/deploy/dev-certs.sh";
    std::string cmd = absl::StrCat(
        script, " ", c->dir,
        " clerk-zz-psb clerk-ly-psb clerk-wh-psb reviewer-legality reviewer-normativity"
        " reviewer-confidentiality oversight-henan oversight-zhengzhou audit-service nobody"
        " chief-zz-psb reviewer-legality-wuhan oversight-hubei console",
        " && ", script, " ", c->other_dir, " clerk-zz-psb");
    if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << "dev-certs.sh failed: " << cmd;
    return c;
  }();
  return *certs;
}

std::string DevConfigPath(const std::string& file) {
  return std::string(DISCLOSURE_SOURCE_DIR) + "/deploy/dev/" + file;
}

const AccessPolicy& DevPolicy() {
  static const AccessPolicy* policy = [] {
    auto p = AccessPolicy::Load(DevConfigPath("principals.textproto"),
                                DevConfigPath("agencies.textproto"));
    EXPECT_TRUE(p.ok()) << p.status();
    return new AccessPolicy(*std::move(p));
  }();
  return *policy;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

InProcessSubmitServer::InProcessSubmitServer(const std::string& db_path, ServerOptions options) {
  const Certs& certs = DevCerts();
  submit::SubmitServerConfig config;
  config.grpc.tls = {certs.dir + "/ca.crt", certs.dir + "/server.crt", certs.dir + "/server.key"};
  config.grpc.max_threads = options.max_threads;
  // A path, or any store URL (sqlite:…, a PostgreSQL connection string).
  config.store_url = ParseStoreUrl(db_path).ok() ? db_path : "sqlite:" + db_path;
  config.policy = options.policy != nullptr ? options.policy : &DevPolicy();
  config.list_page_bytes = options.list_page_bytes;
  absl::StatusOr<std::unique_ptr<submit::SubmitServer>> server =
      submit::SubmitServer::Start(std::move(config));
  EXPECT_TRUE(server.ok()) << server.status();
  if (server.ok()) server_ = *std::move(server);
  address_ = absl::StrCat("127.0.0.1:", server_ != nullptr ? server_->port() : 0);
}

InProcessSubmitServer::~InProcessSubmitServer() = default;

namespace {

std::vector<std::string> ServiceArgs(const char* binary, const std::string& db_path, int port) {
  const Certs& certs = DevCerts();
  return {
      binary,
      absl::StrCat("--listen=127.0.0.1:", port),
      "--store=sqlite:" + db_path,
      "--ca=" + certs.dir + "/ca.crt",
      "--cert=" + certs.dir + "/server.crt",
      "--key=" + certs.dir + "/server.key",
      "--principals=" + DevConfigPath("principals.textproto"),
      "--registry=" + DevConfigPath("agencies.textproto"),
      "--shutdown_grace_seconds=2",
  };
}

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

ChildServer::ChildServer(int port, std::vector<std::string> args, const std::string& log_path)
    : port_(port) {
  pid_ = fork();
  if (pid_ == 0) {
    if (!log_path.empty()) {
      int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) _exit(126);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  // Ready when the port takes a TLS connection.
  auto channel = ChannelAs(address(), "audit-service");
  for (int i = 0; i < 100; ++i) {
    if (channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::milliseconds(100))) {
      return;
    }
  }
  ADD_FAILURE() << args[0] << " did not start on port " << port;
}

ChildServer::~ChildServer() {
  if (pid_ > 0) Kill9();
}

void ChildServer::Kill9() {
  kill(pid_, SIGKILL);
  int status;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

int ChildServer::Terminate() {
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

ChildSubmitServer::ChildSubmitServer(const std::string& db_path, int port,
                                     const std::vector<std::string>& extra_args,
                                     const std::string& log_path)
    : ChildServer(port,
                  Concat(ServiceArgs(DISCLOSURE_SUBMIT_SERVICE_BINARY, db_path, port), extra_args),
                  log_path) {}

ChildAuditServer::ChildAuditServer(const std::string& db_path, int port,
                                   const std::string& submit_address,
                                   const std::string& ledger_key_path,
                                   const std::vector<std::string>& extra_args)
    : ChildServer(port, Concat(ServiceArgs(DISCLOSURE_AUDIT_SERVICE_BINARY, db_path, port),
                               Concat({"--client_cert=" + DevCerts().dir + "/audit-service.crt",
                                       "--client_key=" + DevCerts().dir + "/audit-service.key",
                                       "--submit_target=" + submit_address,
                                       "--ledger_key=" + ledger_key_path, "--generate_ledger_key"},
                                      extra_args))) {}

std::string ChildServer::address() const { return absl::StrCat("127.0.0.1:", port_); }

std::shared_ptr<grpc::Channel> ChannelAs(const std::string& address, const std::string& principal,
                                         const std::string& dir_in) {
  std::string dir = dir_in.empty() ? DevCerts().dir : dir_in;
  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (principal.empty()) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = *ReadFileToString(dir + "/ca.crt");
    creds = grpc::SslCredentials(options);
  } else {
    auto c = MutualTlsChannelCredentials(
        {dir + "/ca.crt", dir + "/" + principal + ".crt", dir + "/" + principal + ".key"});
    EXPECT_TRUE(c.ok()) << c.status();
    creds = *c;
  }
  if (address.find(',') != std::string::npos) {
    // Several replicas: as the services' clients connect (round_robin, retries).
    auto channel = OpenClientChannel(address, "localhost", creds, 16 << 20);
    EXPECT_TRUE(channel.ok()) << channel.status();
    return *channel;
  }
  grpc::ChannelArguments args;
  // Past the services' own limits (a report beside a 16 MiB document), so
  // that tests see the services refuse, not the channel.
  args.SetMaxReceiveMessageSize(32 << 20);
  args.SetMaxSendMessageSize(32 << 20);
  // Each test channel is its own connection (no subchannel sharing), so a
  // channel's certificate is the one the server sees.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, creds, args);
}

std::unique_ptr<v1::SubmissionService::Stub> SubmitStubAs(const std::string& address,
                                                          const std::string& principal,
                                                          const std::string& dir) {
  return v1::SubmissionService::NewStub(ChannelAs(address, principal, dir));
}

v1::Report SampleReport() {
  auto text = ReadFileToString(std::string(DISCLOSURE_SOURCE_DIR) +
                               "/tests/testdata/zhengzhou-psb-2021.txt");
  EXPECT_TRUE(text.ok());
  auto r = ImportText(*text);
  EXPECT_TRUE(r.ok()) << r.status();
  v1::Report report = r->report;
  report.mutable_agency()->set_id("zz-psb");
  return report;
}

}  // namespace disclosure::testing
