// reportctl: the command-line client of the disclosure-report system.
//
// This binary links no gRPC: it runs the offline commands (import, export,
// validate) itself and hands every other command, with the same arguments,
// to reportctl-remote beside it. A cold `reportctl import` then loads about
// 60 libraries instead of 98 (docs/performance.md: it starts as fast as
// pdftotext); a command that calls a service pays one exec more.
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "reportctl/offline.h"

namespace {

namespace rc = disclosure::reportctl;

bool IsOffline(const char* arg) {
  return strcmp(arg, "import") == 0 || strcmp(arg, "export") == 0 ||
         strcmp(arg, "validate") == 0;
}

// Replaces this process by reportctl-remote, from this binary's directory.
int ExecRemote(char** argv) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  std::string path = n > 0 ? std::string(self, static_cast<size_t>(n)) : std::string(argv[0]);
  path = path.substr(0, path.rfind('/') + 1) + "reportctl-remote";
  execv(path.c_str(), argv);
  std::cerr << "reportctl: cannot run " << path << ": " << strerror(errno) << "\n";
  return rc::kExitUnreadable;
}

}  // namespace

int main(int argc, char** argv) {
  // The command is the first argument not starting with '-' (flags may come
  // first); only offline commands are parsed here, where only their flags
  // are defined.
  const char* command = nullptr;
  for (int i = 1; i < argc && command == nullptr; ++i) {
    if (argv[i][0] != '-') command = argv[i];
  }
  if (command != nullptr && !IsOffline(command)) return ExecRemote(argv);
  absl::SetProgramUsageMessage(rc::kUsage);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::cerr << absl::ProgramUsageMessage() << "\n";
    return rc::kExitUnreadable;
  }
  std::vector<std::string> args(positional.begin() + 2, positional.end());
  int code = rc::RunOffline(positional[1], args);
  // A flag's value taken for the command ("--out x import"): let the full
  // binary sort it out.
  return code >= 0 ? code : ExecRemote(argv);
}
