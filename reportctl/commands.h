// reportctl's commands that call a service (reportctl-remote, which links
// gRPC). Each returns the process exit code, as offline.h says.
#ifndef DISCLOSURE_REPORTCTL_COMMANDS_H_
#define DISCLOSURE_REPORTCTL_COMMANDS_H_

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "reportctl/offline.h"
#include "absl/status/statusor.h"
#include "disclosure/v1/findings.pb.h"
#include "grpcpp/grpcpp.h"
#include "disclosure/v1/report.pb.h"

ABSL_DECLARE_FLAG(std::string, request_id);

namespace disclosure::reportctl {

namespace v1 = ::disclosure::v1;

// Against submit_service (remote.cc). `args` are the positional arguments
// after the command name.
int RunSubmit(const std::vector<std::string>& args);
// A fresh idempotency key (128 random bits, hex) for --request_id's default.
std::string RandomId();
int RunVersions(const std::vector<std::string>& args);
int RunGet(const std::vector<std::string>& args);
int RunDiff(const std::vector<std::string>& args);
int RunWatch(const std::vector<std::string>& args);
int RunReports(const std::vector<std::string>& args);
// grpc.health.v1 of the service at --target: 0 SERVING, 1 not, 2 unreachable.
int RunHealth(const std::vector<std::string>& args);

// Against audit_service (audit.cc).
int RunAudit(const std::vector<std::string>& args);
int RunFindings(const std::vector<std::string>& args);
int RunSignOff(const std::vector<std::string>& args);
int RunStatus(const std::vector<std::string>& args);
int RunDashboard(const std::vector<std::string>& args);
int RunEvents(const std::vector<std::string>& args);
int RunLedger(const std::vector<std::string>& args);
// bundle VERSION [--out FILE]: GetVerificationBundle, with a consistency
// proof from --ledger_state when it exists; verify BUNDLE: offline
// (reportctl/bundle_verify.h), no service called.
int RunBundle(const std::vector<std::string>& args);
int RunVerify(const std::vector<std::string>& args);

// A channel to a service at `target_flag` (one address or several, see
// ParseTarget in core/rpc/client_channel.h) with the certificates of --as; nullptr, the error printed, when
// they cannot be read or the target is malformed.
std::shared_ptr<grpc::Channel> OpenChannel(const std::string& target_flag);

// Shared by the service commands: the per-call deadline (--deadline_seconds),
// printing a refusal (exit 2 when the service is unreachable, 1 otherwise),
// and checking the number of positional arguments (printing the usage).
void SetDeadline(grpc::ClientContext* context);
int Refused(const absl::Status& status);
int Refused(const grpc::Status& status);
bool Usage(const std::vector<std::string>& args, size_t n, const char* usage);

// Prints each event of a watch stream (flushed at once), up to --max_events
// (0: until the stream ends or is interrupted); returns the exit code.
int MaxEvents();
template <typename Event, typename Print>
int DrainStream(grpc::ClientContext* context, grpc::ClientReader<Event>* reader, Print print) {
  Event event;
  int seen = 0;
  const int max = MaxEvents();
  while (reader->Read(&event)) {
    print(event);
    std::cout.flush();
    if (max > 0 && ++seen >= max) {
      context->TryCancel();
      break;
    }
  }
  grpc::Status s = reader->Finish();
  if (max > 0 && seen >= max) return kExitOk;
  return s.ok() ? kExitOk : Refused(s);
}

}  // namespace disclosure::reportctl

#endif  // DISCLOSURE_REPORTCTL_COMMANDS_H_
