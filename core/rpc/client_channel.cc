#include "core/rpc/client_channel.h"

#include <arpa/inet.h>

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "core/rpc/rpc_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/impl/codegen/proto_utils.h"  // SerializationTraits of protobuf messages

namespace disclosure {
namespace {

enum class Family { kNone, kIpv4, kIpv6 };

// The family of "a.b.c.d:port" or "[v6]:port"; kNone for anything else.
Family FamilyOf(absl::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return Family::kNone;
  int port = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 1 || port > 65535) {
    return Family::kNone;
  }
  std::string host(address.substr(0, colon));
  unsigned char buf[16];
  if (inet_pton(AF_INET, host.c_str(), buf) == 1) return Family::kIpv4;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']' &&
      inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), buf) == 1) {
    return Family::kIpv6;
  }
  return Family::kNone;
}

// CreateSignOff is retried too: reportctl always sends a request_id, so a
// retry of a sign-off that was stored returns it (no second ledger entry).
constexpr char kServiceConfig[] = R"json({
  "loadBalancingConfig": [{"round_robin": {}}],
  "methodConfig": [{
    "name": [
      {"service": "disclosure.v1.SubmissionService"},
      {"service": "disclosure.v1.AuditService", "method": "GetAudit"},
      {"service": "disclosure.v1.AuditService", "method": "ValidateReport"},
      {"service": "disclosure.v1.AuditService", "method": "CreateSignOff"},
      {"service": "disclosure.v1.AuditService", "method": "ListSignOffs"},
      {"service": "disclosure.v1.AuditService", "method": "GetReviewStatus"},
      {"service": "disclosure.v1.AuditService", "method": "ListAgencyStates"},
      {"service": "disclosure.v1.AuditService", "method": "GetRegionSummary"},
      {"service": "disclosure.v1.AuditService", "method": "WatchEvents"},
      {"service": "disclosure.v1.AuditService", "method": "GetCheckpoint"},
      {"service": "disclosure.v1.AuditService", "method": "GetInclusionProof"},
      {"service": "disclosure.v1.AuditService", "method": "GetConsistencyProof"},
      {"service": "disclosure.v1.AuditService", "method": "GetVerificationBundle"}
    ],
    "retryPolicy": {
      "maxAttempts": 4,
      "initialBackoff": "0.1s",
      "maxBackoff": "1s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }]
})json";

}  // namespace

absl::StatusOr<ChannelTarget> ParseTarget(const std::string& flag, const std::string& server_name) {
  ChannelTarget out;
  if (flag.find(',') == std::string::npos) {
    out.target = flag;
    return out;
  }
  std::vector<std::string> addresses;
  Family family = Family::kNone;
  for (absl::string_view a : absl::StrSplit(flag, ',')) {
    a = absl::StripAsciiWhitespace(a);
    Family f = FamilyOf(a);
    if (f == Family::kNone || (family != Family::kNone && f != family)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--target: '", a, "': several addresses must all be IPv4 (a.b.c.d:port) or all IPv6 "
          "([addr]:port); for a host name with several addresses give dns:///name:port"));
    }
    family = f;
    addresses.emplace_back(a);
  }
  if (server_name.empty()) {
    return absl::InvalidArgumentError("--tls_server_name is required with several addresses");
  }
  out.target = absl::StrCat(family == Family::kIpv4 ? "ipv4:" : "ipv6:",
                            absl::StrJoin(addresses, ","));
  out.tls_server_name = server_name;
  out.round_robin = true;
  return out;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenClientChannel(
    const std::string& target_flag, const std::string& tls_server_name,
    std::shared_ptr<grpc::ChannelCredentials> credentials, int max_receive_bytes) {
  absl::StatusOr<ChannelTarget> target = ParseTarget(target_flag, tls_server_name);
  if (!target.ok()) return target.status();
  grpc::ChannelArguments args;
  if (!target->tls_server_name.empty()) {
    // An ipv4:/ipv6: list has no host name to check the certificate against.
    args.SetSslTargetNameOverride(target->tls_server_name);
    args.SetString(GRPC_ARG_DEFAULT_AUTHORITY, target->tls_server_name);
  }
  args.SetMaxReceiveMessageSize(max_receive_bytes);
  args.SetServiceConfigJSON(kServiceConfig);
  // A peer that vanished without closing the connection (a host gone, a
  // network partition) ends the calls in flight within ~80 s, the watch
  // streams included, which carry no data for as long as nothing happens:
  // pings go on without data (gRPC stops after two by default), as often as
  // the servers accept (ApplyServerLimits).
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveTimeMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  return grpc::CreateCustomChannel(target->target, credentials, args);
}

grpc::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
                         absl::Duration deadline,
                         grpc::health::v1::HealthCheckResponse::ServingStatus* out) {
  using grpc::health::v1::HealthCheckRequest;
  using grpc::health::v1::HealthCheckResponse;
  grpc::TemplatedGenericStub<HealthCheckRequest, HealthCheckResponse> stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                 &response, [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (status.ok()) *out = response.status();
  return status;
}

}  // namespace disclosure
