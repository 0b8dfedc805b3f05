#include "tests/browser.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "console/api.h"
#include "core/base/file.h"
#include "google/protobuf/util/json_util.h"

extern char** environ;

namespace disclosure::testing {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

const Value* Field(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? nullptr : &it->second;
}

std::string StringField(const Struct& s, const std::string& name) {
  const Value* v = Field(s, name);
  return v != nullptr && v->has_string_value() ? v->string_value() : "";
}

// Writes all of `data` to a non-blocking TLS connection; false once it fails.
bool WriteAll(SSL* ssl, int fd, const char* data, int n, const std::atomic<bool>& stop) {
  while (n > 0 && !stop) {
    const int w = SSL_write(ssl, data, n);
    if (w > 0) {
      data += w;
      n -= w;
      continue;
    }
    const int err = SSL_get_error(ssl, w);
    if (err != SSL_ERROR_WANT_WRITE && err != SSL_ERROR_WANT_READ) return false;
    pollfd p{fd, static_cast<short>(err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), 0};
    poll(&p, 1, 200);
  }
  return n == 0;
}

// Copies what `from` has ready to `to`; false once either side has ended.
bool Pump(SSL* from, SSL* to, int to_fd, const std::atomic<bool>& stop) {
  char buf[16384];
  for (;;) {
    const int n = SSL_read(from, buf, sizeof buf);
    if (n > 0) {
      if (!WriteAll(to, to_fd, buf, n, stop)) return false;
      continue;
    }
    const int err = SSL_get_error(from, n);
    return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE;
  }
}

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

CertRelay::CertRelay(int target_port, std::string ca, std::string server_cert,
                     std::string server_key, std::string client_cert, std::string client_key)
    : target_port_(target_port),
      ca_(std::move(ca)),
      server_cert_(std::move(server_cert)),
      server_key_(std::move(server_key)),
      client_cert_(std::move(client_cert)),
      client_key_(std::move(client_key)) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(listen_fd_, 64) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("CertRelay: listen");
    std::abort();
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { Accept(); });
}

CertRelay::~CertRelay() {
  stop_ = true;
  acceptor_.join();
  close(listen_fd_);
  std::lock_guard<std::mutex> lock(mu_);
  for (std::thread& t : relays_) t.join();
}

void CertRelay::Accept() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) != 1) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    relays_.emplace_back([this, fd] { Relay(fd); });
  }
}

