// reportctl's commands against audit_service, over mutual TLS: audits and
// findings, sign-offs, review status, the oversight dashboard, events, and
// client-side verification of the ledger.
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/base/file.h"
#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/ledger/checkpoint.h"
#include "reportctl/ledger_verify.h"
#include "core/ledger/merkle.h"
#include "core/report/export.h"
#include "core/rpc/rpc_util.h"
#include "disclosure/v1/audit.grpc.pb.h"
#include "google/protobuf/text_format.h"
#include "reportctl/bundle_verify.h"
#include "reportctl/commands.h"

ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(std::string, document);
ABSL_FLAG(std::string, audit_target, "127.0.0.1:50052",
          "audit_service address(es), as --target");
ABSL_FLAG(std::string, review, "",
          "signoff: review kind legality|normativity|confidentiality (合法性/规范性/保密性审查)");
ABSL_FLAG(std::string, decision, "", "signoff: approve|reject");
ABSL_FLAG(std::string, reason, "", "signoff: reason (required to reject or waive)");
ABSL_FLAG(std::string, waive, "", "signoff: waive the ERROR finding of this rule id (with --field)");
ABSL_FLAG(std::string, acknowledge, "",
          "signoff: acknowledge the confidentiality pre-screen finding of this rule id (with --field)");
ABSL_FLAG(std::string, field, "", "signoff: field path of the finding waived or acknowledged");
ABSL_FLAG(std::string, span, "", "signoff: text span START-END of that finding, if any");
ABSL_FLAG(std::string, content_hash, "",
          "signoff: the content hash you read (default: the audit's, printed)");
ABSL_FLAG(std::string, findings_digest, "",
          "signoff: the findings digest you read (default: the audit's, printed)");
ABSL_FLAG(std::string, ledger_public_key, "run/ledger.pub",
          "ledger verify: the ledger's Ed25519 public key (PEM), given to you out of band");
ABSL_FLAG(std::string, ledger_state, "run/ledger-checkpoint.txtpb",
          "ledger verify: where the last verified checkpoint is kept");
ABSL_FLAG(bool, entries, false, "ledger verify: also prove every entry is in the tree");

ABSL_DECLARE_FLAG(int, deadline_seconds);
ABSL_DECLARE_FLAG(std::string, region_prefix);
ABSL_DECLARE_FLAG(int, year);
ABSL_DECLARE_FLAG(std::string, from);

namespace disclosure::reportctl {
namespace {

std::unique_ptr<v1::AuditService::Stub> Connect() {
  std::shared_ptr<grpc::Channel> channel = OpenChannel(absl::GetFlag(FLAGS_audit_target));
  return channel ? v1::AuditService::NewStub(channel) : nullptr;
}




const char* StateName(v1::ReportState s) {
  switch (s) {
    case v1::NOT_SUBMITTED: return "未报送";
    case v1::HAS_ERRORS: return "有错误";
    case v1::AWAITING_REVIEW: return "待审查";
    case v1::REJECTED: return "审查未通过";
    case v1::CLEARED: return "已可发布";
    default: return "?";
  }
}

absl::StatusOr<v1::Audit> FetchAudit(v1::AuditService::Stub* stub, const std::string& version) {
  v1::GetAuditRequest request;
  request.set_name(version + "/audit");
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::Audit audit;
  grpc::Status s = stub->GetAudit(&context, request, &audit);
  if (!s.ok()) return FromGrpcStatus(s);
  return audit;
}

}  // namespace

int RunAudit(const std::vector<std::string>& args) {
  if (!Usage(args, 1, "audit agencies/ID/reports/YEAR/versions/N|latest [--json]")) {
    return kExitUnreadable;
  }
  auto stub = Connect();
  if (!stub) return kExitUnreadable;
  absl::StatusOr<v1::Audit> a = FetchAudit(stub.get(), args[0]);
  if (!a.ok()) return Refused(a.status());
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << ToJson(*a) << "\n";
    return kExitOk;
  }
  std::cout << "version          " << a->version() << "\n"
            << "content hash     " << a->content_hash() << "\n"
            << "submitter        " << a->submitter() << "\n"
            << "rule set         " << a->rule_set_version() << "\n"
            << "findings digest  " << a->findings_digest() << "\n"
            << "findings         " << a->error_count() << " error(s), " << a->warning_count()
            << " warning(s), " << a->info_count() << " info\n"
            << "ledger entry     " << a->ledger_index() << "\n";
  if (!a->previous_year_reference().empty()) {
    std::cout << "compared with    " << a->previous_year_reference() << "\n";
  }
  for (const auto& c : a->changes()) {
    const char* kind = c.kind() == v1::FindingChange::NEW     ? "new  "
                       : c.kind() == v1::FindingChange::FIXED ? "fixed"
                                                              : "open ";
    std::cout << kind << "\t" << c.finding().rule_id() << "\t" << c.finding().location().field_path()
              << "\n";
  }
  for (const auto& w : a->waivers()) {
    std::cout << "waived\t" << w.rule_id() << "\t" << w.location().field_path() << "\tby "
              << w.reviewer() << ": " << w.reason() << "\n";
  }
  return a->error_count() > 0 ? kExitFindings : kExitOk;
}

