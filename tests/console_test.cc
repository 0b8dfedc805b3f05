// The console (console/) over real HTTPS with real client certificates, in
// front of a real submit_service and audit_service: identity from the
// browser's certificate, the user's roles applied by the services, CSRF on
// state-changing requests, the security headers. (The pages in a real
// browser: docs/console.md, to come.)
#include <chrono>
#include <memory>
#include <string>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "console/api.h"
#include "console/server.h"
#include "core/base/file.h"
#include "core/report/export.h"
#include "core/report/template.h"
#include "core/rpc/client_channel.h"
#include "core/rpc/rpc_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/audit_env.h"
#include "tests/console_env.h"
#include "tests/service_env.h"

namespace disclosure::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ConsoleTest : public ::testing::Test {
 protected:
  ConsoleTest()
      : submit_(dir_.path() + "/submit.db"),
        audit_(dir_.path() + "/audit.db", submit_.address()),
        // A closed stream is noticed within a second.
        console_(submit_.address(), audit_.address(), absl::Seconds(1)) {}

  std::unique_ptr<httplib::SSLClient> Browser(const std::string& principal) {
    return console_.Browser(principal);
  }

  // Submits the sample as clerk-zz-psb and waits for its audit.
  std::string SubmitSampleAndAwaitAudit() {
    auto stub = SubmitStubAs(submit_.address(), "clerk-zz-psb");
    v1::CreateVersionRequest req;
    req.set_parent("agencies/zz-psb/reports/2021");
    *req.mutable_report() = SampleReport();
    req.set_request_id("console-test");
    v1::CreateVersionResponse resp;
    grpc::ClientContext c;
    EXPECT_TRUE(stub->CreateVersion(&c, req, &resp).ok());
    const std::string version = resp.version().name();
    auto browser = Browser("reviewer-legality");
    for (int i = 0; i < 200; ++i) {
      auto r = browser->Get(("/api/" + version + "/audit").c_str());
      if (r && r->status == 200) return version;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << version << " was not audited within 10 s";
    return version;
  }

  TempDir dir_;
  InProcessSubmitServer submit_;
  InProcessAuditServer audit_;
  InProcessConsole console_;
};

TEST_F(ConsoleTest, ABrowserWithoutACertificateGetsAnErrorPageAndNoData) {
  SubmitSampleAndAwaitAudit();
  auto anonymous = Browser("");
  for (const char* path : {"/", "/api/session", "/api/regions/41/years/2021/agencies",
                           "/api/agencies/zz-psb/reports/2021/versions/1/audit", "/static/app.js"}) {
    SCOPED_TRACE(path);
    auto r = anonymous->Get(path);
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 403);
    EXPECT_THAT(r->body, HasSubstr("需要数字证书"));
    EXPECT_THAT(r->body, Not(HasSubstr("zz-psb")));
    EXPECT_THAT(r->body, Not(HasSubstr("郑州")));
  }
  auto post = anonymous->Post("/api/agencies/zz-psb/reports/2021/versions/1/signOffs", "{}",
                              "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 403);
}

TEST_F(ConsoleTest, TheRegionOfHenanListsTheRegistrysAgenciesWithTheirStates) {
  const std::string version = SubmitSampleAndAwaitAudit();
  auto r = Browser("oversight-henan")->Get("/api/regions/41/years/2021/agencies");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  v1::ListAgencyStatesResponse got;
  ASSERT_TRUE(FromJson(r->body, &got).ok()) << r->body;
  // What the service answers oversight-henan directly, every page.
  v1::ListAgencyStatesResponse want;
  v1::ListAgencyStatesRequest req;
  req.set_parent("regions/41/years/2021");
  do {
    v1::ListAgencyStatesResponse page;
    grpc::ClientContext c;
    ASSERT_TRUE(AuditStubAs(audit_.address(), "oversight-henan")->ListAgencyStates(&c, req, &page).ok());
    for (const auto& a : page.agencies()) *want.add_agencies() = a;
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  ASSERT_GT(want.agencies_size(), 1);
  ASSERT_EQ(got.agencies_size(), want.agencies_size());
  int submitted = 0;
  for (int i = 0; i < want.agencies_size(); ++i) {
    EXPECT_EQ(got.agencies(i).agency().id(), want.agencies(i).agency().id());
    EXPECT_EQ(got.agencies(i).state(), want.agencies(i).state());
    EXPECT_THAT(got.agencies(i).agency().region_code(), ::testing::StartsWith("41"));
    if (got.agencies(i).agency().id() == "zz-psb") {
      ++submitted;
      EXPECT_EQ(got.agencies(i).latest_version(), version);
      EXPECT_EQ(got.agencies(i).state(), v1::AWAITING_REVIEW);
    } else {
      EXPECT_EQ(got.agencies(i).state(), v1::NOT_SUBMITTED);
    }
  }
  EXPECT_EQ(submitted, 1);
  // The same as CSV, one line per agency after the header.
  auto csv = Browser("oversight-henan")->Get("/api/regions/41/years/2021/agencies.csv");
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->status, 200);
  EXPECT_THAT(csv->get_header_value("Content-Type"), HasSubstr("text/csv"));
  EXPECT_THAT(csv->body, HasSubstr("\"zz-psb\",\"郑州市公安局\",\"410100\",\"待审核\""));
  EXPECT_EQ(std::count(csv->body.begin(), csv->body.end(), '\n'), want.agencies_size() + 1);
}

TEST_F(ConsoleTest, UsersOfAnotherRegionOrAgencySeeNoData) {
  const std::string version = SubmitSampleAndAwaitAudit();
  auto hubei = Browser("oversight-hubei")->Get("/api/regions/41/years/2021/agencies");
  ASSERT_TRUE(hubei);
  EXPECT_EQ(hubei->status, 403);
  EXPECT_THAT(hubei->body, HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(hubei->body, Not(HasSubstr("zz-psb")));
  for (const char* what : {"", "/audit", "/reviewStatus"}) {
    auto other = Browser("clerk-ly-psb")->Get(("/api/" + version + what).c_str());
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 403) << what;
    EXPECT_THAT(other->body, Not(HasSubstr("郑州市公安局"))) << what;
  }
  // A certificate with no role: the services refuse it too.
  auto nobody = Browser("nobody")->Get(("/api/" + version + "/audit").c_str());
  ASSERT_TRUE(nobody);
  EXPECT_EQ(nobody->status, 403);
  // Its own agency's clerk reads it.
  auto own = Browser("clerk-zz-psb")->Get(("/api/" + version).c_str());
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 200);
  EXPECT_THAT(own->body, HasSubstr("郑州市公安局"));
}

