// The published document bound to its review (issue 15): stored with its
// version and covered by its content hash, named by the audit's and every
// sign-off's ledger entry; the verification bundle of a cleared version,
// verified offline (reportctl/bundle_verify.h, `reportctl verify`, and the
// independent tools/verify_bundle.py), and each way it must fail. Real
// services, real ledger, real documents.
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "core/base/file.h"
#include "core/base/sha256.h"
#include "core/ledger/checkpoint.h"
#include "core/report/canonical.h"
#include "core/rules/rules.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "reportctl/bundle_verify.h"
#include "tests/audit_env.h"
#include "tests/service_env.h"

namespace disclosure::testing {
namespace {

using ::testing::HasSubstr;

std::string Read(const std::string& path) {
  absl::StatusOr<std::string> s = ReadFileToString(path);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.value_or("");
}

// The outcome of the check named `name` ("" when it was not made).
std::string Outcome(const BundleVerification& v, const std::string& name) {
  for (const BundleCheck& c : v.checks) {
    if (c.name == name) return absl::StrCat(c.ok ? "ok: " : "FAILED: ", c.detail);
  }
  return "";
}

class BundleTest : public ::testing::Test {
 protected:
  BundleTest()
      : submit_(dir_.path() + "/submit.db"), audit_(dir_.path() + "/audit.db", submit_.address()) {}

  // The sample for zz-psb 2021 with `document`, as its clerk.
  grpc::Status Create(const std::string& document, int64_t latest, v1::CreateVersionResponse* out,
                      const v1::Report& report = SampleReport()) {
    v1::CreateVersionRequest req;
    req.set_parent("agencies/zz-psb/reports/2021");
    *req.mutable_report() = report;
    req.set_document(document);
    req.set_request_id(absl::StrCat("bundle-", latest, "-", document.size()));
    req.set_expected_latest_version(latest);
    grpc::ClientContext c;
    return SubmitStubAs(submit_.address(), "clerk-zz-psb")->CreateVersion(&c, req, out);
  }

  v1::Audit AwaitAudit(const std::string& version) {
    std::optional<v1::Audit> a = testing::AwaitAudit(audit_.address(), version);
    if (!a) ADD_FAILURE() << version << " not audited";
    return a.value_or(v1::Audit());
  }

  grpc::Status Approve(const std::string& reviewer, const v1::Audit& audit, v1::ReviewKind kind) {
    v1::CreateSignOffRequest req;
    *req.mutable_sign_off() = ReviewOf(audit, kind, v1::APPROVE);
    v1::SignOff out;
    grpc::ClientContext c;
    return AuditStubAs(audit_.address(), reviewer)->CreateSignOff(&c, req, &out);
  }

  v1::SignedCheckpoint CurrentCheckpoint() {
    v1::SignedCheckpoint cp;
    grpc::ClientContext c;
    EXPECT_TRUE(AuditStubAs(audit_.address(), "oversight-henan")
                    ->GetCheckpoint(&c, v1::GetCheckpointRequest(), &cp)
                    .ok());
    return cp;
  }

  v1::VerificationBundle Bundle(const std::string& version, int64_t from = 0,
                                const std::string& as = "clerk-zz-psb") {
    v1::GetVerificationBundleRequest req;
    req.set_name(version);
    req.set_consistency_from_size(from);
    v1::VerificationBundle b;
    grpc::ClientContext c;
    const grpc::Status s = AuditStubAs(audit_.address(), as)->GetVerificationBundle(&c, req, &b);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return b;
  }

