// What both services' mains share: the flags every service has (TLS files,
// principals and registry, page-token key, metrics endpoint, thread quota,
// handshake timeout, listener probe, shutdown grace), the process set-up
// they imply, and serving until a signal. A main adds its own flags
// (--listen, --store, …) and its server; see submit_service/main.cc.
#ifndef DISCLOSURE_CORE_RPC_SERVICE_MAIN_H_
#define DISCLOSURE_CORE_RPC_SERVICE_MAIN_H_

#include <signal.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/access/access.h"
#include "core/base/metrics.h"
#include "core/rpc/grpc_server.h"

namespace disclosure {

// What a service's main does before anything else: ignore Abseil's mutex
// deadlock detection (on in Debian's build, a lock-graph update per
// acquisition; our locks are few and simple), block SIGTERM and SIGINT in
// every thread (gRPC's threads inherit the mask) so that main takes them
// with sigwait(), not a handler, start the buffered log, route gRPC's log
// into it, and raise the open-file limit to the hard limit
// (core/rpc/listener_watchdog.h). Returns the signal set to wait on.
sigset_t StartServiceProcess();

struct ServiceMain {
  sigset_t signals;  // blocked; ServeUntilSignal waits for them
  AccessPolicy policy;
  std::unique_ptr<metrics::HttpEndpoint> metrics;  // null without --metrics_listen
  GrpcServerConfig grpc;  // from the shared flags, listening on `listen`
};

// After absl::ParseCommandLine: StartServiceProcess(), the access policy,
// the page-token key, the metrics endpoint (before the server, so a scrape
// sees the process as soon as it runs), the gRPC configuration. Errors name
// the flag at fault. Not to be moved once a server points at its policy.
absl::StatusOr<std::unique_ptr<ServiceMain>> StartServiceMain(const std::string& name,
                                                              const std::string& listen);

// ServeUntilSignal (grpc_server.h) with the probe interval of the flags;
// `stop` is given the shutdown grace of the flags.
int ServeServiceUntilSignal(const std::string& name, const ServiceMain& m, int port,
                            const std::function<void(absl::Duration grace)>& stop);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_RPC_SERVICE_MAIN_H_
