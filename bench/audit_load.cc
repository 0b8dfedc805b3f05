// Load generator of audit_service, with a real submit_service, over mutual
// TLS on loopback, SQLite stores in a temporary folder. In one run:
//  1. the maximum submission rate (64 closed-loop clients, as submit_load);
//  2. at half that rate (open loop), the time from each acknowledged
//     submission to its audit being readable (the VERSION_AUDITED event of
//     a WatchEvents stream, sent after the audit's commit), p50/p99;
//  3. ValidateReport throughput beside a bare echo of the same payload;
//  4. GetRegionSummary over a region of 10,000 audited reports.
//
//   ./build/bench/audit_load --seconds 10
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
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
#include "absl/time/clock.h"
#include "audit_service/auditor.h"
#include "audit_service/server.h"
#include "bench/load_util.h"
#include "core/access/access.h"
#include "core/ledger/checkpoint.h"
#include "core/rpc/grpc_server.h"
#include "core/import/import.h"
#include "core/rpc/rpc_util.h"
#include "submit_service/server.h"

ABSL_FLAG(int, clients, 64, "concurrent clients (max-rate and ValidateReport phases)");
ABSL_FLAG(int, seconds, 10, "duration of each phase");
ABSL_FLAG(int, connections, 1,
          "TLS connections the ValidateReport clients share, and as many for the echo's");
ABSL_FLAG(int, summary_reports, 10000, "reports in the region summarised");
ABSL_FLAG(std::string, dir, "", "work folder (default: a new folder under /tmp)");
ABSL_FLAG(std::string, phases, "1234", "which phases to run (2 needs 1)");

namespace disclosure::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::shared_ptr<grpc::Channel> ChannelTo(int port, const std::string& certs,
                                         const std::string& principal) {
  auto creds = *MutualTlsChannelCredentials(
      {certs + "/ca.crt", certs + "/" + principal + ".crt", certs + "/" + principal + ".key"});
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port), creds, args);
}

int Failed(const char* what, const absl::Status& status) {
  std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
  return 1;
}

// A region of `n` agencies (41xxxx) with an oversight office, for phase 4.
AccessPolicy BigRegion(int n) {
  v1::PrincipalsFile principals;
  auto* p = principals.add_principals();
  p->set_name("oversight-henan");
  p->add_roles()->mutable_oversight()->set_region_prefix("41");
  v1::AgencyRegistry registry;
  for (int i = 0; i < n; ++i) {
    v1::Agency* a = registry.add_agencies();
    a->set_id(absl::StrCat("agency-", i));
    a->set_name(absl::StrCat("第", i, "局"));
    a->set_region_code(absl::StrCat(410100 + i % 900));
    a->set_kind(v1::AGENCY_KIND_DEPARTMENT);
  }
  return *AccessPolicy::Create(principals, registry);
}

