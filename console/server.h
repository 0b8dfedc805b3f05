// The console's HTTPS server (cpp-httplib over OpenSSL): the pages, the
// static files they use (Chart.js from Debian's libjs-chart.js, nothing from
// a CDN) and the JSON API (console/api.h), for browser users who present a
// client certificate of the services' CA (console/identity.h).
//
// Every answer carries a strict Content-Security-Policy (scripts, styles,
// data only from the console itself; no inline script), nosniff, no
// framing, no referrer and no caching. A request without a verified client
// certificate gets an error page and nothing else. Every state-changing
// request (POST) must carry the X-CSRF-Token of its user (GET /api/session
// gives it to the page; an HMAC of the user's principal under a key made at
// start) and, when the browser sends them, Origin of this console and
// Sec-Fetch-Site same-origin: a browser sends the client certificate with
// any request, also one a foreign page makes, so the certificate alone
// proves nothing about who asked.
//
// Thread-safe; Stop() once.
#ifndef DISCLOSURE_CONSOLE_SERVER_H_
#define DISCLOSURE_CONSOLE_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "console/api.h"

namespace httplib {
class SSLServer;
}

namespace disclosure::console {

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8443;            // 0: any free port
  std::string ca;             // PEM file: the CA of browser users' certificates
  std::string cert, key;      // PEM files: the console's server certificate for browsers
  std::string pages_dir;      // console/pages
  std::string chart_js;       // Debian's Chart.js (chart.umd.js / chart.min.js)
  // PEM file: the ledger's public key (SubjectPublicKeyInfo), which the
  // ledger page verifies with; empty: the page says it has no key.
  std::string ledger_public_key;
  absl::Duration stream_slice = absl::Seconds(20);  // kStreamSlice; tests shorten it
};

// Bodies of POST requests, at most: JSON, and a document to import
// (core/import/import.h kMaxDocumentBytes).
inline constexpr size_t kMaxRequestBytes = 1 << 20;
inline constexpr size_t kMaxUploadBytes = 32 << 20;
// Event streams (GET /api/regions/{prefix}/events) open at a time: per user,
// and in all (each holds one of the server's kThreads threads).
inline constexpr int kMaxStreamsPerUser = 4;
inline constexpr int kMaxStreams = 32;
inline constexpr int kThreads = 64;
// Each stream's gRPC watch is re-opened this often, with a keepalive to the
// browser (a browser gone is noticed by then), and ends after kStreamLifetime
// (EventSource reconnects with Last-Event-ID).
inline constexpr absl::Duration kStreamSlice = absl::Seconds(20);
inline constexpr absl::Duration kStreamLifetime = absl::Minutes(10);

class Server {
 public:
  // Loads the pages and TLS files, binds, and serves on a thread of its own.
  // Errors name the file or address at fault.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerConfig& config, const Api* api);
  ~Server();
  int port() const { return port_; }
  void Stop();

 private:
  Server() = default;
  std::unique_ptr<httplib::SSLServer> http_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace disclosure::console

#endif  // DISCLOSURE_CONSOLE_SERVER_H_
