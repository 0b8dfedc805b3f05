// audit_service with a real submit_service, both over gRPC with mutual TLS
// on loopback and real SQLite files: automatic audits, the three reviews and
// clearance, refusals, catching up after an outage, cross-year findings,
// oversight views, the event stream, and the ledger's proofs.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "audit_service/clearance.h"
#include "audit_service/follower.h"
#include "audit_service/ledger.h"
#include "audit_service/ledger_entry.h"
#include "core/report/canonical.h"
#include "audit_service/store/open_store.h"
#include "reportctl/ledger_verify.h"
#include "core/ledger/merkle.h"
#include "core/rpc/handler.h"
#include "core/rpc/page_token.h"
#include "core/report/template.h"
#include "core/rpc/watch_stream.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/audit_env.h"
#include "tests/captured_log.h"
#include "tests/service_env.h"

namespace disclosure::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kReport[] = "agencies/zz-psb/reports/2021";

std::chrono::system_clock::time_point In(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

// Runs `sql` on the SQLite file at `path` (another writer than the service,
// as someone with access to the database would be), binding `blobs` to ?1, ?2…
void ExecSql(const std::string& path, const std::string& sql,
             const std::vector<std::string>& blobs = {}) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  for (size_t i = 0; i < blobs.size(); ++i) {
    sqlite3_bind_blob(st, static_cast<int>(i + 1), blobs[i].data(),
                      static_cast<int>(blobs[i].size()), SQLITE_TRANSIENT);
  }
  EXPECT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(db);
  EXPECT_EQ(sqlite3_changes(db), 1) << sql;
  sqlite3_finalize(st);
  sqlite3_close(db);
}

