// reportctl's offline commands: import, export, validate.
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "core/base/file.h"
#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "core/report/export.h"
#include "core/import/import.h"
#include "core/rules/rules.h"
#include "core/base/text_util.h"
#include "reportctl/offline.h"

ABSL_FLAG(std::string, out, "", "import/export: write to this file instead of stdout");
ABSL_FLAG(std::string, to, "json",
          "import: output format, json|text|binpb, or result (a binary disclosure.v1.ImportedReport: "
          "the report with the importer's diagnostics, for programs)");
ABSL_FLAG(std::string, format, "auto",
          "import/validate/submit: the input's format, auto|text|pdf|html|docx|scan "
          "(auto: found from the bytes; scan: OCR even if the PDF has a text layer)");
ABSL_FLAG(int, ocr_seconds, disclosure::kMaxOcrSeconds,
          "import/validate/submit: OCR time budget for a scan, all pages (0: OCR off, a scan is refused)");
ABSL_FLAG(bool, strict, false, "import/validate/submit: refuse a text with values that cannot be placed");
ABSL_FLAG(std::string, agency_id, "", "import/validate/submit: the agency's registry id (not in the text)");
ABSL_FLAG(std::string, region_code, "", "import/validate: six-digit region code (not in the text)");
ABSL_FLAG(std::string, previous, "", "validate: the agency's previous-year report (text or JSON)");
ABSL_FLAG(std::string, submitted, "", "validate: submission date, YYYY-MM-DD");
ABSL_FLAG(bool, json, false, "validate and the service commands: print JSON");

namespace disclosure::reportctl {

namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  return ReadFileToString(path);
}

}  // namespace

bool WriteOut(const std::string& data) {
  const std::string path = absl::GetFlag(FLAGS_out);
  if (path.empty()) {
    std::cout << data;
    return static_cast<bool>(std::cout);
  }
  std::ofstream out(path, std::ios::binary);
  out << data;
  if (!out) {
    std::cerr << "reportctl: " << path << ": cannot write\n";
    return false;
  }
  return true;
}

namespace {

void PrintDiagnostics(const std::string& path, const ImportResult& result) {
  for (const auto& d : result.diagnostics) {
    std::cerr << path << ":";
    if (d.page() > 0) {
      std::cerr << "page " << d.page() << " (x " << d.x() << ", y " << d.y() << ")";
    } else {
      std::cerr << d.line();
    }
    std::cerr << ": "
              << (d.level() == v1::ImportDiagnostic::UNPLACED ? "unplaced" : "note") << ": "
              << d.message();
    if (!d.expected().empty()) std::cerr << " (expected: " << d.expected() << ")";
    if (!d.text().empty()) std::cerr << " [" << d.text() << "]";
    std::cerr << "\n";
  }
}

absl::StatusOr<ImportOptions> OptionsFromFlags() {
  ImportOptions options;
  options.strict = absl::GetFlag(FLAGS_strict);
  if (!ParseFormat(absl::GetFlag(FLAGS_format), &options.format)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--format must be auto, text, pdf, html, docx or scan, not '", absl::GetFlag(FLAGS_format), "'"));
  }
  const int ocr = absl::GetFlag(FLAGS_ocr_seconds);
  if (ocr < 0 || ocr > kMaxOcrSeconds) {
    return absl::InvalidArgumentError(
        absl::StrCat("--ocr_seconds must be 0 to ", kMaxOcrSeconds, ", not ", ocr));
  }
  options.max_ocr_seconds = ocr;
  return options;
}

void FillAgency(v1::Report* report) {
  if (!absl::GetFlag(FLAGS_agency_id).empty()) {
    report->mutable_agency()->set_id(absl::GetFlag(FLAGS_agency_id));
  }
  if (!absl::GetFlag(FLAGS_region_code).empty()) {
    report->mutable_agency()->set_region_code(absl::GetFlag(FLAGS_region_code));
  }
}

}  // namespace

