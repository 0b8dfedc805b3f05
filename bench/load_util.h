// Shared by the load generators: a closed-loop driver on gRPC's callback
// client API, latency percentiles, the bare echo service (the ceiling), and
// the process's resident memory.
#ifndef DISCLOSURE_BENCH_LOAD_UTIL_H_
#define DISCLOSURE_BENCH_LOAD_UTIL_H_

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "core/access/access.h"
#include "core/base/file.h"
#include "core/import/import.h"
#include "core/rpc/grpc_server.h"
#include "echo.grpc.pb.h"

namespace disclosure::bench {

using Clock = std::chrono::steady_clock;

struct Result {
  double per_second = 0;
  double p50_ms = 0, p99_ms = 0;
  long count = 0;
  double cpu_us_per_call = 0;  // process CPU time per call (0: not measured)
};

// The benchmark's work folder: --dir when given (kept), else a new folder
// under /tmp, removed with everything in it when the run ends (a run leaves
// hundreds of megabytes of databases).
class WorkDir {
 public:
  WorkDir(const std::string& given, const char* prefix) : path_(given) {
    if (path_.empty()) {
      std::string tmpl = std::string("/tmp/") + prefix + "-XXXXXX";
      if (mkdtemp(tmpl.data()) == nullptr) {
        std::perror("mkdtemp");
        std::exit(1);
      }
      path_ = tmpl;
      temporary_ = true;
    }
  }
  ~WorkDir() {
    std::error_code ignored;
    if (temporary_) std::filesystem::remove_all(path_, ignored);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool temporary_ = false;
};

inline long RssKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

// What a closed-loop run measured: the latencies of the calls that
// succeeded, the wall time, and the CPU time of the whole process (servers,
// clients and everything else in it) over that time.
struct Samples {
  std::vector<double> ms;
  double seconds = 0;
  double cpu_seconds = 0;

  void Add(const Samples& o) {
    ms.insert(ms.end(), o.ms.begin(), o.ms.end());
    seconds += o.seconds;
    cpu_seconds += o.cpu_seconds;
  }
};

// CPU time (user + system) of this process so far.
inline double ProcessCpuSeconds() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// Keeps `clients` calls in flight for `seconds`: each client starts its
// next call from the completion of the last (gRPC's callback client API, so
// the load generator spends little CPU of its own on this 2-core machine).
// `start(client, i, done)` starts call i and runs done(ok) when it ends.
template <typename Start>
inline Samples DriveSamples(int clients, double seconds, Start start) {
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::condition_variable idle;
  int running = clients;
  std::vector<std::vector<double>> latencies(clients);
  std::function<void(int, long)> next = [&](int c, long i) {
    if (stop) {
      std::lock_guard<std::mutex> lock(mu);
      if (--running == 0) idle.notify_all();
      return;
    }
    auto t0 = Clock::now();
    start(c, i, [&, c, i, t0](bool ok) {
      if (!ok) {
        std::lock_guard<std::mutex> lock(mu);
        if (--running == 0) idle.notify_all();
        return;
      }
      latencies[c].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      next(c, i + 1);
    });
  };
  const double cpu_begin = ProcessCpuSeconds();
  auto begin = Clock::now();
  for (int c = 0; c < clients; ++c) next(c, 0);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  {
    std::unique_lock<std::mutex> lock(mu);
    idle.wait(lock, [&] { return running == 0; });
  }
  Samples out;
  out.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  out.cpu_seconds = ProcessCpuSeconds() - cpu_begin;
  for (const auto& l : latencies) out.ms.insert(out.ms.end(), l.begin(), l.end());
  return out;
}

// p50 and p99 of `ms` (sorted here).
inline Result Percentiles(std::vector<double> ms, double seconds) {
  Result r;
  std::sort(ms.begin(), ms.end());
  r.count = static_cast<long>(ms.size());
  r.per_second = seconds > 0 ? r.count / seconds : 0;
  if (!ms.empty()) {
    r.p50_ms = ms[ms.size() / 2];
    r.p99_ms = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
  }
  return r;
}

inline Result Summarize(Samples s) {
  Result r = Percentiles(std::move(s.ms), s.seconds);
  r.cpu_us_per_call = r.count > 0 ? s.cpu_seconds * 1e6 / r.count : 0;
  return r;
}

template <typename Start>
inline Result Drive(int clients, int seconds, Start start) {
  return Summarize(DriveSamples(clients, seconds, std::move(start)));
}

class EchoImpl final : public Echo::Service {
  grpc::Status Echo(grpc::ServerContext*, const EchoMessage* in, EchoMessage* out) override {
    *out = *in;
    return grpc::Status::OK;
  }
};

inline void Print(const char* what, const Result& r) {
  std::printf("%-34s %9.0f /s   p50 %7.3f ms   p99 %7.3f ms   (%ld calls)", what, r.per_second,
              r.p50_ms, r.p99_ms, r.count);
  if (r.cpu_us_per_call > 0) std::printf("   %.0f us CPU/call", r.cpu_us_per_call);
  std::printf("\n");
}

// What every load generator sets up first, in `dir`: development
// certificates for the server and `principals` (space-separated) in
// DIR/certs, the development access policy, the sample report of zz-psb as
// imported from its published text, and the servers' TLS configuration.
struct LoadSetUp {
  std::string certs;
  AccessPolicy policy;
  v1::Report sample;
  GrpcServerConfig grpc;
};
inline absl::StatusOr<LoadSetUp> SetUpLoad(const std::string& dir, const std::string& principals) {
  const std::string source = DISCLOSURE_SOURCE_DIR;
  LoadSetUp s;
  s.certs = dir + "/certs";
  if (std::system((source + "/deploy/dev-certs.sh " + s.certs + " " + principals).c_str()) != 0) {
    return absl::InternalError("deploy/dev-certs.sh failed");
  }
  absl::StatusOr<AccessPolicy> policy = AccessPolicy::Load(
      source + "/deploy/dev/principals.textproto", source + "/deploy/dev/agencies.textproto");
  if (!policy.ok()) return policy.status();
  s.policy = *std::move(policy);
  absl::StatusOr<std::string> text = ReadFileToString(source + "/tests/testdata/zhengzhou-psb-2021.txt");
  if (!text.ok()) return text.status();
  absl::StatusOr<ImportResult> imported = ImportText(*text);
  if (!imported.ok()) return imported.status();
  s.sample = std::move(imported->report);
  s.sample.mutable_agency()->set_id("zz-psb");
  s.grpc.tls = {s.certs + "/ca.crt", s.certs + "/server.crt", s.certs + "/server.key"};
  return s;
}

}  // namespace disclosure::bench

#endif  // DISCLOSURE_BENCH_LOAD_UTIL_H_
