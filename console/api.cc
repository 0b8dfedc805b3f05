#include "console/api.h"

#include <algorithm>
#include <chrono>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "core/base/text_util.h"
#include "core/import/import.h"
#include "core/report/export.h"
#include "core/report/template.h"
#include "core/rpc/handler.h"
#include "core/rpc/watch_stream.h"
#include "spdlog/spdlog.h"

namespace disclosure::console {
namespace {

// Each call a user's page makes waits this long for the service.
constexpr std::chrono::seconds kCallDeadline(10);
// ListAgencyStates pages the console reads for one region (500 agencies a
// page: 100,000 agencies, more than any province has).
constexpr int kMaxPages = 200;

// A context that says for whom the console acts.
void ForUser(grpc::ClientContext* c, const std::string& user) {
  c->set_deadline(std::chrono::system_clock::now() + kCallDeadline);
  c->AddMetadata(kActingForMetadata, user);
}

}  // namespace

std::string JsonQuote(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '<': out += "\\u003c"; break;  // never markup, wherever it lands
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

namespace {

Reply Json(const google::protobuf::Message& m) { return Reply{200, ToJson(m)}; }

// One unary call for `user`: the answer as JSON, or the error.
template <typename Stub, typename Request, typename Response>
Reply Call(Stub* stub,
           grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
           const std::string& user, const Request& req) {
  Response resp;
  grpc::ClientContext c;
  ForUser(&c, user);
  grpc::Status s = (stub->*method)(&c, req, &resp);
  return s.ok() ? Json(resp) : ErrorReply(s);
}

// Every page of a listing for `user`, within one deadline for all of them,
// each handed to `take`; OUT_OF_RANGE past kMaxPages pages.
template <typename Stub, typename Request, typename Response>
grpc::Status ListPages(Stub* stub,
                       grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                       const std::string& user, Request req,
                       const std::function<void(Response&)>& take) {
  const auto deadline = std::chrono::system_clock::now() + kCallDeadline;
  for (int page = 0; page < kMaxPages; ++page) {
    Response resp;
    grpc::ClientContext c;
    c.set_deadline(deadline);
    c.AddMetadata(kActingForMetadata, user);
    grpc::Status s = (stub->*method)(&c, req, &resp);
    if (!s.ok()) return s;
    take(resp);
    if (resp.next_page_token().empty()) return grpc::Status::OK;
    req.set_page_token(resp.next_page_token());
  }
  return grpc::Status(grpc::StatusCode::OUT_OF_RANGE, "too many pages to list at once");
}

// A CSV cell: quoted, quotes doubled, and a leading = + - @ | (full-width
// too), space, tab or carriage return prefixed with ' so that no
// spreadsheet runs it.
std::string CsvCell(absl::string_view s) {
  std::string v(s);
  static constexpr absl::string_view kFullwidth[] = {"＝", "＋", "－", "＠"};
  bool formula = !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' ||
                                v[0] == '|' || v[0] == ' ' || v[0] == '\t' || v[0] == '\r');
  for (absl::string_view w : kFullwidth) formula |= absl::StartsWith(v, w);
  if (formula) v.insert(v.begin(), '\'');
  return absl::StrCat("\"", absl::StrReplaceAll(v, {{"\"", "\"\""}}), "\"");
}

// The state as the pages name it; 逾期 is shown beside it (overdue).
const char* StateName(v1::ReportState s) {
  switch (s) {
    case v1::NOT_SUBMITTED: return "未报送";
    case v1::HAS_ERRORS: return "有错误";
    case v1::AWAITING_REVIEW: return "待审核";
    case v1::REJECTED: return "已退回";
    case v1::CLEARED: return "已可发布";
    default: return "未知";
  }
}

}  // namespace

std::string TemplateJson() {
  std::string out = "{\"cells\": [";
  bool first = true;
  auto cell = [&](const char* table, absl::string_view row, absl::string_view column,
                  absl::string_view path, std::vector<const char*> groups = {}) {
    std::string quoted;
    for (const char* g : groups) absl::StrAppend(&quoted, quoted.empty() ? "" : ", ", JsonQuote(g));
    absl::StrAppend(&out, first ? "\n" : ",\n", "{\"table\": ", JsonQuote(table), ", \"row\": ",
                    JsonQuote(row), ", \"column\": ", JsonQuote(column), ", \"field_path\": ",
                    JsonQuote(path), ", \"groups\": [", quoted, "]}");
    first = false;
  };
  // Table 三's group rows above a row (三、本年度办理结果, （三）不予公开 …),
  // outermost first: they hold no numbers, the page prints them as headings.
  auto groups_of = [](int row) {
    std::vector<const char*> groups;
    for (int g = kRequestRows[row].group; g >= 0; g = kRequestRows[g].group) {
      groups.insert(groups.begin(), kRequestRows[g].label);
    }
    return groups;
  };
  bool fee = false;
  for (const CountCell& c : AllCountCells()) {
    if (c.section != '2' && !fee) {
      cell("二", "行政事业性收费", kFeeColumn.label, kFeeFieldPath);
      fee = true;
    }
    cell(c.section == '2' ? "二" : c.section == '3' ? "三" : "四", c.row_label, c.column_label,
         c.field_path, c.section == '3' ? groups_of(c.row) : std::vector<const char*>{});
  }
  return out + "\n]}\n";
}

Reply ErrorReply(const grpc::Status& status) {
  int http = 500;
  switch (status.error_code()) {
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED: http = 403; break;
    case grpc::StatusCode::NOT_FOUND: http = 404; break;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE: http = 400; break;
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::ALREADY_EXISTS: http = 409; break;
    case grpc::StatusCode::RESOURCE_EXHAUSTED: http = 429; break;
    case grpc::StatusCode::UNAVAILABLE: http = 503; break;
    case grpc::StatusCode::DEADLINE_EXCEEDED: http = 504; break;
    default: break;
  }
  static const char* const kNames[] = {
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
      "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
  const int code = static_cast<int>(status.error_code());
  const char* name = code >= 0 && code <= 16 ? kNames[code] : "UNKNOWN";
  // What failed inside (addresses, TLS errors) is for the log, not for the
  // browser: the user is told what they can act on.
  std::string message = status.error_message();
  if (http >= 500) {
    spdlog::warn("console backend error code={} error=\"{}\"", name, Echo(message));
    message = http == 503   ? "服务暂不可用，请稍后重试"
              : http == 504 ? "服务响应超时，请稍后重试"
                            : "内部错误";
  }
  return Reply{http, absl::StrCat("{\"code\": \"", name, "\", \"message\": ", JsonQuote(message), "}\n")};
}

Api::Api(std::shared_ptr<grpc::Channel> audit, std::shared_ptr<grpc::Channel> submit,
         ImportConfig import)
    : audit_(v1::AuditService::NewStub(audit)),
      submit_(v1::SubmissionService::NewStub(submit)),
      import_(std::move(import)) {}

Reply Api::AgencyStates(const std::string& user, absl::string_view prefix, absl::string_view year,
                        bool csv) const {
  v1::ListAgencyStatesRequest req;
  req.set_parent(absl::StrCat("regions/", prefix, "/years/", year));
  req.set_page_size(500);
  v1::ListAgencyStatesResponse all;
  grpc::Status s = ListPages(audit_.get(), &v1::AuditService::Stub::ListAgencyStates, user, req,
                             std::function<void(v1::ListAgencyStatesResponse&)>(
                                 [&all](v1::ListAgencyStatesResponse& page) {
                                   for (v1::AgencyStatus& a : *page.mutable_agencies()) {
                                     *all.add_agencies() = std::move(a);
                                   }
                                 }));
  if (s.error_code() == grpc::StatusCode::OUT_OF_RANGE) {
    return Reply{413, absl::StrCat("{\"code\": \"OUT_OF_RANGE\", \"message\": ",
                                   JsonQuote(absl::StrCat("该地区机关超过 ", kMaxPages * 500,
                                                          " 个，请按更长的区划代码前缀查看")),
                                   "}\n")};
  }
  if (!s.ok()) return ErrorReply(s);
  if (!csv) return Json(all);
  std::string out = "\xEF\xBB\xBF机关代码,机关名称,区划代码,状态,逾期,最新版本,错误,警告,截止日期\r\n";
  for (const v1::AgencyStatus& a : all.agencies()) {
    absl::StrAppend(&out, CsvCell(a.agency().id()), ",", CsvCell(a.agency().name()), ",",
                    CsvCell(a.agency().region_code()), ",", CsvCell(StateName(a.state())), ",",
                    a.overdue() ? "是" : "否", ",", CsvCell(a.latest_version()), ",", a.error_count(),
                    ",", a.warning_count(), ",", CsvCell(a.due_date()), "\r\n");
  }
  return Reply{200, std::move(out), "text/csv; charset=utf-8"};
}

Reply Api::RegionSummary(const std::string& user, absl::string_view prefix,
                         absl::string_view year) const {
  v1::GetRegionSummaryRequest req;
  req.set_name(absl::StrCat("regions/", prefix, "/years/", year));
  return Call(audit_.get(), &v1::AuditService::Stub::GetRegionSummary, user, req);
}

Reply Api::Version(const std::string& user, const std::string& version) const {
  v1::GetVersionRequest req;
  req.set_name(version);
  req.set_view(v1::VERSION_VIEW_FULL);
  return Call(submit_.get(), &v1::SubmissionService::Stub::GetVersion, user, req);
}

Reply Api::Versions(const std::string& user, const std::string& report) const {
  v1::ListVersionsRequest req;
  req.set_parent(report);
  req.set_view(v1::VERSION_VIEW_BASIC);
  v1::ListVersionsResponse all;
  grpc::Status s = ListPages(submit_.get(), &v1::SubmissionService::Stub::ListVersions, user, req,
                             std::function<void(v1::ListVersionsResponse&)>(
                                 [&all](v1::ListVersionsResponse& page) {
                                   for (v1::ReportVersion& v : *page.mutable_versions()) {
                                     *all.add_versions() = std::move(v);
                                   }
                                 }));
  return s.ok() ? Json(all) : ErrorReply(s);
}

Reply Api::Diff(const std::string& user, const std::string& version, const std::string& other) const {
  v1::DiffVersionsRequest req;
  req.set_name(version);
  req.set_other_name(other);
  return Call(submit_.get(), &v1::SubmissionService::Stub::DiffVersions, user, req);
}

Reply Api::Audit(const std::string& user, const std::string& version) const {
  v1::GetAuditRequest req;
  req.set_name(version + "/audit");
  return Call(audit_.get(), &v1::AuditService::Stub::GetAudit, user, req);
}

Reply Api::ReviewStatus(const std::string& user, const std::string& version) const {
  v1::GetReviewStatusRequest req;
  req.set_name(version + "/reviewStatus");
  return Call(audit_.get(), &v1::AuditService::Stub::GetReviewStatus, user, req);
}

Reply Api::CreateSignOff(const std::string& user, const std::string& version,
                         absl::string_view body, const std::string& request_id) const {
  v1::CreateSignOffRequest req;
  req.set_request_id(request_id);
  if (absl::Status parsed = FromJson(body, req.mutable_sign_off()); !parsed.ok()) {
    return ErrorReply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                   absl::StrCat("sign-off JSON: ", parsed.message())));
  }
  if (req.sign_off().version() != version) {
    return ErrorReply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                   "sign_off.version must be the version of the URL"));
  }
  return Call(audit_.get(), &v1::AuditService::Stub::CreateSignOff, user, req);
}