// A report from a file holding either JSON or the published text. Import
// diagnostics go to stderr; structure findings are appended to `structure`.
absl::StatusOr<v1::Report> LoadReport(const std::string& path,
                                      std::vector<v1::Finding>* structure) {
  absl::StatusOr<std::string> data = ReadFile(path);
  if (!data.ok()) return data.status();
  absl::string_view body = absl::StripLeadingAsciiWhitespace(*data);
  if (absl::StartsWith(body, "{") && absl::GetFlag(FLAGS_format) == "auto") {
    v1::Report report;
    if (absl::Status s = FromJson(*data, &report); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": JSON: ", s.message()));
    }
    return report;
  }
  absl::StatusOr<ImportOptions> options_or = OptionsFromFlags();
  if (!options_or.ok()) return options_or.status();
  ImportOptions options = *options_or;
  absl::StatusOr<ImportResult> result = ImportDocument(*data, options);
  if (!result.ok()) {
    // Prefixed with the path, keeping the payloads (IsStrictRefusal).
    absl::Status named(result.status().code(), absl::StrCat(path, ": ", result.status().message()));
    result.status().ForEachPayload(
        [&](absl::string_view url, const absl::Cord& payload) { named.SetPayload(url, payload); });
    return named;
  }
  PrintDiagnostics(path, *result);
  if (structure) {
    for (auto& f : StructureFindings(*result)) structure->push_back(std::move(f));
  }
  return std::move(result->report);
}

int RunImport(const std::string& path) {
  absl::StatusOr<std::string> data = ReadFile(path);
  if (!data.ok()) {
    std::cerr << "reportctl: " << data.status().message() << "\n";
    return kExitUnreadable;
  }
  absl::StatusOr<ImportOptions> options_or = OptionsFromFlags();
  if (!options_or.ok()) {
    std::cerr << "reportctl: " << options_or.status().message() << "\n";
    return kExitUnreadable;
  }
  ImportOptions options = *options_or;
  absl::StatusOr<ImportResult> result = ImportDocument(*data, options);
  if (!result.ok()) {
    std::cerr << "reportctl: " << path << ": " << result.status().message() << "\n";
    // A strict refusal of a report that was found is not "no report".
    return IsStrictRefusal(result.status()) ? kExitFindings : kExitUnreadable;
  }
  PrintDiagnostics(path, *result);
  FillAgency(&result->report);
  const std::string format = absl::GetFlag(FLAGS_to);
  std::string out;
  if (format == "json") {
    out = ToJson(result->report);
  } else if (format == "text") {
    out = ExportText(result->report);
  } else if (format == "binpb") {
    out = result->report.SerializeAsString();
  } else if (format == "result") {
    v1::ImportedReport imported;
    *imported.mutable_report() = result->report;
    for (const v1::ImportDiagnostic& d : result->diagnostics) *imported.add_diagnostics() = d;
    imported.set_format(result->format);
    out = imported.SerializeAsString();
  } else {
    std::cerr << "reportctl: --to must be json, text, binpb or result, not '" << format << "'\n";
    return kExitUnreadable;
  }
  return WriteOut(out) ? kExitOk : kExitUnreadable;
}

int RunExport(const std::string& path) {
  absl::StatusOr<std::string> data = ReadFile(path);
  if (!data.ok()) {
    std::cerr << "reportctl: " << data.status().message() << "\n";
    return kExitUnreadable;
  }
  v1::Report report;
  if (absl::Status s = FromJson(*data, &report); !s.ok()) {
    std::cerr << "reportctl: " << path << ": JSON: " << s.message() << "\n";
    return kExitUnreadable;
  }
  return WriteOut(ExportText(report)) ? kExitOk : kExitUnreadable;
}

namespace {

const char* SeverityName(v1::Severity s) {
  switch (s) {
    case v1::ERROR: return "error";
    case v1::WARNING: return "warning";
    case v1::INFO: return "info";
    default: return "?";
  }
}

std::string LocationText(const v1::Location& l) {
  std::string s = l.section();
  if (!l.row_label().empty()) absl::StrAppend(&s, " ", l.row_label());
  if (!l.column_label().empty()) absl::StrAppend(&s, " / ", l.column_label());
  if (!l.field_path().empty()) absl::StrAppend(&s, " (", l.field_path());
  if (l.end_offset() > 0) absl::StrAppend(&s, " [", l.start_offset(), ",", l.end_offset(), ")");
  if (!l.field_path().empty()) s += ")";
  return s;
}

}  // namespace

void PrintFindings(const std::vector<v1::Finding>& findings) {
  if (absl::GetFlag(FLAGS_json)) {
    std::vector<std::string> items;
    for (const auto& f : findings) items.push_back(ToJson(f));
    std::cout << "[" << absl::StrJoin(items, ",\n") << "]\n";
    return;
  }
  int counts[4] = {0, 0, 0, 0};
  for (const auto& f : findings) {
    ++counts[f.severity()];
    std::cout << SeverityName(f.severity()) << "\t" << f.rule_id() << "\t"
              << LocationText(f.location()) << "\n\t" << f.message();
    if (!f.expected().empty() || !f.actual().empty()) {
      std::cout << "（应为 " << f.expected() << "，实为 " << f.actual() << "）";
    }
    std::cout << "\n";
    if (f.addends_size() > 0) {
      std::vector<std::string> terms;
      for (const auto& a : f.addends()) {
        terms.push_back(absl::StrCat(a.label(), " ", a.has_value() ? std::to_string(a.value()) : "空"));
      }
      std::cout << "\t= " << absl::StrJoin(terms, " + ") << "\n";
    }
  }
  std::cout << counts[v1::ERROR] << " error(s), " << counts[v1::WARNING] << " warning(s), "
            << counts[v1::INFO] << " info; rule set " << kRuleSetVersion << "\n";
}

