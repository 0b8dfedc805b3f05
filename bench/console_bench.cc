// The console's JSON API against calling the service directly, side by side
// in one run (docs/performance.md): a real submit_service and audit_service
// in this process (SQLite, mutual TLS, development certificates) with the
// sample submitted and audited, and the console in front of them. Each
// "direct" benchmark is the gRPC call a client makes (one channel, kept
// open); each "console" one is the same answer fetched over HTTPS with a
// client certificate on a kept-alive connection, as a browser's page does:
// TLS to the console, the call to the service for the user, protobuf JSON
// back.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "benchmark/benchmark.h"
#include "core/report/export.h"
#include "console/api.h"
#include "console/server.h"
#include "core/rpc/client_channel.h"
#include "core/rpc/handler.h"
#include "core/rpc/rpc_util.h"
#include "httplib.h"
#include "tests/audit_env.h"
#include "tests/console_env.h"
#include "tests/service_env.h"

namespace {

using namespace disclosure;
using namespace disclosure::testing;

constexpr char kVersion[] = "agencies/zz-psb/reports/2021/versions/1";

struct World {
  TempDir dir;
  std::unique_ptr<InProcessSubmitServer> submit;
  std::unique_ptr<InProcessAuditServer> audit;
  std::unique_ptr<InProcessConsole> console;

