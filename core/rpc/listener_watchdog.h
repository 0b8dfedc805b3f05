// What keeps a service from being wedged by peers that never authenticate
// (docs/api.md, Limits; docs/deploy.md): the open-file limit raised at start,
// and a watchdog that checks that the listening port still accepts.
//
// gRPC 1.51 stops accepting on a port for good when accept(2) fails with
// anything but EAGAIN (EMFILE: the open-file limit): the process lives on,
// every new connection waits in the kernel's backlog, and no supervisor
// notices. The watchdog connects to the port every interval, half-closes the
// connection and waits for the server to close it (gRPC's TLS handshake
// reads the end of the stream and drops the connection, logging at debug
// only): a port that does not answer `failures` times in a row is wedged,
// and the watchdog asks the process to stop (SIGTERM to itself) so that it
// exits with a failure status and systemd (Restart=on-failure) or
// Kubernetes starts it again.
#ifndef DISCLOSURE_CORE_RPC_LISTENER_WATCHDOG_H_
#define DISCLOSURE_CORE_RPC_LISTENER_WATCHDOG_H_

#include <atomic>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace disclosure {

// Raises the soft limit on open files to the hard limit and logs both: each
// connection, handshaking or not, holds a descriptor, and systemd's default
// soft limit (1024) is reached by a thousand idle peers.
void RaiseOpenFileLimit();

// One probe of the listening port `port` on `host` ("" or a wildcard
// address: loopback): OK when the server took the connection and closed it
// within `timeout`; UNAVAILABLE saying what did not happen; OK as well when
// this process could not make a socket (that is not the listener's fault).
absl::Status ProbeListener(const std::string& host, int port, absl::Duration timeout);

class ListenerWatchdog {
 public:
  // `listen` is the service's --listen address (host:port, [v6]:port),
  // `port` the port it got.
  ListenerWatchdog(const std::string& listen, int port, absl::Duration interval,
                   int failures = 3);
  ~ListenerWatchdog();  // stops the thread

  void Start();
  // True once the port was found wedged (main then exits with failure).
  bool tripped() const { return tripped_.load(); }

 private:
  void Run();

  std::string host_;
  int port_;
  absl::Duration interval_;
  int failures_;
  std::atomic<bool> tripped_{false};
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_RPC_LISTENER_WATCHDOG_H_