Reply Api::SignOffs(const std::string& user, const std::string& version) const {
  v1::ListSignOffsRequest req;
  req.set_parent(version);
  req.set_page_size(100);
  v1::ListSignOffsResponse all;
  grpc::Status s = ListPages(audit_.get(), &v1::AuditService::Stub::ListSignOffs, user, req,
                             std::function<void(v1::ListSignOffsResponse&)>(
                                 [&all](v1::ListSignOffsResponse& page) {
                                   for (v1::SignOff& o : *page.mutable_sign_offs()) {
                                     *all.add_sign_offs() = std::move(o);
                                   }
                                 }));
  return s.ok() ? Json(all) : ErrorReply(s);
}

Reply Api::Checkpoint(const std::string& user) const {
  return Call(audit_.get(), &v1::AuditService::Stub::GetCheckpoint, user, v1::GetCheckpointRequest());
}

Reply Api::Inclusion(const std::string& user, int64_t index, int64_t tree_size) const {
  v1::GetInclusionProofRequest req;
  req.set_index(index);
  req.set_tree_size(tree_size);
  return Call(audit_.get(), &v1::AuditService::Stub::GetInclusionProof, user, req);
}

Reply Api::Consistency(const std::string& user, int64_t old_size, int64_t new_size) const {
  v1::GetConsistencyProofRequest req;
  req.set_old_size(old_size);
  req.set_new_size(new_size);
  return Call(audit_.get(), &v1::AuditService::Stub::GetConsistencyProof, user, req);
}