// The blob in column `column` of the row of `table` where `where`.
std::string ReadBlob(const std::string& path, const std::string& table, const std::string& column,
                     const std::string& where) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  std::string sql = absl::StrCat("SELECT ", column, " FROM ", table, " WHERE ", where);
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::string out;
  if (sqlite3_step(st) == SQLITE_ROW) {
    out.assign(static_cast<const char*>(sqlite3_column_blob(st, 0)), sqlite3_column_bytes(st, 0));
  } else {
    ADD_FAILURE() << "no row: " << sql;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

class AuditServiceTest : public ::testing::Test {
 protected:
  AuditServiceTest()
      : submit_(dir_.path() + "/submit.db"),
        audit_(std::make_unique<InProcessAuditServer>(dir_.path() + "/audit.db",
                                                      submit_.address(),
                                                      [this] { return Now(); })) {}

  absl::Time Now() const {
    std::lock_guard<std::mutex> lock(clock_mu_);
    return now_;
  }
  void SetNow(absl::Time t) {
    std::lock_guard<std::mutex> lock(clock_mu_);
    now_ = t;
  }

  std::unique_ptr<v1::AuditService::Stub> As(const std::string& principal) {
    return AuditStubAs(audit_->address(), principal);
  }

  // Submits `report` as `clerk` for its agency and year; returns the version.
  v1::ReportVersion Submit(const v1::Report& report, const std::string& clerk = "clerk-zz-psb") {
    auto stub = SubmitStubAs(submit_.address(), clerk);
    std::string parent = absl::StrCat("agencies/", report.agency().id(), "/reports/", report.year());
    int64_t latest = 0;
    {
      v1::GetVersionRequest get;
      get.set_name(parent + "/versions/latest");
      get.set_view(v1::VERSION_VIEW_BASIC);
      v1::ReportVersion v;
      grpc::ClientContext c;
      if (stub->GetVersion(&c, get, &v).ok()) latest = v.version();
    }
    v1::CreateVersionRequest req;
    req.set_parent(parent);
    *req.mutable_report() = report;
    req.set_expected_latest_version(latest);
    req.set_request_id(absl::StrCat("test-", ++requests_));
    v1::CreateVersionResponse resp;
    grpc::ClientContext c;
    c.set_deadline(In(10));
    grpc::Status s = stub->CreateVersion(&c, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.version();
  }

  // Waits (up to 10 s) for the version's audit.
  v1::Audit AwaitAudit(const std::string& version, const std::string& as = "oversight-henan") {
    auto stub = As(as);
    v1::GetAuditRequest req;
    req.set_name(version + "/audit");
    for (int i = 0; i < 200; ++i) {
      v1::Audit audit;
      grpc::ClientContext c;
      grpc::Status s = stub->GetAudit(&c, req, &audit);
      if (s.ok()) return audit;
      EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << version << " was not audited within 10 s";
    return v1::Audit();
  }

  grpc::Status SignOff(const std::string& principal, const v1::Audit& audit, v1::SignOffKind kind,
                       v1::ReviewKind review_kind, v1::Decision decision,
                       const std::string& reason = "", v1::SignOff* out = nullptr,
                       const v1::Finding* finding = nullptr) {
    v1::CreateSignOffRequest req;
    v1::SignOff* s = req.mutable_sign_off();
    *s = ReviewOf(audit, review_kind, decision, reason);
    s->set_kind(kind);
    if (finding != nullptr) {
      s->set_rule_id(finding->rule_id());
      *s->mutable_location() = finding->location();
    }
    v1::SignOff ignored;
    grpc::ClientContext c;
    c.set_deadline(In(10));
    return As(principal)->CreateSignOff(&c, req, out != nullptr ? out : &ignored);
  }

  grpc::Status Approve(const std::string& principal, const v1::Audit& audit, v1::ReviewKind kind) {
    return SignOff(principal, audit, v1::REVIEW, kind, v1::APPROVE);
  }

  v1::ReviewStatus Status(const std::string& version, const std::string& as = "oversight-henan") {
    v1::GetReviewStatusRequest req;
    req.set_name(version + "/reviewStatus");
    v1::ReviewStatus st;
    grpc::ClientContext c;
    grpc::Status s = As(as)->GetReviewStatus(&c, req, &st);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return st;
  }

  std::vector<v1::AgencyStatus> Dashboard(const std::string& principal, const std::string& parent,
                                          grpc::Status* status = nullptr) {
    std::vector<v1::AgencyStatus> out;
    v1::ListAgencyStatesRequest req;
    req.set_parent(parent);
    req.set_page_size(2);  // several pages even for the development registry
    do {
      v1::ListAgencyStatesResponse resp;
      grpc::ClientContext c;
      grpc::Status s = As(principal)->ListAgencyStates(&c, req, &resp);
      if (status != nullptr) *status = s;
      if (!s.ok()) return out;
      out.insert(out.end(), resp.agencies().begin(), resp.agencies().end());
      req.set_page_token(resp.next_page_token());
    } while (!req.page_token().empty());
    return out;
  }

  static v1::Report Sample() { return SampleReport(); }

  std::string AuditDb() const { return dir_.path() + "/audit.db"; }
  std::string LedgerHealth() { return HealthOf(audit_->address(), audit::kLedgerHealthService); }

  // GetReviewStatus's status code and message.
  grpc::Status StatusCall(const std::string& version, v1::ReviewStatus* out) {
    v1::GetReviewStatusRequest req;
    req.set_name(version + "/reviewStatus");
    grpc::ClientContext c;
    return As("oversight-henan")->GetReviewStatus(&c, req, out);
  }

  TempDir dir_;
  int requests_ = 0;
  mutable std::mutex clock_mu_;
  absl::Time now_ = absl::FromCivil(absl::CivilDay(2022, 1, 10), absl::UTCTimeZone());
  InProcessSubmitServer submit_;
  std::unique_ptr<InProcessAuditServer> audit_;
};

// The servers the tests talk to are the services' own assembly
// (submit_service/server.h, audit_service/server.h, as the mains start
// them): each answers health for its service name, the follower's and the
// ledger's, which a server put together by a test alone did not.
TEST_F(AuditServiceTest, TheServersUnderTestAreTheServicesOwnAssembly) {
  EXPECT_EQ(HealthOf(submit_.address(), "disclosure.v1.SubmissionService"), "SERVING");
  EXPECT_EQ(HealthOf(audit_->address(), "disclosure.v1.AuditService"), "SERVING");
  EXPECT_EQ(HealthOf(audit_->address(), audit::kFollowerHealthService), "SERVING");
  EXPECT_EQ(HealthOf(audit_->address(), audit::kLedgerHealthService), "SERVING");
  EXPECT_THAT(HealthOf(audit_->address(), "disclosure.v1.NoSuchService"), HasSubstr("error 5"));
}

TEST_F(AuditServiceTest, SampleIsAuditedAndClearedAfterThreeSignOffs) {
  v1::ReportVersion v = Submit(Sample());
  v1::Audit audit = AwaitAudit(v.name());
  EXPECT_EQ(audit.version(), v.name());
  EXPECT_EQ(audit.content_hash(), v.content_hash());
  EXPECT_EQ(audit.rule_set_version(), "2021.1");
  EXPECT_EQ(audit.error_count(), 0);
  EXPECT_EQ(audit.submitter(), "clerk-zz-psb");
  std::set<std::string> rules;
  for (const auto& f : audit.findings()) rules.insert(f.rule_id());
  EXPECT_TRUE(rules.count("S-FEE6")) << audit.DebugString();
  EXPECT_EQ(audit.findings_digest(),
            audit::FindingsDigest(audit.findings()));

  v1::ReviewStatus st = Status(v.name());
  EXPECT_EQ(st.state(), v1::ReviewStatus::BLOCKED);
  EXPECT_EQ(st.blockers_size(), 3);  // three reviews missing

  ASSERT_TRUE(Approve("reviewer-legality", audit, v1::LEGALITY).ok());
  ASSERT_TRUE(Approve("reviewer-normativity", audit, v1::NORMATIVITY).ok());
  EXPECT_EQ(Status(v.name()).state(), v1::ReviewStatus::BLOCKED);
  ASSERT_TRUE(Approve("reviewer-confidentiality", audit, v1::CONFIDENTIALITY).ok());
  st = Status(v.name());
  EXPECT_EQ(st.state(), v1::ReviewStatus::CLEARED) << st.DebugString();
  EXPECT_TRUE(st.blockers().empty());

  auto board = Dashboard("oversight-zhengzhou", "regions/4101/years/2021");
  ASSERT_EQ(board.size(), 3u);  // zz-edu, zz-gov, zz-psb
  EXPECT_EQ(board[2].agency().id(), "zz-psb");
  EXPECT_EQ(board[2].state(), v1::CLEARED);
  EXPECT_EQ(board[2].latest_version(), v.name());
}

TEST_F(AuditServiceTest, AmendmentResetsSignOffsAndListsFixedAndNewFindings) {
  v1::ReportVersion v1v = Submit(Sample());
  v1::Audit a1 = AwaitAudit(v1v.name());
  ASSERT_TRUE(Approve("reviewer-legality", a1, v1::LEGALITY).ok());

  v1::Report amended = Sample();
  amended.set_other_matters(amended.other_matters() + "本年度未收取信息处理费。");  // fixes S-FEE6
  amended.mutable_requests()->mutable_received()->set_natural_person(
      amended.requests().received().natural_person() + 1);  // breaks 一's row total
  v1::ReportVersion v2 = Submit(amended);
  ASSERT_EQ(v2.version(), 2);
  v1::Audit a2 = AwaitAudit(v2.name());

  std::map<std::string, std::set<v1::FindingChange::Kind>> changes;
  for (const auto& c : a2.changes()) changes[c.finding().rule_id()].insert(c.kind());
  EXPECT_EQ(changes["S-FEE6"], std::set<v1::FindingChange::Kind>{v1::FindingChange::FIXED});
  EXPECT_TRUE(changes["T3-ROW"].count(v1::FindingChange::NEW)) << a2.DebugString();
  EXPECT_EQ(changes["N-T3-COVER"].count(v1::FindingChange::OPEN), 1u);

  v1::ReviewStatus s2 = Status(v2.name());
  EXPECT_EQ(s2.state(), v1::ReviewStatus::BLOCKED);
  for (const auto& k : s2.reviews()) {
    EXPECT_EQ(k.state(), v1::ReviewKindStatus::MISSING) << "sign-offs carried over";
  }
  EXPECT_FALSE(s2.blocking_findings().empty());
  v1::ReviewStatus s1 = Status(v1v.name());
  EXPECT_FALSE(s1.latest());
  EXPECT_EQ(s1.state(), v1::ReviewStatus::BLOCKED);

  // A normativity reviewer waives the error on this version only.
  const v1::Finding* error = nullptr;
  for (const auto& f : a2.findings()) {
    if (f.severity() == v1::ERROR) error = &f;
  }
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(SignOff("reviewer-normativity", a2, v1::WAIVER, v1::NORMATIVITY,
                    v1::DECISION_UNSPECIFIED, "", nullptr, error)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // a waiver needs a reason
  for (const auto& f : a2.findings()) {
    if (f.severity() != v1::ERROR) continue;
    ASSERT_TRUE(SignOff("reviewer-normativity", a2, v1::WAIVER, v1::NORMATIVITY,
                        v1::DECISION_UNSPECIFIED, "原始台账如此，经核实无误", nullptr, &f)
                    .ok());
  }
  EXPECT_TRUE(Status(v2.name()).blocking_findings().empty());
  EXPECT_FALSE(AwaitAudit(v2.name()).waivers().empty());
}

TEST_F(AuditServiceTest, SignOffsThatMustBeRefusedAreRefused) {
  v1::Report r = Sample();
  r.set_other_matters(r.other_matters() + "咨询电话 13812345678。");  // C-MOBILE
  v1::ReportVersion v = Submit(r, "chief-zz-psb");
  v1::Audit audit = AwaitAudit(v.name());

  // Wrong hash: not the version the reviewer read.
  v1::Audit wrong = audit;
  wrong.set_content_hash("sha256:" + std::string(64, '0'));
  EXPECT_EQ(SignOff("reviewer-legality", wrong, v1::REVIEW, v1::LEGALITY, v1::APPROVE).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // An outdated findings digest.
  wrong = audit;
  wrong.set_findings_digest("sha256:" + std::string(64, '1'));
  EXPECT_EQ(SignOff("reviewer-legality", wrong, v1::REVIEW, v1::LEGALITY, v1::APPROVE).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // The submitter, although a legality reviewer of the agency.
  grpc::Status s = Approve("chief-zz-psb", audit, v1::LEGALITY);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("submitted"));
  // A reviewer of another kind, of another region, a clerk, an oversight office.
  EXPECT_EQ(Approve("reviewer-legality", audit, v1::NORMATIVITY).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Approve("reviewer-legality-wuhan", audit, v1::LEGALITY).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Approve("clerk-zz-psb", audit, v1::LEGALITY).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Approve("oversight-henan", audit, v1::LEGALITY).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A reject without a reason.
  EXPECT_EQ(SignOff("reviewer-legality", audit, v1::REVIEW, v1::LEGALITY, v1::REJECT).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // "latest" is not a version one has read.
  v1::Audit latest = audit;
  latest.set_version(std::string(kReport) + "/versions/latest");
  EXPECT_EQ(Approve("reviewer-legality", latest, v1::LEGALITY).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // A confidentiality approval while the pre-screen finding is not acknowledged.
  const v1::Finding* mobile = nullptr;
  for (const auto& f : audit.findings()) {
    if (f.rule_id() == "C-MOBILE") mobile = &f;
  }
  ASSERT_NE(mobile, nullptr) << audit.DebugString();
  s = Approve("reviewer-confidentiality", audit, v1::CONFIDENTIALITY);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("C-MOBILE"));
  // Only the confidentiality reviewer acknowledges, and only real pre-screen findings.
  EXPECT_EQ(SignOff("reviewer-legality", audit, v1::ACKNOWLEDGEMENT, v1::CONFIDENTIALITY,
                    v1::DECISION_UNSPECIFIED, "", nullptr, mobile)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(SignOff("reviewer-confidentiality", audit, v1::ACKNOWLEDGEMENT, v1::CONFIDENTIALITY,
                      v1::DECISION_UNSPECIFIED, "", nullptr, mobile)
                  .ok());
  EXPECT_TRUE(Approve("reviewer-confidentiality", audit, v1::CONFIDENTIALITY).ok());

  // Nothing refused was recorded: one acknowledgement, one approval.
  v1::ListSignOffsRequest list;
  list.set_parent(v.name());
  v1::ListSignOffsResponse resp;
  grpc::ClientContext c;
  ASSERT_TRUE(As("oversight-henan")->ListSignOffs(&c, list, &resp).ok());
  EXPECT_EQ(resp.sign_offs_size(), 2);
}

TEST_F(AuditServiceTest, RefusedSignOffEchoesClientValuesEscapedAndCapped) {
  v1::ReportVersion v = Submit(Sample());
  v1::Audit audit = AwaitAudit(v.name());
  // A finding that is not in the audit, named by a long rule id and field
  // path with a line break: the refusal repeats them escaped and cut, and
  // stays a FAILED_PRECONDITION (not a transport error over 8 KiB of
  // trailing metadata).
  v1::Finding bogus;
  bogus.set_rule_id("T3-ROW\nforged=\"x\"" + std::string(20000, 'R'));
  bogus.mutable_location()->set_field_path("requests\n" + std::string(20000, 'p'));
  for (auto [principal, kind, review_kind] :
       {std::tuple{"reviewer-normativity", v1::WAIVER, v1::NORMATIVITY},
        std::tuple{"reviewer-confidentiality", v1::ACKNOWLEDGEMENT, v1::CONFIDENTIALITY}}) {
    grpc::Status s = SignOff(principal, audit, kind, review_kind, v1::DECISION_UNSPECIFIED,
                             "理由", nullptr, &bogus);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
    EXPECT_LT(s.error_message().size(), 1000u);
    EXPECT_EQ(s.error_message().find('\n'), std::string::npos) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("T3-ROW\\nforged=\\\"x\\\""));
    EXPECT_THAT(s.error_message(), HasSubstr("bytes]"));
  }
}

TEST_F(AuditServiceTest, ReviewWithALocationIsRefusedNotStored) {
  v1::ReportVersion v = Submit(Sample());
  v1::Audit audit = AwaitAudit(v.name());
  // A REVIEW names no finding. A location on it would be stored for ever
  // (sign-offs and ledger entries are never deleted), and two reviews with
  // 2.5 MB of it would make every ListSignOffs page of the version larger
  // than the 4 MiB a response may have.
  v1::CreateSignOffRequest req;
  *req.mutable_sign_off() = ReviewOf(audit, v1::LEGALITY, v1::APPROVE);
  req.mutable_sign_off()->mutable_location()->set_field_path(std::string(2500000, 'x'));
  for (int i = 0; i < 2; ++i) {
    v1::SignOff out;
    grpc::ClientContext c;
    c.set_deadline(In(10));
    grpc::Status st = As("reviewer-legality")->CreateSignOff(&c, req, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
    EXPECT_THAT(st.error_message(), HasSubstr("sign_off.location"));
  }
  v1::ListSignOffsRequest list;
  list.set_parent(v.name());
  v1::ListSignOffsResponse resp;
  grpc::ClientContext c;
  grpc::Status st = As("oversight-henan")->ListSignOffs(&c, list, &resp);
  EXPECT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.sign_offs_size(), 0);
  // An empty location (a client that always sets the message) is no location.
  req.mutable_sign_off()->mutable_location()->Clear();
  v1::SignOff out;
  grpc::ClientContext c2;
  c2.set_deadline(In(10));
  st = As("reviewer-legality")->CreateSignOff(&c2, req, &out);
  EXPECT_TRUE(st.ok()) << st.error_message();
}

TEST_F(AuditServiceTest, ListSignOffsPageTokenPastTheEndEndsTheListing) {
  v1::ReportVersion v = Submit(Sample());
  v1::Audit audit = AwaitAudit(v.name());
  ASSERT_TRUE(Approve("reviewer-legality", audit, v1::LEGALITY).ok());
  // Tokens are sealed, so no client can make these; the service clamps all
  // the same, also where position + page_size would overflow int64.
  for (const char* pos : {"1", "5", "9223372036854775807"}) {
    v1::ListSignOffsRequest list;
    list.set_parent(v.name());
    list.set_page_size(100);
    list.set_page_token(*EncodePageToken(v.name(), pos));
    v1::ListSignOffsResponse resp;
    grpc::ClientContext c;
    grpc::Status st = As("oversight-henan")->ListSignOffs(&c, list, &resp);
    ASSERT_TRUE(st.ok()) << pos << ": " << st.error_message();
    EXPECT_EQ(resp.sign_offs_size(), 0) << pos;
    EXPECT_EQ(resp.next_page_token(), "") << pos;
  }
}

TEST_F(AuditServiceTest, AClearedVersionIsNoLongerClearedOnceANewerOneIsStoredEvenUnaudited) {
  v1::ReportVersion v = Submit(Sample());
  v1::Audit audit = AwaitAudit(v.name());
  ASSERT_TRUE(Approve("reviewer-legality", audit, v1::LEGALITY).ok());
  ASSERT_TRUE(Approve("reviewer-normativity", audit, v1::NORMATIVITY).ok());
  ASSERT_TRUE(Approve("reviewer-confidentiality", audit, v1::CONFIDENTIALITY).ok());
  ASSERT_EQ(Status(v.name()).state(), v1::ReviewStatus::CLEARED);
  // The audit service's feed falls behind; a version 2 is stored meanwhile.
  audit_ = std::make_unique<InProcessAuditServer>(dir_.path() + "/audit.db", submit_.address(),
                                                  [this] { return Now(); }, /*follow=*/false);
  v1::Report amended = Sample();
  amended.set_other_matters(amended.other_matters() + "补充说明。");
  ASSERT_EQ(Submit(amended).version(), 2);
  v1::ReviewStatus st = Status(v.name());
  EXPECT_EQ(st.state(), v1::ReviewStatus::BLOCKED);
  EXPECT_FALSE(st.latest());
}

// AIP-158 (issue 12): a page_size above the maximum is the maximum.
TEST_F(AuditServiceTest, PageSizeAboveTheMaximumIsCoercedNotRefused) {
  v1::ReportVersion v = Submit(Sample());
  v1::Audit audit = AwaitAudit(v.name());
  ASSERT_TRUE(Approve("reviewer-legality", audit, v1::LEGALITY).ok());
  for (int size : {101, 501, std::numeric_limits<int32_t>::max()}) {
    v1::ListSignOffsRequest list;
    list.set_parent(v.name());
    list.set_page_size(size);
    v1::ListSignOffsResponse page;
    grpc::ClientContext c;
    grpc::Status s = As("oversight-henan")->ListSignOffs(&c, list, &page);
    ASSERT_TRUE(s.ok()) << size << ": " << s.error_message();
    EXPECT_EQ(page.sign_offs_size(), 1);
    v1::ListAgencyStatesRequest states;
    states.set_parent("regions/4101/years/2021");
    states.set_page_size(size);
    v1::ListAgencyStatesResponse board;
    grpc::ClientContext bc;
    s = As("oversight-henan")->ListAgencyStates(&bc, states, &board);
    ASSERT_TRUE(s.ok()) << size << ": " << s.error_message();
    EXPECT_EQ(board.agencies_size(), 3);
    EXPECT_TRUE(board.next_page_token().empty());
  }
  v1::ListSignOffsRequest list;
  list.set_parent(v.name());
  list.set_page_size(-1);
  v1::ListSignOffsResponse page;
  grpc::ClientContext c;
  EXPECT_EQ(As("oversight-henan")->ListSignOffs(&c, list, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AuditServiceTest, RejectionBlocksUntilTheSameReviewerApproves) {
  v1::ReportVersion v = Submit(Sample());
  v1::Audit audit = AwaitAudit(v.name());
  ASSERT_TRUE(Approve("reviewer-normativity", audit, v1::NORMATIVITY).ok());
  ASSERT_TRUE(Approve("reviewer-confidentiality", audit, v1::CONFIDENTIALITY).ok());
  ASSERT_TRUE(SignOff("reviewer-legality", audit, v1::REVIEW, v1::LEGALITY, v1::REJECT,
                      "第二部分引用的规章已废止").ok());
  EXPECT_EQ(Dashboard("oversight-henan", "regions/410100/years/2021")[2].state(), v1::REJECTED);
  ASSERT_TRUE(Approve("reviewer-legality", audit, v1::LEGALITY).ok());  // supersedes
  EXPECT_EQ(Status(v.name()).state(), v1::ReviewStatus::CLEARED);
}

TEST_F(AuditServiceTest, CatchesUpAfterAnOutageAuditingEveryVersionOnce) {
  Submit(Sample());
  AwaitAudit(std::string(kReport) + "/versions/1");
  audit_.reset();  // the audit service goes down
  v1::Report r = Sample();
  for (int i = 2; i <= 5; ++i) {
    r.set_other_matters(absl::StrCat(Sample().other_matters(), "第", i, "次修订。"));
    Submit(r);
  }
  audit_ = std::make_unique<InProcessAuditServer>(dir_.path() + "/audit.db", submit_.address(),
                                                  [this] { return Now(); });
  AwaitAudit(std::string(kReport) + "/versions/5");
  // Restarted once more with nothing new: nothing is audited twice. The
  // follower reads the feed in order, so once a sixth version submitted
  // after the restart is audited, any second audit of 1–5 would be stored.
  audit_ = std::make_unique<InProcessAuditServer>(dir_.path() + "/audit.db", submit_.address(),
                                                  [this] { return Now(); });
  r.set_other_matters(absl::StrCat(Sample().other_matters(), "第6次修订。"));
  Submit(r);
  AwaitAudit(std::string(kReport) + "/versions/6");
  absl::StatusOr<std::vector<audit::LedgerLeaf>> leaves = audit_->store()->ReadLedger(0, 100);
  ASSERT_TRUE(leaves.ok()) << leaves.status();
  std::multiset<std::string> audited;
  for (const auto& l : *leaves) {
    v1::LedgerEntry e;
    ASSERT_TRUE(e.ParseFromString(l.entry));
    if (e.has_audit()) audited.insert(e.audit().version());
  }
  ASSERT_EQ(audited.size(), 6u);
  for (int i = 1; i <= 6; ++i) {
    EXPECT_EQ(audited.count(absl::StrCat(kReport, "/versions/", i)), 1u) << i;
  }
}

TEST_F(AuditServiceTest, CrossYearFindingsNameThePreviousYearVersion) {
  v1::Report previous = Sample();
  previous.set_year(2020);
  previous.set_title("郑州市公安局2020年政府信息公开工作年度报告");
  // Last year carried 5 over into this year; this year's report says otherwise.
  previous.mutable_requests()->mutable_carried_over_to_next_year()->set_natural_person(
      Sample().requests().carried_over_from_previous_year().natural_person() + 5);
  v1::ReportVersion prev = Submit(previous);
  AwaitAudit(prev.name());
  v1::ReportVersion cur = Submit(Sample());
  v1::Audit audit = AwaitAudit(cur.name());
  EXPECT_EQ(audit.previous_year_reference(), absl::StrCat(prev.name(), " ", prev.content_hash()));
  bool carry = false, same = false;
  for (const auto& f : audit.findings()) {
    if (f.rule_id() == "X-CARRY") {
      carry = true;
      EXPECT_EQ(f.reference(), audit.previous_year_reference());
    }
    same |= f.rule_id() == "X-SAME";
  }
  EXPECT_TRUE(carry) << audit.DebugString();
  EXPECT_TRUE(same) << "tables copied from last year are reported";
}

TEST_F(AuditServiceTest, CatchingUpComparesWithThePreviousYearAsOfTheFeedPosition) {
  v1::Report previous = Sample();
  previous.set_year(2020);
  previous.set_title("郑州市公安局2020年政府信息公开工作年度报告");
  v1::ReportVersion prev1 = Submit(previous);
  AwaitAudit(prev1.name());
  audit_.reset();  // the audit service goes down
  // This year's report, and only then an amendment of last year's.
  v1::ReportVersion cur = Submit(Sample());
  previous.set_other_matters(previous.other_matters() + "（更正）");
  v1::ReportVersion prev2 = Submit(previous);
  ASSERT_EQ(prev2.version(), 2);
  audit_ = std::make_unique<InProcessAuditServer>(dir_.path() + "/audit.db", submit_.address(),
                                                  [this] { return Now(); });
  // When this year's version was stored, last year's latest was version 1.
  EXPECT_EQ(AwaitAudit(cur.name()).previous_year_reference(),
            absl::StrCat(prev1.name(), " ", prev1.content_hash()));
  AwaitAudit(prev2.name());
  // A version stored after the amendment compares with it.
  v1::Report amended = Sample();
  amended.set_other_matters(amended.other_matters() + "（修订）");
  v1::ReportVersion cur2 = Submit(amended);
  EXPECT_EQ(AwaitAudit(cur2.name()).previous_year_reference(),
            absl::StrCat(prev2.name(), " ", prev2.content_hash()));
}

// Far behind, the previous year's latest version can be many versions past
// the one a report must be compared with: the follower searches for it
// (binary search over the version numbers) rather than stepping back.
TEST_F(AuditServiceTest, CatchingUpFindsThePreviousYearAmongManyLaterVersions) {
  v1::Report previous = Sample();
  previous.set_year(2020);
  std::vector<v1::ReportVersion> prev;
  auto amend_previous = [&] {
    previous.set_other_matters(absl::StrCat(previous.other_matters(), "（", prev.size(), "）"));
    prev.push_back(Submit(previous));
  };
  for (int i = 0; i < 5; ++i) amend_previous();  // 2020 versions 1–5, audited
  AwaitAudit(prev.back().name());
  audit_.reset();  // down: what follows is caught up after a restart, cache empty
  v1::ReportVersion cur = Submit(Sample());      // 2021, compared with 2020 v5
  for (int i = 0; i < 6; ++i) amend_previous();  // 2020 versions 6–11
  // 2023 before any 2022: nothing to compare with, though 2022 comes later.
  v1::Report later = Sample();
  later.set_year(2023);
  v1::ReportVersion orphan = Submit(later);
  later.set_year(2022);
  for (int i = 0; i < 3; ++i) {
    later.set_other_matters(absl::StrCat(later.other_matters(), i));
    Submit(later);
  }
  audit_ = std::make_unique<InProcessAuditServer>(dir_.path() + "/audit.db", submit_.address(),
                                                  [this] { return Now(); });
  ASSERT_EQ(prev[4].version(), 5);
  EXPECT_EQ(AwaitAudit(cur.name()).previous_year_reference(),
            absl::StrCat(prev[4].name(), " ", prev[4].content_hash()));
  EXPECT_EQ(AwaitAudit(orphan.name()).previous_year_reference(), "");
}

TEST_F(AuditServiceTest, DashboardsShowOnlyTheRegionAndAgenciesThatHaveNotSubmitted) {
  v1::ReportVersion v = Submit(Sample());
  AwaitAudit(v.name());
  SetNow(absl::FromCivil(absl::CivilDay(2022, 3, 1), absl::UTCTimeZone()));
  auto board = Dashboard("oversight-zhengzhou", "regions/4101/years/2021");
  ASSERT_EQ(board.size(), 3u);
  std::map<std::string, v1::AgencyStatus> by_id;
  for (const auto& a : board) by_id[a.agency().id()] = a;
  EXPECT_EQ(by_id["zz-edu"].state(), v1::NOT_SUBMITTED);
  EXPECT_TRUE(by_id["zz-edu"].overdue());        // due 2022-01-31
  EXPECT_FALSE(by_id["zz-gov"].overdue());       // a 人民政府: due 2022-03-31
  EXPECT_EQ(by_id["zz-psb"].state(), v1::AWAITING_REVIEW);
  EXPECT_TRUE(by_id["zz-psb"].overdue());
  EXPECT_EQ(by_id.count("ly-psb"), 0u);

  EXPECT_EQ(Dashboard("oversight-henan", "regions/41/years/2021").size(), 4u);
  grpc::Status s;
  Dashboard("oversight-zhengzhou", "regions/41/years/2021", &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Dashboard("oversight-hubei", "regions/4101/years/2021", &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Dashboard("clerk-zz-psb", "regions/410100/years/2021", &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Dashboard("reviewer-legality", "regions/4101/years/2021", &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Dashboard("oversight-henan", "regions/4x/years/2021", &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::GetRegionSummaryRequest req;
  req.set_name("regions/41/years/2021");
  v1::RegionSummary sum;
  grpc::ClientContext c;
  ASSERT_TRUE(As("oversight-henan")->GetRegionSummary(&c, req, &sum).ok());
  EXPECT_EQ(sum.agencies(), 4);
  EXPECT_EQ(sum.overdue(), 3);  // zz-edu, zz-psb, ly-psb
  EXPECT_EQ(sum.requests_total().outcomes().total().natural_person(), 90);
  EXPECT_FALSE(sum.most_frequent_rules().empty());
}

TEST_F(AuditServiceTest, RegionSummarySumsDoNotWrapAround) {
  // A stored count is at most kMaxCount (CreateVersion refuses more, issue
  // 12), so region sums stay exact: two reports of the region at the bound.
  // (RegionSums still caps at INT64_MAX rather than wrap, for versions
  // stored before the bound.)
  v1::Report zz = Sample();
  zz.mutable_requests()->mutable_received()->set_natural_person(kMaxCount);
  AwaitAudit(Submit(zz).name());
  v1::Report ly = Sample();
  ly.mutable_agency()->set_id("ly-psb");
  ly.mutable_agency()->set_name("洛阳市公安局");
  ly.mutable_agency()->clear_region_code();
  ly.mutable_requests()->mutable_received()->set_natural_person(kMaxCount);
  AwaitAudit(Submit(ly, "clerk-ly-psb").name());

  v1::GetRegionSummaryRequest req;
  req.set_name("regions/41/years/2021");
  v1::RegionSummary sum;
  grpc::ClientContext c;
  ASSERT_TRUE(As("oversight-henan")->GetRegionSummary(&c, req, &sum).ok());
  EXPECT_EQ(sum.requests_total().received().natural_person(), 2 * kMaxCount);
  // Cells that fit are summed as before.
  EXPECT_EQ(sum.requests_total().outcomes().total().natural_person(),
            2 * Sample().requests().outcomes().total().natural_person());
}

TEST_F(AuditServiceTest, OthersCannotReadAuditsOfAnAgency) {
  v1::ReportVersion v = Submit(Sample());
  AwaitAudit(v.name());
  for (const char* who : {"clerk-ly-psb", "oversight-hubei", "reviewer-legality-wuhan", "nobody"}) {
    v1::GetAuditRequest req;
    req.set_name(v.name() + "/audit");
    v1::Audit a;
    grpc::ClientContext c;
    EXPECT_EQ(As(who)->GetAudit(&c, req, &a).error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << who;
  }
  // Not audited and not existing look alike to a stranger.
  v1::GetAuditRequest req;
  req.set_name("agencies/zz-psb/reports/2019/versions/1/audit");
  v1::Audit a;
  grpc::ClientContext c;
  EXPECT_EQ(As("clerk-ly-psb")->GetAudit(&c, req, &a).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Without a client certificate.
  auto anonymous = AuditStubAs(audit_->address(), "");
  grpc::ClientContext c2;
  req.set_name(v.name() + "/audit");
  EXPECT_EQ(anonymous->GetAudit(&c2, req, &a).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(AuditServiceTest, ValidateReportIsADryRunOfTheSameEngine) {
  v1::ValidateReportRequest req;
  *req.mutable_report() = Sample();
  req.mutable_report()->mutable_requests()->mutable_received()->set_natural_person(-1);
  v1::ValidateReportResponse resp;
  grpc::ClientContext c;
  ASSERT_TRUE(As("clerk-zz-psb")->ValidateReport(&c, req, &resp).ok());
  EXPECT_EQ(resp.rule_set_version(), "2021.1");
  EXPECT_THAT(resp.engine(), HasSubstr("2021.1"));
  bool negative = false;
  for (const auto& f : resp.findings()) negative |= f.rule_id() == "T-INT";
  EXPECT_TRUE(negative);
  // Nothing was stored or audited.
  EXPECT_EQ(*audit_->store()->LedgerSize(), 0);
  v1::ValidateReportRequest empty;
  grpc::ClientContext c2;
  EXPECT_EQ(As("clerk-zz-psb")->ValidateReport(&c2, empty, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// The cells an import could not read travel with the report: the stored
// audit says IMPORT-UNREAD on them, not EMPTY, as reportctl validate does.
TEST_F(AuditServiceTest, CellsTheImportCouldNotReadAreUnreadNotEmptyInTheAudit) {
  v1::Report r = Sample();
  r.mutable_requests()->mutable_outcomes()->clear_disclosed();
  r.mutable_appeals()->mutable_litigation_direct()->clear_upheld();
  v1::UnreadCells* u = r.mutable_import_record()->add_unread();
  u->set_field_path("requests.outcomes.disclosed");
  u->set_source("第 3 页（x 72，y 410）");
  r.mutable_import_record()->set_format("scan");
  v1::Audit audit = AwaitAudit(Submit(r).name());
  std::vector<std::string> unread, empty;
  for (const auto& f : audit.findings()) {
    if (f.rule_id() == "IMPORT-UNREAD") {
      unread.push_back(f.location().field_path());
      EXPECT_THAT(f.message(), HasSubstr("第 3 页"));
    }
    if (f.rule_id() == "EMPTY") empty.push_back(f.location().field_path());
  }
  EXPECT_EQ(unread.size(), 7u);
  for (const std::string& p : unread) EXPECT_THAT(p, ::testing::StartsWith("requests.outcomes.disclosed."));
  EXPECT_THAT(empty, ::testing::ElementsAre("appeals.litigation_direct.upheld"));
  EXPECT_GE(audit.error_count(), 8);
}

// Issue 12: submitted_date 2022-1-20 was taken though documented as
// YYYY-MM-DD; an undefined agency kind (77) was taken as a kind.
TEST_F(AuditServiceTest, ValidateReportRefusesLooseDatesAndUndefinedKinds) {
  auto call = [&](const std::string& date, int kind) {
    v1::ValidateReportRequest req;
    *req.mutable_report() = Sample();
    req.mutable_report()->mutable_agency()->set_kind(static_cast<v1::AgencyKind>(kind));
    req.set_submitted_date(date);
    v1::ValidateReportResponse resp;
    grpc::ClientContext c;
    c.set_deadline(In(10));
    return As("clerk-zz-psb")->ValidateReport(&c, req, &resp);
  };
  EXPECT_TRUE(call("2022-01-20", v1::AGENCY_KIND_DEPARTMENT).ok());
  EXPECT_TRUE(call("", v1::AGENCY_KIND_UNSPECIFIED).ok());
  for (const char* date : {"2022-1-20", "2022-01-2", "+2022-01-20", "2022-01-20T00:00",
                           "2022/01/20", "2022-02-30"}) {
    grpc::Status s = call(date, v1::AGENCY_KIND_DEPARTMENT);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << date;
    EXPECT_THAT(s.error_message(), HasSubstr("submitted_date")) << date;
    EXPECT_THAT(s.error_message(), HasSubstr("YYYY-MM-DD")) << date;
  }
  grpc::Status s = call("2022-01-20", 77);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("report.agency.kind: is 77, not a defined AgencyKind"));
}

// Issue 12: across crashes 9 of 24 unanswered sign-offs had committed, and a
// retry would have appended a second ledger entry. With a request_id a
// retry, even several at once, returns the first sign-off and appends
// nothing.
TEST_F(AuditServiceTest, RetriedSignOffWithTheSameRequestIdReturnsTheFirst) {
  v1::ReportVersion v = Submit(Sample());
  v1::Audit audit = AwaitAudit(v.name());
  auto request = [&](v1::ReviewKind kind, const std::string& reason, const std::string& id) {
    v1::CreateSignOffRequest req;
    *req.mutable_sign_off() = ReviewOf(audit, kind, v1::REJECT, reason);
    req.set_request_id(id);
    return req;
  };
  auto call = [&](const std::string& principal, const v1::CreateSignOffRequest& req,
                  v1::SignOff* out) {
    grpc::ClientContext c;
    c.set_deadline(In(20));
    return As(principal)->CreateSignOff(&c, req, out);
  };
  const int64_t before = *audit_->store()->LedgerSize();
  constexpr int kRetries = 6;
  std::vector<v1::SignOff> out(kRetries);
  std::vector<grpc::Status> status(kRetries);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRetries; ++i) {
    threads.emplace_back([&, i] {
      status[i] = call("reviewer-legality", request(v1::LEGALITY, "不合法", "retry-1"), &out[i]);
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kRetries; ++i) {
    ASSERT_TRUE(status[i].ok()) << status[i].error_message();
    EXPECT_EQ(out[i].name(), out[0].name());
    EXPECT_EQ(out[i].ledger_index(), out[0].ledger_index());
    EXPECT_EQ(out[i].request_id(), "retry-1");
  }
  EXPECT_EQ(*audit_->store()->LedgerSize(), before + 1);
  // Later, once more: the same answer.
  v1::SignOff again;
  ASSERT_TRUE(call("reviewer-legality", request(v1::LEGALITY, "不合法", "retry-1"), &again).ok());
  EXPECT_EQ(again.name(), out[0].name());
  EXPECT_EQ(*audit_->store()->LedgerSize(), before + 1);
  // The same id with another sign-off: refused, nothing stored.
  grpc::Status s = call("reviewer-legality", request(v1::LEGALITY, "另一理由", "retry-1"), &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("request_id"));
  EXPECT_THAT(s.error_message(), HasSubstr(out[0].name()));
  EXPECT_EQ(*audit_->store()->LedgerSize(), before + 1);
  // Another reviewer's request with the same id is its own.
  v1::SignOff other;
  ASSERT_TRUE(call("reviewer-normativity", request(v1::NORMATIVITY, "不规范", "retry-1"), &other).ok());
  EXPECT_NE(other.name(), out[0].name());
  EXPECT_EQ(*audit_->store()->LedgerSize(), before + 2);
  // Without a request_id every call is a new sign-off, as before.
  v1::SignOff a, b;
  ASSERT_TRUE(call("reviewer-legality", request(v1::LEGALITY, "不合法", ""), &a).ok());
  ASSERT_TRUE(call("reviewer-legality", request(v1::LEGALITY, "不合法", ""), &b).ok());
  EXPECT_NE(a.name(), b.name());
  EXPECT_EQ(*audit_->store()->LedgerSize(), before + 4);
  // A request_id with a space or a control character is refused.
  s = call("reviewer-legality", request(v1::LEGALITY, "不合法", "bad id"), &a);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("request_id"));
  // The sign-offs served are what the ledger proves, request ids included.
  v1::ListSignOffsRequest list;
  list.set_parent(v.name());
  v1::ListSignOffsResponse resp;
  grpc::ClientContext c;
  ASSERT_TRUE(As("oversight-henan")->ListSignOffs(&c, list, &resp).ok());
  ASSERT_EQ(resp.sign_offs_size(), 4);
  EXPECT_EQ(resp.sign_offs(0).request_id(), "retry-1");
}

TEST_F(AuditServiceTest, EventStreamResumesWithoutGap) {
  v1::ReportVersion v = Submit(Sample());
  v1::Audit audit = AwaitAudit(v.name());
  ASSERT_TRUE(Approve("reviewer-legality", audit, v1::LEGALITY).ok());

  auto read = [&](const std::string& principal, const std::string& prefix,
                  const std::string& after, size_t n, grpc::Status* end) {
    std::vector<v1::AuditEvent> out;
    v1::WatchEventsRequest req;
    req.set_region_prefix(prefix);
    req.set_start_after(after);
    grpc::ClientContext c;
    c.set_deadline(In(2));
    auto reader = As(principal)->WatchEvents(&c, req);
    v1::AuditEvent e;
    while (out.size() < n && reader->Read(&e)) out.push_back(e);
    if (out.size() == n) c.TryCancel();  // enough; otherwise the stream ended by itself
    *end = reader->Finish();
    return out;
  };
  grpc::Status end;
  auto first = read("oversight-zhengzhou", "4101", "", 2, &end);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].kind(), v1::AuditEvent::VERSION_AUDITED);
  EXPECT_EQ(first[1].kind(), v1::AuditEvent::SIGNED_OFF);

  ASSERT_TRUE(Approve("reviewer-normativity", audit, v1::NORMATIVITY).ok());
  ASSERT_TRUE(Approve("reviewer-confidentiality", audit, v1::CONFIDENTIALITY).ok());
  auto rest = read("oversight-zhengzhou", "4101", first[1].position(), 3, &end);
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[0].kind(), v1::AuditEvent::SIGNED_OFF);
  EXPECT_EQ(rest[1].kind(), v1::AuditEvent::SIGNED_OFF);
  EXPECT_EQ(rest[2].kind(), v1::AuditEvent::CLEARED);
  EXPECT_NE(rest[0].position(), first[1].position());

  read("oversight-hubei", "4101", "", 1, &end);
  EXPECT_EQ(end.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  read("clerk-zz-psb", "4101", "", 1, &end);
  EXPECT_EQ(end.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  auto none = read("oversight-hubei", "42", "", 1, &end);  // nothing in Hubei: waits, times out
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(end.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  read("oversight-henan", "41", "events/999", 1, &end);
  EXPECT_EQ(end.error_code(), grpc::StatusCode::OUT_OF_RANGE);
}

// Issue 12: 62 WatchEvents of one oversight office made every synchronous
// call of every other principal RESOURCE_EXHAUSTED. Streams run beside the
// handlers' threads; one principal holds a bounded number of them, the next
// is refused (RESOURCE_EXHAUSTED, saying why, logged), and everyone else's
// calls answer.
TEST_F(AuditServiceTest, ManyWatchersOfOnePrincipalDoNotStarveOthers) {
  v1::ReportVersion v = Submit(Sample());
  v1::Audit audit = AwaitAudit(v.name());
  struct Watch {
    std::unique_ptr<v1::AuditService::Stub> stub;
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::AuditEvent>> reader;
  };
  CapturedLog log;
  std::vector<std::unique_ptr<Watch>> open;
  std::vector<grpc::Status> refused;
  for (int i = 0; i < 70; ++i) {
    auto w = std::make_unique<Watch>();
    w->stub = As("oversight-henan");
    w->context.set_deadline(In(120));
    v1::WatchEventsRequest req;
    req.set_region_prefix("41");
    w->reader = w->stub->WatchEvents(&w->context, req);
    v1::AuditEvent e;
    if (w->reader->Read(&e)) {  // the VERSION_AUDITED event: its handler runs
      open.push_back(std::move(w));
    } else {
      refused.push_back(w->reader->Finish());
    }
  }
  EXPECT_EQ(open.size(), static_cast<size_t>(kMaxWatchStreamsPerPrincipal));
  ASSERT_EQ(refused.size(), 70u - open.size());
  for (const grpc::Status& s : refused) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("'oversight-henan' already holds 8 open watch streams"));
  }
  // Other oversight offices watch too.
  for (const char* principal : {"oversight-zhengzhou"}) {
    for (int i = 0; i < kMaxWatchStreamsPerPrincipal; ++i) {
      auto w = std::make_unique<Watch>();
      w->stub = As(principal);
      w->context.set_deadline(In(120));
      v1::WatchEventsRequest req;
      req.set_region_prefix("4101");
      w->reader = w->stub->WatchEvents(&w->context, req);
      v1::AuditEvent e;
      ASSERT_TRUE(w->reader->Read(&e)) << principal << " " << i;
      open.push_back(std::move(w));
    }
  }
  // The others' synchronous calls answer.
  for (int i = 0; i < 5; ++i) {
    v1::GetAuditRequest get;
    get.set_name(v.name() + "/audit");
    v1::Audit a;
    grpc::ClientContext c;
    c.set_deadline(In(10));
    grpc::Status s = As("clerk-zz-psb")->GetAudit(&c, get, &a);
    EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    EXPECT_EQ(Status(v.name(), "clerk-zz-psb").name(), v.name() + "/reviewStatus");
    grpc::Status dash;
    Dashboard("oversight-zhengzhou", "regions/4101/years/2021", &dash);
    EXPECT_TRUE(dash.ok()) << dash.error_code() << " " << dash.error_message();
  }
  ASSERT_TRUE(Approve("reviewer-legality", audit, v1::LEGALITY).ok());
  // And the open streams still carry events: the sign-off.
  for (auto& w : open) {
    v1::AuditEvent e;
    ASSERT_TRUE(w->reader->Read(&e));
    EXPECT_EQ(e.kind(), v1::AuditEvent::SIGNED_OFF);
  }
  int warned = 0;
  for (const std::string& line : log.Lines()) {
    warned += absl::StrContains(line, "watch refused: method=WatchEvents principal=\"oversight-henan\"");
  }
  EXPECT_EQ(warned, static_cast<int>(refused.size()));
  for (auto& w : open) {
    w->context.TryCancel();
    w->reader->Finish();
  }
}

TEST_F(AuditServiceTest, LedgerProofRequestsOutOfRangeNameTheField) {
  auto stub = As("oversight-henan");
  auto inclusion = [&](int64_t index, int64_t tree_size) {
    v1::GetInclusionProofRequest req;
    req.set_index(index);
    req.set_tree_size(tree_size);
    v1::InclusionProof p;
    grpc::ClientContext c;
    return stub->GetInclusionProof(&c, req, &p);
  };
  // The empty ledger: nothing to prove, and the refusal says so.
  grpc::Status s = inclusion(0, 0);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("tree_size"));
  EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("-1")));
  s = inclusion(0, 1);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("tree_size"));
  v1::GetConsistencyProofRequest req;
  v1::ConsistencyProof p;
  grpc::ClientContext c;
  EXPECT_TRUE(stub->GetConsistencyProof(&c, req, &p).ok());  // 0 → 0: empty proof
  EXPECT_EQ(p.hashes_size(), 0);

  Submit(Sample());
  AwaitAudit(std::string(kReport) + "/versions/1");
  EXPECT_TRUE(inclusion(0, 1).ok());
  for (auto [index, tree_size, field] :
       {std::tuple{int64_t{1}, int64_t{1}, "index"}, std::tuple{int64_t{-1}, int64_t{1}, "index"},
        std::tuple{std::numeric_limits<int64_t>::max(), int64_t{1}, "index"},
        std::tuple{int64_t{0}, std::numeric_limits<int64_t>::max(), "tree_size"},
        std::tuple{int64_t{0}, std::numeric_limits<int64_t>::min(), "tree_size"}}) {
    s = inclusion(index, tree_size);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << index << " " << tree_size;
    EXPECT_THAT(s.error_message(), HasSubstr(field)) << index << " " << tree_size;
  }
}

// A console acts for the user whose certificate it was shown (docs/api.md,
// "Acting for a user"): that user's roles apply, never the console's, and
// the sign-off, its ledger entry and the log line name both.
TEST_F(AuditServiceTest, AConsoleSignsOffForAReviewerWithTheReviewersRolesOnly) {
  v1::ReportVersion v = Submit(Sample());
  v1::Audit audit = AwaitAudit(v.name());
  v1::CreateSignOffRequest req;
  *req.mutable_sign_off() = ReviewOf(audit, v1::LEGALITY, v1::APPROVE);
  auto sign = [&](const std::string& as, const std::string& acting_for, v1::SignOff* out) {
    grpc::ClientContext c;
    c.set_deadline(In(10));
    if (!acting_for.empty()) c.AddMetadata(kActingForMetadata, acting_for);
    return As(as)->CreateSignOff(&c, req, out);
  };
  v1::SignOff out;
  // For a clerk of the agency, or a reviewer of another kind: the user's
  // roles decide, and they do not allow it.
  EXPECT_EQ(sign("console", "clerk-zz-psb", &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(sign("console", "reviewer-normativity", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  {
    CapturedLog log;
    grpc::Status ok = sign("console", "reviewer-legality", &out);
    ASSERT_TRUE(ok.ok()) << ok.error_message();
    bool both = false;
    for (const std::string& line : log.Lines()) {
      both |= absl::StrContains(line, "method=CreateSignOff principal=\"reviewer-legality\" via=\"console\"");
    }
    EXPECT_TRUE(both);
  }
  EXPECT_EQ(out.reviewer(), "reviewer-legality");
  EXPECT_EQ(out.console(), "console");
  // Listed as stored, and proved by the ledger as served (entries compared).
  v1::ListSignOffsRequest list;
  list.set_parent(v.name());
  v1::ListSignOffsResponse listed;
  grpc::ClientContext lc;
  ASSERT_TRUE(As("oversight-henan")->ListSignOffs(&lc, list, &listed).ok());
  ASSERT_EQ(listed.sign_offs_size(), 1);
  EXPECT_EQ(listed.sign_offs(0).console(), "console");
  absl::StatusOr<LedgerCheck> check =
      VerifyLedger(As("oversight-henan").get(), TestLedgerPublicKeyPem(), std::nullopt, true);
  ASSERT_TRUE(check.ok()) << check.status();
  // The ledger entry itself names the reviewer and the console.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_.path() + "/audit.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT entry FROM ledger WHERE idx = ?1", -1, &st, nullptr),
              SQLITE_OK);
    sqlite3_bind_int64(st, 1, out.ledger_index());
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    v1::LedgerEntry entry;
    ASSERT_TRUE(entry.ParseFromArray(sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0)));
    sqlite3_finalize(st);
    sqlite3_close(db);
    EXPECT_EQ(entry.sign_off().reviewer(), "reviewer-legality");
    EXPECT_EQ(entry.sign_off().console(), "console");
  }
  // Called directly, a sign-off names no console.
  req.mutable_sign_off()->set_review_kind(v1::NORMATIVITY);
  ASSERT_TRUE(sign("reviewer-normativity", "", &out).ok());
  EXPECT_EQ(out.console(), "");
}

// Every refusal of "acting for": only a console may, only for one known
// user who is neither a console nor the audit service, and a console
// without it gets nothing (no role of its own reads or writes).
TEST_F(AuditServiceTest, ActingForIsRefusedUnlessAConsoleActsForOneKnownUser) {
  v1::ReportVersion v = Submit(Sample());
  AwaitAudit(v.name());
  auto get = [&](const std::string& as, std::vector<std::string> acting_for) {
    v1::GetAuditRequest req;
    req.set_name(v.name() + "/audit");
    v1::Audit audit;
    grpc::ClientContext c;
    for (const std::string& user : acting_for) c.AddMetadata(kActingForMetadata, user);
    return As(as)->GetAudit(&c, req, &audit);
  };
  EXPECT_TRUE(get("console", {"oversight-henan"}).ok());
  EXPECT_TRUE(get("console", {"clerk-zz-psb"}).ok());
  struct Case {
    std::string as;
    std::vector<std::string> acting_for;
    const char* says;
  };
  for (const Case& c : std::vector<Case>{
           {"console", {}, "must say for whom it acts"},
           {"oversight-henan", {"oversight-henan"}, "may not act for another"},
           {"audit-service", {"clerk-zz-psb"}, "may not act for another"},
           // The user's roles: another agency, another province — refused
           // as the user would be, naming the user.
           {"console", {"clerk-ly-psb"}, "principal 'clerk-ly-psb' may not read the reports of agency 'zz-psb'"},
           {"console", {"oversight-hubei"}, "principal 'oversight-hubei' may not read the reports of agency 'zz-psb'"},
           {"console", {"nobody"}, "has no role"},
           {"console", {"no-such-user"}, "has no role"},
           {"console", {"audit-service"}, "may act for users, not for"},
           {"console", {"console"}, "may act for users, not for"},
           {"console", {"clerk-zz-psb", "oversight-henan"}, "one user per call"},
           {"console", {std::string("clerk\xff", 6)}, "must be a principal's name"},
           {"console", {std::string(300, 'a')}, "must be a principal's name"},
       }) {
    SCOPED_TRACE(c.as + " acting for " + absl::StrJoin(c.acting_for, ","));
    grpc::Status s = get(c.as, c.acting_for);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(c.says));
  }
}

TEST_F(AuditServiceTest, LedgerProofsVerifyAndAHandEditedEntryIsDetected) {
  v1::ReportVersion v = Submit(Sample());
  v1::Audit audit = AwaitAudit(v.name());
  ASSERT_TRUE(Approve("reviewer-legality", audit, v1::LEGALITY).ok());
  auto stub = As("oversight-henan");
  absl::StatusOr<LedgerCheck> first =
      VerifyLedger(stub.get(), TestLedgerPublicKeyPem(), std::nullopt, true);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->checkpoint.size, 2u);
  EXPECT_EQ(first->entries_verified, 2);

  ASSERT_TRUE(Approve("reviewer-normativity", audit, v1::NORMATIVITY).ok());
  absl::StatusOr<LedgerCheck> second =
      VerifyLedger(stub.get(), TestLedgerPublicKeyPem(), first->checkpoint, true);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->checkpoint.size, 3u);

  // A checkpoint signed by another key is refused.
  auto other = CheckpointSigner::Generate();
  EXPECT_FALSE(VerifyLedger(stub.get(), other->PublicKeyPem(), std::nullopt, false).ok());
  // Clerks and reviewers do not read the ledger.
  EXPECT_EQ(VerifyLedger(As("clerk-zz-psb").get(), TestLedgerPublicKeyPem(), std::nullopt, false)
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);

  // Someone changes entry 1 (the legality approval) by hand in the database.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_.path() + "/audit.db").c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db,
                           "UPDATE ledger SET entry = CAST(replace(CAST(entry AS TEXT), "
                           "'reviewer-legality', 'reviewer-legalitx') AS BLOB) WHERE idx = 1",
                           nullptr, nullptr, &err),
              SQLITE_OK)
        << err;
    EXPECT_EQ(sqlite3_changes(db), 1);
    sqlite3_close(db);
  }
  absl::StatusOr<LedgerCheck> third =
      VerifyLedger(stub.get(), TestLedgerPublicKeyPem(), second->checkpoint, true);
  ASSERT_FALSE(third.ok());
  EXPECT_THAT(std::string(third.status().message()), HasSubstr("ledger entry 1 "));

  // The service noticed too: it served the entry as stored, and alarmed.
  EXPECT_EQ(LedgerHealth(), "NOT_SERVING");

  // A database writer rewriting the recorded leaf hash as well cannot make
  // the entry's signature: after a restart the service refuses the entry
  // and every checkpoint, naming it.
  std::string leaf;
  {
    absl::StatusOr<std::vector<audit::LedgerLeaf>> leaves = audit_->store()->ReadLedger(1, 1);
    ASSERT_TRUE(leaves.ok());
    leaf = LeafHash((*leaves)[0].entry);
    ExecSql(AuditDb(), "UPDATE ledger SET leaf_hash = ?1 WHERE idx = 1", {leaf});
  }
  audit_.reset();
  audit_ = std::make_unique<InProcessAuditServer>(AuditDb(), submit_.address(),
                                                  [this] { return Now(); });
  EXPECT_EQ(LedgerHealth(), "SERVING");
  absl::StatusOr<LedgerCheck> fourth = VerifyLedger(As("oversight-henan").get(),
                                                    TestLedgerPublicKeyPem(), second->checkpoint,
                                                    false);
  ASSERT_FALSE(fourth.ok());
  EXPECT_EQ(fourth.status().code(), absl::StatusCode::kDataLoss) << fourth.status();
  EXPECT_THAT(std::string(fourth.status().message()), HasSubstr("ledger entry 1 is refused"));
  EXPECT_EQ(LedgerHealth(), "NOT_SERVING");

  // The operator, who holds the ledger key, can re-sign it: then the
  // service signs a new tree, and only a client that kept a checkpoint
  // catches the rewrite (docs/ledger.md, what the ledger protects against).
  absl::StatusOr<std::string> sig = CheckpointSigner::FromPem(TestLedgerKeyPem())
                                        ->SignLedgerEntry("test/audit-ledger", 1, leaf);
  ASSERT_TRUE(sig.ok());
  ExecSql(AuditDb(), "UPDATE ledger SET signature = ?1 WHERE idx = 1", {*sig});
  audit_.reset();
  audit_ = std::make_unique<InProcessAuditServer>(AuditDb(), submit_.address(),
                                                  [this] { return Now(); });
  absl::StatusOr<LedgerCheck> fifth = VerifyLedger(As("oversight-henan").get(),
                                                   TestLedgerPublicKeyPem(), second->checkpoint,
                                                   false);
  ASSERT_FALSE(fifth.ok());
  EXPECT_THAT(std::string(fifth.status().message()), HasSubstr("not an extension"));
  EXPECT_TRUE(VerifyLedger(As("oversight-henan").get(), TestLedgerPublicKeyPem(), std::nullopt,
                           false)
                  .ok());  // a client with no earlier checkpoint: nothing to compare with
}

// Issue 12: a sign-off row changed from REJECT to APPROVE in the database
// (ledger untouched) is not served, does not clear the report, and is
// caught by the health check, the error log and `ledger verify --entries`.
TEST_F(AuditServiceTest, ASignOffChangedInTheDatabaseIsRefusedNotCleared) {
  v1::ReportVersion v = Submit(Sample());
  v1::Audit audit = AwaitAudit(v.name());
  ASSERT_TRUE(Approve("reviewer-normativity", audit, v1::NORMATIVITY).ok());
  ASSERT_TRUE(Approve("reviewer-confidentiality", audit, v1::CONFIDENTIALITY).ok());
  v1::SignOff rejected;
  ASSERT_TRUE(SignOff("reviewer-legality", audit, v1::REVIEW, v1::LEGALITY, v1::REJECT,
                      "第二部分引用的规章已废止", &rejected)
                  .ok());
  EXPECT_EQ(Status(v.name()).state(), v1::ReviewStatus::BLOCKED);
  auto oversight = As("oversight-henan");
  absl::StatusOr<LedgerCheck> before =
      VerifyLedger(oversight.get(), TestLedgerPublicKeyPem(), std::nullopt, true);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->entries_compared, 4);
  EXPECT_EQ(LedgerHealth(), "SERVING");

  // REJECT → APPROVE in the stored row.
  const std::string where = absl::StrCat("id = ", rejected.name().substr(rejected.name().rfind('/') + 1));
  v1::SignOff row;
  ASSERT_TRUE(row.ParseFromString(ReadBlob(AuditDb(), "sign_offs", "sign_off", where)));
  ASSERT_EQ(row.decision(), v1::REJECT);
  row.set_decision(v1::APPROVE);
  row.clear_reason();
  ExecSql(AuditDb(), "UPDATE sign_offs SET sign_off = ?1 WHERE " + where,
          {DeterministicBytes(row)});

  CapturedLog log;
  v1::ReviewStatus st;
  grpc::Status s = StatusCall(v.name(), &st);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DATA_LOSS) << st.DebugString();
  EXPECT_NE(st.state(), v1::ReviewStatus::CLEARED);
  EXPECT_THAT(s.error_message(), HasSubstr(rejected.name()));
  EXPECT_EQ(LedgerHealth(), "NOT_SERVING");
  // Nor listed, nor built upon: a new sign-off is refused.
  v1::ListSignOffsRequest list;
  list.set_parent(v.name());
  v1::ListSignOffsResponse listed;
  grpc::ClientContext lc;
  EXPECT_EQ(oversight->ListSignOffs(&lc, list, &listed).error_code(), grpc::StatusCode::DATA_LOSS);
  grpc::Status again = Approve("reviewer-normativity", audit, v1::NORMATIVITY);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::DATA_LOSS) << again.error_message();
  EXPECT_EQ(*audit_->store()->LedgerSize(), 4);

  absl::StatusOr<LedgerCheck> after =
      VerifyLedger(oversight.get(), TestLedgerPublicKeyPem(), before->checkpoint, true);
  ASSERT_FALSE(after.ok());
  EXPECT_THAT(std::string(after.status().message()),
              HasSubstr(absl::StrCat("ledger entry ", rejected.ledger_index())));
  const std::vector<std::string> lines = log.Lines();
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
    return absl::StrContains(l, "LEDGER CHECK FAILED");
  })) << absl::StrJoin(lines, "\n");
}

// Issue 12: removing an audit's findings from its row — even with its
// digest and counts made to agree — is not served.
TEST_F(AuditServiceTest, FindingsRemovedInTheDatabaseAreRefused) {
  v1::ReportVersion v = Submit(Sample());
  v1::Audit audit = AwaitAudit(v.name());
  ASSERT_GT(audit.findings_size(), 0);
  const std::string where = "agency_id = 'zz-psb' AND year = 2021 AND version = 1";
  v1::Audit row;
  ASSERT_TRUE(row.ParseFromString(ReadBlob(AuditDb(), "audits", "audit", where)));
  row.clear_findings();
  ExecSql(AuditDb(), "UPDATE audits SET audit = ?1 WHERE " + where, {DeterministicBytes(row)});
  v1::GetAuditRequest req;
  req.set_name(v.name() + "/audit");
  v1::Audit got;
  {
    grpc::ClientContext c;
    grpc::Status s = As("oversight-henan")->GetAudit(&c, req, &got);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::DATA_LOSS);
    EXPECT_THAT(s.error_message(), HasSubstr("findings"));
  }
  EXPECT_EQ(LedgerHealth(), "NOT_SERVING");

  // Digest and counts rewritten to match the empty findings: the audit no
  // longer remakes its ledger entry.
  row.set_findings_digest(audit::FindingsDigest(row.findings()));
  row.set_error_count(0);
  row.set_warning_count(0);
  row.set_info_count(0);
  ExecSql(AuditDb(), "UPDATE audits SET audit = ?1 WHERE " + where, {DeterministicBytes(row)});
  {
    grpc::ClientContext c;
    grpc::Status s = As("oversight-henan")->GetAudit(&c, req, &got);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::DATA_LOSS);
    EXPECT_THAT(s.error_message(), HasSubstr("ledger entry 0"));
  }
  v1::ReviewStatus st;
  EXPECT_EQ(StatusCall(v.name(), &st).error_code(), grpc::StatusCode::DATA_LOSS);
  absl::StatusOr<LedgerCheck> check =
      VerifyLedger(As("oversight-henan").get(), TestLedgerPublicKeyPem(), std::nullopt, true);
  ASSERT_FALSE(check.ok());
  EXPECT_THAT(std::string(check.status().message()), HasSubstr("ledger entry 0"));
}

// Issue 12: a rejection deleted from the database, or the sign-offs'
// order swapped, is caught: the records must be all of the version's
// entries, in ledger order.
TEST_F(AuditServiceTest, ASignOffDeletedOrReorderedInTheDatabaseIsRefused) {
  v1::ReportVersion v = Submit(Sample());
  v1::Audit audit = AwaitAudit(v.name());
  v1::SignOff approve, reject;
  ASSERT_TRUE(SignOff("reviewer-legality", audit, v1::REVIEW, v1::LEGALITY, v1::APPROVE, "",
                      &approve).ok());
  ASSERT_TRUE(SignOff("reviewer-legality", audit, v1::REVIEW, v1::LEGALITY, v1::REJECT, "有误",
                      &reject).ok());
  auto id = [](const v1::SignOff& s) { return s.name().substr(s.name().rfind('/') + 1); };
  // Swapped: the approval would become the reviewer's latest.
  const std::string a = ReadBlob(AuditDb(), "sign_offs", "sign_off", "id = " + id(approve));
  const std::string r = ReadBlob(AuditDb(), "sign_offs", "sign_off", "id = " + id(reject));
  ExecSql(AuditDb(), "UPDATE sign_offs SET sign_off = ?1 WHERE id = " + id(approve), {r});
  ExecSql(AuditDb(), "UPDATE sign_offs SET sign_off = ?1 WHERE id = " + id(reject), {a});
  v1::ReviewStatus st;
  grpc::Status s = StatusCall(v.name(), &st);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_THAT(s.error_message(), HasSubstr("ledger order"));
  // Deleted.
  ExecSql(AuditDb(), "UPDATE sign_offs SET sign_off = ?1 WHERE id = " + id(approve), {a});
  ExecSql(AuditDb(), "DELETE FROM sign_offs WHERE id = " + id(reject));
  s = StatusCall(v.name(), &st);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_THAT(s.error_message(),
              HasSubstr(absl::StrCat("ledger entry ", reject.ledger_index(), " (removed")));
  EXPECT_EQ(LedgerHealth(), "NOT_SERVING");
}

// Issue 12: an entry appended straight into the database, with a correct
// leaf hash, carries no signature of the ledger key: the service refuses it
// from every checkpoint, alarms, and serves no record until it is resolved;
// a copied signature does not help.
TEST_F(AuditServiceTest, AnEntryAppendedInTheDatabaseIsRefusedFromTheCheckpoint) {
  v1::ReportVersion v = Submit(Sample());
  v1::Audit audit = AwaitAudit(v.name());
  ASSERT_TRUE(Approve("reviewer-normativity", audit, v1::NORMATIVITY).ok());
  auto oversight = As("oversight-henan");
  absl::StatusOr<LedgerCheck> before =
      VerifyLedger(oversight.get(), TestLedgerPublicKeyPem(), std::nullopt, true);
  ASSERT_TRUE(before.ok()) << before.status();

  // A forged legality approval, as the service would have written it.
  v1::SignOff forged;
  forged.set_name(v.name() + "/signOffs/99");
  forged.set_version(v.name());
  forged.set_content_hash(audit.content_hash());
  forged.set_findings_digest(audit.findings_digest());
  forged.set_kind(v1::REVIEW);
  forged.set_review_kind(v1::LEGALITY);
  forged.set_decision(v1::APPROVE);
  forged.set_reviewer("reviewer-legality");
  const std::string entry = DeterministicBytes(audit::SignOffLedgerEntry(forged));
  const std::string copied = ReadBlob(AuditDb(), "ledger", "signature", "idx = 1");
  ExecSql(AuditDb(), "INSERT INTO ledger (idx, entry, leaf_hash, signature) VALUES (2, ?1, ?2, ?3)",
          {entry, LeafHash(entry), copied});
  forged.set_ledger_index(2);
  ExecSql(AuditDb(),
          "INSERT INTO sign_offs (id, agency_id, year, version, sign_off) "
          "VALUES (99, 'zz-psb', 2021, 1, ?1)",
          {DeterministicBytes(forged)});

  CapturedLog log;
  v1::SignedCheckpoint cp;
  grpc::ClientContext c;
  grpc::Status s = oversight->GetCheckpoint(&c, v1::GetCheckpointRequest(), &cp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_THAT(s.error_message(), HasSubstr("ledger entry 2 is refused"));
  EXPECT_EQ(LedgerHealth(), "NOT_SERVING");
  absl::StatusOr<LedgerCheck> after =
      VerifyLedger(oversight.get(), TestLedgerPublicKeyPem(), before->checkpoint, true);
  ASSERT_FALSE(after.ok());
  EXPECT_THAT(std::string(after.status().message()), HasSubstr("ledger entry 2"));
  v1::ReviewStatus st;
  EXPECT_EQ(StatusCall(v.name(), &st).error_code(), grpc::StatusCode::DATA_LOSS);
  const std::vector<std::string> lines = log.Lines();
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
    return absl::StrContains(l, "LEDGER CHECK FAILED") && absl::StrContains(l, "entry 2");
  })) << absl::StrJoin(lines, "\n");

  // Unsigned after a restart: refused the same.
  audit_.reset();
  ExecSql(AuditDb(), "UPDATE ledger SET signature = x'' WHERE idx = 2");
  audit_ = std::make_unique<InProcessAuditServer>(AuditDb(), submit_.address(),
                                                  [this] { return Now(); });
  grpc::ClientContext c2;
  s = As("oversight-henan")->GetCheckpoint(&c2, v1::GetCheckpointRequest(), &cp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_THAT(s.error_message(), HasSubstr("not signed"));
}

