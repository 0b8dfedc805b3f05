// Peers that connect and never start TLS, against both service binaries run
// as child processes under a given open-file limit (as systemd's soft 1024):
// they must not keep a service from answering authenticated clients, and a
// service whose listener they wedged must not stay wedged (issue 12).
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/rpc/rpc_util.h"
#include "disclosure/v1/audit.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/audit_env.h"
#include "tests/service_env.h"

namespace disclosure::testing {
namespace {

using ::testing::HasSubstr;

// This process opens more sockets than a default soft limit allows.
void RaiseOwnFileLimit() {
  struct rlimit l;
  getrlimit(RLIMIT_NOFILE, &l);
  l.rlim_cur = l.rlim_max;
  setrlimit(RLIMIT_NOFILE, &l);
}

// A service binary as a child process, stdout and stderr in `log_path`,
// under RLIMIT_NOFILE soft `soft` and hard `hard`.
class Child {
 public:
  Child(std::vector<std::string> args, rlim_t soft, rlim_t hard, std::string log_path)
      : args_(std::move(args)), soft_(soft), hard_(hard), log_path_(std::move(log_path)) {
    Start();
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  void Start() {
    pid_ = fork();
    if (pid_ == 0) {
      struct rlimit l = {soft_, hard_};
      setrlimit(RLIMIT_NOFILE, &l);
      int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> argv;
      for (auto& a : args_) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  // The exit status once the child ended within `timeout`, -1 otherwise.
  int WaitExit(std::chrono::seconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return -1;
  }
  std::string Log() const {
    std::ifstream in(log_path_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::vector<std::string> args_;
  rlim_t soft_, hard_;
  std::string log_path_;
  pid_t pid_ = -1;
};

// Plain TCP connections to 127.0.0.1:port that send nothing.
std::vector<int> OpenIdle(int port, int n) {
  std::vector<int> fds;
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < n; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) break;
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close(fd);
      break;
    }
    fds.push_back(fd);
  }
  return fds;
}

void CloseAll(std::vector<int>* fds) {
  for (int fd : *fds) close(fd);
  fds->clear();
}

// How many of `fds` the server has closed (end of stream or reset).
int ClosedByServer(const std::vector<int>& fds) {
  int closed = 0;
  for (int fd : fds) {
    pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 0) == 1) {
      char c;
      if (recv(fd, &c, 1, MSG_DONTWAIT) <= 0) ++closed;
    }
  }
  return closed;
}

// An authenticated call that a synchronous handler answers: OK, or what
// went wrong.
grpc::Status SubmitCall(const std::string& address) {
  v1::ListReportsRequest request;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  v1::ListReportsResponse response;
  return SubmitStubAs(address, "oversight-henan")->ListReports(&context, request, &response);
}

grpc::Status AuditCall(const std::string& address) {
  v1::GetRegionSummaryRequest request;
  request.set_name("regions/41/years/2021");
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  v1::RegionSummary response;
  return AuditStubAs(address, "oversight-henan")->GetRegionSummary(&context, request, &response);
}

class IdlePeersTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    RaiseOwnFileLimit();
    port_ = FreePort();
    address_ = absl::StrCat("127.0.0.1:", port_);
    const Certs& certs = DevCerts();
    std::string service = GetParam();
    args_ = {
        service == "submit" ? DISCLOSURE_SUBMIT_SERVICE_BINARY : DISCLOSURE_AUDIT_SERVICE_BINARY,
        "--listen=" + address_,
        "--store=sqlite:" + dir_.path() + "/" + service + ".db",
        "--ca=" + certs.dir + "/ca.crt",
        "--cert=" + certs.dir + "/server.crt",
        "--key=" + certs.dir + "/server.key",
        "--principals=" + DevConfigPath("principals.textproto"),
        "--registry=" + DevConfigPath("agencies.textproto"),
        "--shutdown_grace_seconds=1",
    };
    if (service == "audit") {
      submit_ = std::make_unique<InProcessSubmitServer>(dir_.path() + "/submit.db");
      std::string key = dir_.path() + "/ledger.key";
      std::ofstream(key) << TestLedgerKeyPem();
      for (std::string a : {"--submit_target=" + submit_->address(),
                            "--client_cert=" + certs.dir + "/audit-service.crt",
                            "--client_key=" + certs.dir + "/audit-service.key",
                            "--ledger_key=" + key}) {
        args_.push_back(a);
      }
    }
  }

