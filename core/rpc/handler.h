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

// Who a call is from. `principal` is the one whose roles apply: the client
// certificate's, or the user a console acts for, and then `via` is the
// console's.
struct Caller {
  std::string principal;
  std::string via;
};

// The metadata a console sends with each call: the principal of the
// browser user it acts for, mapped from the user's certificate as the
// services map theirs (docs/api.md, "Acting for a user"). Binary metadata
// (gRPC base64-encodes it on the wire): a certificate's common name is
// UTF-8 (张三), which text metadata cannot carry.
inline constexpr char kActingForMetadata[] = "x-disclosure-acting-for-bin";

// AdmitPrincipal, then the console's "acting for" (docs/api.md): the
// metadata is honoured only from a principal with the console role, for one
// known user who is neither a console nor the audit service; a console
// without it is refused (it reads and writes nothing on its own). All
// refusals are PERMISSION_DENIED, saying which. `*caller` is filled either
// way (the certificate's principal when refused), for the log line.
grpc::Status AdmitCaller(const grpc::ServerContextBase& context, const AccessPolicy& policy,
                         Caller* caller);

// Runs `body(principal, RequestLog*) -> absl::Status` for an admitted caller
// (the user's principal; the console, if any, in RequestLog::via()) and logs
// one line for the call, whatever the outcome.
template <typename Body>
grpc::Status HandleRpc(grpc::ServerContextBase* context, const char* service, const char* method,
                       const AccessPolicy& policy, Body&& body) {
  Caller caller;
  grpc::Status status = AdmitCaller(*context, policy, &caller);
  RequestLog log(service, method, caller.principal);
  log.set_via(caller.via);
  if (status.ok()) status = ToGrpcStatus(body(caller.principal, &log));
  log.set_status(status);
  return status;
}

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_RPC_HANDLER_H_