int RunFindings(const std::vector<std::string>& args) {
  if (!Usage(args, 1, "findings agencies/ID/reports/YEAR/versions/N|latest [--json]")) {
    return kExitUnreadable;
  }
  auto stub = Connect();
  if (!stub) return kExitUnreadable;
  absl::StatusOr<v1::Audit> a = FetchAudit(stub.get(), args[0]);
  if (!a.ok()) return Refused(a.status());
  PrintFindings({a->findings().begin(), a->findings().end()});
  return a->error_count() > 0 ? kExitFindings : kExitOk;
}

int RunSignOff(const std::vector<std::string>& args) {
  if (!Usage(args, 1,
             "signoff agencies/ID/reports/YEAR/versions/N (--review KIND --decision approve|reject "
             "| --waive RULE --field PATH | --acknowledge RULE --field PATH) [--reason R]")) {
    return kExitUnreadable;
  }
  v1::SignOff s;
  s.set_version(args[0]);
  s.set_reason(absl::GetFlag(FLAGS_reason));
  const std::string waive = absl::GetFlag(FLAGS_waive), ack = absl::GetFlag(FLAGS_acknowledge);
  if (!waive.empty() || !ack.empty()) {
    s.set_kind(waive.empty() ? v1::ACKNOWLEDGEMENT : v1::WAIVER);
    s.set_rule_id(waive.empty() ? ack : waive);
    s.mutable_location()->set_field_path(absl::GetFlag(FLAGS_field));
    if (const std::string span = absl::GetFlag(FLAGS_span); !span.empty()) {
      std::vector<std::string> ends = absl::StrSplit(span, '-');
      int32_t a = 0, b = 0;
      if (ends.size() != 2 || !absl::SimpleAtoi(ends[0], &a) || !absl::SimpleAtoi(ends[1], &b)) {
        std::cerr << "reportctl: --span: '" << span << "' is not START-END\n";
        return kExitUnreadable;
      }
      s.mutable_location()->set_start_offset(a);
      s.mutable_location()->set_end_offset(b);
    }
  } else {
    s.set_kind(v1::REVIEW);
    const std::string review = absl::GetFlag(FLAGS_review), decision = absl::GetFlag(FLAGS_decision);
    static const std::map<std::string, v1::ReviewKind> kinds = {
        {"legality", v1::LEGALITY}, {"normativity", v1::NORMATIVITY},
        {"confidentiality", v1::CONFIDENTIALITY}};
    auto k = kinds.find(review);
    if (k == kinds.end()) {
      std::cerr << "reportctl: --review must be legality, normativity or confidentiality\n";
      return kExitUnreadable;
    }
    s.set_review_kind(k->second);
    if (decision != "approve" && decision != "reject") {
      std::cerr << "reportctl: --decision must be approve or reject\n";
      return kExitUnreadable;
    }
    s.set_decision(decision == "approve" ? v1::APPROVE : v1::REJECT);
  }
  auto stub = Connect();
  if (!stub) return kExitUnreadable;
  s.set_content_hash(absl::GetFlag(FLAGS_content_hash));
  s.set_findings_digest(absl::GetFlag(FLAGS_findings_digest));
  if (s.content_hash().empty() || s.findings_digest().empty()) {
    absl::StatusOr<v1::Audit> a = FetchAudit(stub.get(), args[0]);
    if (!a.ok()) return Refused(a.status());
    if (s.content_hash().empty()) s.set_content_hash(a->content_hash());
    if (s.findings_digest().empty()) s.set_findings_digest(a->findings_digest());
    std::cerr << "signing " << a->version() << " " << s.content_hash() << " with findings "
              << s.findings_digest() << "\n";
  }
  v1::CreateSignOffRequest request;
  *request.mutable_sign_off() = s;
  // Retrying this very command with the same --request_id cannot sign twice.
  request.set_request_id(absl::GetFlag(FLAGS_request_id).empty() ? RandomId()
                                                                 : absl::GetFlag(FLAGS_request_id));
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::SignOff out;
  grpc::Status st = stub->CreateSignOff(&context, request, &out);
  if (!st.ok()) return Refused(st);
  std::cout << (absl::GetFlag(FLAGS_json) ? ToJson(out) : out.name()) << "\n";
  return kExitOk;
}