Reply Api::Import(const std::string& user, absl::string_view document,
                  absl::string_view format) const {
  ImportOptions options;
  if (!ParseFormat(format.empty() ? "auto" : format, &options.format)) {
    return ErrorReply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                   "format: auto, text, pdf, html, docx or scan"));
  }
  if (import_.reportctl.empty()) {
    return Reply{503, "{\"code\": \"UNAVAILABLE\", \"message\": \"本控制台未配置文档导入（--reportctl）\"}\n"};
  }
  if (document.empty()) {
    return ErrorReply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "请选择要导入的文档"));
  }
  // At most max_concurrent at a time, one of them per user: each may hold
  // a core for a minute, and one user must not hold them all.
  {
    std::lock_guard<std::mutex> lock(imports_mu_);
    if (importing_.count(user) > 0) {
      return Reply{429, "{\"code\": \"RESOURCE_EXHAUSTED\", \"message\": \"您已有一个文档正在读取，请等它完成\"}\n"};
    }
    if (static_cast<int>(importing_.size()) >= import_.max_concurrent) {
      return Reply{429, "{\"code\": \"RESOURCE_EXHAUSTED\", \"message\": \"导入繁忙，请稍后重试\"}\n"};
    }
    importing_.insert(user);
  }
  // The slot is the user's until this returns, whatever happens.
  absl::Cleanup slot = [this, &user] {
    std::lock_guard<std::mutex> lock(imports_mu_);
    importing_.erase(user);
  };
  options.max_ocr_seconds = import_.max_ocr_seconds;
  const absl::Time start = absl::Now();
  absl::StatusOr<v1::ImportedReport> imported =
      ImportInChildProcess(import_.reportctl, document, options, import_.limits);
  std::move(slot).Invoke();
  spdlog::info("console import user=\"{}\" bytes={} format={} code={} import_ms={:.1f}", Echo(user),
               document.size(), imported.ok() ? imported->format() : "-",
               absl::StatusCodeToString(imported.status().code()),
               absl::ToDoubleMilliseconds(absl::Now() - start));
  if (!imported.ok()) {
    const absl::Status& s = imported.status();
    if (absl::IsResourceExhausted(s)) {
      return Reply{413, absl::StrCat("{\"code\": \"RESOURCE_EXHAUSTED\", \"message\": ",
                                     JsonQuote(s.message()), "}\n")};
    }
    return ErrorReply(grpc::Status(absl::IsInvalidArgument(s) ? grpc::StatusCode::INVALID_ARGUMENT
                                                              : grpc::StatusCode::INTERNAL,
                                   std::string(s.message())));
  }
  v1::ValidateReportRequest req;
  *req.mutable_report() = imported->report();
  v1::ValidateReportResponse validation;
  grpc::ClientContext c;
  ForUser(&c, user);
  grpc::Status s = audit_->ValidateReport(&c, req, &validation);
  if (!s.ok()) return ErrorReply(s);
  return Reply{200, absl::StrCat("{\"imported\": ", ToJson(*imported), ", \"validation\": ",
                                 ToJson(validation), "}\n")};
}

