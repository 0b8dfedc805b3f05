// The console's JSON API: each route is one call (or a listing) of
// audit_service or submit_service, made with the console's certificate for
// the browser user (`user`, console/identity.h), whom the services then
// judge by their own roles (docs/api.md, "Acting for a user"). Payloads are
// protobuf's JSON mapping with the .proto field names (core/report/export.h
// ToJson), as `reportctl --json` prints them.
//
// Thread-safe: the stubs are, and an Api holds nothing else that changes
// but the set of users whose import runs (under a mutex).
#ifndef DISCLOSURE_CONSOLE_API_H_
#define DISCLOSURE_CONSOLE_API_H_

#include <functional>
#include <mutex>
#include <set>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/import/child_import.h"
#include "disclosure/v1/audit.grpc.pb.h"
#include "disclosure/v1/submission.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace disclosure::console {

// An HTTP answer: status, body, media type.
struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json; charset=utf-8";
};

// `s` as a JSON string literal; <, > and & as \u escapes, so that the text
// is never markup wherever it lands.
std::string JsonQuote(absl::string_view s);

// A gRPC status as the API's error: its HTTP status (403 for
// PERMISSION_DENIED, 404, 400, 409 for FAILED_PRECONDITION and ABORTED,
// 503 for UNAVAILABLE, 504 for DEADLINE_EXCEEDED, else 500) and
// {"code": "PERMISSION_DENIED", "message": "…"}.
Reply ErrorReply(const grpc::Status& status);

// GET /api/template: the cells of the template's three tables in their
// order, {"cells": [{"table": "二", "row": "规章", "column": "本年制发件数",
// "field_path": "proactive_disclosure.regulations.issued", "groups": []}, …]},
// the fee cell last of table 二; "groups": table 三's group rows above the
// row, outermost first ("三、本年度办理结果", "（三）不予公开"): what the pages
// lay out.
std::string TemplateJson();

// How the console reads uploaded documents (Api::Import).
struct ImportConfig {
  std::string reportctl;  // the reportctl binary the child runs; empty: no import
  ChildImportLimits limits;
  int max_ocr_seconds = 60;  // a scan's OCR budget (≤ limits.max_time)
  int max_concurrent = 2;    // imports at a time, in all (each may take a core); one per user
};

class Api {
 public:
  Api(std::shared_ptr<grpc::Channel> audit, std::shared_ptr<grpc::Channel> submit,
      ImportConfig import = {});

  // GET /api/regions/{prefix}/years/{year}/agencies: every agency of the
  // region (all pages of ListAgencyStates) as {"agencies": [AgencyStatus…]};
  // `csv`: the same as CSV (UTF-8 with BOM, for spreadsheet programs), each
  // cell that a spreadsheet would read as a formula prefixed with '.
  Reply AgencyStates(const std::string& user, absl::string_view prefix, absl::string_view year,
                     bool csv) const;
  // GET /api/regions/{prefix}/years/{year}/summary: GetRegionSummary.
  Reply RegionSummary(const std::string& user, absl::string_view prefix,
                      absl::string_view year) const;
  // GET /api/{version}: GetVersion (FULL view); …/audit: GetAudit;
  // …/reviewStatus: GetReviewStatus. `version` is
  // agencies/{id}/reports/{year}/versions/{n}.
  Reply Version(const std::string& user, const std::string& version) const;
  // GET /api/agencies/{id}/reports/{year}/versions: every version of the
  // report, newest first (ListVersions, basic view, all pages), as
  // {"versions": [ReportVersion…]}.
  Reply Versions(const std::string& user, const std::string& report) const;
  // GET /api/{version}/diff?other=N: DiffVersions of the version against
  // version N of the same report, cell by cell and part by part.
  Reply Diff(const std::string& user, const std::string& version, const std::string& other) const;
  Reply Audit(const std::string& user, const std::string& version) const;
  Reply ReviewStatus(const std::string& user, const std::string& version) const;
  // POST /api/{version}/signOffs with a SignOff as JSON: CreateSignOff of
  // exactly that version, content hash and findings digest (the service
  // refuses a version changed meanwhile). `request_id` (the X-Request-Id
  // header; may be empty) makes a retried POST answer the first sign-off
  // instead of signing twice.
  Reply CreateSignOff(const std::string& user, const std::string& version,
                      absl::string_view body, const std::string& request_id) const;