int RunStatus(const std::vector<std::string>& args) {
  if (!Usage(args, 1, "status agencies/ID/reports/YEAR/versions/N|latest [--json]")) {
    return kExitUnreadable;
  }
  auto stub = Connect();
  if (!stub) return kExitUnreadable;
  v1::GetReviewStatusRequest request;
  request.set_name(args[0] + "/reviewStatus");
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::ReviewStatus st;
  grpc::Status s = stub->GetReviewStatus(&context, request, &st);
  if (!s.ok()) return Refused(s);
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << ToJson(st) << "\n";
  } else {
    std::cout << st.version() << "\t"
              << (st.state() == v1::ReviewStatus::CLEARED ? "CLEARED 可以发布" : "BLOCKED 不能发布")
              << "\n";
    for (const auto& b : st.blockers()) std::cout << "  - " << b << "\n";
  }
  return st.state() == v1::ReviewStatus::CLEARED ? kExitOk : kExitFindings;
}

int RunDashboard(const std::vector<std::string>& args) {
  if (!Usage(args, 0, "dashboard --region_prefix P --year Y [--json]")) return kExitUnreadable;
  auto stub = Connect();
  if (!stub) return kExitUnreadable;
  const std::string parent = absl::StrCat("regions/", absl::GetFlag(FLAGS_region_prefix),
                                          "/years/", absl::GetFlag(FLAGS_year));
  v1::ListAgencyStatesRequest request;
  request.set_parent(parent);
  request.set_page_size(500);
  std::vector<v1::AgencyStatus> rows;
  do {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::ListAgencyStatesResponse response;
    grpc::Status s = stub->ListAgencyStates(&context, request, &response);
    if (!s.ok()) return Refused(s);
    rows.insert(rows.end(), response.agencies().begin(), response.agencies().end());
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  v1::GetRegionSummaryRequest sreq;
  sreq.set_name(parent);
  v1::RegionSummary summary;
  grpc::ClientContext context;
  SetDeadline(&context);
  grpc::Status s = stub->GetRegionSummary(&context, sreq, &summary);
  if (!s.ok()) return Refused(s);
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << "{\"agencies\": [";
    for (size_t i = 0; i < rows.size(); ++i) std::cout << (i ? ",\n" : "\n") << ToJson(rows[i]);
    std::cout << "],\n\"summary\": " << ToJson(summary) << "}\n";
    return kExitOk;
  }
  std::cout << parent << ": " << summary.agencies() << " agencies, " << summary.overdue()
            << " overdue\n";
  for (const auto& r : rows) {
    std::cout << std::left << std::setw(16) << r.agency().id() << r.agency().region_code() << "  "
              << StateName(r.state()) << (r.overdue() ? "（逾期）" : "") << "\t"
              << (r.latest_version().empty() ? "-" : r.latest_version()) << "\t"
              << r.error_count() << "E " << r.warning_count() << "W " << r.info_count() << "I\t"
              << r.agency().name() << "\n";
  }
  std::cout << "by state:";
  for (const auto& c : summary.states()) std::cout << " " << StateName(c.state()) << " " << c.count();
  std::cout << "\nmost frequent rules:";
  for (const auto& r : summary.most_frequent_rules()) std::cout << " " << r.rule_id() << "×" << r.count();
  const auto& total = summary.requests_total().outcomes().total();
  std::cout << "\n表三（七）总计 合计: 自然人 " << total.natural_person() << "，总计 " << total.total()
            << "\n";
  return kExitOk;
}

