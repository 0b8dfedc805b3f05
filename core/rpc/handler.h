// The frame of every RPC handler of both services: the principal from the
// client certificate, the admission check, the request log line and the
// absl → gRPC status conversion, in one place.
#ifndef DISCLOSURE_CORE_RPC_HANDLER_H_
#define DISCLOSURE_CORE_RPC_HANDLER_H_

#include <string>

#include "core/access/access.h"
#include "core/rpc/rpc_util.h"
#include "grpcpp/grpcpp.h"

namespace disclosure {

// Every RPC's first check: UNAUTHENTICATED without a verified certificate,
// PERMISSION_DENIED for a principal with no role.
grpc::Status AdmitPrincipal(const AccessPolicy& policy, const std::string& principal);

// Runs `body(principal, RequestLog*) -> absl::Status` for an admitted caller
// and logs one line for the call, whatever the outcome.
template <typename Body>
grpc::Status HandleRpc(grpc::ServerContextBase* context, const char* service, const char* method,
                       const AccessPolicy& policy, Body&& body) {
  std::string principal = PrincipalOf(*context);
  RequestLog log(service, method, principal);
  grpc::Status status = AdmitPrincipal(policy, principal);
  if (status.ok()) status = ToGrpcStatus(body(principal, &log));
  log.set_status(status);
  return status;
}

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_RPC_HANDLER_H_
