#include "tests/console_env.h"

#include <cstdlib>
#include <cstdio>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "core/rpc/client_channel.h"
#include "core/rpc/rpc_util.h"
#include "core/base/file.h"
#include "tests/audit_env.h"
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
                                   const std::string& audit_address, absl::Duration stream_slice,
                                   ChildImportLimits import_limits) {
  const std::string certs = DevCerts().dir;
  auto creds = Must(MutualTlsChannelCredentials(
                        {certs + "/ca.crt", certs + "/console.crt", certs + "/console.key"}),
                    "console credentials");
  console::ImportConfig import;
  import.reportctl = DISCLOSURE_REPORTCTL;
  import.limits = import_limits;
  api_ = std::make_unique<console::Api>(
      Must(OpenClientChannel(audit_address, "localhost", creds, 64 << 20), "audit channel"),
      Must(OpenClientChannel(submit_address, "localhost", creds, 64 << 20), "submit channel"),
      import);
  console::ServerConfig config;
  config.port = 0;
  config.ca = certs + "/ca.crt";
  config.cert = certs + "/server.crt";
  config.key = certs + "/server.key";
  config.pages_dir = DISCLOSURE_SOURCE_DIR "/console/pages";
  config.chart_js = "/usr/share/javascript/chart.js/chart.min.js";
  config.stream_slice = stream_slice;
  config.ledger_public_key = dir_.path() + "/ledger.pub";
  if (absl::Status s = WriteFileAtomically(config.ledger_public_key, TestLedgerPublicKeyPem()); !s.ok()) {
    std::fprintf(stderr, "console_env: ledger public key: %s\n", s.ToString().c_str());
    std::abort();
  }
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

std::string InProcessConsole::Exchange(const std::string& principal,
                                       const std::string& request) const {
  const std::string certs = DevCerts().dir;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(ctx, (certs + "/ca.crt").c_str(), nullptr);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_use_certificate_file(ctx, (certs + "/" + principal + ".crt").c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_use_PrivateKey_file(ctx, (certs + "/" + principal + ".key").c_str(), SSL_FILETYPE_PEM);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{20, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  SSL* ssl = SSL_new(ctx);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      SSL_set_fd(ssl, fd) == 1 && SSL_connect(ssl) == 1 &&
      SSL_write(ssl, request.data(), static_cast<int>(request.size())) ==
          static_cast<int>(request.size())) {
    // One answer: its headers and Content-Length bytes of body (the console
    // may keep the connection open after it).
    char buf[4096];
    for (int n; (n = SSL_read(ssl, buf, sizeof buf)) > 0;) {
      answer.append(buf, n);
      const size_t end = answer.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      const size_t at = answer.find("Content-Length: ");
      const size_t length = at < end ? std::strtoul(answer.c_str() + at + 16, nullptr, 10) : 0;
      if (answer.size() >= end + 4 + length) break;
    }
  }
  SSL_free(ssl);
  close(fd);
  SSL_CTX_free(ctx);
  return answer;
}

std::string InProcessConsole::CsrfToken(httplib::SSLClient* browser) {
  auto r = browser->Get("/api/session");
  const std::string key = "\"csrf_token\": \"";
  const size_t at = r ? r->body.find(key) : std::string::npos;
  return at == std::string::npos ? "" : r->body.substr(at + key.size(), 64);
}

}  // namespace disclosure::testing