void CertRelay::Relay(int browser_fd) {
  SSL_CTX* server_ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX* client_ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_use_certificate_chain_file(server_ctx, server_cert_.c_str());
  SSL_CTX_use_PrivateKey_file(server_ctx, server_key_.c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_load_verify_locations(client_ctx, ca_.c_str(), nullptr);
  SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, nullptr);
  if (!client_cert_.empty()) {
    SSL_CTX_use_certificate_chain_file(client_ctx, client_cert_.c_str());
    SSL_CTX_use_PrivateKey_file(client_ctx, client_key_.c_str(), SSL_FILETYPE_PEM);
  }
  const int console_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(console_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(browser_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval timeout{10, 0};
  for (int fd : {browser_fd, console_fd}) {
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(target_port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  SSL* browser = SSL_new(server_ctx);
  SSL* console = SSL_new(client_ctx);
  SSL_set_fd(browser, browser_fd);
  SSL_set_fd(console, console_fd);
  // The browser's handshake first (a preconnect that never speaks ends
  // here), then the console's, with the user's certificate.
  if (SSL_accept(browser) == 1 &&
      connect(console_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      SSL_connect(console) == 1) {
    SetNonBlocking(browser_fd);
    SetNonBlocking(console_fd);
    while (!stop_) {
      pollfd p[2] = {{browser_fd, POLLIN, 0}, {console_fd, POLLIN, 0}};
      if (SSL_pending(browser) == 0 && SSL_pending(console) == 0 && poll(p, 2, 200) <= 0) continue;
      if (!Pump(browser, console, console_fd, stop_) || !Pump(console, browser, browser_fd, stop_)) {
        break;
      }
    }
  }
  SSL_free(browser);
  SSL_free(console);
  close(browser_fd);
  close(console_fd);
  SSL_CTX_free(server_ctx);
  SSL_CTX_free(client_ctx);
}

absl::StatusOr<std::string> SpkiHash(const std::string& cert_pem_path) {
  absl::StatusOr<std::string> pem = ReadFileToString(cert_pem_path);
  if (!pem.ok()) return pem.status();
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return absl::InvalidArgumentError("no certificate in " + cert_pem_path);
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(X509_get0_pubkey(cert), &der);
  unsigned char digest[32];
  unsigned int len = 0;
  EVP_Digest(der, n, digest, &len, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  X509_free(cert);
  return absl::Base64Escape(absl::string_view(reinterpret_cast<char*>(digest), len));
}

absl::StatusOr<std::unique_ptr<Chromium>> Chromium::Start(const std::string& profile_dir,
                                                          const std::string& spki) {
  int commands[2], events[2];
  if (pipe2(commands, O_CLOEXEC) != 0 || pipe2(events, O_CLOEXEC) != 0) {
    return absl::InternalError("pipe");
  }
  const std::string log = profile_dir + "/chromium.log";
  std::vector<std::string> args = {
      "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
      "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-extensions", "--password-store=basic", "--lang=zh-CN",
      "--window-size=1366,768", "--remote-debugging-pipe",
      "--user-data-dir=" + profile_dir, "--ignore-certificate-errors-spki-list=" + spki,
      "about:blank"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, commands[0], 3);
  posix_spawn_file_actions_adddup2(&actions, events[1], 4);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::unique_ptr<Chromium> c(new Chromium());
  const int rc = posix_spawn(&c->pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(commands[0]);
  close(events[1]);
  c->to_browser_ = commands[1];
  c->from_browser_ = events[0];
  if (rc != 0) {
    close(c->to_browser_);
    close(c->from_browser_);
    c->pid_ = -1;
    return absl::FailedPreconditionError("cannot start /usr/bin/chromium (apt-get install chromium)");
  }
  c->reader_ = std::thread([p = c.get()] { p->Read(); });

  absl::StatusOr<Struct> target = c->Call("Target.createTarget", "{\"url\": \"about:blank\"}", true);
  if (!target.ok()) return target.status();
  absl::StatusOr<Struct> attached = c->Call(
      "Target.attachToTarget",
      absl::StrCat("{\"targetId\": ", console::JsonQuote(StringField(*target, "targetId")),
                   ", \"flatten\": true}"),
      true);
  if (!attached.ok()) return attached.status();
  c->session_ = StringField(*attached, "sessionId");
  for (const auto& [method, params] : std::vector<std::pair<std::string, std::string>>{
           {"Page.enable", "{}"},
           {"Emulation.setDeviceMetricsOverride",
            "{\"width\": 1366, \"height\": 768, \"deviceScaleFactor\": 1, \"mobile\": false}"}}) {
    if (absl::StatusOr<Struct> r = c->Call(method, params); !r.ok()) return r.status();
  }
  return c;
}

Chromium::~Chromium() {
  if (pid_ > 0) {
    // Browser.close lets Chromium end its children; SIGKILL if it does not.
    Send("{\"id\": 0, \"method\": \"Browser.close\"}");
    int status = 0;
    for (int i = 0; i < 50 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(100000);
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
  }
  close(to_browser_);
  if (reader_.joinable()) reader_.join();
  close(from_browser_);
}

void Chromium::Send(const std::string& json) {
  std::lock_guard<std::mutex> lock(write_mu_);
  const std::string message = json + std::string(1, '\0');
  for (size_t off = 0; off < message.size();) {
    const ssize_t n = write(to_browser_, message.data() + off, message.size() - off);
    if (n <= 0) return;
    off += n;
  }
}

void Chromium::Read() {
  std::string buffer;
  char chunk[65536];
  for (;;) {
    const ssize_t n = read(from_browser_, chunk, sizeof chunk);
    if (n <= 0) break;
    buffer.append(chunk, n);
    for (size_t end; (end = buffer.find('\0')) != std::string::npos;) {
      Struct message;
      const bool parsed =
          google::protobuf::util::JsonStringToMessage(buffer.substr(0, end), &message).ok();
      buffer.erase(0, end + 1);
      if (!parsed) continue;
      if (const Value* id = Field(message, "id"); id != nullptr) {
        std::lock_guard<std::mutex> lock(mu_);
        answers_[static_cast<int>(id->number_value())] = std::move(message);
        answered_.notify_all();
      } else if (StringField(message, "method") == "Fetch.requestPaused" && answer_) {
        const Struct& params = Field(message, "params")->struct_value();
        const std::string url = StringField(Field(params, "request")->struct_value(), "url");
        std::string body;
        absl::Base64Escape(answer_(url), &body);
        Send(absl::StrCat("{\"id\": 0, \"sessionId\": ", console::JsonQuote(session_),
                          ", \"method\": \"Fetch.fulfillRequest\", \"params\": {\"requestId\": ",
                          console::JsonQuote(StringField(params, "requestId")),
                          ", \"responseCode\": 200, \"responseHeaders\": [{\"name\": "
                          "\"Content-Type\", \"value\": \"application/json; charset=utf-8\"}], "
                          "\"body\": \"",
                          body, "\"}}"));
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  answered_.notify_all();
}

absl::StatusOr<Struct> Chromium::Call(const std::string& method, const std::string& params,
                                      bool browser) {
  int id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_id_++;
  }
  Send(absl::StrCat("{\"id\": ", id,
                    browser ? "" : absl::StrCat(", \"sessionId\": ", console::JsonQuote(session_)),
                    ", \"method\": ", console::JsonQuote(method), ", \"params\": ", params, "}"));
  std::unique_lock<std::mutex> lock(mu_);
  if (!answered_.wait_for(lock, std::chrono::seconds(30),
                          [&] { return closed_ || answers_.count(id) > 0; }) ||
      answers_.count(id) == 0) {
    return absl::DeadlineExceededError(absl::StrCat("Chromium did not answer ", method));
  }
  Struct answer = std::move(answers_[id]);
  answers_.erase(id);
  if (const Value* error = Field(answer, "error"); error != nullptr) {
    return absl::InternalError(
        absl::StrCat(method, ": ", StringField(error->struct_value(), "message")));
  }
  const Value* result = Field(answer, "result");
  return result != nullptr ? result->struct_value() : Struct();
}

absl::Status Chromium::Navigate(const std::string& url) {
  absl::StatusOr<Struct> r = Call("Page.navigate", absl::StrCat("{\"url\": ", console::JsonQuote(url), "}"));
  if (!r.ok()) return r.status();
  if (const std::string error = StringField(*r, "errorText"); !error.empty()) {
    return absl::UnavailableError(absl::StrCat(url, ": ", error));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Chromium::Evaluate(const std::string& expression) {
  absl::StatusOr<Struct> r = Call(
      "Runtime.evaluate",
      absl::StrCat("{\"expression\": ",
                   console::JsonQuote(absl::StrCat("(async () => String(await (", expression, ")))()")),
                   ", \"awaitPromise\": true, \"returnByValue\": true}"));
  if (!r.ok()) return r.status();
  if (const Value* e = Field(*r, "exceptionDetails"); e != nullptr) {
    const Value* ex = Field(e->struct_value(), "exception");
    return absl::InternalError(absl::StrCat(
        expression, ": ",
        ex != nullptr ? StringField(ex->struct_value(), "description")
                      : StringField(e->struct_value(), "text")));
  }
  const Value* result = Field(*r, "result");
  return result != nullptr ? StringField(result->struct_value(), "value") : "";
}

absl::Status Chromium::WaitFor(const std::string& expression, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::string last;
  while (absl::Now() < deadline) {
    absl::StatusOr<std::string> v = Evaluate(absl::StrCat("!!(", expression, ")"));
    last = v.ok() ? *v : v.status().ToString();
    if (last == "true") return absl::OkStatus();
    usleep(100000);
  }
  return absl::DeadlineExceededError(absl::StrCat("waited ", absl::FormatDuration(timeout), " for ",
                                                  expression, "; last: ", last));
}

absl::Status Chromium::SetInputFile(const std::string& selector, const std::string& path) {
  absl::StatusOr<Struct> doc = Call("DOM.getDocument", "{\"depth\": 0}");
  if (!doc.ok()) return doc.status();
  const Value* root = Field(*doc, "root");
  const Value* root_id = root != nullptr ? Field(root->struct_value(), "nodeId") : nullptr;
  if (root_id == nullptr) return absl::InternalError("DOM.getDocument: no root");
  absl::StatusOr<Struct> node = Call(
      "DOM.querySelector", absl::StrCat("{\"nodeId\": ", root_id->number_value(),
                                        ", \"selector\": ", console::JsonQuote(selector), "}"));
  if (!node.ok()) return node.status();
  const Value* id = Field(*node, "nodeId");
  if (id == nullptr || id->number_value() == 0) return absl::NotFoundError("no element " + selector);
  absl::StatusOr<Struct> set = Call(
      "DOM.setFileInputFiles", absl::StrCat("{\"nodeId\": ", id->number_value(), ", \"files\": [",
                                            console::JsonQuote(path), "]}"));
  return set.ok() ? absl::OkStatus() : set.status();
}

absl::Status Chromium::Screenshot(const std::string& path) {
  absl::StatusOr<Struct> r =
      Call("Page.captureScreenshot", "{\"format\": \"png\", \"captureBeyondViewport\": false}");
  if (!r.ok()) return r.status();
  std::string png;
  if (!absl::Base64Unescape(StringField(*r, "data"), &png)) {
    return absl::InternalError("screenshot: not base64");
  }
  return WriteFileAtomically(path, png);
}

absl::Status Chromium::Intercept(const std::string& url_pattern,
                                 std::function<std::string(const std::string& url)> answer) {
  answer_ = std::move(answer);
  absl::StatusOr<Struct> r = Call(
      "Fetch.enable",
      absl::StrCat("{\"patterns\": [{\"urlPattern\": ", console::JsonQuote(url_pattern), "}]}"));
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::Status Chromium::StopIntercepting() {
  absl::StatusOr<Struct> r = Call("Fetch.disable", "{}");
  return r.ok() ? absl::OkStatus() : r.status();
}

}  // namespace disclosure::testing
