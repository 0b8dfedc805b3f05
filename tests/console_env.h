// The web console (console/) in this process, in front of services at the
// given addresses, with the development certificates (it calls them as
// "console"): console/server.h as console/main.cc starts it, on a free
// loopback port, with the test ledger's public key (tests/audit_env.h). For
// tests/console_test.cc, tests/browser_test.cc and bench/console_bench.cc.
#ifndef DISCLOSURE_TESTS_CONSOLE_ENV_H_
#define DISCLOSURE_TESTS_CONSOLE_ENV_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "console/api.h"
#include "console/server.h"
#include "httplib.h"
#include "tests/service_env.h"

namespace disclosure::testing {

class InProcessConsole {
 public:
  // `import_limits`: how uploads are read (reportctl is the build's).
  InProcessConsole(const std::string& submit_address, const std::string& audit_address,
                   absl::Duration stream_slice = console::kStreamSlice,
                   ChildImportLimits import_limits = {});
  int port() const { return server_->port(); }
  // A browser presenting `principal`'s certificate ("" for none), trusting
  // the development CA.
  std::unique_ptr<httplib::SSLClient> Browser(const std::string& principal) const;
  // Sends `request` (the raw bytes of an HTTP request) in one TLS write as
  // `principal` and returns the console's answer (headers and body; at most
  // 20 s). httplib's client writes a body after its
  // headers, so a server that answers and closes before reading the body
  // can make it fail its write instead of reading the answer; one write
  // puts the whole request in before the console answers.
  std::string Exchange(const std::string& principal, const std::string& request) const;
  // The CSRF token the console gives `browser`'s user (GET /api/session);
  // empty when it gives none.
  static std::string CsrfToken(httplib::SSLClient* browser);

 private:
  TempDir dir_;  // the ledger public key's file
  std::unique_ptr<console::Api> api_;
  std::unique_ptr<console::Server> server_;
};

}  // namespace disclosure::testing

#endif  // DISCLOSURE_TESTS_CONSOLE_ENV_H_
