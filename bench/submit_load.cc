// Load generator for submit_service: N concurrent clients submit distinct
// reports over mutual TLS on loopback for a fixed time. Prints versions/s
// and p50/p99 latency; in the same run, a bare gRPC echo of the same payload
// size over the same TLS set-up (the ceiling), the ratio between them, and
// the one-commit-per-transaction rate of the same SQLite set-up; the
// process's resident memory as stored versions grow.
//
//   ./build/bench/submit_load --clients 64 --seconds 10
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/base/file.h"
#include "absl/flags/flag.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "core/access/access.h"
#include "core/rpc/grpc_server.h"
#include "core/import/import.h"
#include "core/rpc/rpc_util.h"
#include "bench/load_util.h"
#include "echo.grpc.pb.h"
#include "submit_service/server.h"
#include "submit_service/validate.h"

ABSL_FLAG(int, clients, 64, "concurrent clients");
ABSL_FLAG(int, connections, 4, "TLS connections the clients share (HTTP/2 multiplexes them)");
ABSL_FLAG(int, seconds, 10, "duration of each phase");
ABSL_FLAG(std::string, dir, "", "work folder (default: a new folder under /tmp)");

namespace disclosure::bench {
namespace {

// One-commit-per-transaction rate of SQLite with the store's settings
// (WAL, synchronous=FULL), 4 KiB rows, one writer.
double SqliteCommitRate(const std::string& path, int seconds) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                   "CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB);", nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t(b) VALUES (?)", -1, &insert, nullptr);
  std::string blob(4096, 'x');
  long commits = 0;
  auto start = Clock::now();
  while (Clock::now() - start < std::chrono::seconds(seconds)) {
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_bind_blob(insert, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
    sqlite3_step(insert);
    sqlite3_reset(insert);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    ++commits;
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return commits / elapsed;
}

int Main() {
  const int clients = absl::GetFlag(FLAGS_clients), seconds = absl::GetFlag(FLAGS_seconds);
  const WorkDir work_dir(absl::GetFlag(FLAGS_dir), "submit-load");
  const std::string& dir = work_dir.path();
  absl::StatusOr<LoadSetUp> set_up = SetUpLoad(dir, "clerk-zz-psb");
  if (!set_up.ok()) {
    std::fprintf(stderr, "set-up failed: %s\n", set_up.status().ToString().c_str());
    return 1;
  }
  const std::string& certs = set_up->certs;
  const v1::Report& sample = set_up->sample;
  const GrpcServerConfig& grpc_config = set_up->grpc;
  const AccessPolicy* policy = &set_up->policy;

  // submit_service as its main starts it (submit_service/server.h); the
  // echo reference on the same server assembly.
  auto server = submit::SubmitServer::Start({grpc_config, "sqlite:" + dir + "/submit.db", policy});
  EchoImpl echo;
  auto echo_server = StartGrpcServer(grpc_config, {&echo});
  if (!server.ok() || !echo_server.ok()) {
    std::fprintf(stderr, "servers failed to start\n");
    return 1;
  }
  const int port = (*server)->port(), echo_port = echo_server->port;

  auto client_creds = *MutualTlsChannelCredentials(
      {certs + "/ca.crt", certs + "/clerk-zz-psb.crt", certs + "/clerk-zz-psb.key"});
  // Each channel is its own TLS connection.
  auto channel = [&](int p) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", p), client_creds, args);
  };
  const int connections = std::max(1, std::min(clients, absl::GetFlag(FLAGS_connections)));
  std::vector<std::shared_ptr<grpc::Channel>> submit_channels, echo_channels;
  for (int i = 0; i < connections; ++i) {
    submit_channels.push_back(channel(port));
    echo_channels.push_back(channel(echo_port));
  }
  std::vector<std::unique_ptr<Echo::Stub>> echo_stubs;
  for (int c = 0; c < clients; ++c) {
    echo_stubs.push_back(Echo::NewStub(echo_channels[c % connections]));
  }

  std::printf("submit_service load: %d clients over %d connections, %d s per phase, payload %zu bytes, %d cores\n",
              clients, connections, seconds, sample.ByteSizeLong(), static_cast<int>(std::thread::hardware_concurrency()));
  std::printf("resident memory at start: %ld KiB\n", RssKiB());

  // Each client owns one report (year 2000 + c) and amends it again and again.
  std::vector<int64_t> latest(clients, 0);
  // Requests are sent as bytes through a generic stub: each client's report
  // is serialized once, and a call appends only what changes (protobuf
  // merges a repeated embedded message and takes the last scalar), so the
  // load generator spends its share of the two cores on the calls, not on
  // copying and serializing reports. The server parses the whole request
  // as from any client.
  std::vector<std::string> base(clients);
  for (int c = 0; c < clients; ++c) {
    v1::CreateVersionRequest req;
    req.set_parent(absl::StrCat("agencies/zz-psb/reports/", 2000 + c));
    *req.mutable_report() = sample;
    req.mutable_report()->set_year(2000 + c);
    base[c] = req.SerializeAsString();
  }
  std::vector<std::unique_ptr<grpc::GenericStub>> generic;
  for (int c = 0; c < clients; ++c) {
    generic.push_back(std::make_unique<grpc::GenericStub>(submit_channels[c % connections]));
  }
  struct SubmitCall {
    grpc::ClientContext context;
    grpc::ByteBuffer request, response;
  };
  auto submit = [&](int c, long i, std::function<void(bool)> done) {
    auto call = std::make_shared<SubmitCall>();
    v1::CreateVersionRequest delta;
    delta.mutable_report()->set_other_matters(absl::StrCat("第 ", i, " 次修改"));
    delta.set_request_id(absl::StrCat(c, "-", i, "-", latest[c]));
    delta.set_expected_latest_version(latest[c]);
    std::string bytes = base[c] + delta.SerializeAsString();
    grpc::Slice slice(bytes);
    call->request = grpc::ByteBuffer(&slice, 1);
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    generic[c]->UnaryCall(
        &call->context, "/disclosure.v1.SubmissionService/CreateVersion", grpc::StubOptions(),
        &call->request, &call->response,
        [call, c, done = std::move(done), &latest](grpc::Status s) {
          v1::CreateVersionResponse response;
          grpc::ProtoBufferReader reader(&call->response);
          if (s.ok() && !response.ParseFromZeroCopyStream(&reader)) {
            s = grpc::Status(grpc::StatusCode::INTERNAL, "unparsable response");
          }
          if (!s.ok()) {
            std::fprintf(stderr, "client %d: %s\n", c, s.error_message().c_str());
            done(false);
            return;
          }
          latest[c] = response.version().version();
          done(true);
        });
  };
  EchoMessage payload;
  {
    v1::CreateVersionRequest sized;
    *sized.mutable_report() = sample;
    payload.set_payload(std::string(sized.ByteSizeLong(), 'x'));
  }
  struct EchoCall {
    grpc::ClientContext context;
    EchoMessage response;
  };
  auto call_echo = [&](int c, long, std::function<void(bool)> done) {
    auto call = std::make_shared<EchoCall>();
    echo_stubs[c]->async()->Echo(&call->context, &payload, &call->response,
                                 [call, done = std::move(done)](grpc::Status s) { done(s.ok()); });
  };

  Result warm = Drive(clients, 1, submit);
  (void)warm;
  Result submitted = Drive(clients, seconds, submit);
  long rss_mid = RssKiB();
  Result submitted_again = Drive(clients, seconds, submit);
  long rss_end = RssKiB();
  Result echoed = Drive(clients, seconds, call_echo);
  double sqlite_rate = SqliteCommitRate(dir + "/commit-rate.db", seconds);

  Print("CreateVersion (durable)", submitted);
  Print("CreateVersion, second phase", submitted_again);
  Print("bare echo, same payload and TLS", echoed);
  std::printf("%-34s %9.0f /s\n", "SQLite one commit per transaction", sqlite_rate);
  std::printf("CreateVersion / echo ceiling:       %.2f\n", submitted.per_second / echoed.per_second);
  std::printf("CreateVersion / SQLite commit rate: %.2f\n", submitted.per_second / sqlite_rate);
  std::printf("resident memory after phase 1: %ld KiB, after phase 2: %ld KiB (%ld versions stored)\n",
              rss_mid, rss_end, warm.count + submitted.count + submitted_again.count);

  (*server)->Stop(absl::Seconds(2));
  echo_server->server->Shutdown();
  return 0;
}

}  // namespace
}  // namespace disclosure::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  disclosure::UseBufferedLogging();
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);  // as submit_service
  return disclosure::bench::Main();
}