int RunEvents(const std::vector<std::string>& args) {
  if (!Usage(args, 0, "events --region_prefix P [--from POSITION] [--max_events N]")) {
    return kExitUnreadable;
  }
  auto stub = Connect();
  if (!stub) return kExitUnreadable;
  v1::WatchEventsRequest request;
  request.set_region_prefix(absl::GetFlag(FLAGS_region_prefix));
  request.set_start_after(absl::GetFlag(FLAGS_from));
  grpc::ClientContext context;  // no deadline: a watch runs until stopped
  auto reader = stub->WatchEvents(&context, request);
  return DrainStream<v1::AuditEvent>(&context, reader.get(), [](const v1::AuditEvent& e) {
    if (absl::GetFlag(FLAGS_json)) {
      std::cout << ToJson(e) << "\n";
    } else {
      std::cout << e.position() << "\t" << v1::AuditEvent::Kind_Name(e.kind()) << "\t"
                << e.version() << "\t" << e.sign_off() << "\n";
    }
  });
}

namespace {

// The checkpoint kept in --ledger_state, if there is one: nullopt when the
// file does not exist; an error when it cannot be read or is not one.
absl::StatusOr<std::optional<v1::SignedCheckpoint>> KeptCheckpoint() {
  const std::string path = absl::GetFlag(FLAGS_ledger_state);
  absl::StatusOr<std::string> saved = ReadFileToString(path);
  if (absl::IsNotFound(saved.status())) return std::nullopt;
  if (!saved.ok()) return saved.status();
  v1::SignedCheckpoint cp;
  if (!google::protobuf::TextFormat::ParseFromString(*saved, &cp)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a saved checkpoint"));
  }
  return cp;
}

}  // namespace

int RunBundle(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::cerr << "usage: reportctl bundle agencies/ID/reports/YEAR/versions/N [--out FILE] "
                 "[--ledger_state FILE]\n";
    return kExitUnreadable;
  }
  absl::StatusOr<std::optional<v1::SignedCheckpoint>> kept = KeptCheckpoint();
  if (!kept.ok()) {
    std::cerr << "reportctl: --ledger_state: " << kept.status().message() << "\n";
    return kExitUnreadable;
  }
  v1::GetVerificationBundleRequest request;
  request.set_name(args[0]);
  if (kept->has_value()) {
    // A consistency proof from the kept state, for `verify --ledger_state`.
    absl::StatusOr<Checkpoint> body = ParseCheckpointBody((*kept)->body());
    if (body.ok()) request.set_consistency_from_size(static_cast<int64_t>(body->size));
  }
  auto stub = Connect();
  if (!stub) return kExitUnreadable;
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::VerificationBundle bundle;
  grpc::Status s = stub->GetVerificationBundle(&context, request, &bundle);
  if (!s.ok()) return Refused(s);
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) {
    std::cout << ToJson(bundle) << "\n";
    return kExitOk;
  }
  if (absl::Status w = WriteFileAtomically(out, bundle.SerializeAsString()); !w.ok()) {
    std::cerr << "reportctl: " << w.message() << "\n";
    return kExitUnreadable;
  }
  std::cout << "bundle of " << bundle.version() << ": " << bundle.entries_size()
            << " ledger entries proved against a checkpoint of the ledger, written to " << out << "\n";
  return kExitOk;
}

int RunVerify(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::cerr << "usage: reportctl verify BUNDLE [--document FILE] --ledger_public_key PEM "
                 "[--ledger_state FILE]\n";
    return kExitUnreadable;
  }
  absl::StatusOr<std::string> data = ReadFileToString(args[0]);
  if (!data.ok()) {
    std::cerr << "reportctl: " << data.status().message() << "\n";
    return kExitUnreadable;
  }
  v1::VerificationBundle bundle;
  const bool json = !data->empty() && (*data)[0] == '{';
  if (json ? !FromJson(*data, &bundle).ok() : !bundle.ParseFromString(*data)) {
    std::cerr << "reportctl: " << args[0] << " is not a verification bundle\n";
    return kExitUnreadable;
  }
  BundleVerifyOptions options;
  absl::StatusOr<std::string> key = ReadFileToString(absl::GetFlag(FLAGS_ledger_public_key));
  if (!key.ok()) {
    std::cerr << "reportctl: --ledger_public_key: " << key.status().message() << "\n";
    return kExitUnreadable;
  }
  options.public_key_pem = *key;
  if (const std::string path = absl::GetFlag(FLAGS_document); !path.empty()) {
    absl::StatusOr<std::string> doc = ReadFileToString(path);
    if (!doc.ok()) {
      std::cerr << "reportctl: --document: " << doc.status().message() << "\n";
      return kExitUnreadable;
    }
    options.document = *std::move(doc);
  }
  absl::StatusOr<std::optional<v1::SignedCheckpoint>> kept = KeptCheckpoint();
  if (!kept.ok()) {
    std::cerr << "reportctl: --ledger_state: " << kept.status().message() << "\n";
    return kExitUnreadable;
  }
  options.ledger_state = *kept;
  const BundleVerification v = VerifyBundle(bundle, options);
  std::cout << "证明包 " << bundle.version() << "（" << v.report.title() << "）\n";
  for (const BundleCheck& c : v.checks) {
    std::cout << (c.ok ? "✓ " : "✗ ") << c.name << "：" << c.detail << "\n";
  }
  if (!options.ledger_state) std::cout << "（未给出保存的账本状态，未检查一致性）\n";
  if (!options.document) std::cout << "（未给出发布文件，未比对文件）\n";
  std::cout << (v.ok() ? "验证通过" : "验证未通过") << "\n";
  return v.ok() ? kExitOk : kExitFindings;
}