int Main() {
  const int clients = absl::GetFlag(FLAGS_clients), seconds = absl::GetFlag(FLAGS_seconds);
  const WorkDir work_dir(absl::GetFlag(FLAGS_dir), "audit-load");
  const std::string& dir = work_dir.path();
  absl::StatusOr<LoadSetUp> set_up =
      SetUpLoad(dir, "clerk-zz-psb audit-service oversight-henan");
  if (!set_up.ok()) {
    std::fprintf(stderr, "set-up failed: %s\n", set_up.status().ToString().c_str());
    return 1;
  }
  const std::string& certs = set_up->certs;
  const v1::Report& sample = set_up->sample;
  const GrpcServerConfig& grpc_config = set_up->grpc;
  const AccessPolicy* policy = &set_up->policy;
  // The servers as the services' mains start them (submit_service/server.h,
  // audit_service/server.h); the echo reference on the same assembly.
  submit::SubmitServerConfig submit_config{grpc_config, "sqlite:" + dir + "/submit.db", policy};
  auto submit_server = submit::SubmitServer::Start(submit_config);
  if (!submit_server.ok()) return Failed("submit_service", submit_server.status());
  const int submit_port = (*submit_server)->port();
  audit::AuditServerConfig audit_config;
  audit_config.grpc = grpc_config;
  audit_config.store_url = "sqlite:" + dir + "/audit.db";
  audit_config.policy = policy;
  audit_config.ledger_key = *CheckpointSigner::Generate();
  audit_config.ledger_origin = "bench/ledger";
  audit_config.submit = ChannelTo(submit_port, certs, "audit-service");
  auto audit_server = audit::AuditServer::Start(std::move(audit_config));
  if (!audit_server.ok()) return Failed("audit_service", audit_server.status());
  const int audit_port = (*audit_server)->port();
  submit::Store* submit_store = (*submit_server)->store();
  audit::Store* audit_store = (*audit_server)->store();
  EchoImpl echo;
  auto echo_server = StartGrpcServer(grpc_config, {&echo});
  if (!echo_server.ok()) return Failed("echo", echo_server.status());
  const int echo_port = echo_server->port;

  std::printf("audit_service load: %d clients, %d s per phase, %d cores\n", clients, seconds,
              static_cast<int>(std::thread::hardware_concurrency()));

  const std::string phases = absl::GetFlag(FLAGS_phases);
  auto phase = [&](char p) { return phases.find(p) != std::string::npos; };

  // --- 1. Maximum submission rate: each client amends its own report.
  auto submit_stub = v1::SubmissionService::NewStub(ChannelTo(submit_port, certs, "clerk-zz-psb"));
  constexpr int kReports = 100;  // years 2000–2099
  std::vector<int64_t> latest(kReports, 0);
  std::mutex mu;
  std::map<std::string, Clock::time_point> acked, audited;
  struct Call {
    grpc::ClientContext context;
    v1::CreateVersionRequest request;
    v1::CreateVersionResponse response;
  };
  long sequence = 0;
  auto submit = [&](int report, std::function<void(bool)> done) {
    auto call = std::make_shared<Call>();
    v1::CreateVersionRequest& req = call->request;
    req.set_parent(absl::StrCat("agencies/zz-psb/reports/", 2000 + report));
    *req.mutable_report() = sample;
    req.mutable_report()->set_year(2000 + report);
    {
      std::lock_guard<std::mutex> lock(mu);
      req.mutable_report()->set_other_matters(absl::StrCat("第 ", ++sequence, " 次修改"));
      req.set_request_id(absl::StrCat("r", sequence));
      req.set_expected_latest_version(latest[report]);
    }
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    submit_stub->async()->CreateVersion(
        &call->context, &call->request, &call->response,
        [call, report, done = std::move(done), &mu, &latest, &acked](grpc::Status s) {
          if (!s.ok()) {
            std::fprintf(stderr, "submit: %s\n", s.error_message().c_str());
            done(false);
            return;
          }
          {
            std::lock_guard<std::mutex> lock(mu);
            latest[report] = call->response.version().version();
            acked[call->response.version().name()] = Clock::now();
          }
          done(true);
        });
  };
  Result max;
  if (phase('1')) {
  max = Drive(std::min(clients, kReports), seconds,
                     [&](int c, long, std::function<void(bool)> done) { submit(c, std::move(done)); });
  Print("CreateVersion, closed loop (max)", max);

  // Let the follower drain the backlog of phase 1 before measuring.
  auto backlog_done = [&] {
    auto last = submit_store->LastFeedSeq();
    auto pos = audit_store->FeedPosition();
    return last.ok() && pos.ok() && *pos == *last;
  };
  auto drain_start = Clock::now();
  while (!backlog_done()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::printf("%-34s %9.1f s\n", "backlog of phase 1 audited in",
              std::chrono::duration<double>(Clock::now() - drain_start).count());
  {
    std::lock_guard<std::mutex> lock(mu);
    acked.clear();
  }

  }

  // --- 2. Half the maximum rate, open loop; audits observed as events.
  if (phase('1') && phase('2')) {
  auto watch_stub = v1::AuditService::NewStub(ChannelTo(audit_port, certs, "oversight-henan"));
  grpc::ClientContext watch_context;
  v1::WatchEventsRequest watch;
  watch.set_region_prefix("41");
  auto last_event = audit_store->LastEventSeq();
  watch.set_start_after(absl::StrCat("events/", *last_event));
  auto reader = watch_stub->WatchEvents(&watch_context, watch);
  std::thread watcher([&] {
    v1::AuditEvent e;
    while (reader->Read(&e)) {
      if (e.kind() != v1::AuditEvent::VERSION_AUDITED) continue;
      std::lock_guard<std::mutex> lock(mu);
      audited[e.version()] = Clock::now();
    }
  });
  const double rate = max.per_second / 2;
  std::atomic<int> in_flight{0};
  std::vector<std::atomic<bool>> busy(kReports);
  auto begin = Clock::now();
  long sent = 0, skipped = 0;
  for (int next = 0; Clock::now() - begin < std::chrono::seconds(seconds);) {
    auto due = begin + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(sent / rate));
    std::this_thread::sleep_until(due);
    // The next report whose previous submission is answered.
    int report = -1;
    for (int tries = 0; tries < kReports && report < 0; ++tries, ++next) {
      if (!busy[next % kReports].exchange(true)) report = next % kReports;
    }
    if (report < 0) {  // all busy: the service is behind
      ++skipped;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    ++sent;
    ++in_flight;
    submit(report, [&, report](bool) {
      busy[report] = false;
      --in_flight;
    });
  }
  while (in_flight > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const double paced_seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  for (int i = 0; i < 300; ++i) {  // wait up to 3 s for the last audits
    {
      std::lock_guard<std::mutex> lock(mu);
      if (audited.size() >= acked.size()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::vector<double> lag;
  long missing = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [name, t] : acked) {
      auto a = audited.find(name);
      if (a == audited.end()) {
        ++missing;
        continue;
      }
      lag.push_back(std::max(0.0, std::chrono::duration<double, std::milli>(a->second - t).count()));
    }
  }
  watch_context.TryCancel();
  watcher.join();
  (void)reader->Finish();
  Result paced = Percentiles(lag, paced_seconds);
  std::printf("submissions at half the max rate     %9.0f /s (target %.0f; %ld waits: every report busy)\n",
              static_cast<double>(acked.size()) / paced_seconds, rate, skipped);
  Print("ack -> audit readable", paced);
  if (missing > 0) std::printf("  %ld acknowledged versions not seen audited within 3 s\n", missing);
  }

  // --- 3. ValidateReport beside the echo of the same payload.
  if (phase('3')) {
  v1::ValidateReportRequest validate;
  *validate.mutable_report() = sample;
  // As bytes through a generic stub, serialized once (the echo's client
  // does not serialize a report either); the server parses them in full.
  // The clients over --connections TLS sessions, the same for both.
  const int connections = std::max(1, std::min(clients, absl::GetFlag(FLAGS_connections)));
  std::vector<std::unique_ptr<grpc::GenericStub>> validate_stubs;
  std::vector<std::unique_ptr<Echo::Stub>> echo_stubs;
  for (int i = 0; i < connections; ++i) {
    validate_stubs.push_back(
        std::make_unique<grpc::GenericStub>(ChannelTo(audit_port, certs, "clerk-zz-psb")));
    echo_stubs.push_back(Echo::NewStub(ChannelTo(echo_port, certs, "clerk-zz-psb")));
  }
  const std::string validate_bytes = validate.SerializeAsString();
  struct ValidateCall {
    grpc::ClientContext context;
    grpc::ByteBuffer request, response;
  };
  auto validate_call = [&](int c, long, std::function<void(bool)> done) {
    auto call = std::make_shared<ValidateCall>();
    grpc::Slice slice(validate_bytes);
    call->request = grpc::ByteBuffer(&slice, 1);
    validate_stubs[c % connections]->UnaryCall(&call->context, "/disclosure.v1.AuditService/ValidateReport",
                            grpc::StubOptions(), &call->request, &call->response,
                            [call, done = std::move(done)](grpc::Status s) {
                              v1::ValidateReportResponse response;
                              grpc::ProtoBufferReader reader(&call->response);
                              done(s.ok() && response.ParseFromZeroCopyStream(&reader) &&
                                   response.findings_size() > 0);
                            });
  };
  EchoMessage payload;
  payload.set_payload(std::string(validate.ByteSizeLong(), 'x'));
  struct EchoCall {
    grpc::ClientContext context;
    EchoMessage response;
  };
  auto echo_call = [&](int c, long, std::function<void(bool)> done) {
    auto call = std::make_shared<EchoCall>();
    echo_stubs[c % connections]->async()->Echo(&call->context, &payload, &call->response,
                             [call, done = std::move(done)](grpc::Status s) { done(s.ok()); });
  };
  // Half-second turns, alternately, for the phase's duration each: on a
  // shared virtual machine the throughput drifts by tens of percent within
  // a minute, and two long phases one after the other compare two machines.
  Samples validate_samples, echo_samples;
  for (int turn = 0; turn < 2 * seconds; ++turn) {
    validate_samples.Add(DriveSamples(clients, 0.5, validate_call));
    echo_samples.Add(DriveSamples(clients, 0.5, echo_call));
  }
  const Result validated = Summarize(std::move(validate_samples));
  const Result echoed = Summarize(std::move(echo_samples));
  Print("ValidateReport", validated);
  Print("bare echo, same payload and TLS", echoed);
  std::printf("ValidateReport / echo ceiling:      %.2f (payload %zu bytes, %d clients over %d "
              "connections)\n",
              validated.per_second / echoed.per_second, validate.ByteSizeLong(), clients,
              connections);
  }

  (*audit_server)->Stop(absl::Seconds(2));
  (*submit_server)->Stop(absl::Seconds(2));

  // --- 4. A region of 10,000 audited reports.
  if (!phase('4')) return 0;
  const int n = absl::GetFlag(FLAGS_summary_reports);
  AccessPolicy big = BigRegion(n);
  // Its own audit_service (not following: the audits are stored directly).
  audit::AuditServerConfig big_config;
  big_config.grpc = grpc_config;
  big_config.store_url = "sqlite:" + dir + "/summary.db";
  big_config.policy = &big;
  big_config.ledger_key = *CheckpointSigner::Generate();
  big_config.ledger_origin = "bench/big";
  big_config.submit = ChannelTo(submit_port, certs, "audit-service");
  big_config.follow = false;
  auto big_server = audit::AuditServer::Start(std::move(big_config));
  if (!big_server.ok()) return Failed("audit_service (region)", big_server.status());
  audit::Store* summary_store = (*big_server)->store();
  v1::ReportVersion version;
  version.set_content_hash("sha256:" + std::string(64, '0'));
  version.set_submitter("clerk");
  *version.mutable_report() = sample;
  version.mutable_create_time()->set_seconds(1642636800);  // 2022-01-20
  auto fill_start = Clock::now();
  std::vector<audit::AuditRecord> records;
  for (int i = 0; i < n; ++i) {
    version.set_name(absl::StrCat("agencies/agency-", i, "/reports/2021/versions/1"));
    records.push_back(*audit::AuditVersion(version, nullptr, big, absl::Now()));
    if (records.size() == 500 || i == n - 1) {
      auto stored = summary_store->RecordAudits(std::move(records), i + 1);
      if (!stored.ok()) {
        std::fprintf(stderr, "summary store: %s\n", stored.status().ToString().c_str());
        return 1;
      }
      records.clear();
    }
  }
  std::printf("%-34s %9.1f s\n", "10,000 audits stored in",
              std::chrono::duration<double>(Clock::now() - fill_start).count());
  const int big_port = (*big_server)->port();
  auto big_stub = v1::AuditService::NewStub(ChannelTo(big_port, certs, "oversight-henan"));
  std::vector<double> ms;
  for (int i = 0; i < 30; ++i) {
    v1::GetRegionSummaryRequest req;
    req.set_name("regions/41/years/2021");
    v1::RegionSummary resp;
    grpc::ClientContext c;
    auto t0 = Clock::now();
    grpc::Status s = big_stub->GetRegionSummary(&c, req, &resp);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!s.ok() || resp.agencies() != n) {
      std::fprintf(stderr, "summary: %s (%d agencies)\n", s.error_message().c_str(), resp.agencies());
      return 1;
    }
  }
  Result summary = Percentiles(ms, 0);
  std::printf("%-34s p50 %7.3f ms   p99 %7.3f ms   (%d reports, 30 calls)\n",
              "GetRegionSummary over the region", summary.p50_ms, summary.p99_ms, n);
  (*big_server)->Stop(absl::Seconds(2));
  echo_server->server->Shutdown();
  return 0;
}

}  // namespace
}  // namespace disclosure::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  disclosure::UseBufferedLogging();
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return disclosure::bench::Main();
}
