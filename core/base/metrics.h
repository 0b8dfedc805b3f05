// The services' metrics in the Prometheus text exposition format (0.0.4),
// and the plain-HTTP endpoint that serves them (--metrics_listen; off unless
// given). One registry per process: every RPC's duration by service, method
// and status code (RequestLog records it), every store call's duration by
// store, operation and result (TimedStore), and gauges the services set
// (the audit follower's feed lag and health). docs/deploy.md, Metrics.
#ifndef DISCLOSURE_CORE_BASE_METRICS_H_
#define DISCLOSURE_CORE_BASE_METRICS_H_

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace disclosure::metrics {

// Upper bounds of the duration histograms' buckets, in seconds.
inline constexpr std::array<double, 13> kBucketBounds = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

class Registry {
 public:
  static Registry& Global();

  // An RPC ended with `code` (a grpc::StatusCode) after `duration`.
  void ObserveRpc(absl::string_view service, absl::string_view method, int code,
                  absl::Duration duration);
  // A store call (`store` "submit" or "audit", `op` its method) ended.
  void ObserveStore(absl::string_view store, absl::string_view op, bool ok,
                    absl::Duration duration);
  // A gauge: `name` is a metric name, `help` its description.
  void SetGauge(absl::string_view name, absl::string_view help, double value);

  // Everything, in the text exposition format.
  std::string Exposition();

 private:
  struct Histogram {
    std::array<uint64_t, kBucketBounds.size()> buckets{};  // not cumulative
    uint64_t count = 0;
    double sum = 0;
    void Observe(double seconds);
  };
  using RpcKey = std::tuple<std::string, std::string, int>;           // service, method, code
  using StoreKey = std::tuple<std::string, std::string, std::string>;  // store, op, result

  absl::Mutex mu_;
  std::map<RpcKey, Histogram> rpcs_ ABSL_GUARDED_BY(mu_);
  std::map<StoreKey, Histogram> store_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::pair<std::string, double>> gauges_ ABSL_GUARDED_BY(mu_);
};

// Runs `call()` (returning absl::Status or StatusOr) and records its
// duration and result as the store call `op` of `store`.
template <typename Call>
auto TimeStoreCall(absl::string_view store, absl::string_view op, Call call) {
  const absl::Time start = absl::Now();
  auto result = call();
  Registry::Global().ObserveStore(store, op, result.ok(), absl::Now() - start);
  return result;
}

// Answers GET /metrics with Registry::Global().Exposition() over plain
// HTTP/1.1 (one connection at a time, closed after each answer; a client
// that sends nothing for 2 s is dropped). Other paths: 404.
class HttpEndpoint {
 public:
  // Listens on `listen`, HOST:PORT (port 0: any free one).
  static absl::StatusOr<std::unique_ptr<HttpEndpoint>> Start(const std::string& listen);
  ~HttpEndpoint();  // stops the thread, closes the socket
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  int port() const { return port_; }

 private:
  HttpEndpoint(int fd, int port);
  void Run();
  void Answer(int client);

  const int fd_;
  const int port_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace disclosure::metrics

#endif  // DISCLOSURE_CORE_BASE_METRICS_H_
