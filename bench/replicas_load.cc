// Load on one and on two replicas of each service on PostgreSQL, beside
// SQLite on one machine, in one run: submissions/s (closed loop, 64
// clients over the replicas), the time from each acknowledgement to its
// audit being readable (its VERSION_AUDITED event), and PostgreSQL's own
// one-commit-per-transaction rate (4 KiB rows) as the store's ceiling.
// The PostgreSQL server is a throw-away one (tests/pg_server.h) on a Unix
// socket, fsync on.
//
//   ./build/bench/replicas_load --seconds 5 2>/dev/null
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/load_util.h"
#include "core/rpc/rpc_util.h"
#include "pqxx/pqxx"
#include "tests/audit_env.h"
#include "tests/pg_server.h"
#include "tests/service_env.h"

ABSL_FLAG(int, clients, 64, "concurrent clients");
ABSL_FLAG(int, seconds, 5, "duration of each configuration");

namespace disclosure::bench {
namespace {

using Clock = std::chrono::steady_clock;
using testing::InProcessAuditServer;
using testing::InProcessSubmitServer;

struct Figures {
  Result submitted;
  Result lag;  // ack → VERSION_AUDITED
  long missing = 0;
};

// Runs `clients` closed-loop clients against `submit_targets` (one channel
// each, over all replicas) while an oversight stream on `audit_address`
// timestamps the audits.
Figures Measure(const std::string& submit_targets, const std::string& audit_address, int clients,
                int seconds) {
  std::mutex mu;
  std::map<std::string, Clock::time_point> acked, audited;
  auto watch_stub = testing::AuditStubAs(audit_address, "oversight-henan");
  grpc::ClientContext watch_context;
  v1::WatchEventsRequest watch;
  watch.set_region_prefix("41");
  auto reader = watch_stub->WatchEvents(&watch_context, watch);
  std::thread watcher([&] {
    v1::AuditEvent e;
    while (reader->Read(&e)) {
      if (e.kind() != v1::AuditEvent::VERSION_AUDITED) continue;
      std::lock_guard<std::mutex> lock(mu);
      audited[e.version()] = Clock::now();
    }
  });
  v1::Report sample = testing::SampleReport();
  std::vector<std::unique_ptr<v1::SubmissionService::Stub>> stubs;
  for (int c = 0; c < clients; ++c) {
    stubs.push_back(testing::SubmitStubAs(submit_targets, "clerk-zz-psb"));
  }
  std::vector<int64_t> latest(clients, 0);
  struct Call {
    grpc::ClientContext context;
    v1::CreateVersionRequest request;
    v1::CreateVersionResponse response;
  };
  Figures f;
  f.submitted = Drive(clients, seconds, [&](int c, long i, std::function<void(bool)> done) {
    auto call = std::make_shared<Call>();
    call->request.set_parent(absl::StrCat("agencies/zz-psb/reports/", 2000 + c));
    *call->request.mutable_report() = sample;
    call->request.mutable_report()->set_year(2000 + c);
    call->request.mutable_report()->set_other_matters(absl::StrCat("第", i, "次修订"));
    call->request.set_request_id(absl::StrCat(c, "-", i, "-", latest[c]));
    call->request.set_expected_latest_version(latest[c]);
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    stubs[c]->async()->CreateVersion(
        &call->context, &call->request, &call->response,
        [call, c, done = std::move(done), &latest, &acked, &mu](grpc::Status s) {
          if (!s.ok()) {
            std::fprintf(stderr, "client %d: %s\n", c, s.error_message().c_str());
            done(false);
            return;
          }
          latest[c] = call->response.version().version();
          {
            std::lock_guard<std::mutex> lock(mu);
            acked[call->response.version().name()] = Clock::now();
          }
          done(true);
        });
  });
  for (int i = 0; i < 1000; ++i) {  // up to 10 s for the last audits
    {
      std::lock_guard<std::mutex> lock(mu);
      if (audited.size() >= acked.size()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  watch_context.TryCancel();
  watcher.join();
  (void)reader->Finish();
  std::vector<double> lag;
  for (const auto& [name, t] : acked) {
    auto a = audited.find(name);
    if (a == audited.end()) {
      ++f.missing;
      continue;
    }
    lag.push_back(std::max(0.0, std::chrono::duration<double, std::milli>(a->second - t).count()));
  }
  f.lag = Percentiles(lag, 0);
  return f;
}

void Report(const char* what, const Figures& f) {
  std::printf("%-30s %7.0f versions/s  p50 %6.1f ms  p99 %6.1f ms | ack->audit p50 %7.1f ms  p99 %7.1f ms%s\n",
              what, f.submitted.per_second, f.submitted.p50_ms, f.submitted.p99_ms, f.lag.p50_ms,
              f.lag.p99_ms, f.missing > 0 ? absl::StrCat("  (", f.missing, " not audited)").c_str() : "");
}

double PostgresCommitRate(const std::string& conninfo, int seconds) {
  pqxx::connection c(conninfo);
  {
    pqxx::work tx(c);
    tx.exec("CREATE TABLE t (id BIGSERIAL PRIMARY KEY, b BYTEA NOT NULL)");
    tx.commit();
  }
  std::string blob(4096, 'x');
  long commits = 0;
  auto start = Clock::now();
  while (Clock::now() - start < std::chrono::seconds(seconds)) {
    pqxx::work tx(c);
    tx.exec_params("INSERT INTO t (b) VALUES ($1)", pqxx::binarystring(blob));
    tx.commit();
    ++commits;
  }
  return commits / std::chrono::duration<double>(Clock::now() - start).count();
}

int Main() {
  const int clients = absl::GetFlag(FLAGS_clients), seconds = absl::GetFlag(FLAGS_seconds);
  testing::TempDir dir;
  std::printf("replicas_load: %d clients, %d s per configuration, %d cores\n", clients, seconds,
              static_cast<int>(std::thread::hardware_concurrency()));
  {
    InProcessSubmitServer s(dir.path() + "/submit.db");
    InProcessAuditServer a(dir.path() + "/audit.db", s.address());
    Report("SQLite, one of each", Measure(s.address(), a.address(), clients, seconds));
  }
  absl::StatusOr<testing::TestPostgres*> pg = testing::TestPostgres::Get();
  if (!pg.ok()) {
    std::fprintf(stderr, "%s\n", pg.status().ToString().c_str());
    return 1;
  }
  for (int replicas : {1, 2}) {
    std::string submit_db = *(*pg)->NewDatabase(), audit_db = *(*pg)->NewDatabase();
    std::vector<std::unique_ptr<InProcessSubmitServer>> submits;
    std::vector<std::string> addresses;
    for (int r = 0; r < replicas; ++r) {
      submits.push_back(std::make_unique<InProcessSubmitServer>(submit_db));
      addresses.push_back(submits.back()->address());
    }
    const std::string targets = absl::StrJoin(addresses, ",");
    std::vector<std::unique_ptr<InProcessAuditServer>> audits;
    for (int r = 0; r < replicas; ++r) {
      audits.push_back(std::make_unique<InProcessAuditServer>(audit_db, targets));
    }
    Report(replicas == 1 ? "PostgreSQL, one of each" : "PostgreSQL, two of each",
           Measure(targets, audits[0]->address(), clients, seconds));
  }
  std::printf("%-30s %7.0f commits/s (one 4 KiB insert per transaction, one connection)\n",
              "PostgreSQL's own commit rate", PostgresCommitRate(*(*pg)->NewDatabase(), seconds));
  return 0;
}

}  // namespace
}  // namespace disclosure::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  disclosure::UseBufferedLogging();
  return disclosure::bench::Main();
}
