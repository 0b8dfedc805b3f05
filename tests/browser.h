// A real browser for the console's page tests (tests/browser_test.cc):
// Debian's headless Chromium driven through its DevTools protocol over a
// pipe (--remote-debugging-pipe: one JSON message per NUL-terminated
// chunk, no WebSocket), and a relay that carries its connections to the
// console with a user's real client certificate.
//
// Why a relay: Chromium on Linux takes client certificates only from an
// NSS database, which needs `pk12util` (libnss3-tools, not a dependency
// this project has). The relay is what Playwright does for client
// certificates: the browser speaks TLS to the relay, the relay opens its
// own TLS connection to the console presenting the user's certificate
// and key, and copies the bytes both ways unchanged (headers, bodies,
// server-sent events). The console sees a real handshake with a real
// certificate of the development CA; the page's origin is the relay's
// https://127.0.0.1:PORT, as a browser sees the console's own.
//
// Neither class is thread-safe except where stated; each test owns its own.
#ifndef DISCLOSURE_TESTS_BROWSER_H_
#define DISCLOSURE_TESTS_BROWSER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"

namespace disclosure::testing {

// Listens on a loopback port; each connection is TLS with `server_cert`
// towards the browser and a second TLS connection to 127.0.0.1:`target_port`
// presenting `client_cert`/`client_key` ("" for none, as a browser without
// a certificate), verifying the target against `ca`.
class CertRelay {
 public:
  CertRelay(int target_port, std::string ca, std::string server_cert, std::string server_key,
            std::string client_cert, std::string client_key);
  ~CertRelay();
  CertRelay(const CertRelay&) = delete;
  CertRelay& operator=(const CertRelay&) = delete;

  int port() const { return port_; }
  std::string origin() const { return "https://127.0.0.1:" + std::to_string(port_); }

 private:
  void Accept();
  void Relay(int browser_fd);

  const int target_port_;
  const std::string ca_, server_cert_, server_key_, client_cert_, client_key_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> relays_;  // guarded by mu_
};

// Base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo: what
// Chromium's --ignore-certificate-errors-spki-list takes, so that the
// browser trusts exactly the relay's certificate and nothing else.
absl::StatusOr<std::string> SpkiHash(const std::string& cert_pem_path);

class Chromium {
 public:
  // Starts /usr/bin/chromium headless at 1366×768 with a fresh profile in
  // `profile_dir`, trusting the certificate whose SpkiHash is `spki`, and
  // opens one page. Its output goes to `profile_dir`/chromium.log.
  static absl::StatusOr<std::unique_ptr<Chromium>> Start(const std::string& profile_dir,
                                                         const std::string& spki);
  ~Chromium();

  // Loads `url` in the page (returns once the navigation is committed).
  absl::Status Navigate(const std::string& url);
  // Evaluates `expression` in the page, awaiting it if it is a promise,
  // and returns String(value). An exception thrown is an error.
  absl::StatusOr<std::string> Evaluate(const std::string& expression);
  // Evaluates `expression` until it is "true" (String of a truthy test),
  // every 100 ms, up to `timeout`; DeadlineExceeded with the last value.
  absl::Status WaitFor(const std::string& expression, absl::Duration timeout = absl::Seconds(20));
  // Chooses `path` in the file input `selector`, as a user would.
  absl::Status SetInputFile(const std::string& selector, const std::string& path);
  // The page as PNG, written to `path`.
  absl::Status Screenshot(const std::string& path);
  // From now on every request whose URL matches `url_pattern` (DevTools
  // Fetch patterns: * and ?) is answered by the browser itself with
  // `answer(url)` as a JSON body, status 200, never reaching the server:
  // how a test serves the page something the server did not say.
  // `answer` runs on the reader thread.
  absl::Status Intercept(const std::string& url_pattern,
                         std::function<std::string(const std::string& url)> answer);
  // Requests reach the server again.
  absl::Status StopIntercepting();

 private:
  Chromium() = default;
  // Sends a command (to the page's session unless `browser`) and waits for
  // its answer (30 s); the result object, or the protocol's error.
  absl::StatusOr<google::protobuf::Struct> Call(const std::string& method, const std::string& params,
                                                bool browser = false);
  void Send(const std::string& json);
  void Read();

  int pid_ = -1, to_browser_ = -1, from_browser_ = -1;
  std::string session_;
  std::thread reader_;
  std::mutex mu_, write_mu_;
  std::condition_variable answered_;
  int next_id_ = 1;                                      // guarded by mu_
  std::map<int, google::protobuf::Struct> answers_;      // guarded by mu_
  bool closed_ = false;                                  // guarded by mu_
  std::function<std::string(const std::string&)> answer_;  // set before Fetch.enable
};

}  // namespace disclosure::testing

#endif  // DISCLOSURE_TESTS_BROWSER_H_
