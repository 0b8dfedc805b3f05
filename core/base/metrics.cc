#include "core/base/metrics.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/match.h"

namespace disclosure::metrics {
namespace {

// grpc::StatusCode's names, by number (gRPC's own spelling).
constexpr const char* kCodeNames[] = {
    "OK",          "CANCELLED",           "UNKNOWN",       "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED", "NOT_FOUND",     "ALREADY_EXISTS", "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL",          "UNAVAILABLE",   "DATA_LOSS",
    "UNAUTHENTICATED"};

std::string CodeName(int code) {
  if (code >= 0 && code < static_cast<int>(std::size(kCodeNames))) return kCodeNames[code];
  return absl::StrCat(code);
}

std::string Label(absl::string_view v) {
  return absl::StrReplaceAll(v, {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

std::string Number(double v) { return absl::StrFormat("%.17g", v); }

template <typename Hist>
void AppendHistogram(const std::string& name, const std::string& labels, const Hist& h,
                     std::string* out) {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBucketBounds.size(); ++i) {
    cumulative += h.buckets[i];
    absl::StrAppend(out, name, "_bucket{", labels, ",le=\"", Number(kBucketBounds[i]), "\"} ",
                    cumulative, "\n");
  }
  absl::StrAppend(out, name, "_bucket{", labels, ",le=\"+Inf\"} ", h.count, "\n");
  absl::StrAppend(out, name, "_sum{", labels, "} ", Number(h.sum), "\n");
  absl::StrAppend(out, name, "_count{", labels, "} ", h.count, "\n");
}

}  // namespace

void Registry::Histogram::Observe(double seconds) {
  auto it = std::lower_bound(kBucketBounds.begin(), kBucketBounds.end(), seconds);
  if (it != kBucketBounds.end()) ++buckets[it - kBucketBounds.begin()];
  ++count;
  sum += seconds;
}

Registry& Registry::Global() {
  static Registry* registry = new Registry;  // never destroyed: logged into until exit
  return *registry;
}

void Registry::ObserveRpc(absl::string_view service, absl::string_view method, int code,
                          absl::Duration duration) {
  absl::MutexLock lock(&mu_);
  rpcs_[RpcKey(service, method, code)].Observe(absl::ToDoubleSeconds(duration));
}

void Registry::ObserveStore(absl::string_view store, absl::string_view op, bool ok,
                            absl::Duration duration) {
  absl::MutexLock lock(&mu_);
  store_[StoreKey(store, op, ok ? "ok" : "error")].Observe(absl::ToDoubleSeconds(duration));
}

void Registry::SetGauge(absl::string_view name, absl::string_view help, double value) {
  absl::MutexLock lock(&mu_);
  gauges_[std::string(name)] = {std::string(help), value};
}

std::string Registry::Exposition() {
  absl::MutexLock lock(&mu_);
  std::string out;
  out +=
      "# HELP disclosure_rpc_requests_total RPCs handled, by service, method and gRPC status "
      "code.\n# TYPE disclosure_rpc_requests_total counter\n";
  for (const auto& [key, h] : rpcs_) {
    absl::StrAppend(&out, "disclosure_rpc_requests_total{service=\"", Label(std::get<0>(key)),
                    "\",method=\"", Label(std::get<1>(key)), "\",code=\"",
                    CodeName(std::get<2>(key)), "\"} ", h.count, "\n");
  }
  out +=
      "# HELP disclosure_rpc_duration_seconds Time from a call's start to its status, by "
      "service, method and gRPC status code (a watch: its whole life).\n"
      "# TYPE disclosure_rpc_duration_seconds histogram\n";
  for (const auto& [key, h] : rpcs_) {
    AppendHistogram("disclosure_rpc_duration_seconds",
                    absl::StrCat("service=\"", Label(std::get<0>(key)), "\",method=\"",
                                 Label(std::get<1>(key)), "\",code=\"",
                                 CodeName(std::get<2>(key)), "\""),
                    h, &out);
  }
  out +=
      "# HELP disclosure_store_duration_seconds Store calls, by store, operation and result.\n"
      "# TYPE disclosure_store_duration_seconds histogram\n";
  for (const auto& [key, h] : store_) {
    AppendHistogram("disclosure_store_duration_seconds",
                    absl::StrCat("store=\"", Label(std::get<0>(key)), "\",op=\"",
                                 Label(std::get<1>(key)), "\",result=\"", std::get<2>(key), "\""),
                    h, &out);
  }
  for (const auto& [name, gauge] : gauges_) {
    absl::StrAppend(&out, "# HELP ", name, " ", gauge.first, "\n# TYPE ", name, " gauge\n", name,
                    " ", Number(gauge.second), "\n");
  }
  return out;
}

absl::StatusOr<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Start(const std::string& listen) {
  size_t colon = listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("'", listen, "' is not HOST:PORT"));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = absl::StrCat(port);
  if (int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found);
      rc != 0) {
    return absl::InvalidArgumentError(absl::StrCat(listen, ": ", gai_strerror(rc)));
  }
  int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  bool ok = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
            bind(fd, found->ai_addr, found->ai_addrlen) == 0 && ::listen(fd, 16) == 0;
  freeaddrinfo(found);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  if (!ok || getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) {
    std::string why = std::strerror(errno);
    if (fd >= 0) close(fd);
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen, ": ", why));
  }
  int actual = bound.ss_family == AF_INET6
                   ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                   : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return std::unique_ptr<HttpEndpoint>(new HttpEndpoint(fd, actual));
}

HttpEndpoint::HttpEndpoint(int fd, int port) : fd_(fd), port_(port) {
  thread_ = std::thread([this] { Run(); });
}

HttpEndpoint::~HttpEndpoint() {
  stopping_ = true;
  thread_.join();
  close(fd_);
}

void HttpEndpoint::Run() {
  while (!stopping_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;  // also wakes to see stopping_
    int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    Answer(client);
    close(client);
  }
}

void HttpEndpoint::Answer(int client) {
  timeval timeout{2, 0};
  setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  // The request head only (a scrape has no body); at most 8 KiB of it.
  std::string request;
  char buf[2048];
  while (!absl::StrContains(request, "\r\n\r\n") && request.size() < 8192) {
    ssize_t n = read(client, buf, sizeof buf);
    if (n <= 0) return;
    request.append(buf, n);
  }
  std::string status = "200 OK", body;
  const std::string line = request.substr(0, request.find("\r\n"));
  if (absl::StartsWith(line, "GET /metrics ") || absl::StartsWith(line, "GET /metrics?")) {
    body = Registry::Global().Exposition();
  } else if (!absl::StartsWith(line, "GET ")) {
    status = "405 Method Not Allowed";
  } else {
    status = "404 Not Found";
    body = "metrics are at /metrics\n";
  }
  std::string response = absl::StrCat(
      "HTTP/1.1 ", status, "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n",
      "Content-Length: ", body.size(), "\r\nConnection: close\r\n\r\n", body);
  for (size_t sent = 0; sent < response.size();) {
    ssize_t n = send(client, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += n;
  }
}

}  // namespace disclosure::metrics