TEST_F(ConsoleTest, ASignOffNeedsTheUsersCsrfTokenAndIsTheUsersNamingTheConsole) {
  const std::string version = SubmitSampleAndAwaitAudit();
  auto reviewer = Browser("reviewer-legality");
  auto audit_reply = reviewer->Get(("/api/" + version + "/audit").c_str());
  ASSERT_TRUE(audit_reply);
  v1::Audit audit;
  ASSERT_TRUE(FromJson(audit_reply->body, &audit).ok());
  v1::SignOff s = ReviewOf(audit, v1::LEGALITY, v1::APPROVE);
  const std::string body = ToJson(s);
  const std::string path = "/api/" + version + "/signOffs";
  auto token_of = [&](const std::string& principal) {
    auto r = Browser(principal)->Get("/api/session");
    EXPECT_TRUE(r && r->status == 200);
    v1::SignOff unused;
    const std::string key = "\"csrf_token\": \"";
    size_t at = r->body.find(key);
    EXPECT_NE(at, std::string::npos) << r->body;
    EXPECT_THAT(r->body, HasSubstr("\"principal\": \"" + principal + "\""));
    return r->body.substr(at + key.size(), 64);
  };
  const std::string mine = token_of("reviewer-legality"), theirs = token_of("oversight-henan");
  ASSERT_NE(mine, theirs);
  auto post = [&](httplib::Headers headers) {
    auto r = reviewer->Post(path.c_str(), headers, body, "application/json");
    EXPECT_TRUE(r);
    return r;
  };
  // A forged cross-site POST: no token, another user's token, a foreign
  // origin, a cross-site fetch — refused, nothing signed.
  EXPECT_EQ(post({})->status, 403);
  EXPECT_EQ(post({{"X-CSRF-Token", theirs}})->status, 403);
  EXPECT_EQ(post({{"X-CSRF-Token", mine}, {"Origin", "https://evil.example"}})->status, 403);
  EXPECT_EQ(post({{"X-CSRF-Token", mine}, {"Sec-Fetch-Site", "cross-site"}})->status, 403);
  EXPECT_THAT(post({})->body, HasSubstr("CSRF"));
  {
    v1::ReviewStatus st;
    v1::GetReviewStatusRequest req;
    req.set_name(version + "/reviewStatus");
    grpc::ClientContext c;
    ASSERT_TRUE(AuditStubAs(audit_.address(), "oversight-henan")->GetReviewStatus(&c, req, &st).ok());
    EXPECT_EQ(st.blockers_size(), 3) << "a refused POST signed something";
  }
  // The user's own token: signed, as the user, through the console.
  auto ok = post({{"X-CSRF-Token", mine}, {"Origin", absl::StrCat("https://127.0.0.1:", console_.port())},
                  {"Sec-Fetch-Site", "same-origin"}});
  ASSERT_EQ(ok->status, 200) << ok->body;
  v1::SignOff signed_off;
  ASSERT_TRUE(FromJson(ok->body, &signed_off).ok());
  EXPECT_EQ(signed_off.reviewer(), "reviewer-legality");
  EXPECT_EQ(signed_off.console(), "console");
  // What GetReviewStatus then shows: legality approved, two reviews missing.
  v1::ReviewStatus st;
  v1::GetReviewStatusRequest req;
  req.set_name(version + "/reviewStatus");
  grpc::ClientContext c;
  ASSERT_TRUE(AuditStubAs(audit_.address(), "oversight-henan")->GetReviewStatus(&c, req, &st).ok());
  EXPECT_EQ(st.blockers_size(), 2);
  // A retry with the same X-Request-Id answers the first sign-off; nothing
  // is signed twice.
  auto first = reviewer->Post(path.c_str(), {{"X-CSRF-Token", mine}, {"X-Request-Id", "page-1"}}, body,
                              "application/json");
  auto retry = reviewer->Post(path.c_str(), {{"X-CSRF-Token", mine}, {"X-Request-Id", "page-1"}}, body,
                              "application/json");
  ASSERT_TRUE(first && retry);
  ASSERT_EQ(first->status, 200) << first->body;
  ASSERT_EQ(retry->status, 200) << retry->body;
  v1::SignOff a, b;
  ASSERT_TRUE(FromJson(first->body, &a).ok() && FromJson(retry->body, &b).ok());
  EXPECT_EQ(a.name(), b.name());
  EXPECT_EQ(a.ledger_index(), b.ledger_index());
  EXPECT_NE(a.name(), signed_off.name());  // a new request id is a new sign-off
  // The user's roles decide: the normativity review is not theirs.
  v1::SignOff other = s;
  other.set_review_kind(v1::NORMATIVITY);
  auto refused = reviewer->Post(path.c_str(), {{"X-CSRF-Token", mine}}, ToJson(other), "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_THAT(refused->body, HasSubstr("PERMISSION_DENIED"));
}

// A stream of the region's events read by a "browser" on a thread of its
// own, until `stop`.
class EventReader {
 public:
  EventReader(std::unique_ptr<httplib::SSLClient> browser, std::string path,
              std::string last_event_id = "")
      : browser_(std::move(browser)) {
    thread_ = std::thread([this, path, last_event_id] {
      httplib::Headers headers;
      if (!last_event_id.empty()) headers.emplace("Last-Event-ID", last_event_id);
      auto r = browser_->Get(
          path.c_str(), headers,
          [this](const httplib::Response& res) {
            std::lock_guard<std::mutex> lock(mu_);
            status_ = res.status;
            return true;
          },
          [this](const char* data, size_t n) {
            std::lock_guard<std::mutex> lock(mu_);
            text_.append(data, n);
            return !stop_;
          });
      std::lock_guard<std::mutex> lock(mu_);
      if (r) {
        status_ = r->status;
        text_ += r->body;
      }
      done_ = true;
    });
  }
  ~EventReader() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    thread_.join();
  }
  // Waits (up to 10 s) until the stream holds `needle`, or has ended.
  bool WaitFor(const std::string& needle) {
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (absl::StrContains(text_, needle)) return true;
        if (done_) return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  std::string text() {
    std::lock_guard<std::mutex> lock(mu_);
    return text_;
  }
  int status() {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

 private:
  std::unique_ptr<httplib::SSLClient> browser_;
  std::thread thread_;
  std::mutex mu_;
  std::string text_;
  int status_ = 0;
  bool stop_ = false, done_ = false;
};

// The overview updates live from the event stream; a browser that
// reconnects with the last event's id gets what came after it, not again
// what it had.
TEST_F(ConsoleTest, TheEventStreamIsLiveAndResumesAfterTheLastEvent) {
  std::string first_id;
  {
    EventReader live(Browser("oversight-henan"), "/api/regions/41/events");
    ASSERT_TRUE(live.WaitFor(": open")) << live.status() << " " << live.text();
    EXPECT_EQ(live.status(), 200);
    const std::string version = SubmitSampleAndAwaitAudit();
    ASSERT_TRUE(live.WaitFor("VERSION_AUDITED")) << live.text();
    const std::string text = live.text();
    EXPECT_THAT(text, HasSubstr("event: audit\ndata: {"));
    EXPECT_THAT(text, HasSubstr(version));
    size_t at = text.find("id: ");
    ASSERT_NE(at, std::string::npos);
    first_id = text.substr(at + 4, text.find('\n', at) - at - 4);
  }
  // An approval after the first event, seen by a reconnected stream.
  {
    v1::GetAuditRequest req;
    req.set_name("agencies/zz-psb/reports/2021/versions/1/audit");
    v1::Audit audit;
    grpc::ClientContext c;
    ASSERT_TRUE(AuditStubAs(audit_.address(), "reviewer-legality")->GetAudit(&c, req, &audit).ok());
    v1::CreateSignOffRequest sreq;
    *sreq.mutable_sign_off() = ReviewOf(audit, v1::LEGALITY, v1::APPROVE);
    v1::SignOff out;
    grpc::ClientContext sc;
    ASSERT_TRUE(AuditStubAs(audit_.address(), "reviewer-legality")->CreateSignOff(&sc, sreq, &out).ok());
  }
  EventReader resumed(Browser("oversight-henan"), "/api/regions/41/events", first_id);
  ASSERT_TRUE(resumed.WaitFor("SIGNED_OFF")) << resumed.text();
  EXPECT_THAT(resumed.text(), Not(HasSubstr("VERSION_AUDITED")));
  EXPECT_THAT(resumed.text(), Not(HasSubstr("id: " + first_id + "\n")));
}

TEST_F(ConsoleTest, EventStreamsAreTheUsersAndCappedPerUser) {
  // Another province's office is refused before any event.
  auto hubei = Browser("oversight-hubei")->Get("/api/regions/41/events");
  ASSERT_TRUE(hubei);
  EXPECT_EQ(hubei->status, 403);
  EXPECT_THAT(hubei->body, HasSubstr("PERMISSION_DENIED"));
  // A user holds at most kMaxStreamsPerUser streams; another user is not
  // held up by them.
  std::vector<std::unique_ptr<EventReader>> open;
  for (int i = 0; i < console::kMaxStreamsPerUser; ++i) {
    open.push_back(std::make_unique<EventReader>(Browser("oversight-henan"), "/api/regions/41/events"));
    ASSERT_TRUE(open.back()->WaitFor(": open"));
  }
  auto refused = Browser("oversight-henan")->Get("/api/regions/41/events");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EventReader other(Browser("oversight-zhengzhou"), "/api/regions/4101/events");
  EXPECT_TRUE(other.WaitFor(": open")) << other.status() << " " << other.text();
  auto page = Browser("oversight-henan")->Get("/api/regions/41/years/2021/agencies");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
}

// Certificates the console must not trust, or must not let through: one
// of another CA fails the handshake; the console's own is not a user; a
// user whose name is Chinese (UTF-8 in the certificate) reaches the
// services, which decide (here: no role), and the console keeps serving.
TEST_F(ConsoleTest, CertificatesOfAnotherCaOfTheConsoleAndWithChineseNames) {
  const std::string other = DevCerts().other_dir;
  httplib::SSLClient foreign("127.0.0.1", console_.port(), other + "/clerk-zz-psb.crt",
                             other + "/clerk-zz-psb.key");
  foreign.set_ca_cert_path((DevCerts().dir + "/ca.crt").c_str());
  foreign.enable_server_certificate_verification(true);
  auto refused = foreign.Get("/api/session");
  EXPECT_FALSE(refused) << "a certificate of another CA was served, status " << refused->status;

  auto console = Browser("console")->Get("/api/regions/41/years/2021/agencies");
  ASSERT_TRUE(console);
  EXPECT_EQ(console->status, 403);
  EXPECT_THAT(console->body, HasSubstr("PERMISSION_DENIED"));

  // 张三, signed by the development CA.
  const std::string dir = dir_.path(), ca = DevCerts().dir;
  const std::string cmd = absl::StrCat(
      "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -utf8 -subj '/CN=张三' -keyout ",
      dir, "/zs.key -out ", dir, "/zs.csr 2>/dev/null && printf 'extendedKeyUsage=clientAuth\\n' > ", dir,
      "/zs.ext && openssl x509 -req -in ", dir, "/zs.csr -CA ", ca, "/ca.crt -CAkey ", ca,
      "/ca.key -CAcreateserial -days 1 -extfile ", dir, "/zs.ext -out ", dir, "/zs.crt 2>/dev/null");
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  httplib::SSLClient zhang("127.0.0.1", console_.port(), dir + "/zs.crt", dir + "/zs.key");
  zhang.set_ca_cert_path((ca + "/ca.crt").c_str());
  zhang.enable_server_certificate_verification(true);
  auto session = zhang.Get("/api/session");
  ASSERT_TRUE(session);
  EXPECT_THAT(session->body, HasSubstr("\"principal\": \"张三\""));
  auto list = zhang.Get("/api/regions/41/years/2021/agencies");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 403);
  EXPECT_THAT(list->body, HasSubstr("张三"));
  auto still = Browser("oversight-henan")->Get("/api/regions/41/years/2021/agencies");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);
}