// A follower of a submit_service child process on a fixed port (so that it
// can be restarted under the follower), recording its health changes.
class FollowerHealthTest : public ::testing::Test {
 protected:
  FollowerHealthTest()
      : port_(FreePort()),
        submit_(std::make_unique<ChildSubmitServer>(dir_.path() + "/submit.db", port_)) {}

  void StartFollower(absl::Duration unhealthy_after) {
    absl::StatusOr<std::unique_ptr<audit::Store>> store =
        audit::OpenStore("sqlite:" + dir_.path() + "/audit.db");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ledger_ = std::make_unique<audit::Ledger>(
        store_.get(), *CheckpointSigner::FromPem(TestLedgerKeyPem()), "test/audit-ledger");
    follower_ = std::make_unique<audit::Follower>(ChannelAs(submit_->address(), "audit-service"),
                                                  store_.get(), &DevPolicy(), [] {});
    follower_->SetHealthCallback(
        [this](bool ok) {
          std::lock_guard<std::mutex> lock(mu_);
          changes_.push_back(ok);
        },
        unhealthy_after);
    follower_->Start();
  }
  void RestartSubmit() {
    submit_ = std::make_unique<ChildSubmitServer>(dir_.path() + "/submit.db", port_);
  }
  std::vector<bool> Seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return changes_;
  }
  // Submits version `n` of the sample report and waits (20 s at most) until
  // the follower has stored its audit: proof that it followed the feed up
  // to there.
  void SubmitAndAwaitAudit(int n) {
    auto clerk = SubmitStubAs(submit_->address(), "clerk-zz-psb");
    v1::CreateVersionRequest req;
    req.set_parent("agencies/zz-psb/reports/2021");
    *req.mutable_report() = SampleReport();
    req.mutable_report()->set_other_matters(absl::StrCat("修订 ", n));
    req.set_request_id(absl::StrCat("await-", n));
    req.set_expected_latest_version(n - 1);
    v1::CreateVersionResponse resp;
    grpc::ClientContext c;
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ASSERT_TRUE(clerk->CreateVersion(&c, req, &resp).ok());
    for (int i = 0; i < 400 && !store_->GetAudit("zz-psb", 2021, n).ok(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(store_->GetAudit("zz-psb", 2021, n).ok()) << "version " << n << " not audited";
  }
  // The changes once they are `want`, or as they are after 20 s.
  std::vector<bool> WaitFor(const std::vector<bool>& want) {
    for (int i = 0; i < 400 && Seen() != want; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return Seen();
  }

  TempDir dir_;
  const int port_;
  std::unique_ptr<ChildSubmitServer> submit_;
  std::mutex mu_;
  std::vector<bool> changes_;
  std::unique_ptr<audit::Store> store_;
  std::unique_ptr<audit::Ledger> ledger_;  // the store's entry signer
  // Destroyed (stopped) first: before the store and what its callback uses.
  std::unique_ptr<audit::Follower> follower_;
};

// The follower's health (audit_service's main shows it as the health
// service kFollowerHealthService): unhealthy once submit_service has been
// unreachable for the threshold, healthy again as soon as the feed is open
// with nothing left to audit; never flips while the feed is merely idle.
TEST_F(FollowerHealthTest, UnhealthyWhileSubmitServiceIsDownHealthyWhenItReturns) {
  StartFollower(absl::Milliseconds(300));
  // An idle feed is not a failure.
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  EXPECT_EQ(Seen(), std::vector<bool>{});

  ASSERT_EQ(submit_->Terminate(), 0);
  EXPECT_EQ(WaitFor({false}), std::vector<bool>{false});

  RestartSubmit();
  EXPECT_EQ(WaitFor({false, true}), (std::vector<bool>{false, true}));
  follower_->Stop();
}

// A feed that was idle (caught up) and breaks for a moment — a
// submit_service restart — is not an outage since the last audit: no flip.
TEST_F(FollowerHealthTest, ShortBreakOfAnIdleFeedLeavesHealthAlone) {
  StartFollower(absl::Seconds(3));
  // Idle for longer than the threshold, then a quick restart.
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  submit_->Kill9();
  RestartSubmit();
  // The follower is back on the feed (it audits a new version) and never
  // turned unhealthy on the way.
  SubmitAndAwaitAudit(1);
  follower_->Stop();
  EXPECT_EQ(Seen(), std::vector<bool>{});
}

// A store that hangs while versions wait (here SQLite, locked by another
// connection) turns the follower unhealthy without waiting for the store to
// give up (its busy timeout is 5 s), and healthy again once audits are stored.
TEST_F(FollowerHealthTest, UnhealthyWhileVersionsWaitUnstored) {
  CapturedLog log;
  StartFollower(absl::Milliseconds(300));
  std::this_thread::sleep_for(std::chrono::milliseconds(800));  // open and caught up
  EXPECT_EQ(Seen(), std::vector<bool>{});

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() + "/audit.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto clerk = SubmitStubAs(submit_->address(), "clerk-zz-psb");
  v1::CreateVersionRequest req;
  req.set_parent("agencies/zz-psb/reports/2021");
  *req.mutable_report() = SampleReport();
  req.set_request_id("watchdog-1");
  v1::CreateVersionResponse resp;
  grpc::ClientContext c;
  c.set_deadline(In(10));
  ASSERT_TRUE(clerk->CreateVersion(&c, req, &resp).ok());
  EXPECT_EQ(WaitFor({false}), std::vector<bool>{false});

  ASSERT_EQ(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(WaitFor({false, true}), (std::vector<bool>{false, true}));
  follower_->Stop();
  // The watchdog's verdict, before the store's own error could come.
  const std::vector<std::string> lines = log.Lines();
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
    return absl::StrContains(l, "none stored");
  })) << absl::StrJoin(lines, "\n");
  EXPECT_TRUE(store_->GetAudit("zz-psb", 2021, 1).ok());
}

}  // namespace
}  // namespace disclosure::testing
