#include "core/rpc/listener_watchdog.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "spdlog/spdlog.h"

namespace disclosure {
namespace {

// Milliseconds left until `deadline`, for poll(2).
int MillisUntil(absl::Time deadline) {
  return static_cast<int>(
      std::max<int64_t>(0, absl::ToInt64Milliseconds(deadline - absl::Now())));
}

// The host to connect to for the listen address: wildcards mean loopback.
std::string ProbeHost(const std::string& listen) {
  absl::string_view host = listen;
  size_t colon = host.rfind(':');
  if (colon != absl::string_view::npos) host = host.substr(0, colon);
  if (absl::ConsumePrefix(&host, "[")) absl::ConsumeSuffix(&host, "]");
  if (host.empty() || host == "0.0.0.0") return "127.0.0.1";
  if (host == "::") return "::1";
  return std::string(host);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

void RaiseOpenFileLimit() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  rlim_t soft = limit.rlim_cur;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) limit.rlim_cur = soft;
  }
  spdlog::info("open files: limit {} (was {}, hard limit {})", limit.rlim_cur, soft,
               limit.rlim_max);
}

absl::Status ProbeListener(const std::string& host, int port, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  struct addrinfo hints = {};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  struct addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return absl::UnavailableError(absl::StrCat("cannot resolve ", host, ": ", gai_strerror(rc)));
  }
  Fd fd(socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    freeaddrinfo(found);
    // Out of descriptors ourselves: the listener may be fine; the next
    // probe tells.
    return absl::OkStatus();
  }
  int rc = connect(fd.get(), found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);
  if (rc != 0 && errno != EINPROGRESS) {
    return absl::UnavailableError(absl::StrCat("connect: ", std::strerror(errno)));
  }
  struct pollfd p = {fd.get(), POLLOUT, 0};
  if (rc != 0) {
    if (poll(&p, 1, MillisUntil(deadline)) <= 0) {
      return absl::UnavailableError("connect did not complete (the backlog is full)");
    }
    int error = 0;
    socklen_t len = sizeof error;
    getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) return absl::UnavailableError(absl::StrCat("connect: ", std::strerror(error)));
  }
  // End of stream at once: a server that accepted it ends its TLS handshake
  // and closes the connection.
  shutdown(fd.get(), SHUT_WR);
  for (;;) {
    p = {fd.get(), POLLIN, 0};
    int ready = poll(&p, 1, MillisUntil(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      return absl::UnavailableError(absl::StrCat(
          "connected, but nothing took the connection within ",
          absl::FormatDuration(timeout), " (the server does not accept)"));
    }
    char buffer[512];
    ssize_t n = recv(fd.get(), buffer, sizeof buffer, 0);
    if (n > 0) continue;
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    return absl::OkStatus();  // closed (or reset) by the server
  }
}

ListenerWatchdog::ListenerWatchdog(const std::string& listen, int port, absl::Duration interval,
                                   int failures)
    : host_(ProbeHost(listen)), port_(port), interval_(interval), failures_(failures) {}

ListenerWatchdog::~ListenerWatchdog() {
  stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void ListenerWatchdog::Start() {
  if (interval_ <= absl::ZeroDuration()) return;  // off
  thread_ = std::thread([this] { Run(); });
}

void ListenerWatchdog::Run() {
  // A loaded machine may take a while to accept: a few seconds, and several
  // failures in a row, before calling the port wedged.
  const absl::Duration timeout = std::clamp(interval_, absl::Seconds(2), absl::Seconds(5));
  int failed = 0;
  while (!stop_.WaitForNotificationWithTimeout(interval_)) {
    absl::Status s = ProbeListener(host_, port_, timeout);
    if (s.ok()) {
      if (failed > 0) spdlog::info("listener probe: port {} answers again", port_);
      failed = 0;
      continue;
    }
    ++failed;
    spdlog::warn("listener probe: port {} failed ({} of {}): {}", port_, failed, failures_,
                 std::string(s.message()));
    if (failed < failures_) continue;
    spdlog::critical(
        "listener probe: port {} no longer accepts connections ({}); stopping with a failure "
        "status so that the supervisor restarts the service",
        port_, std::string(s.message()));
    tripped_ = true;
    kill(getpid(), SIGTERM);
    // Should the orderly shutdown itself hang, the process ends anyway.
    if (!stop_.WaitForNotificationWithTimeout(absl::Seconds(60))) _exit(1);
    return;
  }
}

}  // namespace disclosure