// Bodies only of a stated length and as JSON; the API only for the
// console's own pages; the refusals carry the security headers too.
TEST_F(ConsoleTest, RequestsTheConsoleRefusesBeforeCallingAnything) {
  const std::string version = SubmitSampleAndAwaitAudit();
  auto reviewer = Browser("reviewer-legality");
  const std::string path = "/api/" + version + "/signOffs";
  // A chunked body (no length): refused before it is read.
  const std::string chunked = console_.Exchange(
      "reviewer-legality",
      absl::StrCat("POST ", path, " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n",
                   "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));
  EXPECT_THAT(chunked, HasSubstr("HTTP/1.1 415 "));
  EXPECT_THAT(chunked, HasSubstr("\r\nContent-Security-Policy: default-src 'none'"));
  EXPECT_THAT(chunked, HasSubstr("\r\nX-Content-Type-Options: nosniff"));
  const std::string gzip = console_.Exchange(
      "reviewer-legality",
      absl::StrCat("POST ", path, " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n",
                   "Content-Encoding: gzip\r\nContent-Length: 2\r\n\r\nxx"));
  EXPECT_THAT(gzip, HasSubstr("HTTP/1.1 415 "));
  // Too large for its route: refused on its Content-Length, before any of
  // it is read (so none is sent here).
  const std::string big = console_.Exchange(
      "reviewer-legality",
      absl::StrCat("POST ", path, " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n",
                   "Content-Length: ", console::kMaxRequestBytes + 1, "\r\n\r\n"));
  EXPECT_THAT(big, AllOf(HasSubstr("HTTP/1.1 413 "), HasSubstr("1 MiB")));
  const std::string big_upload = console_.Exchange(
      "reviewer-legality",
      absl::StrCat("POST /api/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n",
                   "Content-Length: ", console::kMaxUploadBytes + 1, "\r\n\r\n"));
  EXPECT_THAT(big_upload, AllOf(HasSubstr("HTTP/1.1 413 "), HasSubstr("32 MiB")));
  // A form (what a foreign page can post without script) is not JSON.
  const std::string token = InProcessConsole::CsrfToken(reviewer.get());
  auto form = reviewer->Post(path.c_str(), {{"X-CSRF-Token", token}}, "a=b",
                             "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 415);
  // A listing asked for by another site's page.
  auto cross = Browser("oversight-henan")->Get("/api/regions/41/years/2021/agencies",
                                               {{"Sec-Fetch-Site", "cross-site"}});
  ASSERT_TRUE(cross);
  EXPECT_EQ(cross->status, 403);
  EXPECT_THAT(cross->body, Not(HasSubstr("zz-psb")));
  // The refusals and the error page carry the headers.
  for (const httplib::Result* r : {&form, &cross}) {
    EXPECT_THAT((*r)->get_header_value("Content-Security-Policy"), HasSubstr("default-src 'none'"));
    EXPECT_EQ((*r)->get_header_value("X-Content-Type-Options"), "nosniff");
  }
  auto page = Browser("")->Get("/");
  ASSERT_TRUE(page);
  EXPECT_THAT(page->get_header_value("Content-Security-Policy"), HasSubstr("default-src 'none'"));
  // Nothing was signed.
  v1::ReviewStatus st;
  v1::GetReviewStatusRequest req;
  req.set_name(version + "/reviewStatus");
  grpc::ClientContext c;
  ASSERT_TRUE(AuditStubAs(audit_.address(), "oversight-henan")->GetReviewStatus(&c, req, &st).ok());
  EXPECT_EQ(st.blockers_size(), 3);
}

// A clerk's document: read in a child process (reportctl) and dry-run as
// the clerk; only from the console's pages; then the version created as
// the clerk, through the console, for the clerk's own agency only.
TEST_F(ConsoleTest, AClerksDocumentIsReadDryRunAndSubmittedAsTheClerk) {
  auto clerk = Browser("clerk-zz-psb");
  const std::string token = InProcessConsole::CsrfToken(clerk.get());
  ASSERT_FALSE(token.empty());
  absl::StatusOr<std::string> pdf = ReadFileToString(DISCLOSURE_SAMPLES "/hongze-district-gov-2024.pdf");
  ASSERT_TRUE(pdf.ok());
  auto read = clerk->Post("/api/import?format=auto", {{"X-CSRF-Token", token}}, *pdf, "application/octet-stream");
  ASSERT_TRUE(read);
  ASSERT_EQ(read->status, 200) << read->body;
  EXPECT_THAT(read->body, AllOf(HasSubstr("\"format\": \"pdf\""), HasSubstr("\"diagnostics\""),
                                HasSubstr("\"findings_digest\": \"sha256:")));
  // Refused: no token; a form; a damaged PDF (the importer's own words); a
  // page with no report.
  auto no_token = clerk->Post("/api/import", *pdf, "application/octet-stream");
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 403);
  auto form = clerk->Post("/api/import", {{"X-CSRF-Token", token}}, "a=b", "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 415);
  auto damaged = clerk->Post("/api/import", {{"X-CSRF-Token", token}}, pdf->substr(0, 2000),
                             "application/octet-stream");
  ASSERT_TRUE(damaged);
  EXPECT_EQ(damaged->status, 400) << damaged->body;
  EXPECT_THAT(damaged->body, AllOf(HasSubstr("INVALID_ARGUMENT"), HasSubstr("PDF"), Not(HasSubstr("/tmp/"))));
  auto prose = clerk->Post("/api/import", {{"X-CSRF-Token", token}}, "一段话。", "application/octet-stream");
  ASSERT_TRUE(prose);
  EXPECT_EQ(prose->status, 400) << prose->body;
  auto format = clerk->Post("/api/import?format=xls", {{"X-CSRF-Token", token}}, *pdf, "application/octet-stream");
  ASSERT_TRUE(format);
  EXPECT_EQ(format->status, 400);

  // Submitted through the console: the clerk's version of the sample.
  const std::string body = absl::StrCat("{\"report\": ", ToJson(SampleReport()), "}");
  auto created = clerk->Post("/api/agencies/zz-psb/reports/2021/versions",
                             {{"X-CSRF-Token", token}, {"X-Request-Id", "console-create-1"}}, body,
                             "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  EXPECT_THAT(created->body, AllOf(HasSubstr("agencies/zz-psb/reports/2021/versions/1"),
                                   HasSubstr("\"submitter\": \"clerk-zz-psb\"")));
  // Another agency's clerk, with a valid token of their own: refused by the service.
  auto other = Browser("clerk-ly-psb");
  const std::string other_token = InProcessConsole::CsrfToken(other.get());
  auto foreign = other->Post("/api/agencies/zz-psb/reports/2021/versions", {{"X-CSRF-Token", other_token}},
                             body, "application/json");
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 403) << foreign->body;
  auto listed = clerk->Get("/api/agencies/zz-psb/reports/2021/versions");
  ASSERT_TRUE(listed);
  EXPECT_THAT(listed->body, Not(HasSubstr("versions/2")));
}

// One upload at a time per user (each may hold a core for a minute), and
// one that runs past the console's limit is stopped and said so.
TEST(ConsoleImportLimits, OneImportAtATimePerUserAndTheTimeLimit) {
  TempDir dir;
  InProcessSubmitServer submit(dir.path() + "/submit.db");
  InProcessAuditServer audit(dir.path() + "/audit.db", submit.address());
  ChildImportLimits limits;
  limits.max_time = absl::Seconds(3);
  InProcessConsole console(submit.address(), audit.address(), console::kStreamSlice, limits);
  absl::StatusOr<std::string> scan = ReadFileToString(DISCLOSURE_TESTDOCS "/report-scan.pdf");
  ASSERT_TRUE(scan.ok());
  auto clerk = console.Browser("clerk-zz-psb");
  const std::string token = InProcessConsole::CsrfToken(clerk.get());
  int slow_status = 0;
  std::string slow_body;
  std::thread first([&] {
    auto r = clerk->Post("/api/import", {{"X-CSRF-Token", token}}, *scan, "application/octet-stream");
    if (r) {
      slow_status = r->status;
      slow_body = r->body;
    }
  });
  // While the scan is read (OCR): the same user's second upload is refused,
  // another user's is read.
  // (Until the first is under way: before it is, the second is read.)
  auto again = console.Browser("clerk-zz-psb");
  int second = 0;
  std::string second_body;
  for (int i = 0; i < 25 && second != 429; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto r = again->Post("/api/import", {{"X-CSRF-Token", token}}, "一段话。", "application/octet-stream");
    ASSERT_TRUE(r);
    second = r->status;
    second_body = r->body;
  }
  EXPECT_EQ(second, 429);
  EXPECT_THAT(second_body, HasSubstr("您已有一个文档正在读取"));
  auto other = console.Browser("clerk-ly-psb");
  auto third = other->Post("/api/import", {{"X-CSRF-Token", InProcessConsole::CsrfToken(other.get())}}, "一段话。",
                           "application/octet-stream");
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 400) << third->body;  // read (and refused: it is no report)
  first.join();
  EXPECT_EQ(slow_status, 413) << slow_body;
  EXPECT_THAT(slow_body, HasSubstr("3 秒"));
  // The slot is free again.
  auto after = again->Post("/api/import", {{"X-CSRF-Token", token}}, "一段话。", "application/octet-stream");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 400);
}

