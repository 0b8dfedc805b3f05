// The Prometheus endpoint of both binaries (--metrics_listen): scraped over
// TCP before and after real calls, the counts by method and code move as the
// calls did; store timings and the feed gauges are there.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/match.h"
#include "disclosure/v1/audit.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service_env.h"

namespace disclosure::testing {
namespace {

using ::testing::HasSubstr;

// One HTTP exchange with 127.0.0.1:port: the whole answer, head and body.
std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  std::string request = absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  std::string answer;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) answer.append(buf, n);
  close(fd);
  return answer;
}

// The samples of a scrape: "name{labels}" → value. Fails on a line that is
// neither a comment nor a sample.
std::map<std::string, double> Scrape(int port) {
  std::string answer = HttpGet(port, "/metrics");
  EXPECT_TRUE(absl::StartsWith(answer, "HTTP/1.1 200 OK\r\n")) << answer.substr(0, 200);
  EXPECT_THAT(answer, HasSubstr("Content-Type: text/plain; version=0.0.4"));
  std::map<std::string, double> samples;
  size_t body = answer.find("\r\n\r\n");
  if (body == std::string::npos) return samples;
  for (absl::string_view line : absl::StrSplit(answer.substr(body + 4), '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "# HELP ") || absl::StartsWith(line, "# TYPE ")) continue;
    size_t space = line.rfind(' ');
    double value;
    EXPECT_TRUE(space != absl::string_view::npos &&
                absl::SimpleAtod(line.substr(space + 1), &value))
        << line;
    if (space != absl::string_view::npos) samples[std::string(line.substr(0, space))] = value;
  }
  return samples;
}

double Count(const std::map<std::string, double>& samples, const std::string& series) {
  auto it = samples.find(series);
  return it == samples.end() ? 0 : it->second;
}

// Scrapes until `series` has `value` (a call is counted when its handler
// lets go of it, a moment after the client has the answer), for 5 s at most.
std::map<std::string, double> ScrapeWhen(int port, const std::string& series, double value) {
  std::map<std::string, double> samples;
  for (int i = 0; i < 50; ++i) {
    samples = Scrape(port);
    if (Count(samples, series) == value) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return samples;
}

std::string Rpc(const std::string& service, const std::string& method, const std::string& code) {
  return absl::StrCat("disclosure_rpc_requests_total{service=\"", service, "\",method=\"", method,
                      "\",code=\"", code, "\"}");
}

grpc::Status GetVersion(v1::SubmissionService::Stub* stub, const std::string& name) {
  v1::GetVersionRequest request;
  request.set_name(name);
  grpc::ClientContext context;
  v1::ReportVersion v;
  return stub->GetVersion(&context, request, &v);
}

TEST(Metrics, SubmitServiceCountsCallsByMethodAndCodeAndTimesItsStore) {
  TempDir dir;
  const int metrics_port = FreePort();
  ChildSubmitServer server(dir.path() + "/submit.db", FreePort(),
                           {absl::StrCat("--metrics_listen=127.0.0.1:", metrics_port)});
  const std::map<std::string, double> before = Scrape(metrics_port);

  auto clerk = SubmitStubAs(server.address(), "clerk-zz-psb");
  const std::string latest = "agencies/zz-psb/reports/2021/versions/latest";
  EXPECT_EQ(GetVersion(clerk.get(), latest).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetVersion(clerk.get(), latest).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::CreateVersionRequest create;
  create.set_parent("agencies/zz-psb/reports/2021");
  *create.mutable_report() = SampleReport();
  create.set_request_id("metrics-1");
  {
    grpc::ClientContext context;
    v1::CreateVersionResponse response;
    ASSERT_TRUE(clerk->CreateVersion(&context, create, &response).ok());
  }
  EXPECT_TRUE(GetVersion(clerk.get(), latest).ok());
  auto stranger = SubmitStubAs(server.address(), "clerk-ly-psb");
  EXPECT_EQ(GetVersion(stranger.get(), latest).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  const std::map<std::string, double> after =
      ScrapeWhen(metrics_port, Rpc("SubmissionService", "CreateVersion", "OK"),
                 Count(before, Rpc("SubmissionService", "CreateVersion", "OK")) + 1);
  auto delta = [&](const std::string& series) { return Count(after, series) - Count(before, series); };
  EXPECT_EQ(delta(Rpc("SubmissionService", "GetVersion", "NOT_FOUND")), 2);
  EXPECT_EQ(delta(Rpc("SubmissionService", "GetVersion", "OK")), 1);
  EXPECT_EQ(delta(Rpc("SubmissionService", "GetVersion", "PERMISSION_DENIED")), 1);
  EXPECT_EQ(delta(Rpc("SubmissionService", "CreateVersion", "OK")), 1);
  // Latencies: a histogram per method and code, its count the calls'.
  const std::string labels = "service=\"SubmissionService\",method=\"GetVersion\",code=\"NOT_FOUND\"";
  EXPECT_EQ(Count(after, absl::StrCat("disclosure_rpc_duration_seconds_count{", labels, "}")), 2);
  EXPECT_EQ(Count(after, absl::StrCat("disclosure_rpc_duration_seconds_bucket{", labels,
                                      ",le=\"+Inf\"}")),
            2);
  EXPECT_GT(Count(after, absl::StrCat("disclosure_rpc_duration_seconds_sum{", labels, "}")), 0);
  // Store timings: the commit and the reads behind those calls.
  EXPECT_EQ(Count(after, "disclosure_store_duration_seconds_count{store=\"submit\","
                         "op=\"CreateVersion\",result=\"ok\"}"),
            1);
  EXPECT_GE(Count(after, "disclosure_store_duration_seconds_count{store=\"submit\","
                         "op=\"GetVersion\",result=\"ok\"}"),
            1);
  EXPECT_THAT(HttpGet(metrics_port, "/other"), HasSubstr("404 Not Found"));
}

TEST(Metrics, AuditServiceShowsFeedLagFollowerHealthAndCalls) {
  TempDir dir;
  ChildSubmitServer submit(dir.path() + "/submit.db", FreePort());
  const int metrics_port = FreePort();
  ChildAuditServer audit(dir.path() + "/audit.db", FreePort(), submit.address(),
                         dir.path() + "/ledger.key",
                         {absl::StrCat("--metrics_listen=127.0.0.1:", metrics_port)});
  v1::CreateVersionRequest create;
  create.set_parent("agencies/zz-psb/reports/2021");
  *create.mutable_report() = SampleReport();
  create.set_request_id("metrics-audit");
  {
    grpc::ClientContext context;
    v1::CreateVersionResponse response;
    ASSERT_TRUE(SubmitStubAs(submit.address(), "clerk-zz-psb")
                    ->CreateVersion(&context, create, &response)
                    .ok());
  }
  auto reviewer = v1::AuditService::NewStub(ChannelAs(audit.address(), "reviewer-legality"));
  v1::GetAuditRequest get;
  get.set_name("agencies/zz-psb/reports/2021/versions/1/audit");
  int not_found = 0;
  grpc::Status s;
  for (int i = 0; i < 100; ++i) {
    grpc::ClientContext context;
    v1::Audit a;
    s = reviewer->GetAudit(&context, get, &a);
    if (s.error_code() != grpc::StatusCode::NOT_FOUND) break;
    ++not_found;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(s.ok()) << s.error_message();

  std::map<std::string, double> m =
      ScrapeWhen(metrics_port, "disclosure_feed_audited_position", 1);
  EXPECT_EQ(Count(m, Rpc("AuditService", "GetAudit", "OK")), 1);
  EXPECT_EQ(Count(m, Rpc("AuditService", "GetAudit", "NOT_FOUND")), not_found);
  EXPECT_EQ(m["disclosure_feed_follower_healthy"], 1);
  EXPECT_EQ(m["disclosure_feed_audited_position"], 1);
  EXPECT_EQ(m["disclosure_feed_head_position"], 1);
  EXPECT_EQ(m["disclosure_feed_lag_versions"], 0);
  EXPECT_GE(Count(m, "disclosure_store_duration_seconds_count{store=\"audit\","
                     "op=\"RecordAudits\",result=\"ok\"}"),
            1);
}

}  // namespace
}  // namespace disclosure::testing
