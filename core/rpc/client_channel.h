// Client channels of both services' clients (reportctl, the audit service's
// feed follower): one address or several (round_robin across replicas),
// mutual TLS, and gRPC's own retries of the calls that are safe to retry.
#ifndef DISCLOSURE_CORE_RPC_CLIENT_CHANNEL_H_
#define DISCLOSURE_CORE_RPC_CLIENT_CHANNEL_H_

#include <string>

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/grpcpp.h"

namespace disclosure {

struct ChannelTarget {
  std::string target;           // for grpc::CreateCustomChannel
  std::string tls_server_name;  // name the server certificate must have; empty: the target's host
  // A list of addresses. (OpenClientChannel balances round_robin over
  // whatever a target resolves to: a list or a DNS name of several replicas.)
  bool round_robin = false;
};

// `flag` is "host:port" (or any gRPC target, used as it is), or several
// "ip:port" joined by commas, all IPv4 ("127.0.0.1:50051") or all IPv6
// ("[::1]:50051"). A list becomes an ipv4:/ipv6: target balanced by
// round_robin; its authority is not a name a certificate holds, so the
// server certificate is checked against `server_name` instead (the
// development certificate's is "localhost", deploy/dev-certs.sh). Host names
// in a list are INVALID_ARGUMENT: give one name that resolves to every
// replica instead (dns:///name:port).
absl::StatusOr<ChannelTarget> ParseTarget(const std::string& flag, const std::string& server_name);

// A channel to `target_flag` (as ParseTarget) with `credentials`. Its
// service config balances round_robin over the addresses a target resolves
// to (several addresses, or a DNS name of several replicas) and lets gRPC
// retry a call that failed UNAVAILABLE (up to 4 attempts, 0.1–1 s apart) for
// every method that is safe to repeat: all reads, the watches (before their
// first message), CreateVersion (idempotent by its request_id) and
// ValidateReport. CreateSignOff is never retried: a repeated sign-off would
// be a second ledger entry. Callers still set a deadline on every call.
// While a call is open the channel pings the server every kKeepaliveTimeMs
// (core/rpc/rpc_util.h), data or not, and fails the calls when a ping goes
// unanswered for kKeepaliveTimeoutMs: a watch stream to a server that
// vanished without closing the connection ends instead of waiting forever.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenClientChannel(
    const std::string& target_flag, const std::string& tls_server_name,
    std::shared_ptr<grpc::ChannelCredentials> credentials, int max_receive_bytes);

// grpc.health.v1.Health/Check of `service` ("" for the server as a whole)
// over `channel` within `deadline`: the call's status, and when it is OK
// the serving status in `*out`. The services answer every name of
// docs/api.md ("Health"); both binaries link the health messages.
grpc::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
                         absl::Duration deadline,
                         grpc::health::v1::HealthCheckResponse::ServingStatus* out);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_RPC_CLIENT_CHANNEL_H_
