// reportctl's commands against submit_service, over mutual TLS.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/synchronization/notification.h"
#include "grpcpp/generic/generic_stub.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/base/file.h"
#include "core/import/import.h"
#include "core/report/export.h"
#include "core/access/resource_names.h"
#include "core/rpc/rpc_util.h"
#include "disclosure/v1/submission.grpc.pb.h"
#include "reportctl/commands.h"
#include "core/rpc/client_channel.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051",
          "submit_service address(es): host:port, or several ip:port joined by commas "
          "(round robin)");
ABSL_FLAG(std::string, tls_server_name, "localhost",
          "with several --target addresses: the name the server certificate holds "
          "(deploy/dev-certs.sh makes it localhost)");
ABSL_FLAG(std::string, certs, "run/certs", "folder of the development certificates (deploy/dev-certs.sh)");
ABSL_FLAG(std::string, as, "clerk-zz-psb", "principal to act as: uses CERTS/AS.crt and CERTS/AS.key");
ABSL_FLAG(std::string, ca, "", "CA certificate (default CERTS/ca.crt)");
ABSL_FLAG(std::string, cert, "", "client certificate (default CERTS/AS.crt)");
ABSL_FLAG(std::string, key, "", "client key (default CERTS/AS.key)");
ABSL_FLAG(int, deadline_seconds, 10, "deadline of each call");
ABSL_FLAG(int64_t, expected_version, -1,
          "submit: latest version you have seen (default: the service's latest, read first)");
ABSL_FLAG(std::string, request_id, "", "submit, signoff: idempotency key (default: random)");
ABSL_FLAG(std::string, document, "",
          "submit: the document the agency publishes, sent with the report (default: FILE itself "
          "when it is a PDF, web page or Word file); verify: the published file to check");
ABSL_FLAG(std::string, region_prefix, "", "reports/watch: region code prefix");
ABSL_FLAG(int, year, 0, "reports: report year");
ABSL_FLAG(std::string, from, "", "watch: resume after this position");
ABSL_FLAG(int, max_events, 0, "watch: stop after this many events (0: run until interrupted)");
ABSL_FLAG(std::string, health_service, "",
          "health: the service name to ask about (default: the server as a whole; "
          "audit_service's feed follower: disclosure.v1.AuditService/feed)");

namespace disclosure::reportctl {

bool Usage(const std::vector<std::string>& args, size_t n, const char* usage) {
  if (args.size() == n) return true;
  std::cerr << "usage: reportctl " << usage << "\n";
  return false;
}

int Refused(const absl::Status& s) {
  std::cerr << "reportctl: " << absl::StatusCodeToString(s.code()) << ": " << s.message() << "\n";
  return s.code() == absl::StatusCode::kUnavailable ||
                 s.code() == absl::StatusCode::kDeadlineExceeded
             ? kExitUnreadable
             : kExitFindings;
}

int Refused(const grpc::Status& status) { return Refused(FromGrpcStatus(status)); }

int MaxEvents() { return absl::GetFlag(FLAGS_max_events); }

void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(absl::GetFlag(FLAGS_deadline_seconds)));
}

