// reportctl-remote: every reportctl command, including those that call the
// services. Users run `reportctl` (main.cc), which hands it the commands
// that need gRPC.
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "reportctl/commands.h"

int main(int argc, char** argv) {
  namespace rc = disclosure::reportctl;
  absl::SetProgramUsageMessage(rc::kUsage);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::cerr << absl::ProgramUsageMessage() << "\n";
    return rc::kExitUnreadable;
  }
  const std::string command = positional[1];
  std::vector<std::string> args(positional.begin() + 2, positional.end());
  if (int code = rc::RunOffline(command, args); code >= 0) return code;
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
  if (command == "bundle") return rc::RunBundle(args);
  if (command == "verify") return rc::RunVerify(args);
  std::cerr << "reportctl: unknown command '" << command << "'\n" << absl::ProgramUsageMessage() << "\n";
  return rc::kExitUnreadable;
}