// The report page and what it lays out: every cell of the three tables
// with its template labels and field path, in the template's order.
TEST_F(ConsoleTest, TheReportPageAndTheTemplateItLaysOut) {
  auto browser = Browser("reviewer-legality");
  auto page = browser->Get("/report");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("src=\"/static/report.js\""));
  EXPECT_THAT(page->get_header_value("Content-Security-Policy"), HasSubstr("script-src 'self'"));
  auto script = browser->Get("/static/report.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  // No report text ever goes in as markup.
  EXPECT_THAT(script->body, Not(HasSubstr("innerHTML")));
  auto t = browser->Get("/api/template");
  ASSERT_TRUE(t);
  ASSERT_EQ(t->status, 200);
  size_t cells = 0;
  for (size_t at = t->body.find("\"field_path\""); at != std::string::npos;
       at = t->body.find("\"field_path\"", at + 1)) {
    ++cells;
  }
  EXPECT_EQ(cells, AllCountCells().size() + 1);  // and the fee
  EXPECT_THAT(t->body, HasSubstr("\"row\": \"规章\", \"column\": \"本年制发件数\", \"field_path\": \"proactive_disclosure.regulations.issued\""));
  EXPECT_THAT(t->body, HasSubstr("\"field_path\": \"" + std::string(kFeeFieldPath) + "\""));
  EXPECT_THAT(t->body, HasSubstr("\"table\": \"四\""));
  EXPECT_LT(t->body.find("\"table\": \"二\""), t->body.find("\"table\": \"三\""));
}