std::shared_ptr<grpc::Channel> OpenChannel(const std::string& target_flag) {
  std::string certs = absl::GetFlag(FLAGS_certs), as = absl::GetFlag(FLAGS_as);
  auto fallback = [](const std::string& flag, const std::string& f) { return flag.empty() ? f : flag; };
  TlsFiles files{fallback(absl::GetFlag(FLAGS_ca), certs + "/ca.crt"),
                 fallback(absl::GetFlag(FLAGS_cert), certs + "/" + as + ".crt"),
                 fallback(absl::GetFlag(FLAGS_key), certs + "/" + as + ".key")};
  auto creds = MutualTlsChannelCredentials(files);
  if (!creds.ok()) {
    std::cerr << "reportctl: " << creds.status().message() << "\n";
    return nullptr;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenClientChannel(
      target_flag, absl::GetFlag(FLAGS_tls_server_name), *creds, 8 << 20);
  if (!channel.ok()) {
    std::cerr << "reportctl: " << channel.status().message() << "\n";
    return nullptr;
  }
  return *channel;
}

namespace {

std::string Or(const std::string& flag, const std::string& fallback) {
  return flag.empty() ? fallback : flag;
}

std::unique_ptr<v1::SubmissionService::Stub> Connect() {
  std::shared_ptr<grpc::Channel> channel = OpenChannel(absl::GetFlag(FLAGS_target));
  return channel ? v1::SubmissionService::NewStub(channel) : nullptr;
}



}  // namespace

std::string RandomId() {
  unsigned char bytes[16];
  int fd = open("/dev/urandom", O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, bytes, sizeof bytes) : -1;
  if (fd >= 0) close(fd);
  if (n != static_cast<ssize_t>(sizeof bytes)) {
    auto t = std::chrono::steady_clock::now().time_since_epoch().count();
    return absl::StrCat("t", t, "-", getpid());
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

namespace {

void PrintVersion(const v1::ReportVersion& v) {
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << ToJson(v) << "\n";
    return;
  }
  std::cout << v.name() << "\t" << v.content_hash() << "\t" << v.submitter() << "\t"
            << absl::FormatTime(absl::FromUnixSeconds(v.create_time().seconds()), absl::UTCTimeZone())
            << "\n";
}


}  // namespace

int RunSubmit(const std::vector<std::string>& args) {
  if (!Usage(args, 1, "submit FILE (a document, text or JSON) [--document PUBLISHED] [--agency_id ID] "
                      "[--expected_version N]")) {
    return kExitUnreadable;
  }
  // The published document: given, or the file itself when it is one.
  std::string document_path = absl::GetFlag(FLAGS_document);
  absl::StatusOr<std::string> document;
  if (document_path.empty()) {
    absl::StatusOr<std::string> bytes = ReadFileToString(args[0]);
    if (bytes.ok()) {
      const DocumentFormat f = SniffFormat(*bytes);
      if (f == DocumentFormat::kPdf || f == DocumentFormat::kHtml || f == DocumentFormat::kDocx) {
        document = *std::move(bytes);
      }
    }
  } else {
    document = ReadFileToString(document_path);
    if (!document.ok()) {
      std::cerr << "reportctl: --document: " << document.status().message() << "\n";
      return kExitUnreadable;
    }
  }
  absl::StatusOr<v1::Report> report = LoadReport(args[0], nullptr);
  if (!report.ok()) {
    std::cerr << "reportctl: " << report.status().message() << "\n";
    return kExitUnreadable;
  }
  if (!absl::GetFlag(FLAGS_agency_id).empty()) {
    report->mutable_agency()->set_id(absl::GetFlag(FLAGS_agency_id));
  }
  if (report->agency().id().empty()) {
    std::cerr << "reportctl: the report names no agency id: give --agency_id\n";
    return kExitUnreadable;
  }
  auto stub = Connect();
  if (!stub) return kExitUnreadable;
  ReportName parent{report->agency().id(), report->year()};
  v1::CreateVersionRequest request;
  request.set_parent(FormatReportName(parent));
  *request.mutable_report() = *report;
  if (document.ok()) request.set_document(*std::move(document));
  request.set_request_id(Or(absl::GetFlag(FLAGS_request_id), RandomId()));
  int64_t expected = absl::GetFlag(FLAGS_expected_version);
  if (expected < 0) {
    // Read the latest first; the service still refuses if another version
    // lands between this read and the write.
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::GetVersionRequest get;
    get.set_name(request.parent() + "/versions/latest");
    get.set_view(v1::VERSION_VIEW_BASIC);
    v1::ReportVersion latest;
    grpc::Status s = stub->GetVersion(&context, get, &latest);
    if (s.ok()) {
      expected = latest.version();
    } else if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
      expected = 0;
    } else {
      return Refused(s);
    }
  }
  request.set_expected_latest_version(expected);
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::CreateVersionResponse response;
  grpc::Status s = stub->CreateVersion(&context, request, &response);
  if (!s.ok()) return Refused(s);
  if (absl::GetFlag(FLAGS_json)) {
    response.mutable_version()->clear_report();
    std::cout << ToJson(response) << "\n";
  } else {
    std::cout << (response.created() ? "created " : "unchanged ");
    PrintVersion(response.version());
  }
  return kExitOk;
}

int RunVersions(const std::vector<std::string>& args) {
  if (!Usage(args, 1, "versions agencies/ID/reports/YEAR")) return kExitUnreadable;
  auto stub = Connect();
  if (!stub) return kExitUnreadable;
  v1::ListVersionsRequest request;
  request.set_parent(args[0]);
  request.set_page_size(100);
  do {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::ListVersionsResponse response;
    grpc::Status s = stub->ListVersions(&context, request, &response);
    if (!s.ok()) return Refused(s);
    for (const auto& v : response.versions()) PrintVersion(v);
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return kExitOk;
}

int RunGet(const std::vector<std::string>& args) {
  if (!Usage(args, 1, "get agencies/ID/reports/YEAR/versions/N|latest [--json]")) {
    return kExitUnreadable;
  }
  auto stub = Connect();
  if (!stub) return kExitUnreadable;
  v1::GetVersionRequest request;
  request.set_name(args[0]);
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::ReportVersion v;
  grpc::Status s = stub->GetVersion(&context, request, &v);
  if (!s.ok()) return Refused(s);
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << ToJson(v) << "\n";
  } else {
    std::cerr << v.name() << " " << v.content_hash() << "\n";
    std::cout << ExportText(v.report());
  }
  return kExitOk;
}

int RunDiff(const std::vector<std::string>& args) {
  if (!Usage(args, 2, "diff VERSION_NAME OTHER_VERSION_NAME")) return kExitUnreadable;
  auto stub = Connect();
  if (!stub) return kExitUnreadable;
  v1::DiffVersionsRequest request;
  request.set_name(args[0]);
  request.set_other_name(args[1]);
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::DiffVersionsResponse response;
  grpc::Status s = stub->DiffVersions(&context, request, &response);
  if (!s.ok()) return Refused(s);
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << ToJson(response) << "\n";
    return kExitOk;
  }
  for (const auto& c : response.changes()) {
    auto shown = [](const std::string& v, bool empty) { return empty ? std::string("（空）") : v; };
    bool text = c.before().size() > 40 || c.after().size() > 40;
    std::cout << c.label() << "\t" << c.field_path() << "\t"
              << (text ? "(text changed)" : shown(c.before(), c.before_empty()) + " → " +
                                                 shown(c.after(), c.after_empty()))
              << "\n";
  }
  std::cout << response.changes_size() << " change(s)\n";
  return kExitOk;
}

