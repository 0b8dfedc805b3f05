// reportctl's --target: one address, or several for gRPC's round_robin.
#ifndef DISCLOSURE_REPORTCTL_TARGET_H_
#define DISCLOSURE_REPORTCTL_TARGET_H_

#include <string>

#include "absl/status/statusor.h"

namespace disclosure::reportctl {

struct ChannelTarget {
  std::string target;           // for grpc::CreateCustomChannel
  std::string tls_server_name;  // name the server certificate must have; empty: the target's host
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

}  // namespace disclosure::reportctl

#endif  // DISCLOSURE_REPORTCTL_TARGET_H_