Reply Api::CreateVersion(const std::string& user, const std::string& report_name,
                         absl::string_view body, const std::string& request_id) const {
  v1::CreateVersionRequest req;
  if (absl::Status parsed = FromJson(body, &req); !parsed.ok()) {
    return ErrorReply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                   absl::StrCat("version JSON: ", parsed.message())));
  }
  if (!req.parent().empty() && req.parent() != report_name) {
    return ErrorReply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                   "parent must be the report of the URL"));
  }
  req.set_parent(report_name);
  req.set_request_id(request_id);
  return Call(submit_.get(), &v1::SubmissionService::Stub::CreateVersion, user, req);
}

Reply Api::DocumentBundles(const std::string& user, const std::string& sha256) const {
  v1::FindDocumentVersionsRequest req;
  req.set_document_sha256(sha256);
  v1::FindDocumentVersionsResponse found;
  {
    grpc::ClientContext c;
    ForUser(&c, user);
    grpc::Status s = submit_->FindDocumentVersions(&c, req, &found);
    if (!s.ok()) return ErrorReply(s);
  }
  std::string out = "{\"versions\": [";
  for (int i = 0; i < found.versions_size(); ++i) {
    const std::string& name = found.versions(i).name();
    v1::GetVerificationBundleRequest breq;
    breq.set_name(name);
    v1::VerificationBundle bundle;
    grpc::ClientContext c;
    ForUser(&c, user);
    grpc::Status s = audit_->GetVerificationBundle(&c, breq, &bundle);
    absl::StrAppend(&out, i == 0 ? "\n" : ",\n", "{\"version\": ", JsonQuote(name), ", ");
    // Whether it is still the latest: a bundle cannot say so (the ledger
    // knows nothing of versions not yet audited); the service can.
    v1::GetReviewStatusRequest sreq;
    sreq.set_name(name + "/reviewStatus");
    v1::ReviewStatus status;
    grpc::ClientContext sc;
    ForUser(&sc, user);
    if (audit_->GetReviewStatus(&sc, sreq, &status).ok()) {
      absl::StrAppend(&out, "\"latest\": ", status.latest() ? "true" : "false", ", ");
    }
    if (s.ok()) {
      absl::StrAppend(&out, "\"bundle\": \"", absl::Base64Escape(bundle.SerializeAsString()), "\"}");
    } else {
      absl::StrAppend(&out, "\"error\": ", JsonQuote(s.error_message()), "}");
    }
  }
  return Reply{200, out + "\n]}\n"};
}