// The version history and the diff of two versions, cell by cell, for
// whoever may read the report; not for a clerk of another agency.
TEST_F(ConsoleTest, VersionHistoryAndTheDiffOfTwoVersions) {
  SubmitSampleAndAwaitAudit();
  v1::Report amended = SampleReport();
  amended.mutable_requests()->mutable_received()->set_natural_person(87);
  amended.mutable_requests()->mutable_received()->set_total(87);
  v1::CreateVersionRequest req;
  req.set_parent("agencies/zz-psb/reports/2021");
  *req.mutable_report() = amended;
  req.set_expected_latest_version(1);
  req.set_request_id("console-test-2");
  v1::CreateVersionResponse resp;
  grpc::ClientContext c;
  ASSERT_TRUE(SubmitStubAs(submit_.address(), "clerk-zz-psb")->CreateVersion(&c, req, &resp).ok());
  auto reviewer = Browser("reviewer-legality");
  auto list = reviewer->Get("/api/agencies/zz-psb/reports/2021/versions");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200) << list->body;
  v1::ListVersionsResponse versions;
  ASSERT_TRUE(FromJson(list->body, &versions).ok());
  ASSERT_EQ(versions.versions_size(), 2);
  auto diff = reviewer->Get("/api/agencies/zz-psb/reports/2021/versions/2/diff?other=1");
  ASSERT_TRUE(diff);
  ASSERT_EQ(diff->status, 200) << diff->body;
  v1::DiffVersionsResponse changes;
  ASSERT_TRUE(FromJson(diff->body, &changes).ok());
  bool received = false;
  for (const auto& ch : changes.changes()) {
    received |= ch.field_path() == "requests.received.natural_person";
  }
  EXPECT_TRUE(received) << diff->body;
  auto bad = reviewer->Get("/api/agencies/zz-psb/reports/2021/versions/2/diff?other=x");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  auto other = Browser("clerk-ly-psb")->Get("/api/agencies/zz-psb/reports/2021/versions");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
  EXPECT_THAT(other->body, Not(HasSubstr("sha256")));
}

