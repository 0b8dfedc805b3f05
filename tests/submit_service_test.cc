// submit_service over real gRPC with mutual TLS on loopback and real SQLite
// files: submissions, versions, conflicts, idempotency, diffs, the change
// feed across restarts, crash safety, access refusals, malformed requests.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <limits>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "core/base/file.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/escaping.h"
#include "core/report/canonical.h"
#include "core/rpc/handler.h"
#include "core/rpc/page_token.h"
#include "core/rpc/rpc_util.h"
#include "core/report/template.h"
#include "core/rpc/watch_stream.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"
#include "submit_service/validate.h"
#include "tests/captured_log.h"
#include "tests/service_env.h"

namespace disclosure::testing {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kParent[] = "agencies/zz-psb/reports/2021";

class SubmitServiceTest : public ::testing::Test {
 protected:
  SubmitServiceTest() : server_(dir_.path() + "/submit.db") {}

  std::unique_ptr<v1::SubmissionService::Stub> As(const std::string& principal) {
    return SubmitStubAs(server_.address(), principal);
  }

  grpc::Status Create(v1::SubmissionService::Stub* stub, const v1::Report& report,
                      const std::string& request_id, int64_t expected,
                      v1::CreateVersionResponse* response,
                      const std::string& parent = kParent) {
    v1::CreateVersionRequest request;
    request.set_parent(parent);
    *request.mutable_report() = report;
    request.set_request_id(request_id);
    request.set_expected_latest_version(expected);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub->CreateVersion(&context, request, response);
  }

  grpc::Status Get(v1::SubmissionService::Stub* stub, const std::string& name,
                   v1::ReportVersion* out) {
    v1::GetVersionRequest request;
    request.set_name(name);
    grpc::ClientContext context;
    return stub->GetVersion(&context, request, out);
  }

  // The report as stored: the registry fills in region code and kind.
  static v1::Report AsStored(v1::Report r) {
    r.mutable_agency()->set_region_code("410100");
    r.mutable_agency()->set_kind(v1::AGENCY_KIND_DEPARTMENT);
    MaterializeTables(&r);
    return r;
  }

  TempDir dir_;
  InProcessSubmitServer server_;
};

// Serialized size of the report as the service stores it.
size_t AsStoredSize(v1::Report r) {
  MaterializeTables(&r);
  return r.ByteSizeLong();
}

// The field named by a status's google.rpc.BadRequest details.
std::string BadField(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad;
    if (bad.ParseFromString(any.value()) && bad.field_violations_size() > 0) {
      return bad.field_violations(0).field();
    }
  }
  return "";
}

TEST_F(SubmitServiceTest, SubmitTheSampleAndGetItBackIdentical) {
  auto clerk = As("clerk-zz-psb");
  v1::CreateVersionResponse created;
  ASSERT_TRUE(Create(clerk.get(), SampleReport(), "r1", 0, &created).ok());
  EXPECT_TRUE(created.created());
  EXPECT_EQ(created.version().name(), "agencies/zz-psb/reports/2021/versions/1");
  EXPECT_EQ(created.version().submitter(), "clerk-zz-psb");
  v1::Report expected = AsStored(SampleReport());
  EXPECT_EQ(created.version().content_hash(), ContentHash(expected));
  EXPECT_FALSE(created.version().has_report());  // BASIC: the client has it

  for (const char* name : {"agencies/zz-psb/reports/2021/versions/1",
                           "agencies/zz-psb/reports/2021/versions/latest"}) {
    v1::ReportVersion got;
    ASSERT_TRUE(Get(clerk.get(), name, &got).ok()) << name;
    EXPECT_TRUE(MessageDifferencer::Equals(got.report(), expected)) << name;
    EXPECT_EQ(got.content_hash(), created.version().content_hash());
    EXPECT_EQ(GetFee(got.report()), "22943.1665");
  }
}

// One definition of a valid fee (core/report/decimal.h) for the rules and
// for CreateVersion: the 14 whole digits the rules accept are stored, the
// 15 they refuse are INVALID_ARGUMENT (it was 13 here and 14 there).
TEST_F(SubmitServiceTest, AFeeIsValidOnSubmitExactlyWhenTheRulesAcceptIt) {
  auto clerk = As("clerk-zz-psb");
  v1::Report report = SampleReport();
  SetFee(&report, "12345678901234.5");
  v1::CreateVersionResponse r;
  grpc::Status ok = Create(clerk.get(), report, "fee14", 0, &r);
  EXPECT_TRUE(ok.ok()) << ok.error_message();
  SetFee(&report, "123456789012345");
  grpc::Status big = Create(clerk.get(), report, "fee15", 1, &r);
  EXPECT_EQ(big.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(big), "report.proactive_disclosure.administrative_fees.amount_10k_yuan");
  SetFee(&report, "00000000000001234.5");  // leading zeros are not significant digits
  EXPECT_TRUE(Create(clerk.get(), report, "fee-zeros", 1, &r).ok());
}

TEST_F(SubmitServiceTest, AmendListAndDiff) {
  auto clerk = As("clerk-zz-psb");
  v1::CreateVersionResponse v1r, v2r;
  ASSERT_TRUE(Create(clerk.get(), SampleReport(), "a1", 0, &v1r).ok());
  v1::Report amended = SampleReport();
  SetApplicantCell(MutableRequestRow(&amended, kDisclosed), 0, 32);
  SetApplicantCell(MutableRequestRow(&amended, kDisclosed), 6, std::nullopt);
  ASSERT_TRUE(Create(clerk.get(), amended, "a2", 1, &v2r).ok());
  EXPECT_EQ(v2r.version().version(), 2);
  EXPECT_NE(v2r.version().content_hash(), v1r.version().content_hash());

  // Listing, one per page.
  v1::ListVersionsRequest list;
  list.set_parent(kParent);
  list.set_page_size(1);
  std::vector<int64_t> seen;
  do {
    grpc::ClientContext context;
    v1::ListVersionsResponse page;
    ASSERT_TRUE(clerk->ListVersions(&context, list, &page).ok());
    for (const auto& v : page.versions()) {
      seen.push_back(v.version());
      EXPECT_FALSE(v.has_report());  // BASIC view by default
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2}));

  v1::DiffVersionsRequest diff;
  diff.set_name("agencies/zz-psb/reports/2021/versions/1");
  diff.set_other_name("agencies/zz-psb/reports/2021/versions/2");
  grpc::ClientContext context;
  v1::DiffVersionsResponse changes;
  ASSERT_TRUE(clerk->DiffVersions(&context, diff, &changes).ok());
  ASSERT_EQ(changes.changes_size(), 2);
  EXPECT_EQ(changes.changes(0).field_path(), "requests.outcomes.disclosed.natural_person");
  EXPECT_EQ(changes.changes(0).label(), "三 （一）予以公开 / 自然人");
  EXPECT_EQ(changes.changes(0).before(), "31");
  EXPECT_EQ(changes.changes(0).after(), "32");
  EXPECT_EQ(changes.changes(1).field_path(), "requests.outcomes.disclosed.total");
  EXPECT_TRUE(changes.changes(1).after_empty());
}