  // A version with `document` that all three reviews approved; `state`: a
  // checkpoint taken before the reviews.
  std::string Cleared(const std::string& document, v1::SignedCheckpoint* state = nullptr) {
    v1::CreateVersionResponse created;
    const grpc::Status s = Create(document, 0, &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
    const v1::Audit audit = AwaitAudit(created.version().name());
    if (state != nullptr) *state = CurrentCheckpoint();
    EXPECT_TRUE(Approve("reviewer-legality", audit, v1::LEGALITY).ok());
    EXPECT_TRUE(Approve("reviewer-normativity", audit, v1::NORMATIVITY).ok());
    EXPECT_TRUE(Approve("reviewer-confidentiality", audit, v1::CONFIDENTIALITY).ok());
    return created.version().name();
  }

  BundleVerifyOptions Options(const std::string& document) {
    BundleVerifyOptions o;
    o.public_key_pem = TestLedgerPublicKeyPem();
    o.document = document;
    return o;
  }

  TempDir dir_;
  InProcessSubmitServer submit_;
  InProcessAuditServer audit_;
  const std::string pdf_ = Read(std::string(DISCLOSURE_TESTDOCS) + "/report.pdf");
};

TEST_F(BundleTest, TheDocumentIsStoredWithTheVersionAndCoveredByItsHash) {
  v1::CreateVersionResponse plain, with;
  ASSERT_TRUE(Create("", 0, &plain).ok());
  ASSERT_TRUE(Create(pdf_, 1, &with).ok());
  // A new document is a new version, with another content hash.
  EXPECT_TRUE(with.created());
  EXPECT_EQ(with.version().version(), 2);
  EXPECT_NE(with.version().content_hash(), plain.version().content_hash());
  auto stub = SubmitStubAs(submit_.address(), "clerk-zz-psb");
  auto get = [&](v1::VersionView view) {
    v1::GetVersionRequest req;
    req.set_name(with.version().name());
    req.set_view(view);
    v1::ReportVersion v;
    grpc::ClientContext c;
    EXPECT_TRUE(stub->GetVersion(&c, req, &v).ok());
    return v;
  };
  const v1::ReportVersion full = get(v1::VERSION_VIEW_FULL);
  const v1::PublishedDocument& d = full.report().published_document();
  EXPECT_EQ(d.sha256(), Sha256Hex(pdf_));
  EXPECT_EQ(d.media_type(), "application/pdf");
  EXPECT_EQ(d.size_bytes(), static_cast<int64_t>(pdf_.size()));
  EXPECT_TRUE(full.document().empty());
  EXPECT_EQ(get(v1::VERSION_VIEW_DOCUMENT).document(), pdf_);
  // The content hash is of the report with its document's description.
  EXPECT_EQ(full.content_hash(), ContentHash(full.report()));
  // The audit and its ledger entry name the document.
  const v1::Audit audit = AwaitAudit(with.version().name());
  EXPECT_EQ(audit.document_sha256(), d.sha256());
  // The same document again is no new version.
  v1::CreateVersionResponse again;
  ASSERT_TRUE(Create(pdf_, 2, &again).ok());
  EXPECT_FALSE(again.created());
}

TEST_F(BundleTest, ADocumentTheServiceCannotVouchForIsRefused) {
  v1::CreateVersionResponse r;
  // Not a document.
  grpc::Status s = Create(std::string("\x7f" "ELF\x02\x01\x01\0binary", 15), 0, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("document"));
  // Too large.
  s = Create("%PDF-1.7\n" + std::string(16 << 20, ' '), 0, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("16 MiB"));
  // A description the client made up.
  v1::Report forged = SampleReport();
  forged.mutable_published_document()->set_sha256(Sha256Hex("another file"));
  forged.mutable_published_document()->set_media_type("application/pdf");
  s = Create(pdf_, 0, &r, forged);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("report.published_document"));
  s = Create("", 0, &r, forged);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(BundleTest, SignOffsNameTheDocumentAndAnotherOneIsRefused) {
  v1::CreateVersionResponse created;
  ASSERT_TRUE(Create(pdf_, 0, &created).ok());
  const v1::Audit audit = AwaitAudit(created.version().name());
  v1::CreateSignOffRequest req;
  *req.mutable_sign_off() = ReviewOf(audit, v1::LEGALITY, v1::APPROVE);
  req.mutable_sign_off()->set_document_sha256(Sha256Hex("the file I read"));
  v1::SignOff out;
  grpc::ClientContext c;
  const grpc::Status refused =
      AuditStubAs(audit_.address(), "reviewer-legality")->CreateSignOff(&c, req, &out);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("document_sha256"));
  req.mutable_sign_off()->clear_document_sha256();
  grpc::ClientContext c2;
  ASSERT_TRUE(AuditStubAs(audit_.address(), "reviewer-legality")->CreateSignOff(&c2, req, &out).ok());
  EXPECT_EQ(out.document_sha256(), Sha256Hex(pdf_));
  // In its ledger entry too.
  const v1::VerificationBundle b = Bundle(created.version().name());
  ASSERT_EQ(b.entries_size(), 2);
  v1::LedgerEntry audit_entry, sign_off_entry;
  ASSERT_TRUE(audit_entry.ParseFromString(b.entries(0).entry()));
  ASSERT_TRUE(sign_off_entry.ParseFromString(b.entries(1).entry()));
  EXPECT_EQ(audit_entry.audit().document_sha256(), Sha256Hex(pdf_));
  EXPECT_EQ(sign_off_entry.sign_off().document_sha256(), Sha256Hex(pdf_));
}

TEST_F(BundleTest, ACleredVersionsBundleVerifiesOffline) {
  v1::SignedCheckpoint state;
  const std::string version = Cleared(pdf_, &state);
  absl::StatusOr<Checkpoint> kept = ParseCheckpointBody(state.body());
  ASSERT_TRUE(kept.ok());
  const v1::VerificationBundle b = Bundle(version, static_cast<int64_t>(kept->size));
  EXPECT_EQ(b.entries_size(), 4);  // the audit and three reviews
  BundleVerifyOptions o = Options(pdf_);
  o.ledger_state = state;
  const BundleVerification v = VerifyBundle(b, o);
  std::string all;
  for (const BundleCheck& c : v.checks) absl::StrAppend(&all, c.ok ? "ok " : "FAILED ", c.name, ": ", c.detail, "\n");
  EXPECT_TRUE(v.ok()) << all;
  EXPECT_THAT(Outcome(v, "与保存的账本状态一致"), HasSubstr("ok"));
  EXPECT_THAT(Outcome(v, "发布文件"), HasSubstr("逐字节相同"));
  EXPECT_EQ(v.report.title(), SampleReport().title());
  // Who may read the report may have its bundle; others may not.
  v1::GetVerificationBundleRequest req;
  req.set_name(version);
  v1::VerificationBundle none;
  grpc::ClientContext c;
  EXPECT_EQ(AuditStubAs(audit_.address(), "clerk-ly-psb")->GetVerificationBundle(&c, req, &none).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  req.set_name("agencies/zz-psb/reports/2021/versions/latest");
  grpc::ClientContext c2;
  EXPECT_EQ(AuditStubAs(audit_.address(), "clerk-zz-psb")->GetVerificationBundle(&c2, req, &none).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// Each way the offline verification must fail, naming the cause.
TEST_F(BundleTest, EachTamperingOrMismatchFailsNamingTheCause) {
  v1::SignedCheckpoint state;
  const std::string version = Cleared(pdf_, &state);
  const v1::VerificationBundle good = Bundle(version);
  ASSERT_TRUE(VerifyBundle(good, Options(pdf_)).ok());

  // One byte of the document changed.
  std::string changed = pdf_;
  changed[changed.size() / 2] ^= 1;
  EXPECT_THAT(Outcome(VerifyBundle(good, Options(changed)), "发布文件"), HasSubstr("FAILED: 不是审查的文件"));
  // Another year's document (another agency's published PDF).
  const std::string other = Read(std::string(DISCLOSURE_SAMPLES) + "/hongze-district-gov-2024.pdf");
  EXPECT_THAT(Outcome(VerifyBundle(good, Options(other)), "发布文件"), HasSubstr("FAILED"));
  // A sign-off removed: the service's statement no longer fits, and the
  // reviews do not clear.
  v1::VerificationBundle fewer = good;
  fewer.mutable_entries()->RemoveLast();
  EXPECT_THAT(Outcome(VerifyBundle(fewer, Options(pdf_)), "审查结论"), HasSubstr("FAILED: 未获准发布：尚缺"));
  EXPECT_THAT(Outcome(VerifyBundle(fewer, Options(pdf_)), "证明包完整性"), HasSubstr("FAILED: 审核服务的签署与这些记录不符"));
  // A middle one removed (say, a rejection the others would outvote):
  // caught by the statement alone.
  v1::VerificationBundle gap = good;
  gap.mutable_entries()->DeleteSubrange(2, 1);
  EXPECT_THAT(Outcome(VerifyBundle(gap, Options(pdf_)), "证明包完整性"), HasSubstr("FAILED"));
  EXPECT_FALSE(VerifyBundle(gap, Options(pdf_)).ok());
  // Two entries swapped (a later approval made to look like the latest).
  v1::VerificationBundle swapped_order = good;
  swapped_order.mutable_entries()->SwapElements(1, 3);
  EXPECT_THAT(Outcome(VerifyBundle(swapped_order, Options(pdf_)), "证明包完整性"), HasSubstr("FAILED"));
  EXPECT_THAT(Outcome(VerifyBundle(good, Options(pdf_)), "证明包完整性"), HasSubstr("ok: 审核服务签署"));
  // The proof of another entry: one entry's bytes under another's index.
  v1::VerificationBundle swapped = good;
  swapped.mutable_entries(1)->set_entry(good.entries(2).entry());
  const BundleVerification sv = VerifyBundle(swapped, Options(pdf_));
  EXPECT_THAT(Outcome(sv, absl::StrCat("账本第 ", good.entries(1).index(), " 条记录：包含证明")),
              HasSubstr("FAILED: 不在检查点的账本内"));
  EXPECT_FALSE(sv.ok());
  // A checkpoint signed by another key.
  v1::VerificationBundle foreign = good;
  absl::StatusOr<CheckpointSigner> stranger = CheckpointSigner::Generate();
  ASSERT_TRUE(stranger.ok());
  foreign.mutable_checkpoint()->set_signature(stranger->Sign(good.checkpoint().body()).value_or(""));
  EXPECT_THAT(Outcome(VerifyBundle(foreign, Options(pdf_)), "检查点签名"), HasSubstr("FAILED: 无效"));
  // A checkpoint inconsistent with the saved state: a state of the same
  // size with another root, signed with the ledger key (a split view).
  absl::StatusOr<Checkpoint> kept = ParseCheckpointBody(state.body());
  ASSERT_TRUE(kept.ok());
  Checkpoint split = *kept;
  split.root[0] ^= 1;
  absl::StatusOr<CheckpointSigner> ledger_key = CheckpointSigner::FromPem(TestLedgerKeyPem());
  ASSERT_TRUE(ledger_key.ok());
  v1::SignedCheckpoint split_state;
  split_state.set_body(CheckpointBody(split));
  split_state.set_signature(ledger_key->Sign(split_state.body()).value_or(""));
  BundleVerifyOptions with_state = Options(pdf_);
  with_state.ledger_state = split_state;
  EXPECT_THAT(Outcome(VerifyBundle(Bundle(version, static_cast<int64_t>(kept->size)), with_state),
                      "与保存的账本状态一致"),
              HasSubstr("FAILED: 检查点与保存的账本状态"));
  // A version that was not cleared: the next one, reviewed by two kinds only.
  v1::CreateVersionResponse next;
  v1::Report changed_report = SampleReport();
  changed_report.set_other_matters("第二版。");
  ASSERT_TRUE(Create(pdf_, 1, &next, changed_report).ok());
  const v1::Audit audit2 = AwaitAudit(next.version().name());
  ASSERT_TRUE(Approve("reviewer-legality", audit2, v1::LEGALITY).ok());
  ASSERT_TRUE(Approve("reviewer-normativity", audit2, v1::NORMATIVITY).ok());
  EXPECT_THAT(Outcome(VerifyBundle(Bundle(next.version().name()), Options(pdf_)), "审查结论"),
              HasSubstr("FAILED: 未获准发布：尚缺保密性审查"));
  // A report's bytes changed in the bundle.
  v1::VerificationBundle edited = good;
  edited.mutable_report()->back() ^= 1;
  EXPECT_THAT(Outcome(VerifyBundle(edited, Options(pdf_)), "报告内容摘要"), HasSubstr("FAILED"));
}

// `reportctl verify` and the independent Python verifier on bundle files.
TEST_F(BundleTest, ReportctlVerifyAndTheIndependentVerifierAgree) {
  const std::string version = Cleared(pdf_);
  const v1::VerificationBundle b = Bundle(version);
  const std::string dir = dir_.path();
  ASSERT_TRUE(WriteFileAtomically(dir + "/bundle.binpb", b.SerializeAsString()).ok());
  ASSERT_TRUE(WriteFileAtomically(dir + "/report.pdf", pdf_).ok());
  std::string changed = pdf_;
  changed[100] ^= 1;
  ASSERT_TRUE(WriteFileAtomically(dir + "/changed.pdf", changed).ok());
  ASSERT_TRUE(WriteFileAtomically(dir + "/ledger.pub", TestLedgerPublicKeyPem()).ok());
  auto run = [&](const std::string& cmd) {
    const std::string out = dir + "/out.txt";
    const int rc = std::system((cmd + " >" + out + " 2>&1").c_str());
    return std::make_pair(WEXITSTATUS(rc), Read(out));
  };
  const std::string reportctl = absl::StrCat(DISCLOSURE_REPORTCTL, " verify ", dir,
                                             "/bundle.binpb --ledger_public_key ", dir,
                                             "/ledger.pub --ledger_state ", dir, "/none.txtpb");
  auto [ok_rc, ok_out] = run(reportctl + " --document " + dir + "/report.pdf");
  EXPECT_EQ(ok_rc, 0) << ok_out;
  EXPECT_THAT(ok_out, AllOf(HasSubstr("✓ 检查点签名"), HasSubstr("✓ 发布文件"), HasSubstr("验证通过")));
  auto [bad_rc, bad_out] = run(reportctl + " --document " + dir + "/changed.pdf");
  EXPECT_EQ(bad_rc, 1) << bad_out;
  EXPECT_THAT(bad_out, AllOf(HasSubstr("✗ 发布文件：不是审查的文件"), HasSubstr("验证未通过")));

  const std::string python = absl::StrCat("/usr/bin/python3 ", DISCLOSURE_SOURCE_DIR,
                                          "/tools/verify_bundle.py ", dir, "/bundle.binpb --ledger-public-key ",
                                          dir, "/ledger.pub");
  auto [py_rc, py_out] = run(python + " --document " + dir + "/report.pdf");
  EXPECT_EQ(py_rc, 0) << py_out;
  EXPECT_THAT(py_out, HasSubstr("验证通过"));
  auto [py_bad_rc, py_bad_out] = run(python + " --document " + dir + "/changed.pdf");
  EXPECT_EQ(py_bad_rc, 1) << py_bad_out;
  EXPECT_THAT(py_bad_out, HasSubstr("发布文件"));
  // And a bundle the Python verifier must refuse: a sign-off removed.
  v1::VerificationBundle fewer = b;
  fewer.mutable_entries()->RemoveLast();
  ASSERT_TRUE(WriteFileAtomically(dir + "/fewer.binpb", fewer.SerializeAsString()).ok());
  auto [py_few_rc, py_few_out] = run(absl::StrCat("/usr/bin/python3 ", DISCLOSURE_SOURCE_DIR,
                                                  "/tools/verify_bundle.py ", dir,
                                                  "/fewer.binpb --ledger-public-key ", dir, "/ledger.pub"));
  EXPECT_EQ(py_few_rc, 1) << py_few_out;
  EXPECT_THAT(py_few_out, AllOf(HasSubstr("保密性审查"), HasSubstr("✗ 证明包完整性")));
}

// The audit reads the published document itself and compares its figures
// with the report's (DOC-MATCH), or says it could not (DOC-UNREAD).
TEST_F(BundleTest, TheAuditComparesTheDocumentsFiguresWithTheReports) {
  auto findings_of = [&](const v1::Audit& a, const std::string& rule) {
    std::vector<v1::Finding> out;
    for (const v1::Finding& f : a.findings()) {
      if (f.rule_id() == rule) out.push_back(f);
    }
    return out;
  };
  // The sample and its own PDF: they agree.
  v1::CreateVersionResponse same;
  ASSERT_TRUE(Create(pdf_, 0, &same).ok());
  const v1::Audit agreeing = AwaitAudit(same.version().name());
  EXPECT_TRUE(findings_of(agreeing, "DOC-MATCH").empty()) << agreeing.DebugString();
  EXPECT_TRUE(findings_of(agreeing, "DOC-UNREAD").empty()) << agreeing.DebugString();
  // One figure changed in the report, not in the file: at that cell.
  v1::Report changed = SampleReport();
  const int64_t received = changed.requests().received().natural_person();
  changed.mutable_requests()->mutable_received()->set_natural_person(received + 1);
  v1::CreateVersionResponse one;
  ASSERT_TRUE(Create(pdf_, 1, &one, changed).ok());
  const std::vector<v1::Finding> mismatch = findings_of(AwaitAudit(one.version().name()), "DOC-MATCH");
  ASSERT_EQ(mismatch.size(), 1u);
  EXPECT_EQ(mismatch[0].severity(), v1::ERROR);
  EXPECT_EQ(mismatch[0].location().field_path(), "requests.received.natural_person");
  EXPECT_EQ(mismatch[0].expected(), absl::StrCat(received));
  EXPECT_EQ(mismatch[0].actual(), absl::StrCat(received + 1));
  EXPECT_THAT(mismatch[0].message(), HasSubstr("发布文件中为"));
  // Another agency's report published instead: capped, then counted.
  v1::CreateVersionResponse other;
  ASSERT_TRUE(Create(Read(std::string(DISCLOSURE_SAMPLES) + "/hongze-district-gov-2024.pdf"), 2, &other).ok());
  const std::vector<v1::Finding> many = findings_of(AwaitAudit(other.version().name()), "DOC-MATCH");
  ASSERT_EQ(many.size(), static_cast<size_t>(kMaxDocumentMismatches + 1));
  EXPECT_THAT(many.back().message(), HasSubstr("发布的可能不是这份报告"));
  // A file that is no report: not compared, and said so.
  v1::CreateVersionResponse prose;
  ASSERT_TRUE(Create("这不是年度报告，只是一段话。\n", 3, &prose).ok());
  const std::vector<v1::Finding> unread = findings_of(AwaitAudit(prose.version().name()), "DOC-UNREAD");
  ASSERT_EQ(unread.size(), 1u);
  EXPECT_EQ(unread[0].severity(), v1::WARNING);
  EXPECT_THAT(unread[0].message(), HasSubstr("无法读取"));
}

// The independent verifier checks a saved ledger state too (the text
// format reportctl keeps): a real consistency proof passes, a split view
// fails; reportctl says the same.
TEST_F(BundleTest, BothVerifiersCheckTheSavedLedgerState) {
  v1::SignedCheckpoint state;
  const std::string version = Cleared(pdf_, &state);
  absl::StatusOr<Checkpoint> kept = ParseCheckpointBody(state.body());
  ASSERT_TRUE(kept.ok());
  const v1::VerificationBundle b = Bundle(version, static_cast<int64_t>(kept->size));
  ASSERT_GT(b.consistency_proof_size(), 0);
  const std::string dir = dir_.path();
  ASSERT_TRUE(WriteFileAtomically(dir + "/bundle.binpb", b.SerializeAsString()).ok());
  ASSERT_TRUE(WriteFileAtomically(dir + "/ledger.pub", TestLedgerPublicKeyPem()).ok());
  std::string text;
  google::protobuf::TextFormat::PrintToString(state, &text);
  ASSERT_TRUE(WriteFileAtomically(dir + "/state.txtpb", text).ok());
  Checkpoint split = *kept;
  split.root[5] ^= 0x40;
  absl::StatusOr<CheckpointSigner> ledger_key = CheckpointSigner::FromPem(TestLedgerKeyPem());
  ASSERT_TRUE(ledger_key.ok());
  v1::SignedCheckpoint split_state;
  split_state.set_body(CheckpointBody(split));
  split_state.set_signature(ledger_key->Sign(split_state.body()).value_or(""));
  google::protobuf::TextFormat::PrintToString(split_state, &text);
  ASSERT_TRUE(WriteFileAtomically(dir + "/split.txtpb", text).ok());
  auto run = [&](const std::string& cmd) {
    const std::string out = dir + "/out.txt";
    const int rc = std::system((cmd + " >" + out + " 2>&1").c_str());
    return std::make_pair(WEXITSTATUS(rc), Read(out));
  };
  const std::string python = absl::StrCat("/usr/bin/python3 ", DISCLOSURE_SOURCE_DIR, "/tools/verify_bundle.py ",
                                          dir, "/bundle.binpb --ledger-public-key ", dir, "/ledger.pub");
  const std::string reportctl = absl::StrCat(DISCLOSURE_REPORTCTL, " verify ", dir,
                                             "/bundle.binpb --ledger_public_key ", dir, "/ledger.pub");
  for (const auto& [verifier, flag] : {std::make_pair(python, std::string(" --ledger-state ")),
                                       std::make_pair(reportctl, std::string(" --ledger_state "))}) {
    auto [ok_rc, ok_out] = run(verifier + flag + dir + "/state.txtpb");
    EXPECT_EQ(ok_rc, 0) << ok_out;
    EXPECT_THAT(ok_out, HasSubstr(absl::StrCat("✓ 与保存的账本状态一致：一致（保存时 ", kept->size, " 条）")));
    auto [bad_rc, bad_out] = run(verifier + flag + dir + "/split.txtpb");
    EXPECT_EQ(bad_rc, 1) << bad_out;
    EXPECT_THAT(bad_out, HasSubstr("✗ 与保存的账本状态一致：检查点与保存的账本状态"));
  }
}

}  // namespace
}  // namespace disclosure::testing
