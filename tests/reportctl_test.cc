// reportctl's --target: the target-building function, and the binary run
// against a real submit_service with several addresses.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"
#include "core/rpc/client_channel.h"
#include "tests/service_env.h"

namespace disclosure::testing {
namespace {


TEST(ParseTarget, OneAddressIsUsedAsItIs) {
  for (const char* t : {"127.0.0.1:50051", "localhost:50051", "dns:///svc.example:443"}) {
    absl::StatusOr<ChannelTarget> c = ParseTarget(t, "localhost");
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->target, t);
    EXPECT_EQ(c->tls_server_name, "");
    EXPECT_FALSE(c->round_robin);
  }
}

TEST(ParseTarget, SeveralAddressesAreOneRoundRobinTargetCheckedAgainstTheServerName) {
  absl::StatusOr<ChannelTarget> v4 = ParseTarget("127.0.0.1:50051, 127.0.0.2:50052", "localhost");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->target, "ipv4:127.0.0.1:50051,127.0.0.2:50052");
  EXPECT_EQ(v4->tls_server_name, "localhost");
  EXPECT_TRUE(v4->round_robin);
  absl::StatusOr<ChannelTarget> v6 = ParseTarget("[::1]:50051,[::1]:50052", "svc");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->target, "ipv6:[::1]:50051,[::1]:50052");
  EXPECT_EQ(v6->tls_server_name, "svc");
}

TEST(ParseTarget, ListsOfNamesOrMixedFamiliesAreRefused) {
  for (const char* t : {"localhost:1,localhost:2", "127.0.0.1:1,[::1]:2", "127.0.0.1,127.0.0.1:2",
                        "127.0.0.1:1,", "127.0.0.1:99999,127.0.0.1:1"}) {
    EXPECT_EQ(ParseTarget(t, "localhost").status().code(), absl::StatusCode::kInvalidArgument) << t;
  }
  EXPECT_EQ(ParseTarget("127.0.0.1:1,127.0.0.1:2", "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Runs reportctl with `args`; its exit code.
int RunReportctl(const std::string& args) {
  std::string cmd = absl::StrCat(DISCLOSURE_REPORTCTL_BINARY, " ", args, " >/dev/null 2>&1");
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The binary users run loads no gRPC, and abseil and protobuf are linked
// into it (reportctl/static_link.sh), so that a cold import starts about as
// fast as pdftotext (docs/performance.md); the service commands it hands on
// work (the ReportctlRemote tests run through it).
TEST(ReportctlOffline, TheBinaryUsersRunLoadsNoGrpc) {
  std::string cmd = absl::StrCat("LD_TRACE_LOADED_OBJECTS=1 ", DISCLOSURE_REPORTCTL_BINARY);
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string libs;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof(buf), p)) libs.append(buf, n);
  pclose(p);
  EXPECT_THAT(libs, ::testing::HasSubstr("libpoppler"));
  EXPECT_THAT(libs, ::testing::Not(::testing::HasSubstr("libgrpc")));
  EXPECT_THAT(libs, ::testing::Not(::testing::HasSubstr("libabsl")));
  EXPECT_THAT(libs, ::testing::Not(::testing::HasSubstr("libprotobuf")));
}

// --strict: a report read with a row placed nowhere is a finding (exit 1),
// not an unreadable input (exit 2); the exit code comes from the status's
// payload (IsStrictRefusal), not from the wording of its message.
TEST(ReportctlOffline, AStrictImportThatPlacesARowNowhereExitsOneNotTwo) {
  const std::string unplaced =
      absl::StrCat(DISCLOSURE_SOURCE_DIR, "/tests/testdata/messy/unplaced-row-hrss-2022.txt");
  EXPECT_EQ(RunReportctl(absl::StrCat("import ", unplaced, " --agency_id hrss")), 0);
  EXPECT_EQ(RunReportctl(absl::StrCat("import ", unplaced, " --agency_id hrss --strict")), 1);
  EXPECT_EQ(RunReportctl(absl::StrCat("validate ", unplaced, " --strict")), 1);
  TempDir dir;
  const std::string nothing = dir.path() + "/nothing.txt";
  ASSERT_TRUE(std::ofstream(nothing) << "no report here\n");
  EXPECT_EQ(RunReportctl(absl::StrCat("validate ", nothing, " --strict")), 2);
}

TEST(ReportctlRemote, SeveralTargetAddressesConnectOverTls) {
  TempDir dir;
  InProcessSubmitServer server(dir.path() + "/submit.db");
  std::string common = absl::StrCat("--certs ", DevCerts().dir, " --as audit-service");
  EXPECT_EQ(RunReportctl(absl::StrCat("reports ", common, " --target ", server.address())), 0);
  // The same replica twice stands for two.
  EXPECT_EQ(RunReportctl(absl::StrCat("reports ", common, " --target ", server.address(), ",",
                                      server.address())),
            0);
  // A certificate name the server does not have: the check is real.
  EXPECT_EQ(RunReportctl(absl::StrCat("reports ", common, " --deadline_seconds 3 --target ",
                                      server.address(), ",", server.address(),
                                      " --tls_server_name not-the-server")),
            2);
}

TEST(ReportctlRemote, HealthIsServingForAnyCertificateOfTheCaAndFailsWhenDown) {
  grpc::EnableDefaultHealthCheckService(true);  // as the services' main does
  TempDir dir;
  auto server = std::make_unique<InProcessSubmitServer>(dir.path() + "/submit.db");
  const std::string address = server->address();
  // A probe needs no role: "nobody" has none.
  std::string common = absl::StrCat("--certs ", DevCerts().dir, " --as nobody --deadline_seconds 3");
  EXPECT_EQ(RunReportctl(absl::StrCat("health ", common, " --target ", address)), 0);
  server.reset();
  EXPECT_EQ(RunReportctl(absl::StrCat("health ", common, " --target ", address)), 2);
}

}  // namespace
}  // namespace disclosure::testing