TEST_F(SubmitServiceTest, StaleExpectedVersionIsAbortedAndStoresNothing) {
  auto clerk = As("clerk-zz-psb");
  v1::CreateVersionResponse r;
  ASSERT_TRUE(Create(clerk.get(), SampleReport(), "c1", 0, &r).ok());
  v1::Report other = SampleReport();
  other.set_other_matters("另一位经办人的修改。");
  grpc::Status s = Create(clerk.get(), other, "c2", 0, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  v1::ReportVersion latest;
  ASSERT_TRUE(Get(clerk.get(), "agencies/zz-psb/reports/2021/versions/latest", &latest).ok());
  EXPECT_EQ(latest.version(), 1);
}

TEST_F(SubmitServiceTest, RetriedRequestIdReturnsTheFirstAnswer) {
  auto clerk = As("clerk-zz-psb");
  v1::CreateVersionResponse first, retry;
  ASSERT_TRUE(Create(clerk.get(), SampleReport(), "same-id", 0, &first).ok());
  ASSERT_TRUE(Create(clerk.get(), SampleReport(), "same-id", 0, &retry).ok());
  EXPECT_TRUE(retry.created());
  EXPECT_EQ(retry.version().name(), first.version().name());
  EXPECT_EQ(retry.version().content_hash(), first.version().content_hash());
  v1::ReportVersion latest;
  ASSERT_TRUE(Get(clerk.get(), "agencies/zz-psb/reports/2021/versions/latest", &latest).ok());
  EXPECT_EQ(latest.version(), 1);
}

TEST_F(SubmitServiceTest, RequestIdOfAnotherRequestIsFailedPrecondition) {
  auto clerk = As("clerk-zz-psb");
  v1::CreateVersionResponse first, r;
  ASSERT_TRUE(Create(clerk.get(), SampleReport(), "once", 0, &first).ok());
  // Another report (year) with the same id.
  v1::Report next_year = SampleReport();
  next_year.set_year(2022);
  grpc::Status other_parent =
      Create(clerk.get(), next_year, "once", 0, &r, "agencies/zz-psb/reports/2022");
  EXPECT_EQ(other_parent.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << other_parent.error_message();
  EXPECT_THAT(other_parent.error_message(), HasSubstr("'once'"));
  // Other content for the same report.
  v1::Report changed = SampleReport();
  changed.set_other_matters("改过了。");
  grpc::Status other_content = Create(clerk.get(), changed, "once", 1, &r);
  EXPECT_EQ(other_content.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << other_content.error_message();
  EXPECT_THAT(other_content.error_message(), HasSubstr("request_id"));
  // Nothing stored; the first request still replays.
  v1::ReportVersion latest;
  ASSERT_TRUE(Get(clerk.get(), "agencies/zz-psb/reports/2021/versions/latest", &latest).ok());
  EXPECT_EQ(latest.version(), 1);
  EXPECT_EQ(Get(clerk.get(), "agencies/zz-psb/reports/2022/versions/latest", &latest).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Create(clerk.get(), SampleReport(), "once", 0, &r).ok());
  EXPECT_EQ(r.version().name(), first.version().name());
}

TEST_F(SubmitServiceTest, IdenticalResubmissionCreatesNothing) {
  auto clerk = As("clerk-zz-psb");
  v1::CreateVersionResponse first, again;
  ASSERT_TRUE(Create(clerk.get(), SampleReport(), "i1", 0, &first).ok());
  ASSERT_TRUE(Create(clerk.get(), SampleReport(), "i2", 1, &again).ok());
  EXPECT_FALSE(again.created());
  EXPECT_EQ(again.version().version(), 1);
}

// ------------------------------------------------------------ refusals

// A stub trusting `ca` and presenting `cert`/`key` (paths).
std::unique_ptr<v1::SubmissionService::Stub> StubWith(const std::string& address,
                                                      const std::string& ca,
                                                      const std::string& cert,
                                                      const std::string& key) {
  auto creds = MutualTlsChannelCredentials({ca, cert, key});
  EXPECT_TRUE(creds.ok()) << creds.status();
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return v1::SubmissionService::NewStub(grpc::CreateCustomChannel(address, *creds, args));
}

TEST_F(SubmitServiceTest, NoClientCertificateIsRefused) {
  auto anonymous = As("");
  v1::CreateVersionResponse r;
  grpc::Status s = Create(anonymous.get(), SampleReport(), "x", 0, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  // The same set-up with a certificate gets through: the refusal above is
  // the server's, not an unreachable server.
  v1::ReportVersion v;
  grpc::Status with_cert = Get(As("clerk-zz-psb").get(), "agencies/zz-psb/reports/2021/versions/1", &v);
  EXPECT_EQ(with_cert.error_code(), grpc::StatusCode::NOT_FOUND) << with_cert.error_message();
}

TEST_F(SubmitServiceTest, CertificateOfAnotherCaIsRefused) {
  // The client trusts the right CA (so the server's certificate passes) but
  // presents a certificate of another CA, with the right principal name.
  const std::string dev = DevCerts().dir, other = DevCerts().other_dir;
  auto stranger = StubWith(server_.address(), dev + "/ca.crt", other + "/clerk-zz-psb.crt",
                           other + "/clerk-zz-psb.key");
  v1::CreateVersionResponse r;
  grpc::Status s = Create(stranger.get(), SampleReport(), "x", 0, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  // The same set-up with the development CA's certificate gets through.
  auto clerk = StubWith(server_.address(), dev + "/ca.crt", dev + "/clerk-zz-psb.crt",
                        dev + "/clerk-zz-psb.key");
  EXPECT_TRUE(Create(clerk.get(), SampleReport(), "x", 0, &r).ok());
}

TEST_F(SubmitServiceTest, StrangersSendingInvalidReportsAreRefusedNotCorrected) {
  // Access comes before validation: a principal who may not submit learns
  // nothing from the validation of another agency's report.
  v1::Report invalid = SampleReport();
  SetApplicantCell(MutableRequestRow(&invalid, kReceived), 2, -1);
  invalid.set_year(2020);
  for (const char* principal : {"nobody", "clerk-ly-psb", "oversight-henan", "audit-service"}) {
    v1::CreateVersionResponse r;
    grpc::Status s = Create(As(principal).get(), invalid, "bad", 0, &r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << principal << ": " << s.error_message();
    EXPECT_EQ(BadField(s), "") << principal;
  }
  // The agency's clerk is told what is wrong.
  v1::CreateVersionResponse r;
  grpc::Status s = Create(As("clerk-zz-psb").get(), invalid, "bad", 0, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
}

TEST_F(SubmitServiceTest, PrincipalWithNoRoleIsRefused) {
  auto nobody = As("nobody");
  v1::ReportVersion v;
  grpc::Status s = Get(nobody.get(), "agencies/zz-psb/reports/2021/versions/latest", &v);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

// A console submits, reads and watches for the clerk it acts for, with the
// clerk's roles (docs/api.md, "Acting for a user"); for a clerk of another
// agency it is refused as that clerk is, and on its own it gets nothing.
TEST_F(SubmitServiceTest, AConsoleActsForAClerkWithTheClerksRolesOnly) {
  auto console = As("console");
  auto create = [&](const std::string& user, const std::string& id, int64_t expected,
                    v1::CreateVersionResponse* out) {
    v1::CreateVersionRequest request;
    request.set_parent(kParent);
    *request.mutable_report() = SampleReport();
    request.set_request_id(id);
    request.set_expected_latest_version(expected);
    grpc::ClientContext c;
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!user.empty()) c.AddMetadata(kActingForMetadata, user);
    return console->CreateVersion(&c, request, out);
  };
  v1::CreateVersionResponse r;
  EXPECT_EQ(create("", "c0", 0, &r).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(create("clerk-ly-psb", "c1", 0, &r).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(create("oversight-henan", "c2", 0, &r).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status ok = create("clerk-zz-psb", "c3", 0, &r);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(r.version().submitter(), "clerk-zz-psb");

  auto get = [&](const std::string& user) {
    v1::GetVersionRequest request;
    request.set_name(r.version().name());
    v1::ReportVersion v;
    grpc::ClientContext c;
    c.AddMetadata(kActingForMetadata, user);
    return console->GetVersion(&c, request, &v);
  };
  {
    // The log line names both (GetVersion logs before it answers; the
    // callback CreateVersion only after, so it is not read here).
    CapturedLog log;
    EXPECT_TRUE(get("oversight-henan").ok());
    bool both = false;
    for (const std::string& line : log.Lines()) {
      both |= absl::StrContains(line, "method=GetVersion principal=\"oversight-henan\" via=\"console\"");
    }
    EXPECT_TRUE(both);
  }
  EXPECT_EQ(get("oversight-hubei").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(get("clerk-ly-psb").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Another principal may not claim to act for anyone.
  v1::GetVersionRequest request;
  request.set_name(r.version().name());
  v1::ReportVersion v;
  grpc::ClientContext c;
  c.AddMetadata(kActingForMetadata, "oversight-henan");
  grpc::Status s = As("clerk-ly-psb")->GetVersion(&c, request, &v);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("may not act for another"));
  // A watch stream through the console is the user's: the audit service may
  // watch, a console acting for it may not.
  v1::WatchVersionsRequest watch;
  grpc::ClientContext wc;
  wc.AddMetadata(kActingForMetadata, "audit-service");
  wc.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto reader = console->WatchVersions(&wc, watch);
  v1::VersionEvent ev;
  while (reader->Read(&ev)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(SubmitServiceTest, ClerkOfAnotherAgencyCanNeitherReadNorWriteNorLearnExistence) {
  auto owner = As("clerk-zz-psb");
  v1::CreateVersionResponse r;
  ASSERT_TRUE(Create(owner.get(), SampleReport(), "o1", 0, &r).ok());

  auto other = As("clerk-ly-psb");
  // Write.
  grpc::Status write = Create(other.get(), SampleReport(), "w1", 1, &r);
  EXPECT_EQ(write.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Read of an existing and of a missing report: the same refusal.
  v1::ReportVersion v;
  grpc::Status existing = Get(other.get(), "agencies/zz-psb/reports/2021/versions/1", &v);
  grpc::Status missing = Get(other.get(), "agencies/zz-psb/reports/2030/versions/1", &v);
  EXPECT_EQ(existing.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(existing.error_message(),
            absl::StrReplaceAll(missing.error_message(), {{"2030", "2021"}}));
  // An agency that is not in the registry is refused alike.
  grpc::Status unlisted = Get(other.get(), "agencies/no-such/reports/2021/versions/1", &v);
  EXPECT_EQ(unlisted.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Listings and diffs: refused alike for an existing and a missing report;
  // the agency's own clerk learns that the missing one is missing.
  for (const char* parent : {kParent, "agencies/zz-psb/reports/2030"}) {
    v1::ListVersionsRequest list;
    list.set_parent(parent);
    grpc::ClientContext c1;
    v1::ListVersionsResponse versions;
    grpc::Status s = other->ListVersions(&c1, list, &versions);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << parent;
    EXPECT_EQ(versions.versions_size(), 0);
  }
  {
    v1::ListVersionsRequest list;
    list.set_parent("agencies/zz-psb/reports/2030");
    grpc::ClientContext c1;
    v1::ListVersionsResponse versions;
    EXPECT_EQ(owner->ListVersions(&c1, list, &versions).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  v1::DiffVersionsRequest diff;
  diff.set_name("agencies/zz-psb/reports/2021/versions/1");
  diff.set_other_name("agencies/zz-psb/reports/2021/versions/1");
  grpc::ClientContext c3;
  v1::DiffVersionsResponse changes;
  EXPECT_EQ(other->DiffVersions(&c3, diff, &changes).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListReportsRequest reports;
  grpc::ClientContext c2;
  v1::ListReportsResponse listed;
  ASSERT_TRUE(other->ListReports(&c2, reports, &listed).ok());
  EXPECT_EQ(listed.reports_size(), 0);
}

TEST_F(SubmitServiceTest, OversightSeesOnlyItsRegion) {
  auto zz = As("clerk-zz-psb");
  auto wh = As("clerk-wh-psb");
  v1::CreateVersionResponse r;
  ASSERT_TRUE(Create(zz.get(), SampleReport(), "z", 0, &r).ok());
  v1::Report wuhan = SampleReport();
  wuhan.mutable_agency()->set_id("wh-psb");
  wuhan.mutable_agency()->set_name("武汉市公安局");
  ASSERT_TRUE(Create(wh.get(), wuhan, "w", 0, &r, "agencies/wh-psb/reports/2021").ok());

  auto henan = As("oversight-zhengzhou");
  v1::ReportVersion v;
  EXPECT_TRUE(Get(henan.get(), "agencies/zz-psb/reports/2021/versions/1", &v).ok());
  EXPECT_EQ(Get(henan.get(), "agencies/wh-psb/reports/2021/versions/1", &v).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListReportsRequest all;
  grpc::ClientContext context;
  v1::ListReportsResponse listed;
  ASSERT_TRUE(henan->ListReports(&context, all, &listed).ok());
  ASSERT_EQ(listed.reports_size(), 1);
  EXPECT_EQ(listed.reports(0).name(), kParent);
  EXPECT_EQ(listed.reports(0).latest().version(), 1);

  // The audit service reads everything.
  auto audit = As("audit-service");
  grpc::ClientContext c2;
  v1::ListReportsResponse everything;
  ASSERT_TRUE(audit->ListReports(&c2, all, &everything).ok());
  EXPECT_EQ(everything.reports_size(), 2);
}

// The development policy, edited.
AccessPolicy EditedDevPolicy(
    const std::function<void(v1::PrincipalsFile*, v1::AgencyRegistry*)>& edit) {
  v1::PrincipalsFile principals;
  v1::AgencyRegistry registry;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      *ReadFileToString(DevConfigPath("principals.textproto")), &principals));
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      *ReadFileToString(DevConfigPath("agencies.textproto")), &registry));
  edit(&principals, &registry);
  absl::StatusOr<AccessPolicy> p = AccessPolicy::Create(principals, registry);
  EXPECT_TRUE(p.ok()) << p.status();
  return *std::move(p);
}

// Every report name `principal` gets from ListReports, page by page.
std::vector<std::string> ListAll(const std::string& address, const std::string& principal,
                                 int page_size, int* pages = nullptr) {
  auto stub = SubmitStubAs(address, principal);
  v1::ListReportsRequest request;
  request.set_page_size(page_size);
  std::vector<std::string> names;
  int n = 0;
  do {
    grpc::ClientContext context;
    v1::ListReportsResponse page;
    grpc::Status s = stub->ListReports(&context, request, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (!s.ok() || ++n > 100) break;
    for (const auto& r : page.reports()) names.push_back(r.name());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (pages != nullptr) *pages = n;
  return names;
}

TEST(SubmitServiceRegistryTest, ListingsFollowTheRegistryNotTheStoredRows) {
  TempDir dir;
  std::string db = dir.path() + "/submit.db";
  {
    InProcessSubmitServer server(db);
    for (const char* agency : {"zz-psb", "ly-psb"}) {
      v1::Report report = SampleReport();
      report.mutable_agency()->set_id(agency);
      v1::CreateVersionRequest req;
      req.set_parent(absl::StrCat("agencies/", agency, "/reports/2021"));
      *req.mutable_report() = report;
      req.set_request_id("r");
      grpc::ClientContext c;
      v1::CreateVersionResponse resp;
      grpc::Status s = SubmitStubAs(server.address(), absl::StrCat("clerk-", agency))
                           ->CreateVersion(&c, req, &resp);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    EXPECT_EQ(ListAll(server.address(), "oversight-henan", 10).size(), 2u);
  }
  // Since then, zz-psb moved to Wuhan (420100) and ly-psb left the registry.
  AccessPolicy changed = EditedDevPolicy([](v1::PrincipalsFile* p, v1::AgencyRegistry* r) {
    for (auto& a : *r->mutable_agencies()) {
      if (a.id() == "zz-psb") a.set_region_code("420100");
    }
    auto* agencies = r->mutable_agencies();
    agencies->erase(std::remove_if(agencies->begin(), agencies->end(),
                                   [](const v1::Agency& a) { return a.id() == "ly-psb"; }),
                    agencies->end());
    auto* principals = p->mutable_principals();
    principals->erase(std::remove_if(principals->begin(), principals->end(),
                                     [](const v1::Principal& x) { return x.name() == "clerk-ly-psb"; }),
                      principals->end());
  });
  ServerOptions options;
  options.policy = &changed;
  InProcessSubmitServer server(db, options);
  // Henan's oversight reads neither any more (its rows still say 4101…/4103…).
  EXPECT_THAT(ListAll(server.address(), "oversight-henan", 10), ::testing::IsEmpty());
  EXPECT_THAT(ListAll(server.address(), "reviewer-legality", 10), ::testing::IsEmpty());
  // The agency's own clerk still does; the audit service reads what is in
  // the registry, one row per page: the last page is empty (the skipped
  // ly-psb row), and paging ends.
  EXPECT_THAT(ListAll(server.address(), "clerk-zz-psb", 10), ::testing::ElementsAre(kParent));
  int pages = 0;
  EXPECT_THAT(ListAll(server.address(), "audit-service", 1, &pages), ::testing::ElementsAre(kParent));
  EXPECT_EQ(pages, 2);
}

// AIP-158 (issue 12): a page_size above the maximum is the maximum, not a
// refusal; a negative one is refused, naming it.
TEST_F(SubmitServiceTest, PageSizeAboveTheMaximumIsCoercedNotRefused) {
  auto clerk = As("clerk-zz-psb");
  v1::CreateVersionResponse r;
  ASSERT_TRUE(Create(clerk.get(), SampleReport(), "p1", 0, &r).ok());
  for (int size : {101, 1000, std::numeric_limits<int32_t>::max()}) {
    v1::ListVersionsRequest list;
    list.set_parent(kParent);
    list.set_page_size(size);
    v1::ListVersionsResponse page;
    grpc::ClientContext c;
    grpc::Status s = clerk->ListVersions(&c, list, &page);
    ASSERT_TRUE(s.ok()) << size << ": " << s.error_message();
    EXPECT_EQ(page.versions_size(), 1);
    v1::ListReportsRequest reports;
    reports.set_page_size(size);
    v1::ListReportsResponse listed;
    grpc::ClientContext rc;
    s = clerk->ListReports(&rc, reports, &listed);
    EXPECT_TRUE(s.ok()) << size << ": " << s.error_message();
  }
  v1::ListVersionsRequest list;
  list.set_parent(kParent);
  list.set_page_size(-1);
  v1::ListVersionsResponse page;
  grpc::ClientContext c;
  EXPECT_EQ(BadField(clerk->ListVersions(&c, list, &page)), "page_size");
}

// ------------------------------------------------------------ bad requests

// Page tokens (AIP-158): opaque, and tamper-evident: sealed with the
// service's key (core/rpc/page_token.h).
TEST_F(SubmitServiceTest, PageTokensAreOpaqueAndRefusedWhenNotTheServicesOwn) {
  auto clerk = As("clerk-zz-psb");
  v1::CreateVersionResponse r;
  ASSERT_TRUE(Create(clerk.get(), SampleReport(), "p1", 0, &r).ok());
  v1::Report amended = SampleReport();
  SetApplicantCell(MutableRequestRow(&amended, kDisclosed), 0, 32);
  ASSERT_TRUE(Create(clerk.get(), amended, "p2", 1, &r).ok());
  auto list = [&](const std::string& parent, const std::string& token,
                  v1::ListVersionsResponse* page) {
    v1::ListVersionsRequest request;
    request.set_parent(parent);
    request.set_page_size(1);
    request.set_page_token(token);
    grpc::ClientContext context;
    return clerk->ListVersions(&context, request, page);
  };
  v1::ListVersionsResponse first;
  ASSERT_TRUE(list(kParent, "", &first).ok());
  ASSERT_FALSE(first.next_page_token().empty());
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(first.next_page_token(), &raw));
  EXPECT_THAT(raw, Not(HasSubstr("zz-psb"))) << "readable: " << absl::CHexEscape(raw);

  // Garbage, and a token in the readable form that pointed at version -5.
  for (const std::string& token :
       {std::string("garbage"), absl::WebSafeBase64Escape(std::string(kParent) + "\n-5")}) {
    v1::ListVersionsResponse page;
    grpc::Status s = list(kParent, token, &page);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << token;
    EXPECT_EQ(BadField(s), "page_token") << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("invalid page token")) << token;
  }
  // A genuine token of another listing.
  v1::ListVersionsResponse other;
  grpc::Status s = list("agencies/zz-psb/reports/2022", first.next_page_token(), &other);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_token: belongs to another listing"));
  // A sealed negative position (only the service's key makes one) is
  // refused all the same.
  s = list(kParent, *EncodePageToken(kParent, "-5"), &other);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_token: invalid page token"));
  // The genuine token continues the listing.
  v1::ListVersionsResponse second;
  ASSERT_TRUE(list(kParent, first.next_page_token(), &second).ok());
  ASSERT_EQ(second.versions_size(), 1);
  EXPECT_EQ(second.versions(0).version(), 2);

  // ListReports: the same.
  v1::ListReportsRequest reports;
  reports.set_page_token("garbage");
  v1::ListReportsResponse page;
  grpc::ClientContext context;
  s = clerk->ListReports(&context, reports, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_token: invalid page token"));
}

TEST_F(SubmitServiceTest, MalformedRequestsNameTheField) {
  auto clerk = As("clerk-zz-psb");
  v1::CreateVersionResponse r;
  struct Case {
    std::string parent;
    std::function<void(v1::Report*)> mutate;
    std::string request_id;
    std::string field;
  };
  std::vector<Case> cases = {
      {"agencies/zz-psb/report/2021", [](v1::Report*) {}, "m", "parent"},
      {"agencies/zz-psb/reports/21", [](v1::Report*) {}, "m", "parent"},
      {kParent, [](v1::Report* x) { x->set_year(2020); }, "m", "report.year"},
      {kParent, [](v1::Report* x) { x->mutable_agency()->set_id("ly-psb"); }, "m", "report.agency.id"},
      {kParent, [](v1::Report* x) { x->set_template_version(v1::TEMPLATE_VERSION_2019); }, "m",
       "report.template_version"},
      {kParent, [](v1::Report* x) { SetApplicantCell(MutableRequestRow(x, kReceived), 2, -1); }, "m",
       "report.requests.received.research_institution"},
      {kParent, [](v1::Report* x) { SetFee(x, "1,234.5"); }, "m",
       "report.proactive_disclosure.administrative_fees.amount_10k_yuan"},
      {kParent, [](v1::Report* x) { x->mutable_agency()->set_region_code("4101"); }, "m",
       "report.agency.region_code"},
      {kParent, [](v1::Report* x) { x->set_overview(std::string(300000, 'a')); }, "m",
       "report.overview"},
      {kParent, [](v1::Report*) {}, "", "request_id"},
      {kParent, [](v1::Report*) {}, "bad id", "request_id"},
      // What the importer could not read must name cells, briefly.
      {kParent, [](v1::Report* x) { x->mutable_import_record()->set_format("xls"); }, "m",
       "report.import_record.format"},
      {kParent,
       [](v1::Report* x) {
         x->mutable_import_record()->add_unread()->set_field_path("requests.received");
         x->mutable_import_record()->add_unread()->set_field_path("requests.nowhere");
       },
       "m", "report.import_record.unread[1].field_path"},
      {kParent,
       [](v1::Report* x) {
         v1::UnreadCells* u = x->mutable_import_record()->add_unread();
         u->set_field_path("requests.received.total");
         u->set_source(std::string(101, 'x'));
       },
       "m", "report.import_record.unread[0].source"},
      {kParent,
       [](v1::Report* x) {
         for (int i = 0; i < 301; ++i) {
           x->mutable_import_record()->add_unread()->set_field_path("requests.received");
         }
       },
       "m", "report.import_record.unread"},
  };
  for (const Case& c : cases) {
    v1::Report report = SampleReport();
    c.mutate(&report);
    grpc::Status s = Create(clerk.get(), report, c.request_id, 0, &r, c.parent);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field << ": " << s.error_message();
    EXPECT_EQ(BadField(s), c.field) << s.error_message();
  }
  // Each template version refused says what it is (issue 12: an unset one
  // was told "the 2019 format is not accepted").
  for (auto [version, says] : std::vector<std::pair<int, std::string>>{
           {v1::TEMPLATE_VERSION_UNSPECIFIED, "is missing"},
           {v1::TEMPLATE_VERSION_2019, "the 2019 format is not accepted"},
           {77, "is 77, not a defined template version"}}) {
    v1::Report report = SampleReport();
    report.set_template_version(static_cast<v1::TemplateVersion>(version));
    grpc::Status s = Create(clerk.get(), report, "m", 0, &r);
    EXPECT_EQ(BadField(s), "report.template_version") << s.error_message();
    EXPECT_THAT(s.error_message(), ::testing::HasSubstr(says));
    if (version != v1::TEMPLATE_VERSION_2019) {
      EXPECT_THAT(s.error_message(), ::testing::Not(::testing::HasSubstr("2019")));
    }
  }
  // Nothing was stored.
  v1::ReportVersion v;
  EXPECT_EQ(Get(clerk.get(), "agencies/zz-psb/reports/2021/versions/latest", &v).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Bad names in reads.
  EXPECT_EQ(BadField(Get(clerk.get(), "agencies/zz-psb/reports/2021/versions/0", &v)), "name");
  EXPECT_EQ(BadField(Get(clerk.get(), "agencies/ZZ/reports/2021/versions/1", &v)), "name");
}

// Issue 12: counts up to INT64_MAX were stored, and the rules' sums over
// them overflowed. A count is at most kMaxCount, what a report can hold.
TEST_F(SubmitServiceTest, CountsAboveWhatAReportHoldsAreRefused) {
  auto clerk = As("clerk-zz-psb");
  v1::CreateVersionResponse r;
  for (int64_t huge : {std::numeric_limits<int64_t>::max(), kMaxCount + 1}) {
    v1::Report report = SampleReport();
    SetApplicantCell(MutableRequestRow(&report, kCarriedOver), 0, huge);
    grpc::Status s = Create(clerk.get(), report, "huge", 0, &r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_EQ(BadField(s), "report.requests.carried_over_from_previous_year.natural_person") << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("from 0 to 999999999999"));
  }
  v1::Report report = SampleReport();
  SetApplicantCell(MutableRequestRow(&report, kCarriedOver), 0, kMaxCount);
  grpc::Status s = Create(clerk.get(), report, "max", 0, &r);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

// Issue 12: report.agency.kind was stored as sent, even 77, so a clerk chose
// its own deadline (D-DUE: 31 March for a 人民政府, 31 January otherwise).
TEST_F(SubmitServiceTest, TheRegistryDecidesTheAgencyKind) {
  auto clerk = As("clerk-zz-psb");
  v1::CreateVersionResponse r;
  v1::Report report = SampleReport();
  report.mutable_agency()->set_kind(v1::AGENCY_KIND_PEOPLES_GOVERNMENT);  // zz-psb is a department
  grpc::Status s = Create(clerk.get(), report, "k1", 0, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_EQ(BadField(s), "report.agency.kind");
  EXPECT_THAT(s.error_message(), HasSubstr("is not the registry's kind of 'zz-psb' (AGENCY_KIND_DEPARTMENT)"));
  report.mutable_agency()->set_kind(static_cast<v1::AgencyKind>(77));
  s = Create(clerk.get(), report, "k2", 0, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_EQ(BadField(s), "report.agency.kind");
  EXPECT_THAT(s.error_message(), HasSubstr("is 77, not a defined AgencyKind"));
  v1::ReportVersion v;
  EXPECT_EQ(Get(clerk.get(), "agencies/zz-psb/reports/2021/versions/latest", &v).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // The registry's own kind, sent or left out, is what is stored.
  for (v1::AgencyKind kind : {v1::AGENCY_KIND_DEPARTMENT, v1::AGENCY_KIND_UNSPECIFIED}) {
    report.mutable_agency()->set_kind(kind);
    report.set_other_matters(absl::StrCat("kind ", kind));
    int64_t latest = v.version();
    ASSERT_TRUE(Create(clerk.get(), report, absl::StrCat("k-ok-", kind), latest, &r).ok());
    ASSERT_TRUE(Get(clerk.get(), r.version().name(), &v).ok());
    EXPECT_EQ(v.report().agency().kind(), v1::AGENCY_KIND_DEPARTMENT);
  }
}

// Issue 12: a NUL in a text was told "not valid UTF-8"; say what it is and
// where.
TEST_F(SubmitServiceTest, ControlCharactersAreNamedWithTheirPlace) {
  auto clerk = As("clerk-zz-psb");
  v1::CreateVersionResponse r;
  for (auto [text, says] : std::vector<std::pair<std::string, std::string>>{
           {std::string("郑州\0市", 10), "control character U+0000 at character 2 (byte 6)"},
           {"郑州市\x01", "control character U+0001 at character 3 (byte 9)"},
           {"a\x7f", "control character U+007F at character 1 (byte 1)"}}) {
    v1::Report report = SampleReport();
    report.set_other_matters(text);
    grpc::Status s = Create(clerk.get(), report, "c", 0, &r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_EQ(BadField(s), "report.other_matters") << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(says));
    EXPECT_THAT(s.error_message(), Not(HasSubstr("UTF-8")));
  }
  // Tabs, line and page breaks are text.
  v1::Report report = SampleReport();
  report.set_other_matters("一\t二\r\n三\f四");
  grpc::Status s = Create(clerk.get(), report, "c-ok", 0, &r);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

// Issue 12: "…/versions/01" was taken as version 1.
TEST_F(SubmitServiceTest, VersionNumbersWithLeadingZerosAreRefused) {
  auto clerk = As("clerk-zz-psb");
  v1::CreateVersionResponse r;
  ASSERT_TRUE(Create(clerk.get(), SampleReport(), "z", 0, &r).ok());
  v1::ReportVersion v;
  ASSERT_TRUE(Get(clerk.get(), "agencies/zz-psb/reports/2021/versions/1", &v).ok());
  for (const char* name : {"agencies/zz-psb/reports/2021/versions/01",
                           "agencies/zz-psb/reports/2021/versions/001",
                           "agencies/zz-psb/reports/2021/versions/0"}) {
    grpc::Status s = Get(clerk.get(), name, &v);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << name;
    EXPECT_EQ(BadField(s), "name") << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("without leading zeros"));
  }
}

// protobuf's parser refuses a proto3 string field that is not UTF-8 before
// any handler runs; what the client gets is gRPC's, not ours (docs/api.md):
// UNIMPLEMENTED from the callback handler (CreateVersion), INTERNAL from the
// synchronous ones, no field named, no request log line.
TEST_F(SubmitServiceTest, InvalidUtf8IsRefusedByTheParserBeforeTheHandler) {
  auto clerk = As("clerk-zz-psb");
  v1::Report report = SampleReport();
  report.set_title("\xff\xfe not UTF-8");
  CapturedLog log;
  v1::CreateVersionResponse r;
  grpc::Status create = Create(clerk.get(), report, "u", 0, &r);
  EXPECT_EQ(create.error_code(), grpc::StatusCode::UNIMPLEMENTED) << create.error_message();
  EXPECT_EQ(BadField(create), "");
  v1::ReportVersion v;
  grpc::Status get = Get(clerk.get(), "agencies/zz-psb/reports/2021/versions/\xff", &v);
  EXPECT_EQ(get.error_code(), grpc::StatusCode::INTERNAL) << get.error_message();
  EXPECT_EQ(BadField(get), "");
  EXPECT_THAT(log.Lines(), ::testing::IsEmpty());
  // Nothing was stored.
  EXPECT_EQ(Get(clerk.get(), "agencies/zz-psb/reports/2021/versions/latest", &v).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // In process, the validation names the field.
  v1::CreateVersionRequest request;
  request.set_parent(kParent);
  *request.mutable_report() = report;
  request.set_request_id("u");
  absl::StatusOr<ReportName> parent = submit::ValidateCreateVersion(request);
  EXPECT_EQ(parent.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadField(ToGrpcStatus(parent.status())), "report.title");
}

TEST_F(SubmitServiceTest, MessagesOverTheLimitAreRefusedByTheTransport) {
  auto clerk = As("clerk-zz-psb");
  v1::Report huge = SampleReport();
  // Past the largest message (a report beside a 16 MiB document).
  huge.set_overview(std::string(submit::kMaxMessageBytes + 1, 'a'));
  v1::CreateVersionResponse r;
  grpc::Status s = Create(clerk.get(), huge, "h", 0, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
}

TEST_F(SubmitServiceTest, RequestValuesAreEscapedAndCappedInErrorsAndLogs) {
  auto clerk = As("clerk-zz-psb");
  CapturedLog log;
  v1::ReportVersion v;
  // A newline in a name: escaped in the error and in the one log line.
  grpc::Status forged =
      Get(clerk.get(), "agencies/zz-psb/reports/2021/versions/1\nrpc service=Forged x=\"", &v);
  EXPECT_EQ(forged.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << forged.error_message();
  EXPECT_EQ(forged.error_message().find('\n'), std::string::npos) << forged.error_message();
  EXPECT_THAT(forged.error_message(), HasSubstr("1\\nrpc service=Forged"));
  // A 20 KB name: still INVALID_ARGUMENT (echoed whole, the message would not
  // fit in the trailing metadata), and capped.
  grpc::Status huge = Get(clerk.get(), std::string(20000, 'a'), &v);
  EXPECT_EQ(huge.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << huge.error_message().size();
  EXPECT_LT(huge.error_message().size(), 1000u);
  EXPECT_EQ(BadField(huge), "name");
  // A malformed fee is report content: named, not echoed.
  v1::Report report = SampleReport();
  SetFee(&report, "secret-amount");
  v1::CreateVersionResponse r;
  grpc::Status fee = Create(clerk.get(), report, "fee", 0, &r);
  EXPECT_EQ(fee.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(fee.error_message(), Not(HasSubstr("secret")));

  std::vector<std::string> lines;
  // The CreateVersion line is written when its reactor lets go of it.
  for (int i = 0; i < 100 && lines.size() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    lines = log.Lines();
  }
  ASSERT_EQ(lines.size(), 3u) << absl::StrJoin(lines, "\n");
  for (const std::string& line : lines) {
    EXPECT_TRUE(absl::StartsWith(line, "rpc service=SubmissionService ")) << line;
    EXPECT_LT(line.size(), 2000u);
    EXPECT_THAT(line, Not(HasSubstr("secret")));
  }
  EXPECT_THAT(lines[0], HasSubstr("resource=\"agencies/zz-psb/reports/2021/versions/1\\nrpc service=Forged x=\\\"\""));
}

// Log lines carry UTF-8 as it is (operators read Chinese names), escaping
// only what could forge or hide text (issue 12: "–" was logged as
// \xe2\x80\x93).
TEST_F(SubmitServiceTest, LogLinesCarryUtf8AndEscapeControlCharacters) {
  auto clerk = As("clerk-zz-psb");
  CapturedLog log;
  v1::ReportVersion v;
  grpc::Status s = Get(clerk.get(), "agencies/郑州市公安局/reports/2021\x01/versions/1", &v);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("郑州市公安局"));
  v1::ListReportsRequest bad_prefix;
  bad_prefix.set_region_prefix("41x");
  grpc::ClientContext context;
  v1::ListReportsResponse page;
  EXPECT_EQ(clerk->ListReports(&context, bad_prefix, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<std::string> lines = log.Lines();
  ASSERT_EQ(lines.size(), 2u) << absl::StrJoin(lines, "\n");
  EXPECT_THAT(lines[0], HasSubstr("resource=\"agencies/郑州市公安局/reports/2021\\x01/versions/1\""));
  EXPECT_THAT(lines[0], HasSubstr("error=\"name: agency id \\'郑州市公安局\\'"));
  EXPECT_THAT(lines[1], HasSubstr("must be 0–6 digits"));
  for (const std::string& line : lines) {
    EXPECT_THAT(line, Not(HasSubstr("\\xe"))) << line;
    EXPECT_EQ(line.find('\x01'), std::string::npos) << line;
  }
}

// ------------------------------------------------------------ change feed

std::vector<v1::VersionEvent> ReadEvents(v1::SubmissionService::Stub* stub,
                                         const std::string& after, size_t count) {
  v1::WatchVersionsRequest request;
  request.set_start_after(after);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto reader = stub->WatchVersions(&context, request);
  std::vector<v1::VersionEvent> events;
  v1::VersionEvent e;
  while (events.size() < count && reader->Read(&e)) events.push_back(e);
  context.TryCancel();
  reader->Finish();
  return events;
}

TEST_F(SubmitServiceTest, FeedDeliversNewVersionsLiveAndResumes) {
  auto clerk = As("clerk-zz-psb");
  auto audit = As("audit-service");
  std::vector<v1::VersionEvent> live;
  std::thread watcher([&] { live = ReadEvents(audit.get(), "", 3); });
  v1::Report r = SampleReport();
  v1::CreateVersionResponse resp;
  for (int i = 0; i < 3; ++i) {
    r.set_other_matters(absl::StrCat("修改 ", i));
    ASSERT_TRUE(Create(clerk.get(), r, absl::StrCat("f", i), i, &resp).ok());
  }
  watcher.join();
  ASSERT_EQ(live.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(live[i].version().version(), i + 1);
  // Resume after the first: the other two, no more.
  std::vector<v1::VersionEvent> rest = ReadEvents(audit.get(), live[0].position(), 2);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].position(), live[1].position());
  EXPECT_EQ(rest[1].position(), live[2].position());
  // Filtered to another region: none of them, and the stream stays open
  // until the deadline (not refused, not failed).
  v1::WatchVersionsRequest request;
  request.set_region_prefix("42");
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(1500));
  auto reader = audit->WatchVersions(&context, request);
  v1::VersionEvent e;
  EXPECT_FALSE(reader->Read(&e));
  grpc::Status finished = reader->Finish();
  EXPECT_EQ(finished.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << finished.error_message();
}

// The status a watch ends with, after reading every event until then.
grpc::Status WatchStatus(v1::SubmissionService::Stub* stub, const v1::WatchVersionsRequest& request,
                         int* events = nullptr, int deadline_ms = 5000) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(deadline_ms));
  auto reader = stub->WatchVersions(&context, request);
  v1::VersionEvent e;
  int n = 0;
  while (reader->Read(&e)) ++n;
  if (events != nullptr) *events = n;
  return reader->Finish();
}

TEST_F(SubmitServiceTest, OnlyTheAuditServiceFollowsTheFeed) {
  auto clerk = As("clerk-zz-psb");
  v1::CreateVersionResponse r;
  ASSERT_TRUE(Create(clerk.get(), SampleReport(), "w1", 0, &r).ok());
  // Not even the agency's own clerk or its region's oversight: the feed
  // would tell them of every other agency's commits.
  for (const char* principal : {"clerk-zz-psb", "oversight-henan", "reviewer-legality"}) {
    v1::WatchVersionsRequest request;
    int events = -1;
    grpc::Status s = WatchStatus(As(principal).get(), request, &events);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << principal << ": " << s.error_message();
    EXPECT_EQ(events, 0) << principal;
  }
  // Nor do they see feed positions elsewhere.
  EXPECT_EQ(r.version().feed_position(), "");
  v1::ReportVersion v;
  ASSERT_TRUE(Get(As("oversight-henan").get(), "agencies/zz-psb/reports/2021/versions/1", &v).ok());
  EXPECT_EQ(v.feed_position(), "");
  ASSERT_TRUE(Get(As("audit-service").get(), "agencies/zz-psb/reports/2021/versions/1", &v).ok());
  EXPECT_EQ(v.feed_position(), "feed/1");
}

TEST_F(SubmitServiceTest, WatchFromBeyondTheEndIsOutOfRange) {
  auto audit = As("audit-service");
  v1::WatchVersionsRequest request;
  request.set_start_after("feed/5");
  grpc::Status s = WatchStatus(audit.get(), request);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("start_after"));
  // The end itself is a valid place to start.
  v1::CreateVersionResponse r;
  ASSERT_TRUE(Create(As("clerk-zz-psb").get(), SampleReport(), "o1", 0, &r).ok());
  request.set_start_after("feed/1");
  s = WatchStatus(audit.get(), request, nullptr, 300);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.error_message();
  request.set_start_after("feed/2");
  s = WatchStatus(audit.get(), request);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE) << s.error_message();
}

// Open watches run beside the synchronous handlers' threads, never on them:
// more watches than the server has handler threads are all served, and the
// other calls still answer. One principal holds a bounded number; the next
// is refused with RESOURCE_EXHAUSTED, saying why, and logged (issue 12: 61
// WatchVersions made every other call RESOURCE_EXHAUSTED).
TEST(SubmitServiceLimitsTest, WatchesDoNotTakeTheThreadsOfOtherCalls) {
  TempDir dir;
  ServerOptions options;
  options.max_threads = 6;
  InProcessSubmitServer server(dir.path() + "/submit.db", options);
  v1::CreateVersionResponse r;
  {
    v1::CreateVersionRequest req;
    req.set_parent(kParent);
    *req.mutable_report() = SampleReport();
    req.set_request_id("q");
    grpc::ClientContext c;
    ASSERT_TRUE(SubmitStubAs(server.address(), "clerk-zz-psb")->CreateVersion(&c, req, &r).ok());
  }
  struct Watch {
    std::unique_ptr<v1::SubmissionService::Stub> stub;
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::VersionEvent>> reader;
  };
  CapturedLog log;
  std::vector<std::unique_ptr<Watch>> open;
  std::vector<grpc::Status> refused;
  for (int i = 0; i < kMaxWatchStreamsPerPrincipal + 3; ++i) {
    auto w = std::make_unique<Watch>();
    w->stub = SubmitStubAs(server.address(), "audit-service");
    w->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    w->reader = w->stub->WatchVersions(&w->context, v1::WatchVersionsRequest());
    v1::VersionEvent e;
    // Its first event read: the stream's handler runs.
    if (w->reader->Read(&e)) {
      open.push_back(std::move(w));
    } else {
      refused.push_back(w->reader->Finish());
    }
  }
  EXPECT_EQ(open.size(), static_cast<size_t>(kMaxWatchStreamsPerPrincipal));
  ASSERT_EQ(refused.size(), 3u);
  for (const grpc::Status& s : refused) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("already holds 8 open watch streams"));
  }
  // Every other call, of this principal and of others, still answers.
  for (const char* principal : {"audit-service", "clerk-zz-psb", "oversight-henan"}) {
    for (int i = 0; i < 10; ++i) {
      v1::GetVersionRequest get;
      get.set_name("agencies/zz-psb/reports/2021/versions/1");
      get.set_view(v1::VERSION_VIEW_BASIC);
      grpc::ClientContext c;
      c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      v1::ReportVersion v;
      grpc::Status s = SubmitStubAs(server.address(), principal)->GetVersion(&c, get, &v);
      EXPECT_TRUE(s.ok()) << principal << ": " << s.error_code() << " " << s.error_message();
    }
  }
  // The open watches still follow the feed.
  {
    v1::Report report = SampleReport();
    report.set_other_matters("第二版");
    v1::CreateVersionRequest req;
    req.set_parent(kParent);
    *req.mutable_report() = report;
    req.set_request_id("q2");
    req.set_expected_latest_version(1);
    grpc::ClientContext c;
    ASSERT_TRUE(SubmitStubAs(server.address(), "clerk-zz-psb")->CreateVersion(&c, req, &r).ok());
  }
  for (auto& w : open) {
    v1::VersionEvent e;
    ASSERT_TRUE(w->reader->Read(&e));
    EXPECT_EQ(e.version().version(), 2);
  }
  int warned = 0;
  for (const std::string& line : log.Lines()) {
    if (absl::StrContains(line, "watch refused: method=WatchVersions principal=\"audit-service\"")) {
      ++warned;
    }
  }
  EXPECT_EQ(warned, 3);
  // Ending a watch gives its slot back.
  open.back()->context.TryCancel();
  open.back()->reader->Finish();
  open.pop_back();
  grpc::Status last;
  for (int i = 0; i < 50; ++i) {
    Watch w;
    w.stub = SubmitStubAs(server.address(), "audit-service");
    w.context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    w.reader = w.stub->WatchVersions(&w.context, v1::WatchVersionsRequest());
    v1::VersionEvent e;
    if (w.reader->Read(&e)) {
      w.context.TryCancel();
      w.reader->Finish();
      last = grpc::Status::OK;
      break;
    }
    last = w.reader->Finish();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(last.ok()) << last.error_message();
  for (auto& w : open) {
    w->context.TryCancel();
    w->reader->Finish();
  }
}

TEST(SubmitServiceLimitsTest, FullListingPagesStopAtTheByteBudget) {
  TempDir dir;
  v1::Report report = SampleReport();
  ServerOptions options;
  // Room for one FULL version of the sample and a half: one per page.
  options.list_page_bytes = AsStoredSize(report) * 3 / 2;
  InProcessSubmitServer server(dir.path() + "/submit.db", options);
  auto clerk = SubmitStubAs(server.address(), "clerk-zz-psb");
  for (int i = 0; i < 3; ++i) {
    report.set_other_matters(absl::StrCat("第 ", i, " 版"));
    v1::CreateVersionRequest req;
    req.set_parent(kParent);
    *req.mutable_report() = report;
    req.set_request_id(absl::StrCat("b", i));
    req.set_expected_latest_version(i);
    grpc::ClientContext c;
    v1::CreateVersionResponse resp;
    ASSERT_TRUE(clerk->CreateVersion(&c, req, &resp).ok());
  }
  for (v1::VersionView view : {v1::VERSION_VIEW_FULL, v1::VERSION_VIEW_BASIC}) {
    v1::ListVersionsRequest list;
    list.set_parent(kParent);
    list.set_page_size(10);
    list.set_view(view);
    std::vector<int64_t> seen;
    int pages = 0;
    do {
      grpc::ClientContext context;
      v1::ListVersionsResponse page;
      ASSERT_TRUE(clerk->ListVersions(&context, list, &page).ok());
      ++pages;
      for (const auto& v : page.versions()) {
        seen.push_back(v.version());
        EXPECT_EQ(v.has_report(), view == v1::VERSION_VIEW_FULL);
      }
      list.set_page_token(page.next_page_token());
    } while (!list.page_token().empty() && pages < 10);
    EXPECT_EQ(seen, (std::vector<int64_t>{1, 2, 3})) << view;
    EXPECT_EQ(pages, view == v1::VERSION_VIEW_FULL ? 3 : 1) << view;
  }
}

// ------------------------------------------------------------ restarts and crashes

class SubmitServiceProcessTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(SubmitServiceProcessTest, FeedResumesAfterRestartWithoutGapOrDuplicate) {
  std::string db = dir_.path() + "/submit.db";
  int port = FreePort();
  std::vector<std::string> positions;
  v1::Report r = SampleReport();
  {
    ChildSubmitServer server(db, port);
    auto clerk = SubmitStubAs(server.address(), "clerk-zz-psb");
    for (int i = 0; i < 4; ++i) {
      r.set_other_matters(absl::StrCat("第 ", i, " 版"));
      v1::CreateVersionRequest req;
      req.set_parent(kParent);
      *req.mutable_report() = r;
      req.set_request_id(absl::StrCat("p", i));
      req.set_expected_latest_version(i);
      grpc::ClientContext c;
      v1::CreateVersionResponse resp;
      ASSERT_TRUE(clerk->CreateVersion(&c, req, &resp).ok());
    }
    auto audit = SubmitStubAs(server.address(), "audit-service");
    for (const auto& e : ReadEvents(audit.get(), "", 2)) positions.push_back(e.position());
    EXPECT_EQ(server.Terminate(), 0);  // graceful: SIGTERM, exit 0
  }
  ChildSubmitServer restarted(db, port);
  auto audit = SubmitStubAs(restarted.address(), "audit-service");
  std::vector<v1::VersionEvent> rest = ReadEvents(audit.get(), positions.back(), 2);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].version().version(), 3);
  EXPECT_EQ(rest[1].version().version(), 4);
}

// Replicas and restarts: a token sealed under --page_token_key_file is read
// by any process with the same file; one of a process without it is not.
TEST_F(SubmitServiceProcessTest, PageTokensOutliveARestartWithTheKeyFileOnly) {
  std::string db = dir_.path() + "/submit.db";
  std::string key = dir_.path() + "/page-token.key";
  { std::ofstream(key) << "0123456789abcdef0123456789abcdef-dev"; }
  int port = FreePort();
  auto next_token = [&](const std::string& token, grpc::Status* status) {
    v1::ListVersionsRequest request;
    request.set_parent(kParent);
    request.set_page_size(1);
    request.set_page_token(token);
    grpc::ClientContext context;
    v1::ListVersionsResponse page;
    *status = SubmitStubAs(absl::StrCat("127.0.0.1:", port), "clerk-zz-psb")
                  ->ListVersions(&context, request, &page);
    return page.next_page_token();
  };
  std::string token;
  grpc::Status s;
  {
    ChildSubmitServer server(db, port, {"--page_token_key_file=" + key});
    auto clerk = SubmitStubAs(server.address(), "clerk-zz-psb");
    v1::Report report = SampleReport();
    for (int i = 0; i < 3; ++i) {
      v1::CreateVersionRequest request;
      request.set_parent(kParent);
      SetApplicantCell(MutableRequestRow(&report, kDisclosed), 0, 40 + i);
      *request.mutable_report() = report;
      request.set_request_id(absl::StrCat("k", i));
      request.set_expected_latest_version(i);
      grpc::ClientContext context;
      v1::CreateVersionResponse response;
      ASSERT_TRUE(clerk->CreateVersion(&context, request, &response).ok());
    }
    token = next_token("", &s);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_FALSE(token.empty());
  }
  {
    ChildSubmitServer restarted(db, port, {"--page_token_key_file=" + key});
    EXPECT_FALSE(next_token(token, &s).empty());
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  {
    ChildSubmitServer without_key(db, port);
    next_token(token, &s);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("page_token: invalid page token"));
  }
  // A key file too short to be a secret stops the service at start.
  { std::ofstream(key) << "short"; }
  pid_t pid = fork();
  if (pid == 0) {
    execl(DISCLOSURE_SUBMIT_SERVICE_BINARY, DISCLOSURE_SUBMIT_SERVICE_BINARY,
          ("--page_token_key_file=" + key).c_str(),
          ("--principals=" + DevConfigPath("principals.textproto")).c_str(),
          ("--registry=" + DevConfigPath("agencies.textproto")).c_str(),
          ("--store=sqlite:" + db).c_str(), "--listen=127.0.0.1:0", nullptr);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
}

// gRPC-core's own lines (here: the server refusing clients without a
// certificate, or with one of another CA, in the TLS handshake) come out in
// the service's spdlog format on stdout, not in gRPC's on stderr.
TEST_F(SubmitServiceProcessTest, GrpcCoreLogLinesAreSpdlogLines) {
  std::string log_path = dir_.path() + "/submit.log";
  ChildSubmitServer server(dir_.path() + "/submit.db", FreePort(), {}, log_path);
  for (const std::string& cert_dir : {std::string(), DevCerts().other_dir}) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = *ReadFileToString(DevCerts().dir + "/ca.crt");
    if (!cert_dir.empty()) {
      options.pem_cert_chain = *ReadFileToString(cert_dir + "/clerk-zz-psb.crt");
      options.pem_private_key = *ReadFileToString(cert_dir + "/clerk-zz-psb.key");
    }
    auto stub = v1::SubmissionService::NewStub(
        grpc::CreateChannel(server.address(), grpc::SslCredentials(options)));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    v1::GetVersionRequest request;
    request.set_name("agencies/zz-psb/reports/2021/versions/1");
    v1::ReportVersion v;
    EXPECT_FALSE(stub->GetVersion(&context, request, &v).ok()) << cert_dir;
  }
  EXPECT_EQ(server.Terminate(), 0);
  std::vector<std::string> lines = absl::StrSplit(*ReadFileToString(log_path), '\n',
                                                  absl::SkipEmpty());
  bool handshake = false;
  for (const std::string& line : lines) {
    // Every line: "2026-12-02T18:20:00.123+0000 LEVEL …" (StartServiceProcess).
    EXPECT_TRUE(line.size() > 29 && line[4] == '-' && line[10] == 'T' && line[23] == '+')
        << "not a spdlog line: " << line;
    if (absl::StrContains(line, " error grpc file=") &&
        absl::StrContains(line, "message=\"") && absl::StrContains(line, "andshake")) {
      handshake = true;
    }
  }
  EXPECT_TRUE(handshake) << absl::StrJoin(lines, "\n");
}

TEST_F(SubmitServiceProcessTest, SigtermEndsAnOpenWatchCleanly) {
  ChildSubmitServer server(dir_.path() + "/submit.db", FreePort());
  {
    v1::CreateVersionRequest req;
    req.set_parent(kParent);
    *req.mutable_report() = SampleReport();
    req.set_request_id("s");
    grpc::ClientContext c;
    v1::CreateVersionResponse resp;
    ASSERT_TRUE(SubmitStubAs(server.address(), "clerk-zz-psb")->CreateVersion(&c, req, &resp).ok());
  }
  auto audit = SubmitStubAs(server.address(), "audit-service");
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto reader = audit->WatchVersions(&context, v1::WatchVersionsRequest());
  // The first event: the handler runs, and then waits for more.
  v1::VersionEvent e;
  ASSERT_TRUE(reader->Read(&e));
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(server.Terminate(), 0);  // exit 0, within the shutdown grace
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_FALSE(reader->Read(&e));
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("shutting down"));
}

TEST_F(SubmitServiceProcessTest, Kill9LosesNoAcknowledgedVersion) {
  std::string db = dir_.path() + "/submit.db";
  int port = FreePort();
  struct Ack {
    std::string name, hash;
  };
  std::vector<Ack> acked;
  std::mutex mu;
  {
    ChildSubmitServer server(db, port);
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
      clients.emplace_back([&, t] {
        auto clerk = SubmitStubAs(server.address(), "clerk-zz-psb");
        v1::Report r = SampleReport();
        r.set_year(2022 + t);  // one report per client: no conflicts between them
        int64_t latest = 0;
        for (int i = 0; !stop; ++i) {
          r.set_other_matters(absl::StrCat("client ", t, " version ", i));
          v1::CreateVersionRequest req;
          req.set_parent(absl::StrCat("agencies/zz-psb/reports/", r.year()));
          *req.mutable_report() = r;
          req.set_request_id(absl::StrCat("k", t, "-", i));
          req.set_expected_latest_version(latest);
          grpc::ClientContext c;
          c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
          v1::CreateVersionResponse resp;
          if (!clerk->CreateVersion(&c, req, &resp).ok()) break;
          latest = resp.version().version();
          std::lock_guard<std::mutex> lock(mu);
          acked.push_back({resp.version().name(), resp.version().content_hash()});
        }
      });
    }
    while (true) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::lock_guard<std::mutex> lock(mu);
      if (acked.size() >= 60) break;
    }
    server.Kill9();
    stop = true;
    for (auto& c : clients) c.join();
  }
  ChildSubmitServer restarted(db, port);
  auto audit = SubmitStubAs(restarted.address(), "audit-service");
  ASSERT_GE(acked.size(), 60u);
  for (const Ack& a : acked) {
    v1::GetVersionRequest req;
    req.set_name(a.name);
    req.set_view(v1::VERSION_VIEW_BASIC);
    grpc::ClientContext c;
    v1::ReportVersion v;
    grpc::Status s = audit->GetVersion(&c, req, &v);
    ASSERT_TRUE(s.ok()) << a.name << ": " << s.error_message();
    EXPECT_EQ(v.content_hash(), a.hash) << a.name;
  }
}

}  // namespace
}  // namespace disclosure::testing