  grpc::Status Call() {
    return std::string(GetParam()) == "submit" ? SubmitCall(address_) : AuditCall(address_);
  }

  // Waits for the child's first answer.
  bool WaitReady(Child* child) {
    for (int i = 0; i < 100; ++i) {
      if (Call().ok()) return true;
      if (child->WaitExit(std::chrono::seconds(0)) >= 0) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  TempDir dir_;
  int port_ = 0;
  std::string address_;
  std::vector<std::string> args_;
  std::unique_ptr<InProcessSubmitServer> submit_;
};

// The case: 1,100 idle peers under systemd's soft limit of 1024 (the
// hard limit above it, as systemd leaves it). The service raises its limit
// and keeps answering.
TEST_P(IdlePeersTest, AThousandIdlePeersDoNotStopAuthenticatedCalls) {
  Child child(args_, 1024, 8192, dir_.path() + "/service.log");
  ASSERT_TRUE(WaitReady(&child)) << child.Log();
  std::vector<int> idle = OpenIdle(port_, 1100);
  ASSERT_EQ(idle.size(), 1100u);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // all accepted
  grpc::Status s = Call();
  EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message() << "\n" << child.Log();
  CloseAll(&idle);
  s = Call();
  EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message() << "\n" << child.Log();
  // The log reaches the file within a second or so (buffered).
  std::string log;
  for (int i = 0; i < 50 && !absl::StrContains(log, "open files"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    log = child.Log();
  }
  EXPECT_THAT(log, HasSubstr("open files: limit 8192 (was 1024, hard limit 8192)"));
}

// A peer that never starts TLS is dropped after the handshake timeout.
TEST_P(IdlePeersTest, IdlePeersAreClosedAfterTheHandshakeTimeout) {
  args_.push_back("--handshake_timeout_seconds=1");
  Child child(args_, 1024, 1024, dir_.path() + "/service.log");
  ASSERT_TRUE(WaitReady(&child)) << child.Log();
  std::vector<int> idle = OpenIdle(port_, 50);
  ASSERT_EQ(idle.size(), 50u);
  std::this_thread::sleep_for(std::chrono::seconds(4));
  EXPECT_EQ(ClosedByServer(idle), 50);
  CloseAll(&idle);
}

// More idle peers than even the hard limit allows: gRPC 1.51 stops
// accepting on the port for good at the first failed accept(2). The service
// must not stay that way: within a bounded time after the peers are gone it
// answers again, or it has stopped with a failure status (for systemd's
// Restart=on-failure or Kubernetes to start it again) and answers once
// restarted.
TEST_P(IdlePeersTest, AWedgedListenerDoesNotStayWedged) {
  args_.push_back("--handshake_timeout_seconds=2");
  args_.push_back("--listener_probe_seconds=1");
  Child child(args_, 200, 200, dir_.path() + "/service.log");
  ASSERT_TRUE(WaitReady(&child)) << child.Log();
  std::vector<int> idle = OpenIdle(port_, 400);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  CloseAll(&idle);
  bool answered = false;
  int exit_status = -1;
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!answered && exit_status < 0 && std::chrono::steady_clock::now() < end) {
    answered = Call().ok();
    if (!answered) exit_status = child.WaitExit(std::chrono::seconds(1));
  }
  if (!answered) {
    ASSERT_EQ(exit_status, 1) << "neither answered nor stopped with status 1 within 60 s\n"
                              << child.Log();
    EXPECT_THAT(child.Log(), HasSubstr("no longer accepts connections"));
    std::cerr << "the service stopped with status 1, as it should; restarted\n";
    // What the supervisor does.
    child.Start();
    ASSERT_TRUE(WaitReady(&child)) << child.Log();
  }
  grpc::Status s = Call();
  EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message() << "\n" << child.Log();
}

INSTANTIATE_TEST_SUITE_P(BothServices, IdlePeersTest, ::testing::Values("submit", "audit"));

}  // namespace
}  // namespace disclosure::testing