// Text from a report or a service is never markup in what the console sends.
TEST(ConsoleJson, QuotedTextIsNeverMarkup) {
  EXPECT_EQ(console::JsonQuote("<script>alert(\"x\")</script>&\n"),
            "\"\\u003cscript\\u003ealert(\\\"x\\\")\\u003c/script\\u003e\\u0026\\n\"");
  EXPECT_EQ(console::JsonQuote("郑州市公安局"), "\"郑州市公安局\"");
  EXPECT_EQ(console::JsonQuote(std::string("a\x01", 2)), "\"a\\u0001\"");
}

TEST_F(ConsoleTest, EveryAnswerCarriesTheSecurityHeaders) {
  auto browser = Browser("oversight-henan");
  for (const char* path : {"/", "/static/app.js", "/api/session", "/api/regions/41/years/2021/agencies"}) {
    SCOPED_TRACE(path);
    auto r = browser->Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_THAT(r->get_header_value("Content-Security-Policy"), HasSubstr("default-src 'none'"));
    EXPECT_THAT(r->get_header_value("Content-Security-Policy"), HasSubstr("script-src 'self'"));
    EXPECT_THAT(r->get_header_value("Content-Security-Policy"), Not(HasSubstr("unsafe-inline")));
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(r->get_header_value("X-Frame-Options"), "DENY");
  }
  // The page loads Chart.js from the console itself, not from a CDN.
  auto page = browser->Get("/");
  EXPECT_THAT(page->body, HasSubstr("src=\"/static/chart.js\""));
  EXPECT_THAT(page->body, Not(HasSubstr("http")));
  auto chart = browser->Get("/static/chart.js");
  EXPECT_THAT(chart->body, HasSubstr("Chart.js v3"));
}

}  // namespace
}  // namespace disclosure::testing
