#include "tests/console_env.h"

#include <cstdlib>
#include <cstdio>

#include "core/rpc/client_channel.h"
#include "core/rpc/rpc_util.h"
#include "tests/service_env.h"

namespace disclosure::testing {
namespace {

template <typename T>
T Must(absl::StatusOr<T> v, const char* what) {
  if (!v.ok()) {
    std::fprintf(stderr, "console_env: %s: %s\n", what, v.status().ToString().c_str());
    std::abort();
  }
  return *std::move(v);
}

}  // namespace

InProcessConsole::InProcessConsole(const std::string& submit_address,
                                   const std::string& audit_address, absl::Duration stream_slice) {
  const std::string certs = DevCerts().dir;
  auto creds = Must(MutualTlsChannelCredentials(
                        {certs + "/ca.crt", certs + "/console.crt", certs + "/console.key"}),
                    "console credentials");
  api_ = std::make_unique<console::Api>(
      Must(OpenClientChannel(audit_address, "localhost", creds, 64 << 20), "audit channel"),
      Must(OpenClientChannel(submit_address, "localhost", creds, 64 << 20), "submit channel"));
  console::ServerConfig config;
  config.port = 0;
  config.ca = certs + "/ca.crt";
  config.cert = certs + "/server.crt";
  config.key = certs + "/server.key";
  config.pages_dir = DISCLOSURE_SOURCE_DIR "/console/pages";
  config.chart_js = "/usr/share/javascript/chart.js/chart.min.js";
  config.stream_slice = stream_slice;
  server_ = Must(console::Server::Start(config, api_.get()), "console");
}

std::unique_ptr<httplib::SSLClient> InProcessConsole::Browser(const std::string& principal) const {
  const std::string certs = DevCerts().dir;
  auto c = principal.empty()
               ? std::make_unique<httplib::SSLClient>("127.0.0.1", port())
               : std::make_unique<httplib::SSLClient>("127.0.0.1", port(),
                                                      certs + "/" + principal + ".crt",
                                                      certs + "/" + principal + ".key");
  c->set_ca_cert_path((certs + "/ca.crt").c_str());
  c->enable_server_certificate_verification(true);
  c->set_read_timeout(20, 0);
  c->set_tcp_nodelay(true);  // as browsers do
  return c;
}

}  // namespace disclosure::testing