int RunLedger(const std::vector<std::string>& args) {
  if (args.size() != 1 || args[0] != "verify") {
    std::cerr << "usage: reportctl ledger verify [--ledger_public_key PEM] [--ledger_state FILE] "
                 "[--entries]\n";
    return kExitUnreadable;
  }
  absl::StatusOr<std::string> key = ReadFileToString(absl::GetFlag(FLAGS_ledger_public_key));
  if (!key.ok()) {
    std::cerr << "reportctl: --ledger_public_key: " << key.status().message() << "\n";
    return kExitUnreadable;
  }
  // The last checkpoint this client verified, checked again with the key.
  const std::string state_path = absl::GetFlag(FLAGS_ledger_state);
  std::optional<Checkpoint> trusted;
  absl::StatusOr<std::optional<v1::SignedCheckpoint>> saved = KeptCheckpoint();
  if (!saved.ok()) {
    // Not "no state yet": trusting the service afresh would hide a rewrite.
    std::cerr << "reportctl: " << saved.status().message() << "\n";
    return kExitUnreadable;
  }
  if (saved->has_value()) {
    const v1::SignedCheckpoint& cp = **saved;
    absl::StatusOr<Checkpoint> opened = OpenCheckpoint(*key, cp.body(), cp.signature());
    if (!opened.ok()) {
      std::cerr << "reportctl: " << state_path << ": " << opened.status().message() << "\n";
      return kExitFindings;
    }
    trusted = *opened;
  }
  auto stub = Connect();
  if (!stub) return kExitUnreadable;
  absl::StatusOr<LedgerCheck> check = VerifyLedger(
      stub.get(), *key, trusted, absl::GetFlag(FLAGS_entries),
      absl::Seconds(absl::GetFlag(FLAGS_deadline_seconds)));
  if (!check.ok()) {
    std::cerr << "reportctl: LEDGER VERIFICATION FAILED: " << check.status().message() << "\n";
    return check.status().code() == absl::StatusCode::kUnavailable ? kExitUnreadable
                                                                    : kExitFindings;
  }
  // Keep what was verified, signature included, for the next run.
  std::string text;
  google::protobuf::TextFormat::PrintToString(check->signed_checkpoint, &text);
  if (absl::Status saved = WriteFileAtomically(state_path, text); !saved.ok()) {
    // Verified, but the next run could not build on it: say so, and fail.
    std::cerr << "reportctl: the checkpoint was verified but could not be kept: "
              << saved.message() << "\n";
    return kExitUnreadable;
  }
  std::cout << "ledger " << check->checkpoint.origin << ": " << check->checkpoint.size
            << " entries, root " << ToHex(check->checkpoint.root) << "\n";
  if (trusted) {
    std::cout << "consistent with the checkpoint of " << trusted->size << " entries kept in "
              << state_path << "\n";
  }
  if (absl::GetFlag(FLAGS_entries)) {
    std::cout << check->entries_verified << " entries proved included and signed, "
              << check->entries_compared << " compared with what the service serves";
    if (check->entries_not_compared > 0) {
      std::cout << " (" << check->entries_not_compared << " of versions you may not read not compared)";
    }
    std::cout << "\n";
  }
  return kExitOk;
}

}  // namespace disclosure::reportctl