int RunWatch(const std::vector<std::string>& args) {
  if (!Usage(args, 0, "watch [--from POSITION] [--region_prefix P] [--max_events N]")) {
    return kExitUnreadable;
  }
  auto stub = Connect();
  if (!stub) return kExitUnreadable;
  v1::WatchVersionsRequest request;
  request.set_start_after(absl::GetFlag(FLAGS_from));
  request.set_region_prefix(absl::GetFlag(FLAGS_region_prefix));
  grpc::ClientContext context;  // no deadline: a watch runs until stopped
  auto reader = stub->WatchVersions(&context, request);
  return DrainStream<v1::VersionEvent>(&context, reader.get(), [](const v1::VersionEvent& e) {
    std::cout << e.position() << "\t";
    PrintVersion(e.version());
  });
}

int RunReports(const std::vector<std::string>& args) {
  if (!Usage(args, 0, "reports [--region_prefix P] [--year Y]")) return kExitUnreadable;
  auto stub = Connect();
  if (!stub) return kExitUnreadable;
  v1::ListReportsRequest request;
  request.set_region_prefix(absl::GetFlag(FLAGS_region_prefix));
  request.set_year(absl::GetFlag(FLAGS_year));
  request.set_page_size(100);
  do {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::ListReportsResponse response;
    grpc::Status s = stub->ListReports(&context, request, &response);
    if (!s.ok()) return Refused(s);
    for (const auto& r : response.reports()) {
      if (absl::GetFlag(FLAGS_json)) {
        std::cout << ToJson(r) << "\n";
      } else {
        std::cout << r.name() << "\t" << r.agency_name() << "\t" << r.region_code() << "\tv"
                  << r.latest().version() << "\t" << r.latest().content_hash() << "\n";
      }
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return kExitOk;
}

int RunHealth(const std::vector<std::string>& args) {
  if (!Usage(args, 0, "health [--target ADDR] [--health_service NAME] (exit 0 when SERVING)")) {
    return kExitUnreadable;
  }
  std::shared_ptr<grpc::Channel> channel = OpenChannel(absl::GetFlag(FLAGS_target));
  if (!channel) return kExitUnreadable;
  grpc::health::v1::HealthCheckResponse::ServingStatus serving_status;
  grpc::Status status = CheckHealth(channel, absl::GetFlag(FLAGS_health_service),
                                    absl::Seconds(absl::GetFlag(FLAGS_deadline_seconds)),
                                    &serving_status);
  if (!status.ok()) return Refused(status);
  const bool serving = serving_status == grpc::health::v1::HealthCheckResponse::SERVING;
  std::cout << (serving ? "SERVING" : "NOT_SERVING") << "\n";
  return serving ? kExitOk : kExitFindings;
}

}  // namespace disclosure::reportctl