Reply Api::OpenEvents(const std::string& user, absl::string_view prefix,
                       absl::string_view start_after, absl::Duration slice,
                       EventWatch* watch) const {
  watch->prefix = std::string(prefix);
  watch->position = std::string(start_after);
  watch->context = std::make_unique<grpc::ClientContext>();
  watch->context->AddMetadata(kActingForMetadata, user);
  watch->context->set_deadline(absl::ToChronoTime(absl::Now() + slice));
  v1::WatchEventsRequest req;
  req.set_region_prefix(watch->prefix);
  req.set_start_after(watch->position);
  watch->reader = audit_->WatchEvents(watch->context.get(), req);
  watch->reader->WaitForInitialMetadata();
  if (watch->context->GetServerInitialMetadata().count(kWatchOpenMetadata) > 0) return Reply{200, ""};
  grpc::Status s = watch->reader->Finish();
  watch->reader.reset();
  return ErrorReply(s.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "the watch ended at once") : s);
}

void Api::PumpEvents(const std::string& user, EventWatch* watch,
                     const std::function<bool(absl::string_view)>& write, absl::Duration slice,
                     absl::Duration lifetime) const {
  const absl::Time end = absl::Now() + lifetime;
  while (watch->reader != nullptr) {
    v1::AuditEvent event;
    while (watch->reader->Read(&event)) {
      watch->position = event.position();
      std::string json = ToJson(event);
      json.erase(std::remove(json.begin(), json.end(), '\n'), json.end());
      if (!write(absl::StrCat("id: ", event.position(), "\nevent: audit\ndata: ", json, "\n\n"))) {
        watch->context->TryCancel();
        watch->reader->Finish();
        return;
      }
    }
    grpc::Status s = watch->reader->Finish();
    watch->reader.reset();
    if (s.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
      write(absl::StrCat("event: error\ndata: ", ErrorReply(s).body, "\n"));
      return;
    }
    if (absl::Now() >= end || !write(": keepalive\n\n")) return;
    EventWatch next;
    if (OpenEvents(user, watch->prefix, watch->position, slice, &next).status != 200) return;
    *watch = std::move(next);
  }
}

}  // namespace disclosure::console