  // GET /api/{version}/signOffs: every sign-off of the version (all pages of
  // ListSignOffs) as {"sign_offs": [SignOff…]}, each with its ledger_index.
  Reply SignOffs(const std::string& user, const std::string& version) const;
  // The ledger, for the ledger page, which verifies all of it itself
  // (docs/console.md, "Ledger"): GET /api/ledger/checkpoint (GetCheckpoint),
  // GET /api/ledger/entries/{index}?tree_size=N (GetInclusionProof: the
  // entry, its signature and its proof), GET /api/ledger/consistency?old=A&new=B
  // (GetConsistencyProof). Numbers are checked by the service.
  Reply Checkpoint(const std::string& user) const;
  Reply Inclusion(const std::string& user, int64_t index, int64_t tree_size) const;
  Reply Consistency(const std::string& user, int64_t old_size, int64_t new_size) const;

  // POST /api/import?format=auto|text|pdf|html|docx|scan with the document's
  // bytes: the document read in a child process (core/import/child_import.h)
  // and the report's dry run (ValidateReport, as the user), as
  // {"imported": ImportedReport, "validation": ValidateReportResponse}.
  // 400 with the importer's message (what and where) for a document it
  // refuses, 413 past a limit, 429 while max_concurrent imports run or the
  // user's own is still running.
  Reply Import(const std::string& user, absl::string_view document, absl::string_view format) const;
  // POST /api/agencies/{id}/reports/{year}/versions with
  // {"report": …, "expected_latest_version": N, "document": base64}:
  // CreateVersion for the user; `document`, the published file the report
  // was read from, is optional (≤ 16 MiB, submit_service's limit).
  Reply CreateVersion(const std::string& user, const std::string& report_name,
                      absl::string_view body, const std::string& request_id) const;

  // GET /api/documents/sha256:{hex}/bundles: the versions whose published
  // document is that file, among the reports the user may read
  // (FindDocumentVersions), each with its verification bundle
  // (GetVerificationBundle) as base64 of its protobuf bytes — the page
  // verifies it itself — or the reason there is none, and whether the
  // version is still the latest (GetReviewStatus; absent when unknown):
  // {"versions": [{"version": …, "latest": true, "bundle": "…"} | {…, "error": "…"}]}.
  Reply DocumentBundles(const std::string& user, const std::string& sha256) const;

  // GET /api/regions/{prefix}/events: the region's events as server-sent
  // events, from after `start_after` (the Last-Event-ID a reconnecting
  // EventSource sends; empty: from the beginning) on, live. OpenEvents opens
  // the user's WatchEvents and answers 200 once the service accepted it, or
  // the refusal (403, 400, …) before any event. PumpEvents then calls
  // `write` with one message per event ("id: POSITION\nevent: audit\ndata:
  // {AuditEvent}\n\n") until `write` returns false or `lifetime` ends; each
  // watch lasts `slice` and is opened again from its last position, with a
  // ": keepalive" comment between, so a browser that went away is noticed
  // (and its thread freed) within `slice`. A failure of the service ends
  // the stream with an "event: error" message; EventSource reconnects.
  struct EventWatch {
    std::unique_ptr<grpc::ClientContext> context;
    std::unique_ptr<grpc::ClientReader<v1::AuditEvent>> reader;
    std::string prefix, position;
  };
  Reply OpenEvents(const std::string& user, absl::string_view prefix, absl::string_view start_after,
                   absl::Duration slice, EventWatch* watch) const;
  void PumpEvents(const std::string& user, EventWatch* watch,
                  const std::function<bool(absl::string_view)>& write, absl::Duration slice,
                  absl::Duration lifetime) const;

 private:
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::unique_ptr<v1::SubmissionService::Stub> submit_;
  const ImportConfig import_;
  mutable std::mutex imports_mu_;
  mutable std::set<std::string> importing_;  // users with an import running; guarded by imports_mu_
};

}  // namespace disclosure::console

#endif  // DISCLOSURE_CONSOLE_API_H_