  World() {
    submit = std::make_unique<InProcessSubmitServer>(dir.path() + "/submit.db");
    audit = std::make_unique<InProcessAuditServer>(dir.path() + "/audit.db", submit->address());
    v1::CreateVersionRequest req;
    req.set_parent("agencies/zz-psb/reports/2021");
    *req.mutable_report() = SampleReport();
    req.set_request_id("bench");
    v1::CreateVersionResponse resp;
    grpc::ClientContext c;
    if (!SubmitStubAs(submit->address(), "clerk-zz-psb")->CreateVersion(&c, req, &resp).ok()) std::abort();
    console = std::make_unique<InProcessConsole>(submit->address(), audit->address());
    // Wait for the audit.
    auto stub = AuditStubAs(audit->address(), "reviewer-legality");
    for (int i = 0; i < 400; ++i) {
      v1::GetAuditRequest g;
      g.set_name(std::string(kVersion) + "/audit");
      v1::Audit out;
      grpc::ClientContext gc;
      if (stub->GetAudit(&gc, g, &out).ok()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    std::abort();
  }

  // A browser on one kept-alive connection, as a page's requests are.
  std::unique_ptr<httplib::SSLClient> Browser(const std::string& principal) {
    auto c = console->Browser(principal);
    c->set_keep_alive(true);
    return c;
  }
};

World& TheWorld() {
  static World* w = new World();
  return *w;
}

// GetAudit of the sample on `stub` in a loop, each call's context set up by
// `prepare` (a deadline, metadata) first.
void TimeGetAudit(benchmark::State& state, v1::AuditService::Stub* stub,
                  const std::function<void(grpc::ClientContext*)>& prepare = nullptr) {
  v1::GetAuditRequest req;
  req.set_name(std::string(kVersion) + "/audit");
  for (auto _ : state) {
    v1::Audit out;
    grpc::ClientContext c;
    if (prepare) prepare(&c);
    if (!stub->GetAudit(&c, req, &out).ok()) state.SkipWithError("GetAudit failed");
  }
}

void BM_GetAudit_Direct(benchmark::State& state) {
  auto stub = AuditStubAs(TheWorld().audit->address(), "reviewer-legality");
  TimeGetAudit(state, stub.get());
}
BENCHMARK(BM_GetAudit_Direct)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_GetAudit_Console(benchmark::State& state) {
  auto browser = TheWorld().Browser("reviewer-legality");
  const std::string path = std::string("/api/") + kVersion + "/audit";
  for (auto _ : state) {
    auto r = browser->Get(path.c_str());
    if (!r || r->status != 200) state.SkipWithError("GET audit failed");
    state.counters["bytes"] = r->body.size();
  }
}
BENCHMARK(BM_GetAudit_Console)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_ListAgencyStates_Direct(benchmark::State& state) {
  auto stub = AuditStubAs(TheWorld().audit->address(), "oversight-henan");
  v1::ListAgencyStatesRequest req;
  req.set_parent("regions/41/years/2021");
  req.set_page_size(500);
  for (auto _ : state) {
    v1::ListAgencyStatesResponse out;
    grpc::ClientContext c;
    if (!stub->ListAgencyStates(&c, req, &out).ok()) state.SkipWithError("ListAgencyStates failed");
  }
}
BENCHMARK(BM_ListAgencyStates_Direct)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_ListAgencyStates_Console(benchmark::State& state) {
  auto browser = TheWorld().Browser("oversight-henan");
  for (auto _ : state) {
    auto r = browser->Get("/api/regions/41/years/2021/agencies");
    if (!r || r->status != 200) state.SkipWithError("GET agencies failed");
  }
}
BENCHMARK(BM_ListAgencyStates_Console)->Unit(benchmark::kMicrosecond)->UseRealTime();

// As a client of the services calls them (reportctl: OpenClientChannel,
// with the services' retry policy), the reviewer's own certificate.
void BM_GetAudit_DirectClientChannel(benchmark::State& state) {
  const std::string certs = DevCerts().dir;
  auto creds = MutualTlsChannelCredentials(
      {certs + "/ca.crt", certs + "/reviewer-legality.crt", certs + "/reviewer-legality.key"});
  auto channel = OpenClientChannel(TheWorld().audit->address(), "localhost", *creds, 64 << 20);
  auto stub = v1::AuditService::NewStub(*channel);
  TimeGetAudit(state, stub.get());
}
BENCHMARK(BM_GetAudit_DirectClientChannel)->Unit(benchmark::kMicrosecond)->UseRealTime();

// The direct call as clients make it: with a deadline (reportctl sets 10 s,
// the console too).
void BM_GetAudit_DirectWithDeadline(benchmark::State& state) {
  auto stub = AuditStubAs(TheWorld().audit->address(), "reviewer-legality");
  TimeGetAudit(state, stub.get(), [](grpc::ClientContext* c) {
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  });
}
BENCHMARK(BM_GetAudit_DirectWithDeadline)->Unit(benchmark::kMicrosecond)->UseRealTime();

// The console's own call: the console's certificate, acting for the user.
void BM_GetAudit_ActingFor(benchmark::State& state) {
  auto stub = AuditStubAs(TheWorld().audit->address(), "console");
  TimeGetAudit(state, stub.get(),
               [](grpc::ClientContext* c) { c->AddMetadata(kActingForMetadata, "reviewer-legality"); });
}
BENCHMARK(BM_GetAudit_ActingFor)->Unit(benchmark::kMicrosecond)->UseRealTime();

// What the console's answer costs to print: the sample's audit as JSON.
void BM_AuditToJson(benchmark::State& state) {
  auto stub = AuditStubAs(TheWorld().audit->address(), "reviewer-legality");
  v1::GetAuditRequest req;
  req.set_name(std::string(kVersion) + "/audit");
  v1::Audit audit;
  grpc::ClientContext c;
  if (!stub->GetAudit(&c, req, &audit).ok()) state.SkipWithError("GetAudit failed");
  for (auto _ : state) benchmark::DoNotOptimize(ToJson(audit));
}
BENCHMARK(BM_AuditToJson)->Unit(benchmark::kMicrosecond);

// The HTTPS leg alone: an answer the console makes without calling a
// service (the session and its CSRF token).
void BM_Session_Console(benchmark::State& state) {
  auto browser = TheWorld().Browser("reviewer-legality");
  for (auto _ : state) {
    auto r = browser->Get("/api/session");
    if (!r || r->status != 200) state.SkipWithError("GET session failed");
  }
}
BENCHMARK(BM_Session_Console)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_Template_Console(benchmark::State& state) {
  auto browser = TheWorld().Browser("reviewer-legality");
  for (auto _ : state) {
    auto r = browser->Get("/api/template");
    if (!r || r->status != 200) state.SkipWithError("GET template failed");
    state.counters["bytes"] = r->body.size();
  }
}
BENCHMARK(BM_Template_Console)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