int RunValidate(const std::string& path) {
  std::vector<v1::Finding> findings;
  absl::StatusOr<v1::Report> report = LoadReport(path, &findings);
  if (!report.ok()) {
    std::cerr << "reportctl: " << report.status().message() << "\n";
    return IsStrictRefusal(report.status()) ? kExitFindings : kExitUnreadable;
  }
  FillAgency(&*report);
  ValidationContext context;
  v1::Report previous;
  if (const std::string p = absl::GetFlag(FLAGS_previous); !p.empty()) {
    absl::StatusOr<v1::Report> loaded = LoadReport(p, nullptr);
    if (!loaded.ok()) {
      std::cerr << "reportctl: --previous: " << loaded.status().message() << "\n";
      return kExitUnreadable;
    }
    previous = *std::move(loaded);
    context.previous = &previous;
    context.previous_reference = p;
  }
  if (const std::string d = absl::GetFlag(FLAGS_submitted); !d.empty()) {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(d, &day)) {
      std::cerr << "reportctl: --submitted: '" << d << "' is not a date YYYY-MM-DD\n";
      return kExitUnreadable;
    }
    context.submitted = day;
  }
  for (auto& f : Validate(*report, context)) findings.push_back(std::move(f));

  PrintFindings(findings);
  return HasErrors(findings) ? kExitFindings : kExitOk;
}

const char kUsage[] =
      "reportctl COMMAND …\n"
      "offline:\n"
      "  import FILE [--out F] [--to json|text|binpb] [--format auto|text|pdf|html|docx|scan] [--ocr_seconds N] [--strict] [--agency_id ID] [--region_code C]\n"
      "  export FILE.json [--out F]\n"
      "  validate FILE [--previous FILE] [--submitted YYYY-MM-DD] [--json]\n"
      "submit_service (--target HOST:PORT --certs DIR --as PRINCIPAL):\n"
      "  submit FILE [--document PUBLISHED] [--agency_id ID] [--expected_version N] [--request_id ID]\n"
      "  versions agencies/ID/reports/YEAR\n"
      "  get agencies/ID/reports/YEAR/versions/N|latest [--json]\n"
      "  diff VERSION OTHER_VERSION\n"
      "  watch [--from POSITION] [--region_prefix P] [--max_events N]\n"
      "  reports [--region_prefix P] [--year Y]\n"
      "  health [--health_service NAME]    grpc.health.v1 of --target (for probes)\n"
      "audit_service (--audit_target HOST:PORT --certs DIR --as PRINCIPAL):\n"
      "  audit VERSION [--json]            the audit: hash, digest, counts, new/fixed/open\n"
      "  findings VERSION [--json]         its findings as a table\n"
      "  signoff VERSION --review legality|normativity|confidentiality --decision approve|reject [--reason R]\n"
      "  signoff VERSION --waive RULE --field PATH [--span S-E] --reason R\n"
      "  signoff VERSION --acknowledge RULE --field PATH [--span S-E]\n"
      "  status VERSION                    CLEARED, or what blocks it\n"
      "  dashboard --region_prefix P --year Y [--json]\n"
      "  events --region_prefix P [--from POSITION] [--max_events N]\n"
      "  ledger verify [--ledger_public_key PEM] [--ledger_state FILE] [--entries]\n"      "  bundle VERSION [--out FILE] [--ledger_state FILE]   proof of the version's clearance, for verify\n"
      "offline, with the ledger's public key:\n"
      "  verify BUNDLE [--document FILE] [--ledger_public_key PEM] [--ledger_state FILE]\n"
      "exit: 0 ok; 1 errors found / strict import failed / request refused; 2 unreadable input or unreachable service";

int RunOffline(const std::string& command, const std::vector<std::string>& args) {
  int (*run)(const std::string&) = command == "import"     ? RunImport
                                   : command == "export"   ? RunExport
                                   : command == "validate" ? RunValidate
                                                           : nullptr;
  if (run == nullptr) return -1;
  if (args.size() != 1) {
    std::cerr << "usage: reportctl " << command << " FILE\n";
    return kExitUnreadable;
  }
  return run(args[0]);
}

}  // namespace disclosure::reportctl

