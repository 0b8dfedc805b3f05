// reportctl: the command-line client of the disclosure-report system.
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "reportctl/commands.h"

int main(int argc, char** argv) {
  namespace rc = disclosure::reportctl;
  absl::SetProgramUsageMessage(
      "reportctl COMMAND …\n"
      "offline:\n"
      "  import FILE [--out F] [--to json|text|binpb] [--format auto|text|pdf|html|docx|scan] [--strict] [--agency_id ID] [--region_code C]\n"
      "  export FILE.json [--out F]\n"
      "  validate FILE [--previous FILE] [--submitted YYYY-MM-DD] [--json]\n"
      "submit_service (--target HOST:PORT --certs DIR --as PRINCIPAL):\n"
      "  submit FILE [--agency_id ID] [--expected_version N] [--request_id ID]\n"
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
      "  ledger verify [--ledger_public_key PEM] [--ledger_state FILE] [--entries]\n"
      "exit: 0 ok; 1 errors found / strict import failed / request refused; 2 unreadable input or unreachable service");
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::cerr << absl::ProgramUsageMessage() << "\n";
    return rc::kExitUnreadable;
  }
  const std::string command = positional[1];
  std::vector<std::string> args(positional.begin() + 2, positional.end());
  auto one = [&](int (*run)(const std::string&)) {
    if (args.size() != 1) {
      std::cerr << "usage: reportctl " << command << " FILE\n";
      return rc::kExitUnreadable;
    }
    return run(args[0]);
  };
  if (command == "import") return one(rc::RunImport);
  if (command == "export") return one(rc::RunExport);
  if (command == "validate") return one(rc::RunValidate);
  if (command == "submit") return rc::RunSubmit(args);
  if (command == "versions") return rc::RunVersions(args);
  if (command == "get") return rc::RunGet(args);
  if (command == "diff") return rc::RunDiff(args);
  if (command == "watch") return rc::RunWatch(args);
  if (command == "reports") return rc::RunReports(args);
  if (command == "health") return rc::RunHealth(args);
  if (command == "audit") return rc::RunAudit(args);
  if (command == "findings") return rc::RunFindings(args);
  if (command == "signoff") return rc::RunSignOff(args);
  if (command == "status") return rc::RunStatus(args);
  if (command == "dashboard") return rc::RunDashboard(args);
  if (command == "events") return rc::RunEvents(args);
  if (command == "ledger") return rc::RunLedger(args);
  std::cerr << "reportctl: unknown command '" << command << "'\n" << absl::ProgramUsageMessage() << "\n";
  return rc::kExitUnreadable;
}
