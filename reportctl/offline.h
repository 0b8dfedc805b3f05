// reportctl's offline commands: import, export, validate. They need no
// service, and this header and offline.cc need no gRPC: the `reportctl`
// binary users run links only these and hands every other command to
// reportctl-remote (main.cc), so that reading a document starts as fast as
// poppler's own tools do (docs/performance.md).
//
// Each command returns the process exit code: 0 ok; 1 the report has error
// findings, a strict import failed, or the service refused the request; 2
// the input cannot be read, the command line is wrong, or the service cannot
// be reached.
#ifndef DISCLOSURE_REPORTCTL_OFFLINE_H_
#define DISCLOSURE_REPORTCTL_OFFLINE_H_

#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "disclosure/v1/findings.pb.h"
#include "disclosure/v1/report.pb.h"

ABSL_DECLARE_FLAG(std::string, agency_id);
ABSL_DECLARE_FLAG(bool, json);
ABSL_DECLARE_FLAG(bool, strict);

namespace disclosure::reportctl {

namespace v1 = ::disclosure::v1;

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUnreadable = 2;

int RunImport(const std::string& path);
int RunExport(const std::string& path);
int RunValidate(const std::string& path);

// Findings as a readable table with a count line, or (--json) a JSON array.
void PrintFindings(const std::vector<v1::Finding>& findings);

// A report from a file holding JSON or a published document; import
// diagnostics go to stderr, structure findings to `structure` if given.
absl::StatusOr<v1::Report> LoadReport(const std::string& path,
                                      std::vector<v1::Finding>* structure);
// Writes to --out, or stdout.
bool WriteOut(const std::string& data);

// What `reportctl --help` prints.
extern const char kUsage[];

// The offline command named `command` run on `args` (its positional
// arguments); -1 when `command` is not an offline command.
int RunOffline(const std::string& command, const std::vector<std::string>& args);

}  // namespace disclosure::reportctl

#endif  // DISCLOSURE_REPORTCTL_OFFLINE_H_
