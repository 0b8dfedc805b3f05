// The console's pages in a real browser: Debian's headless Chromium
// (tests/browser.h) in front of a real console, submit_service and
// audit_service, each user with the real client certificate of the
// development CA. Screenshots of each page are written to
// build/artifacts/screenshots/ (DISCLOSURE_ARTIFACTS_DIR).
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/base/file.h"
#include "core/base/sha256.h"
#include "core/ledger/checkpoint.h"
#include "core/report/export.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/audit_env.h"
#include "tests/browser.h"
#include "tests/captured_log.h"
#include "tests/console_env.h"
#include "tests/service_env.h"

namespace disclosure::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

#define ASSERT_OK(expr)                                 \
  do {                                                  \
    const absl::Status _s = (expr);                     \
    ASSERT_TRUE(_s.ok()) << #expr << ": " << _s;        \
  } while (0)

std::string Artifact(const std::string& name) {
  const std::string dir = std::string(DISCLOSURE_ARTIFACTS_DIR) + "/screenshots";
  std::system(("mkdir -p " + dir).c_str());
  return dir + "/" + name;
}

// One user's browser: Chromium and the relay that presents the user's
// certificate to the console.
struct Browser {
  std::unique_ptr<CertRelay> relay;
  std::unique_ptr<Chromium> page;
  std::string origin;
};

class BrowserTest : public ::testing::Test {
 protected:
  BrowserTest()
      : submit_(dir_.path() + "/submit.db"),
        audit_(dir_.path() + "/audit.db", submit_.address()),
        console_(submit_.address(), audit_.address(), absl::Seconds(1)) {}

  // `principal` "" is a browser without a certificate.
  Browser Open(const std::string& principal) {
    const std::string certs = DevCerts().dir;
    Browser b;
    b.relay = std::make_unique<CertRelay>(
        console_.port(), certs + "/ca.crt", certs + "/server.crt", certs + "/server.key",
        principal.empty() ? "" : certs + "/" + principal + ".crt",
        principal.empty() ? "" : certs + "/" + principal + ".key");
    b.origin = b.relay->origin();
    const std::string profile = absl::StrCat(dir_.path(), "/chromium-", ++browsers_);
    std::system(("mkdir -p " + profile).c_str());
    absl::StatusOr<std::string> spki = SpkiHash(certs + "/server.crt");
    EXPECT_TRUE(spki.ok()) << spki.status();
    absl::StatusOr<std::unique_ptr<Chromium>> page = Chromium::Start(profile, spki.value_or(""));
    EXPECT_TRUE(page.ok()) << page.status();
    if (page.ok()) b.page = *std::move(page);
    return b;
  }

  // Submits `report` for zz-psb 2021 as its clerk (the report's version
  // `latest` + 1) and waits for its audit.
  std::string Submit(const v1::Report& report, const std::string& request_id, int64_t latest = 0) {
    auto stub = SubmitStubAs(submit_.address(), "clerk-zz-psb");
    v1::CreateVersionRequest req;
    req.set_parent("agencies/zz-psb/reports/2021");
    *req.mutable_report() = report;
    req.set_request_id(request_id);
    req.set_expected_latest_version(latest);
    v1::CreateVersionResponse resp;
    grpc::ClientContext c;
    const grpc::Status s = stub->CreateVersion(&c, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    const std::string version = resp.version().name();
    EXPECT_TRUE(AuditOf(version).has_value()) << version << " was not audited within 10 s";
    return version;
  }

  std::optional<v1::Audit> AuditOf(const std::string& version) {
    return AwaitAudit(audit_.address(), version);
  }

  v1::ReviewStatus StatusOf(const std::string& version) {
    v1::GetReviewStatusRequest req;
    req.set_name(version + "/reviewStatus");
    v1::ReviewStatus st;
    grpc::ClientContext c;
    EXPECT_TRUE(AuditStubAs(audit_.address(), "oversight-henan")->GetReviewStatus(&c, req, &st).ok());
    return st;
  }

  TempDir dir_;
  InProcessSubmitServer submit_;
  InProcessAuditServer audit_;
  InProcessConsole console_;
  int browsers_ = 0;
};

// What the page shows of the agencies: "id:state" in row order.
constexpr char kRows[] =
    "[...document.querySelectorAll('#agencies tbody tr')].map(tr => tr.dataset.agency + ':' + "
    "tr.dataset.state).join(',')";

TEST_F(BrowserTest, TheRegionPageOfHenanListsTheRegistrysAgenciesWithTheirStatesAndCounts) {
  const std::string version = Submit(SampleReport(), "browser-overview");
  // What the service says of the region, row by row.
  v1::ListAgencyStatesRequest req;
  req.set_parent("regions/41/years/2021");
  req.set_page_size(500);
  v1::ListAgencyStatesResponse resp;
  grpc::ClientContext c;
  ASSERT_TRUE(AuditStubAs(audit_.address(), "oversight-henan")->ListAgencyStates(&c, req, &resp).ok());
  std::vector<std::string> expected;
  int not_submitted = 0;
  for (const v1::AgencyStatus& a : resp.agencies()) {
    const std::string state = v1::ReportState_Name(a.state());
    expected.push_back(a.agency().id() + ":" + state);
    not_submitted += state == "NOT_SUBMITTED";
  }
  ASSERT_EQ(resp.agencies_size(), 4);  // the four 河南 agencies of deploy/dev/agencies.textproto
  ASSERT_EQ(not_submitted, 3);

  Browser b = Open("oversight-henan");
  ASSERT_TRUE(b.page);
  ASSERT_OK(b.page->Navigate(b.origin + "/?region=41&year=2021"));
  ASSERT_OK(b.page->WaitFor("document.body.dataset.loaded === 'true'"));
  EXPECT_EQ(b.page->Evaluate(kRows).value_or(""), absl::StrJoin(expected, ","));
  EXPECT_THAT(b.page->Evaluate("document.body.innerText").value_or(""),
              AllOf(HasSubstr("郑州市公安局"), HasSubstr("洛阳市公安局"), Not(HasSubstr("武汉市公安局"))));
  EXPECT_EQ(b.page->Evaluate("document.querySelector('.count[data-state=NOT_SUBMITTED] .n').textContent")
                .value_or(""),
            "3");
  EXPECT_EQ(b.page->Evaluate("document.querySelector('#user').textContent").value_or(""), "oversight-henan");
  // The report's link and the chart, drawn by the Chart.js the console serves.
  EXPECT_EQ(b.page->Evaluate("document.querySelector('tr[data-agency=zz-psb] a[href^=\"/report\"]').textContent")
                .value_or(""),
            version);
  EXPECT_EQ(b.page->Evaluate("typeof window.Chart").value_or(""), "function");
  // The most frequent rules, as GetRegionSummary counts them.
  v1::GetRegionSummaryRequest sreq;
  sreq.set_name("regions/41/years/2021");
  v1::RegionSummary summary;
  grpc::ClientContext sc;
  ASSERT_TRUE(AuditStubAs(audit_.address(), "oversight-henan")->GetRegionSummary(&sc, sreq, &summary).ok());
  ASSERT_GT(summary.most_frequent_rules_size(), 0);
  std::vector<std::string> rules;
  for (const v1::RuleCount& r : summary.most_frequent_rules()) rules.push_back(absl::StrCat(r.rule_id(), ":", r.count()));
  EXPECT_EQ(b.page->Evaluate("[...document.querySelectorAll('#rules li')].map(li => li.dataset.rule + ':' + "
                             "li.querySelector('.n').textContent).join()")
                .value_or(""),
            absl::StrJoin(rules, ","));
  ASSERT_OK(b.page->Screenshot(Artifact("overview.png")));
}

TEST_F(BrowserTest, TheRegionPageUpdatesLiveWhenAReportIsAudited) {
  Browser b = Open("oversight-zhengzhou");
  ASSERT_TRUE(b.page);
  ASSERT_OK(b.page->Navigate(b.origin + "/?region=4101&year=2021"));
  ASSERT_OK(b.page->WaitFor("document.body.dataset.loaded === 'true'"));
  EXPECT_THAT(b.page->Evaluate(kRows).value_or(""), HasSubstr("zz-psb:NOT_SUBMITTED"));
  Submit(SampleReport(), "browser-live");
  // No reload: the event stream tells the page.
  ASSERT_OK(b.page->WaitFor("!document.querySelector('tr[data-agency=zz-psb][data-state=NOT_SUBMITTED]')"));
  EXPECT_THAT(b.page->Evaluate(kRows).value_or(""), HasSubstr("zz-psb:AWAITING_REVIEW"));
}

TEST_F(BrowserTest, AReportWithABrokenSumShowsTheBalanceFindingAtItsTableRowsAndColumn) {
  // 87 received instead of 86 (the prose says so too): 一 + 二 ≠ （七） + 四
  // in the 自然人 and 总计 columns.
  v1::Report r = SampleReport();
  r.mutable_requests()->mutable_received()->set_natural_person(
      r.requests().received().natural_person() + 1);
  r.mutable_requests()->mutable_received()->set_total(r.requests().received().total() + 1);
  const std::string version = Submit(r, "browser-t3bal");
  std::optional<v1::Audit> audit = AuditOf(version);
  ASSERT_TRUE(audit);
  int balance = -1;
  for (int i = 0; i < audit->findings_size(); ++i) {
    if (audit->findings(i).rule_id() == "T3-BAL" && audit->findings(i).location().column() == "natural_person") {
      balance = i;
    }
  }
  ASSERT_GE(balance, 0) << audit->DebugString();

  Browser b = Open("reviewer-legality");
  ASSERT_TRUE(b.page);
  ASSERT_OK(b.page->Navigate(b.origin + "/report?version=" + version));
  ASSERT_OK(b.page->WaitFor("document.body.dataset.loaded === 'true'"));
  // The finding in the list, with its Chinese message and its addends.
  const std::string item = absl::StrCat("document.getElementById('finding-", balance, "')");
  EXPECT_THAT(b.page->Evaluate(item + ".textContent").value_or(""),
              AllOf(HasSubstr("T3-BAL"), HasSubstr("三 / 自然人"), HasSubstr("第一项加第二项之和为"),
                    HasSubstr("加数："), HasSubstr("一、本年新收政府信息公开申请数量 87")));
  // And at table 三, in the 自然人 column, at each of the four rows it adds.
  for (const char* row : {"received", "carried_over_from_previous_year", "outcomes.total",
                          "carried_over_to_next_year"}) {
    const std::string cell = absl::StrCat("document.querySelector('table[data-table=\"三\"] td[data-field=\"requests.",
                                          row, ".natural_person\"]')");
    EXPECT_EQ(b.page->Evaluate(cell + ".classList.contains('has-finding')").value_or(""), "true") << row;
    EXPECT_EQ(b.page->Evaluate(absl::StrCat(cell, ".querySelector('a[href=\"#finding-", balance,
                                            "\"]') !== null"))
                  .value_or(""),
              "true")
        << row;
  }
  // Table 三's group rows, where their rows begin.
  EXPECT_EQ(b.page->Evaluate("[...document.querySelectorAll('table[data-table=\"三\"] tr.group')]"
                             ".map(tr => tr.textContent).join('|')")
                .value_or(""),
            "三、本年度办理结果|（三）不予公开|（四）无法提供|（五）不予处理|（六）其他处理");
  // The prose still says 86 received: that finding marks its words.
  EXPECT_THAT(b.page->Evaluate("[...document.querySelectorAll('[data-part=overview] mark.span-finding')]"
                               ".map(m => m.textContent).join('|')")
                  .value_or(""),
              HasSubstr("86"));
  // Not in another column of those rows.
  EXPECT_EQ(b.page->Evaluate("document.querySelector('td[data-field=\"requests.received.commercial_enterprise\"]')"
                             ".classList.contains('has-finding')")
                .value_or(""),
            "false");
  ASSERT_OK(b.page->Evaluate("document.querySelector('table[data-table=\"三\"]').scrollIntoView()").status());
  ASSERT_OK(b.page->Screenshot(Artifact("report-t3-bal.png")));
}

TEST_F(BrowserTest, AnApprovalMadeThroughThePageIsWhatTheServiceAndTheLedgerShow) {
  const std::string version = Submit(SampleReport(), "browser-approval");
  std::optional<v1::Audit> audit = AuditOf(version);
  ASSERT_TRUE(audit);
  Browser b = Open("reviewer-legality");
  ASSERT_TRUE(b.page);
  ASSERT_OK(b.page->Navigate(b.origin + "/report?version=" + version));
  ASSERT_OK(b.page->WaitFor("document.body.dataset.loaded === 'true'"));
  // The page shows what it will sign.
  EXPECT_EQ(b.page->Evaluate("document.getElementById('sign-hash').textContent").value_or(""),
            audit->content_hash());
  EXPECT_EQ(b.page->Evaluate("document.getElementById('sign-digest').textContent").value_or(""),
            audit->findings_digest());
  ASSERT_OK(b.page->Screenshot(Artifact("review.png")));
  ASSERT_OK(b.page->Evaluate("document.getElementById('review-kind').value = 'LEGALITY'").status());
  ASSERT_OK(b.page->Evaluate("document.getElementById('decision').value = 'APPROVE'").status());
  ASSERT_OK(b.page->Evaluate("document.querySelector('#review-form button[type=submit]').click()").status());
  ASSERT_OK(b.page->WaitFor("document.getElementById('review-message').textContent.startsWith('已签署')"));

  // The service: legality approved by the user, through the console.
  v1::ListSignOffsRequest req;
  req.set_parent(version);
  v1::ListSignOffsResponse resp;
  grpc::ClientContext c;
  ASSERT_TRUE(AuditStubAs(audit_.address(), "oversight-henan")->ListSignOffs(&c, req, &resp).ok());
  ASSERT_EQ(resp.sign_offs_size(), 1);
  const v1::SignOff& s = resp.sign_offs(0);
  EXPECT_EQ(s.reviewer(), "reviewer-legality");
  EXPECT_EQ(s.console(), "console");
  EXPECT_EQ(s.review_kind(), v1::LEGALITY);
  EXPECT_EQ(s.decision(), v1::APPROVE);
  EXPECT_EQ(s.content_hash(), audit->content_hash());
  EXPECT_EQ(s.findings_digest(), audit->findings_digest());
  const v1::ReviewStatus st = StatusOf(version);
  EXPECT_EQ(st.blockers_size(), 2) << st.DebugString();
  for (const std::string& blocker : st.blockers()) EXPECT_THAT(blocker, Not(HasSubstr("合法性")));
  // The ledger: the sign-off's entry names the user and the console.
  v1::GetCheckpointRequest creq;
  v1::SignedCheckpoint checkpoint;
  grpc::ClientContext c2;
  auto stub = AuditStubAs(audit_.address(), "oversight-henan");
  ASSERT_TRUE(stub->GetCheckpoint(&c2, creq, &checkpoint).ok());
  const std::vector<std::string> lines = absl::StrSplit(checkpoint.body(), '\n');
  v1::GetInclusionProofRequest preq;
  preq.set_index(s.ledger_index());
  preq.set_tree_size(std::stoll(lines[1]));
  v1::InclusionProof proof;
  grpc::ClientContext c3;
  ASSERT_TRUE(stub->GetInclusionProof(&c3, preq, &proof).ok());
  v1::LedgerEntry entry;
  ASSERT_TRUE(entry.ParseFromString(proof.entry()));
  EXPECT_EQ(entry.sign_off().reviewer(), "reviewer-legality");
  EXPECT_EQ(entry.sign_off().console(), "console");
  EXPECT_EQ(entry.sign_off().decision(), v1::APPROVE);
  // And the page says so after reloading.
  ASSERT_OK(b.page->WaitFor("document.body.dataset.loaded === 'true' && "
                            "document.getElementById('status').textContent.indexOf('合法性') < 0"));
}

// A user who may not read the report, one who may not read the region, and
// a browser without a certificate: an error and no data.
TEST_F(BrowserTest, UsersWithoutTheRoleAndBrowsersWithoutACertificateSeeNoData) {
  v1::Report r = SampleReport();
  r.set_overview("只在本机关可见的概述文字");
  const std::string version = Submit(r, "browser-refusals");
  {
    Browser b = Open("oversight-hubei");
    ASSERT_TRUE(b.page);
    ASSERT_OK(b.page->Navigate(b.origin + "/?region=41&year=2021"));
    ASSERT_OK(b.page->WaitFor("document.body.dataset.loaded === 'error'"));
    EXPECT_EQ(b.page->Evaluate("document.querySelectorAll('#agencies tbody tr').length").value_or(""), "0");
    EXPECT_THAT(b.page->Evaluate("document.body.innerText").value_or(""),
                AllOf(HasSubstr("无法显示"), Not(HasSubstr("郑州市公安局"))));
    ASSERT_OK(b.page->Navigate(b.origin + "/report?version=" + version));
    ASSERT_OK(b.page->WaitFor("document.body.dataset.loaded === 'error'"));
    EXPECT_THAT(b.page->Evaluate("document.body.innerText").value_or(""),
                AllOf(HasSubstr("无法显示"), Not(HasSubstr("只在本机关可见"))));
  }
  {
    Browser b = Open("clerk-ly-psb");
    ASSERT_TRUE(b.page);
    ASSERT_OK(b.page->Navigate(b.origin + "/report?version=" + version));
    ASSERT_OK(b.page->WaitFor("document.body.dataset.loaded === 'error'"));
    EXPECT_THAT(b.page->Evaluate("document.body.innerText").value_or(""),
                AllOf(HasSubstr("无法显示"), Not(HasSubstr("只在本机关可见")), Not(HasSubstr(SampleReport().title()))));
    ASSERT_OK(b.page->Screenshot(Artifact("report-refused.png")));
  }
  {
    Browser b = Open("");
    ASSERT_TRUE(b.page);
    for (const std::string& path : std::vector<std::string>{"/?region=41&year=2021", "/report?version=" + version,
                                   "/api/regions/41/years/2021/agencies", "/api/" + version}) {
      ASSERT_OK(b.page->Navigate(b.origin + path));
      ASSERT_OK(b.page->WaitFor("document.readyState === 'complete'"));
      EXPECT_THAT(b.page->Evaluate("document.body.innerText").value_or(""),
                  AllOf(HasSubstr("需要数字证书"), Not(HasSubstr("zz-psb")), Not(HasSubstr("只在本机关可见"))))
          << path;
    }
    ASSERT_OK(b.page->Screenshot(Artifact("no-certificate.png")));
  }
}

// A page of another site, open in the reviewer's browser, posting to the
// console (the browser adds the reviewer's certificate): refused, nothing
// signed.
TEST_F(BrowserTest, AForgedCrossSitePostIsRefused) {
  const std::string version = Submit(SampleReport(), "browser-csrf");
  std::optional<v1::Audit> audit = AuditOf(version);
  ASSERT_TRUE(audit);
  Browser b = Open("reviewer-legality");
  ASSERT_TRUE(b.page);
  const std::string target = absl::StrCat(b.origin, "/api/", version, "/signOffs");
  const std::string body = absl::StrCat(
      "{\"kind\": \"REVIEW\", \"review_kind\": \"LEGALITY\", \"decision\": \"APPROVE\", \"content_hash\": \"",
      audit->content_hash(), "\", \"findings_digest\": \"", audit->findings_digest(), "\"}");
  // The other site: a script's POST (text/plain needs no preflight) and a
  // form posted by the page itself.
  httplib::Server evil;
  const std::string page = absl::StrCat(
      "<!DOCTYPE html><html><body><form id=f method=post enctype=text/plain action=\"", target,
      "\"><input name='{\"x\":\"' value='\"}'></form><script>"
      "fetch('", target, "', {method: 'POST', mode: 'no-cors', credentials: 'include', body: ",
      console::JsonQuote(body),
      ", headers: {'Content-Type': 'text/plain'}}).finally(() => { document.title = 'sent'; "
      "document.getElementById('f').submit(); });</script></body></html>");
  evil.Get("/", [&page](const httplib::Request&, httplib::Response& res) { res.set_content(page, "text/html"); });
  const int evil_port = evil.bind_to_any_port("127.0.0.1");
  std::thread serving([&evil] { evil.listen_after_bind(); });
  CapturedLog log;
  ASSERT_OK(b.page->Navigate(absl::StrCat("http://127.0.0.1:", evil_port, "/")));
  // The form's navigation lands on the console's refusal.
  ASSERT_OK(b.page->WaitFor("location.href.indexOf('/signOffs') > 0 && document.readyState === 'complete'"));
  EXPECT_THAT(b.page->Evaluate("document.body.innerText").value_or(""), HasSubstr("跨站"));
  evil.stop();
  serving.join();
  // Both POSTs reached the console, as the reviewer, and were refused.
  int refused = 0;
  for (const std::string& line : log.Lines()) {
    if (line.find("method=\"POST\"") != std::string::npos && line.find("signOffs") != std::string::npos) {
      EXPECT_THAT(line, AllOf(HasSubstr("user=\"reviewer-legality\""), HasSubstr("code=403"))) << line;
      ++refused;
    }
  }
  EXPECT_EQ(refused, 2);
  EXPECT_EQ(StatusOf(version).blockers_size(), 3);
}

TEST_F(BrowserTest, ANarrativeHoldingMarkupIsShownAsText) {
  v1::Report r = SampleReport();
  const std::string hostile =
      "<script>window.injected = 1</script><img src=x onerror=\"window.injected = 2\"><b>粗体</b>";
  r.set_other_matters(hostile);
  r.set_title(r.title() + "<i>题</i>");
  const std::string version = Submit(r, "browser-markup");
  Browser b = Open("oversight-henan");
  ASSERT_TRUE(b.page);
  ASSERT_OK(b.page->Navigate(b.origin + "/report?version=" + version));
  ASSERT_OK(b.page->WaitFor("document.body.dataset.loaded === 'true'"));
  EXPECT_EQ(b.page->Evaluate("typeof window.injected").value_or(""), "undefined");
  EXPECT_EQ(b.page->Evaluate("document.querySelector('[data-part=other_matters] .narrative').textContent")
                .value_or(""),
            hostile);
  EXPECT_EQ(b.page->Evaluate("document.querySelectorAll('#parts script, #parts img, #parts b, #title i').length")
                .value_or(""),
            "0");
  EXPECT_THAT(b.page->Evaluate("document.getElementById('title').textContent").value_or(""), HasSubstr("<i>题</i>"));
}


// The ledger page verifies a report's entries in the browser, and a
// checkpoint it is served that was tampered with, or that a holder of the
// ledger key signed over a rewritten history, is an alarm; the honest
// checkpoint after them is consistent with the one the browser kept.
TEST_F(BrowserTest, TheLedgerPageVerifiesTheEntriesAndDetectsATamperedCheckpoint) {
  const std::string version = Submit(SampleReport(), "browser-ledger");
  std::optional<v1::Audit> audit = AuditOf(version);
  ASSERT_TRUE(audit);
  {
    v1::CreateSignOffRequest req;
    *req.mutable_sign_off() = ReviewOf(*audit, v1::LEGALITY, v1::APPROVE);
    v1::SignOff out;
    grpc::ClientContext c;
    ASSERT_TRUE(AuditStubAs(audit_.address(), "reviewer-legality")->CreateSignOff(&c, req, &out).ok());
  }
  Browser b = Open("oversight-henan");
  ASSERT_TRUE(b.page);
  const std::string url = b.origin + "/ledger?version=" + version;
  ASSERT_OK(b.page->Navigate(url));
  ASSERT_OK(b.page->WaitFor("document.body.dataset.loaded === 'true'"));
  EXPECT_EQ(b.page->Evaluate("document.body.dataset.alarm").value_or(""), "false")
      << b.page->Evaluate("document.body.innerText").value_or("");
  // The audit's entry and the sign-off's, each signed, included and this version's.
  EXPECT_EQ(b.page->Evaluate("[...document.querySelectorAll('#entries tbody tr')].map(tr => tr.className).join()")
                .value_or(""),
            "ok,ok");
  EXPECT_THAT(b.page->Evaluate("document.querySelector('#entries tbody').innerText").value_or(""),
              AllOf(HasSubstr("合法性审查 通过"), HasSubstr("reviewer-legality")));
  EXPECT_THAT(b.page->Evaluate("document.getElementById('cp-consistency').textContent").value_or(""),
              HasSubstr("首次保存"));
  ASSERT_OK(b.page->Screenshot(Artifact("ledger.png")));

  // The ledger grows by the audit of a second version.
  v1::Report second = SampleReport();
  second.set_other_matters("第二版。");
  Submit(second, "browser-ledger-2", 1);
  auto honest = console_.Browser("oversight-henan")->Get("/api/ledger/checkpoint");
  ASSERT_TRUE(honest && honest->status == 200);
  v1::SignedCheckpoint real;
  ASSERT_OK(FromJson(honest->body, &real));
  absl::StatusOr<Checkpoint> cp = ParseCheckpointBody(real.body());
  ASSERT_OK(cp.status());

  // 1. The root changed, the signature kept.
  Checkpoint changed = *cp;
  changed.root[0] ^= 1;
  v1::SignedCheckpoint tampered = real;
  tampered.set_body(CheckpointBody(changed));
  const std::string tampered_json = ToJson(tampered);
  ASSERT_OK(b.page->Intercept("*/api/ledger/checkpoint*", [&](const std::string&) { return tampered_json; }));
  ASSERT_OK(b.page->Navigate(url));
  ASSERT_OK(b.page->WaitFor("document.body.dataset.loaded === 'true'"));
  EXPECT_EQ(b.page->Evaluate("document.body.dataset.alarm").value_or(""), "true");
  EXPECT_THAT(b.page->Evaluate("document.getElementById('alarm').textContent").value_or(""),
              HasSubstr("检查点签名无效"));
  ASSERT_OK(b.page->Screenshot(Artifact("ledger-alarm.png")));

  // 2. Signed with the ledger key, but of another history: what only an
  // operator holding the key can serve, and only the witness catches.
  absl::StatusOr<CheckpointSigner> signer = CheckpointSigner::FromPem(TestLedgerKeyPem());
  ASSERT_OK(signer.status());
  v1::SignedCheckpoint forged;
  forged.set_body(CheckpointBody(changed));
  forged.set_signature(signer->Sign(forged.body()).value_or(""));
  const std::string forged_json = ToJson(forged);
  ASSERT_OK(b.page->Intercept("*/api/ledger/checkpoint*", [&](const std::string&) { return forged_json; }));
  ASSERT_OK(b.page->Navigate(url));
  ASSERT_OK(b.page->WaitFor("document.body.dataset.loaded === 'true'"));
  EXPECT_EQ(b.page->Evaluate("document.body.dataset.alarm").value_or(""), "true");
  EXPECT_THAT(b.page->Evaluate("document.getElementById('alarm').textContent").value_or(""),
              AllOf(HasSubstr("不一致"), Not(HasSubstr("签名无效"))));

  // 3. The honest checkpoint: consistent with the one kept before the forgeries.
  ASSERT_OK(b.page->StopIntercepting());
  ASSERT_OK(b.page->Navigate(url));
  ASSERT_OK(b.page->WaitFor("document.body.dataset.loaded === 'true'"));
  EXPECT_EQ(b.page->Evaluate("document.body.dataset.alarm").value_or(""), "false")
      << b.page->Evaluate("document.body.innerText").value_or("");
  EXPECT_THAT(b.page->Evaluate("document.getElementById('cp-consistency').textContent").value_or(""),
              HasSubstr("一致"));
  EXPECT_EQ(b.page->Evaluate("document.getElementById('cp-size').textContent").value_or(""),
            std::to_string(cp->size));
}

// A clerk brings the report as a PDF: the page reads it, shows what the
// importer noticed and the dry run's findings on the report as read; the
// clerk submits, and lands on the version's audit.
TEST_F(BrowserTest, AClerkUploadsThePdfSeesTheDryRunAndSubmitsIt) {
  Browser b = Open("clerk-zz-psb");
  ASSERT_TRUE(b.page);
  ASSERT_OK(b.page->Navigate(b.origin + "/submit"));
  ASSERT_OK(b.page->WaitFor("document.body.dataset.loaded === 'true'"));
  ASSERT_OK(b.page->SetInputFile("#document", std::string(DISCLOSURE_TESTDOCS) + "/report.pdf"));
  ASSERT_OK(b.page->Evaluate("document.getElementById('import').click()").status());
  ASSERT_OK(b.page->WaitFor("document.body.dataset.imported === 'true'", absl::Seconds(30)));
  EXPECT_THAT(b.page->Evaluate("document.getElementById('summary').textContent").value_or(""),
              HasSubstr("读取格式：pdf"));
  EXPECT_EQ(b.page->Evaluate("document.getElementById('title').textContent").value_or(""), SampleReport().title());
  EXPECT_EQ(b.page->Evaluate("document.getElementById('year').value").value_or(""), "2021");
  // The report as read, laid out: table 三's first cell is the sample's.
  EXPECT_EQ(b.page->Evaluate("document.querySelector('td[data-field=\"requests.received.natural_person\"]').textContent")
                .value_or(""),
            std::to_string(SampleReport().requests().received().natural_person()));
  ASSERT_OK(b.page->Screenshot(Artifact("submit.png")));
  ASSERT_OK(b.page->Evaluate("document.getElementById('agency').value = 'zz-psb'").status());
  ASSERT_OK(b.page->Evaluate("document.getElementById('submit').click()").status());
  ASSERT_OK(b.page->WaitFor("location.pathname === '/report' && document.body.dataset.loaded === 'true'",
                            absl::Seconds(30)));
  EXPECT_EQ(b.page->Evaluate("new URLSearchParams(location.search).get('version')").value_or(""),
            "agencies/zz-psb/reports/2021/versions/1");
  // The stored version is the clerk's, with the figures of the PDF.
  v1::GetVersionRequest req;
  req.set_name("agencies/zz-psb/reports/2021/versions/1");
  req.set_view(v1::VERSION_VIEW_FULL);
  v1::ReportVersion v;
  grpc::ClientContext c;
  ASSERT_TRUE(SubmitStubAs(submit_.address(), "clerk-zz-psb")->GetVersion(&c, req, &v).ok());
  EXPECT_EQ(v.submitter(), "clerk-zz-psb");
  EXPECT_EQ(v.report().import_record().format(), "pdf");
  EXPECT_EQ(v.report().requests().received().total(), SampleReport().requests().received().total());
  EXPECT_EQ(v.report().appeals().DebugString(), SampleReport().appeals().DebugString());
  // With the PDF as its published document, which the audit finds agrees.
  absl::StatusOr<std::string> pdf = ReadFileToString(std::string(DISCLOSURE_TESTDOCS) + "/report.pdf");
  ASSERT_TRUE(pdf.ok());
  EXPECT_EQ(v.report().published_document().sha256(), Sha256Hex(*pdf));
  EXPECT_EQ(v.report().published_document().media_type(), "application/pdf");
  std::optional<v1::Audit> audit = AuditOf(v.name());
  ASSERT_TRUE(audit);
  for (const v1::Finding& f : audit->findings()) EXPECT_NE(f.rule_id().rfind("DOC-", 0), 0u) << f.DebugString();
}

// The report page shows the same agency's previous year in each cell.
TEST_F(BrowserTest, TheReportPageShowsThePreviousYearBesideEachCell) {
  Submit(SampleReport(), "browser-2021");
  v1::Report next = SampleReport();
  next.set_year(2022);
  next.set_title("郑州市公安局 2022 年政府信息公开工作年度报告");
  auto stub = SubmitStubAs(submit_.address(), "clerk-zz-psb");
  v1::CreateVersionRequest req;
  req.set_parent("agencies/zz-psb/reports/2022");
  *req.mutable_report() = next;
  req.set_request_id("browser-2022");
  v1::CreateVersionResponse resp;
  grpc::ClientContext c;
  const grpc::Status created = stub->CreateVersion(&c, req, &resp);
  ASSERT_TRUE(created.ok()) << created.error_message();
  ASSERT_TRUE(AuditOf(resp.version().name()));
  Browser b = Open("oversight-henan");
  ASSERT_TRUE(b.page);
  ASSERT_OK(b.page->Navigate(b.origin + "/report?version=" + resp.version().name()));
  ASSERT_OK(b.page->WaitFor("document.body.dataset.loaded === 'true'"));
  EXPECT_EQ(b.page->Evaluate("document.querySelector('td[data-field=\"requests.received.natural_person\"] .previous')"
                             ".textContent")
                .value_or(""),
            absl::StrCat("上年 ", SampleReport().requests().received().natural_person()));
  EXPECT_THAT(b.page->Evaluate("document.getElementById('previous').textContent").value_or(""),
              HasSubstr("agencies/zz-psb/reports/2021/versions/1"));
}

// Anyone with a file downloaded from a government site: the page hashes it
// in the browser, finds the version it was published with and verifies
// that version's bundle itself.
TEST_F(BrowserTest, ThePublishedFileIsCheckedInTheBrowserAgainstItsReviews) {
  const std::string pdf = std::string(DISCLOSURE_TESTDOCS) + "/report.pdf";
  absl::StatusOr<std::string> bytes = ReadFileToString(pdf);
  ASSERT_TRUE(bytes.ok());
  auto stub = SubmitStubAs(submit_.address(), "clerk-zz-psb");
  v1::CreateVersionRequest req;
  req.set_parent("agencies/zz-psb/reports/2021");
  *req.mutable_report() = SampleReport();
  req.set_document(*bytes);
  req.set_request_id("browser-check");
  v1::CreateVersionResponse created;
  grpc::ClientContext c;
  ASSERT_TRUE(stub->CreateVersion(&c, req, &created).ok());
  std::optional<v1::Audit> audit = AuditOf(created.version().name());
  ASSERT_TRUE(audit);
  Browser b = Open("oversight-henan");
  ASSERT_TRUE(b.page);
  auto check = [&](const std::string& file) {
    EXPECT_TRUE(b.page->Navigate(b.origin + "/check").ok());
    EXPECT_TRUE(b.page->WaitFor("document.body.dataset.loaded === 'true'").ok());
    EXPECT_TRUE(b.page->SetInputFile("#file", file).ok());
    EXPECT_TRUE(b.page->Evaluate("document.getElementById('check').click()").ok());
    EXPECT_TRUE(b.page->WaitFor("!!document.body.dataset.verdict").ok());
    return b.page->Evaluate("document.body.dataset.verdict").value_or("");
  };
  // Not yet reviewed: found, not cleared, and why.
  EXPECT_EQ(check(pdf), "not-cleared");
  EXPECT_THAT(b.page->Evaluate("document.getElementById('results').innerText").value_or(""),
              HasSubstr("尚缺合法性审查"));
  for (const auto& [reviewer, kind] : std::vector<std::pair<std::string, v1::ReviewKind>>{
           {"reviewer-legality", v1::LEGALITY},
           {"reviewer-normativity", v1::NORMATIVITY},
           {"reviewer-confidentiality", v1::CONFIDENTIALITY}}) {
    v1::CreateSignOffRequest sreq;
    *sreq.mutable_sign_off() = ReviewOf(*audit, kind, v1::APPROVE);
    v1::SignOff out;
    grpc::ClientContext sc;
    ASSERT_TRUE(AuditStubAs(audit_.address(), reviewer)->CreateSignOff(&sc, sreq, &out).ok());
  }
  // Cleared: whose, which year, who reviewed.
  EXPECT_EQ(check(pdf), "cleared");
  EXPECT_THAT(b.page->Evaluate("document.getElementById('results').innerText").value_or(""),
              AllOf(HasSubstr("此文件是经三项审查通过的发布版本"), HasSubstr("郑州市公安局（zz-psb）"),
                    HasSubstr("2021"), HasSubstr("保密性审查 通过 · reviewer-confidentiality"),
                    HasSubstr("✓ 发布文件：与审查的文件逐字节相同")));
  EXPECT_EQ(b.page->Evaluate("document.getElementById('sha256').textContent").value_or(""), Sha256Hex(*bytes));
  ASSERT_OK(b.page->Screenshot(Artifact("check.png")));
  // A newer version of the report (another file): the first file is no
  // longer the one to publish, which its bundle alone cannot say.
  v1::CreateVersionRequest next = req;
  next.set_document("第二版的发布文件。\n");
  next.set_request_id("browser-check-2");
  next.set_expected_latest_version(1);
  v1::CreateVersionResponse second;
  grpc::ClientContext c2;
  ASSERT_TRUE(stub->CreateVersion(&c2, next, &second).ok());
  ASSERT_TRUE(AuditOf(second.version().name()));
  EXPECT_EQ(check(pdf), "not-cleared");
  EXPECT_THAT(b.page->Evaluate("document.getElementById('results').innerText").value_or(""),
              HasSubstr("已有更新的版本"));
  // One byte changed: no version was published with it.
  std::string changed = *bytes;
  changed[changed.size() / 3] ^= 1;
  const std::string changed_path = dir_.path() + "/changed.pdf";
  ASSERT_TRUE(WriteFileAtomically(changed_path, changed).ok());
  EXPECT_EQ(check(changed_path), "unknown");
  EXPECT_THAT(b.page->Evaluate("document.getElementById('message').textContent").value_or(""),
              HasSubstr("不是经审查的发布文件"));
  // A user who may not read the report learns nothing of it.
  Browser other = Open("oversight-hubei");
  ASSERT_TRUE(other.page);
  ASSERT_OK(other.page->Navigate(other.origin + "/check"));
  ASSERT_OK(other.page->WaitFor("document.body.dataset.loaded === 'true'"));
  ASSERT_OK(other.page->SetInputFile("#file", pdf));
  ASSERT_OK(other.page->Evaluate("document.getElementById('check').click()").status());
  ASSERT_OK(other.page->WaitFor("!!document.body.dataset.verdict"));
  EXPECT_EQ(other.page->Evaluate("document.body.dataset.verdict").value_or(""), "unknown");
  EXPECT_THAT(other.page->Evaluate("document.body.innerText").value_or(""), Not(HasSubstr("郑州")));
}

}  // namespace
}  // namespace disclosure::testing
