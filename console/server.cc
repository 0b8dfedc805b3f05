#include "console/server.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <map>
#include <optional>
#include <mutex>
#include <regex>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "console/identity.h"
#include "core/base/file.h"
#include "core/base/text_util.h"
#include "httplib.h"
#include "spdlog/spdlog.h"

namespace disclosure::console {
namespace {

constexpr char kSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

void SetCommonHeaders(httplib::Response* res) {
  res->set_header("Content-Security-Policy", kSecurityPolicy);
  res->set_header("X-Content-Type-Options", "nosniff");
  res->set_header("X-Frame-Options", "DENY");
  res->set_header("Referrer-Policy", "no-referrer");
  res->set_header("Cache-Control", "no-store");
}

void Send(httplib::Response* res, const Reply& reply) {
  res->status = reply.status;
  res->set_content(reply.body, reply.content_type.c_str());
}

// The page a request without a client certificate (or a refused one) gets:
// fixed text, nothing from the request.
std::string ErrorPage(const char* title, const char* detail) {
  return absl::StrCat(
      "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
      "<title>政府信息公开年度报告审核平台</title><link rel=\"stylesheet\" href=\"/static/style.css\">"
      "</head><body><main class=\"error\"><h1>",
      title, "</h1><p>", detail, "</p></main></body></html>");
}

// hex(HMAC-SHA256(key, "csrf:" + user)).
std::string CsrfToken(const std::string& key, const std::string& user) {
  const std::string msg = "csrf:" + user;
  unsigned char mac[32];
  unsigned int len = sizeof(mac);
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), mac, &len);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(mac), len));
}

bool SameToken(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// A state-changing request must come from a page of this console: its
// user's CSRF token, and (when the browser says) this origin and
// same-origin; and carry `media_type`, at most `max_bytes` of it. The
// refusal, or nothing. (The body has been read: cpp-httplib reads, or skips,
// every body within kMaxUploadBytes, and a server that answers before the
// body is read makes a client that is still sending it fail.)
std::optional<Reply> RefuseForeignPost(const httplib::Request& req, const std::string& csrf_key,
                                       const char* media_type, size_t max_bytes = kMaxRequestBytes) {
  if (req.body.size() > max_bytes) {
    return Reply{413, absl::StrCat("{\"code\": \"INVALID_ARGUMENT\", \"message\": \"请求体超过 ",
                                   max_bytes >> 20, " MiB 的上限\"}\n")};
  }
  const std::string site = req.get_header_value("Sec-Fetch-Site");
  const std::string origin = req.get_header_value("Origin");
  const bool same_origin = (site.empty() || site == "same-origin") &&
                           (origin.empty() || origin == "https://" + req.get_header_value("Host"));
  if (!same_origin || !SameToken(req.get_header_value("X-CSRF-Token"),
                                 CsrfToken(csrf_key, PrincipalOfConnection(req.ssl)))) {
    return Reply{403, "{\"code\": \"CSRF\", \"message\": \"请求未通过跨站校验（CSRF），已拒绝\"}\n"};
  }
  if (req.get_header_value("Content-Type").rfind(media_type, 0) != 0) {
    return Reply{415, absl::StrCat("{\"code\": \"INVALID_ARGUMENT\", \"message\": \"请求须为 ",
                                   media_type, "\"}\n")};
  }
  return std::nullopt;
}

// The query parameter `name` as a number of 1–18 digits.
bool QueryNumber(const httplib::Request& req, const char* name, int64_t* out) {
  const std::string v = req.get_param_value(name);
  if (v.empty() || v.size() > 18 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  *out = std::stoll(v);
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerConfig& config, const Api* api) {
  // The pages, read once.
  auto pages = std::make_shared<std::map<std::string, std::pair<std::string, std::string>>>();
  const std::pair<const char*, const char*> kFiles[] = {
      {"index.html", "text/html; charset=utf-8"},
      {"app.js", "text/javascript; charset=utf-8"},
      {"style.css", "text/css; charset=utf-8"},
      {"report.html", "text/html; charset=utf-8"},
      {"report.js", "text/javascript; charset=utf-8"},
      {"common.js", "text/javascript; charset=utf-8"},
      {"ledger.html", "text/html; charset=utf-8"},
      {"ledger.js", "text/javascript; charset=utf-8"},
      {"submit.html", "text/html; charset=utf-8"},
      {"submit.js", "text/javascript; charset=utf-8"},
      {"render.js", "text/javascript; charset=utf-8"},
      {"verify.js", "text/javascript; charset=utf-8"},
      {"check.html", "text/html; charset=utf-8"},
      {"check.js", "text/javascript; charset=utf-8"}};
  for (const auto& [name, type] : kFiles) {
    absl::StatusOr<std::string> body = ReadFileToString(config.pages_dir + "/" + name);
    if (!body.ok()) return body.status();
    (*pages)[name] = {*std::move(body), type};
  }
  absl::StatusOr<std::string> chart = ReadFileToString(config.chart_js);
  if (!chart.ok()) return chart.status();
  (*pages)["chart.js"] = {*std::move(chart), "text/javascript; charset=utf-8"};
  std::string ledger_key_json =
      "{\"code\": \"NOT_FOUND\", \"message\": \"本控制台未配置账本公钥（--ledger_public_key）\"}\n";
  if (!config.ledger_public_key.empty()) {
    absl::StatusOr<std::string> pem = ReadFileToString(config.ledger_public_key);
    if (!pem.ok()) return pem.status();
    ledger_key_json = absl::StrCat("{\"public_key_pem\": ", JsonQuote(*pem), "}\n");
  }
  for (const std::string* f : {&config.ca, &config.cert, &config.key}) {
    if (absl::StatusOr<std::string> pem = ReadFileToString(*f); !pem.ok()) return pem.status();
  }

  std::string csrf_key(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(csrf_key.data()), 32) != 1) {
    return absl::InternalError("no randomness for the CSRF key");
  }

  std::unique_ptr<Server> server(new Server());
  server->http_ = std::make_unique<httplib::SSLServer>([&config](SSL_CTX& ctx) {
    if (SSL_CTX_use_certificate_chain_file(&ctx, config.cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(&ctx, config.key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_load_verify_locations(&ctx, config.ca.c_str(), nullptr) != 1) {
      return false;
    }
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    // Ask for a client certificate of the CA, and verify one that is sent;
    // without one the connection goes on, to an error page.
    SSL_CTX_set_client_CA_list(&ctx, SSL_load_client_CA_file(config.ca.c_str()));
    // A certificate that is sent must verify (else the handshake fails);
    // without one the connection goes on, to the error page.
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
    // Resumed TLS 1.2 sessions of a server that verifies peers need it.
    static const unsigned char kContext[] = "disclosure-console";
    SSL_CTX_set_session_id_context(&ctx, kContext, sizeof(kContext) - 1);
    return true;
  });
  if (!server->http_->is_valid()) {
    return absl::InvalidArgumentError(absl::StrCat("console TLS: cannot load --cert ", config.cert,
                                                   ", --key or --ca ", config.ca));
  }
  httplib::SSLServer& http = *server->http_;
  // The largest body of any route (a document to import); each route
  // checks its own (RefuseForeignPost).
  http.set_payload_max_length(kMaxUploadBytes);
  http.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  // Answers are small and sent whole: without this each one waits for the
  // browser's delayed ACK (40 ms on Linux) behind Nagle's algorithm.
  http.set_tcp_nodelay(true);
  // A page's requests reuse their TLS connection (a handshake costs more
  // than the call behind it); httplib's default closes it after 5 requests.
  http.set_keep_alive_max_count(1000);
  http.set_keep_alive_timeout(30);

  // Every request: the user, or the error page; and bodies only of a stated
  // length within the limit (cpp-httplib checks its limit against
  // Content-Length only: a chunked or compressed body would be read whole).
  http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    SetCommonHeaders(&res);
    if (req.has_header("Transfer-Encoding") ||
        (req.has_header("Content-Encoding") && req.get_header_value("Content-Encoding") != "identity")) {
      res.set_header("Connection", "close");
      Send(&res, Reply{415, "{\"code\": \"INVALID_ARGUMENT\", \"message\": \"请求体须为未压缩、定长的 JSON\"}\n"});
      return httplib::Server::HandlerResponse::Handled;
    }
    // A foreign page may make the browser send requests with its
    // certificate: the API answers only pages of the console itself.
    const std::string site = req.get_header_value("Sec-Fetch-Site");
    if (req.path.rfind("/api/", 0) == 0 && !site.empty() && site != "same-origin" && site != "none") {
      Send(&res, Reply{403, "{\"code\": \"CSRF\", \"message\": \"跨站请求被拒绝\"}\n"});
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.method == "POST" && !req.has_header("Content-Length")) {
      res.set_header("Connection", "close");
      Send(&res, Reply{411, "{\"code\": \"INVALID_ARGUMENT\", \"message\": \"请求须注明 Content-Length\"}\n"});
      return httplib::Server::HandlerResponse::Handled;
    }
    // A body past its route's limit is refused before it is read (a
    // browser sends small JSON; only uploads are large): one certificate
    // holder cannot make the console buffer 32 MiB per thread.
    const bool upload = req.method == "POST" &&
                        (req.path == "/api/import" ||
                         (req.path.rfind("/api/agencies/", 0) == 0 && absl::EndsWith(req.path, "/versions")));
    const uint64_t limit = upload ? kMaxUploadBytes : kMaxRequestBytes;
    if (req.get_header_value<uint64_t>("Content-Length") > limit) {
      res.set_header("Connection", "close");
      Send(&res, Reply{413, absl::StrCat("{\"code\": \"INVALID_ARGUMENT\", \"message\": \"请求体超过 ",
                                         limit >> 20, " MiB 的上限\"}\n")});
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!PrincipalOfConnection(req.ssl).empty()) return httplib::Server::HandlerResponse::Unhandled;
    // The body of a refused request is not read: the connection ends with it.
    res.set_header("Connection", "close");
    res.status = 403;
    res.set_content(ErrorPage("需要数字证书",
                              "本平台只对持有有效数字证书（证书 USB Key）的用户开放。"
                              "请插入证书后重新打开本页面。"),
                    "text/html; charset=utf-8");
    spdlog::info("console request path=\"{}\" code=403 error=\"no client certificate\"",
                 Echo(req.path.substr(0, 200)));
    return httplib::Server::HandlerResponse::Handled;
  });
  // An exception in a handler is a 500 without its text (cpp-httplib would
  // put what() in a header).
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    Send(&res, Reply{500, "{\"code\": \"INTERNAL\", \"message\": \"内部错误\"}\n"});
  });
  http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::info("console request method=\"{}\" path=\"{}\" user=\"{}\" code={}", Echo(req.method),
                 Echo(req.path.substr(0, 200)), Echo(PrincipalOfConnection(req.ssl)),
                 res.status);
  });

  auto file = [pages](const char* name) {
    return [pages, name](const httplib::Request&, httplib::Response& res) {
      const auto& [body, type] = pages->at(name);
      res.set_content(body, type.c_str());
    };
  };
  http.Get("/", file("index.html"));
  http.Get("/static/app.js", file("app.js"));
  http.Get("/static/style.css", file("style.css"));
  http.Get("/static/chart.js", file("chart.js"));
  http.Get("/report", file("report.html"));
  http.Get("/static/report.js", file("report.js"));
  http.Get("/static/common.js", file("common.js"));
  http.Get("/ledger", file("ledger.html"));
  http.Get("/static/ledger.js", file("ledger.js"));
  http.Get("/submit", file("submit.html"));
  http.Get("/static/submit.js", file("submit.js"));
  http.Get("/static/render.js", file("render.js"));
  http.Get("/static/verify.js", file("verify.js"));
  http.Get("/check", file("check.html"));
  http.Get("/static/check.js", file("check.js"));
  const std::string template_json = TemplateJson();
  http.Get("/api/template", [template_json](const httplib::Request&, httplib::Response& res) {
    res.set_content(template_json, "application/json; charset=utf-8");
  });

  http.Get("/api/session", [csrf_key](const httplib::Request& req, httplib::Response& res) {
    const std::string user = PrincipalOfConnection(req.ssl);
    res.set_content(absl::StrCat("{\"principal\": ", JsonQuote(user), ", \"csrf_token\": \"",
                                 CsrfToken(csrf_key, user), "\"}\n"),
                    "application/json; charset=utf-8");
  });
  http.Get(R"(/api/regions/(\d{1,6})/years/(\d{4})/agencies(\.csv)?)",
           [api](const httplib::Request& req, httplib::Response& res) {
             const bool csv = req.matches[3].matched;
             Send(&res, api->AgencyStates(PrincipalOfConnection(req.ssl), req.matches[1].str(),
                                          req.matches[2].str(), csv));
             if (csv && res.status == 200) {
               res.set_header("Content-Disposition",
                              absl::StrCat("attachment; filename=\"agencies-", req.matches[1].str(), "-",
                                           req.matches[2].str(), ".csv\""));
             }
           });
  http.Get(R"(/api/regions/(\d{1,6})/years/(\d{4})/summary)",
           [api](const httplib::Request& req, httplib::Response& res) {
             Send(&res, api->RegionSummary(PrincipalOfConnection(req.ssl), req.matches[1].str(),
                                           req.matches[2].str()));
           });
  static const char kVersion[] = R"((agencies/[A-Za-z0-9._-]{1,64}/reports/\d{4}/versions/\d{1,18}))";
  http.Get(absl::StrCat("/api/", kVersion, "(/audit|/reviewStatus)?"),
           [api](const httplib::Request& req, httplib::Response& res) {
             const std::string user = PrincipalOfConnection(req.ssl);
             const std::string version = req.matches[1].str(), what = req.matches[2].str();
             Send(&res, what == "/audit"          ? api->Audit(user, version)
                        : what == "/reviewStatus" ? api->ReviewStatus(user, version)
                                                  : api->Version(user, version));
           });
  // Server-sent events, capped per user and in all.
  struct Streams {
    std::mutex mu;
    std::map<std::string, int> by_user;
    int total = 0;
  };
  auto streams = std::make_shared<Streams>();
  const absl::Duration slice = config.stream_slice;
  http.Get(R"(/api/regions/(\d{1,6})/events)", [api, streams, slice](const httplib::Request& req,
                                                                       httplib::Response& res) {
    const std::string user = PrincipalOfConnection(req.ssl);
    {
      std::lock_guard<std::mutex> lock(streams->mu);
      if (streams->by_user[user] >= kMaxStreamsPerUser || streams->total >= kMaxStreams) {
        Send(&res, Reply{429, absl::StrCat("{\"code\": \"RESOURCE_EXHAUSTED\", \"message\": ",
                                           JsonQuote(absl::StrCat("已打开 ", streams->by_user[user],
                                                                  " 个事件流，请关闭其他页面后重试")),
                                           "}\n")});
        spdlog::warn("console stream refused user=\"{}\" open_by_user={} open_total={}", Echo(user),
                     streams->by_user[user], streams->total);
        return;
      }
      ++streams->by_user[user];
      ++streams->total;
    }
    auto release = [streams, user](bool) {
      std::lock_guard<std::mutex> lock(streams->mu);
      if (--streams->by_user[user] == 0) streams->by_user.erase(user);
      --streams->total;
    };
    std::string after = req.get_header_value("Last-Event-ID");
    if (after.empty()) after = req.get_param_value("after");
    auto watch = std::make_shared<Api::EventWatch>();
    Reply opened = api->OpenEvents(user, req.matches[1].str(), after.substr(0, 200), slice, watch.get());
    if (opened.status != 200) {
      release(false);
      Send(&res, opened);
      return;
    }
    res.set_chunked_content_provider(
        // Exactly this type: cpp-httplib compresses any other text/* answer
        // (gzip, brotli) and a compressed stream reaches the browser only
        // when it ends. An event stream is UTF-8 by definition.
        "text/event-stream",
        [api, user, watch, slice](size_t, httplib::DataSink& sink) {
          sink.write(": open\n\n", 8);
          api->PumpEvents(user, watch.get(),
                          [&sink](absl::string_view m) {
                            return sink.is_writable() && sink.write(m.data(), m.size());
                          },
                          slice, kStreamLifetime);
          sink.done();
          return true;
        },
        release);
  });
  static const char kReport[] = R"((agencies/[A-Za-z0-9._-]{1,64}/reports/\d{4}))";
  http.Get(absl::StrCat("/api/", kReport, "/versions"), [api](const httplib::Request& req,
                                                            httplib::Response& res) {
    Send(&res, api->Versions(PrincipalOfConnection(req.ssl), req.matches[1].str()));
  });
  http.Get(absl::StrCat("/api/", kVersion, "/diff"), [api](const httplib::Request& req,
                                                         httplib::Response& res) {
    const std::string version = req.matches[1].str();
    int64_t other = 0;
    if (!QueryNumber(req, "other", &other)) {
      Send(&res, ErrorReply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                         "other: the number of the version to compare with")));
      return;
    }
    Send(&res, api->Diff(PrincipalOfConnection(req.ssl), version,
                         absl::StrCat(version.substr(0, version.rfind('/') + 1), other)));
  });
  http.Get(absl::StrCat("/api/", kVersion, "/signOffs"), [api](const httplib::Request& req,
                                                             httplib::Response& res) {
    Send(&res, api->SignOffs(PrincipalOfConnection(req.ssl), req.matches[1].str()));
  });
  // The ledger: the key the page verifies with, and what it verifies.
  const bool has_ledger_key = !config.ledger_public_key.empty();
  http.Get("/api/ledger/key", [ledger_key_json, has_ledger_key](const httplib::Request&,
                                                                httplib::Response& res) {
    Send(&res, Reply{has_ledger_key ? 200 : 404, ledger_key_json});
  });
  http.Get(R"(/api/documents/(sha256:[0-9a-f]{64})/bundles)",
           [api](const httplib::Request& req, httplib::Response& res) {
             Send(&res, api->DocumentBundles(PrincipalOfConnection(req.ssl), req.matches[1].str()));
           });
  http.Get("/api/ledger/checkpoint", [api](const httplib::Request& req, httplib::Response& res) {
    Send(&res, api->Checkpoint(PrincipalOfConnection(req.ssl)));
  });
  http.Get(R"(/api/ledger/entries/(\d{1,18}))", [api](const httplib::Request& req,
                                                      httplib::Response& res) {
    int64_t size = 0;
    if (!QueryNumber(req, "tree_size", &size)) {
      Send(&res, ErrorReply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                         "tree_size: the size of the checkpoint the proof is for")));
      return;
    }
    Send(&res, api->Inclusion(PrincipalOfConnection(req.ssl), std::stoll(req.matches[1].str()), size));
  });
  http.Get("/api/ledger/consistency", [api](const httplib::Request& req, httplib::Response& res) {
    int64_t old_size = 0, new_size = 0;
    if (!QueryNumber(req, "old", &old_size) || !QueryNumber(req, "new", &new_size)) {
      Send(&res, ErrorReply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                         "old, new: the sizes of the two checkpoints")));
      return;
    }
    Send(&res, api->Consistency(PrincipalOfConnection(req.ssl), old_size, new_size));
  });
  http.Post(absl::StrCat("/api/", kVersion, "/signOffs"),
            [api, csrf_key](const httplib::Request& req, httplib::Response& res) {
              if (auto refused = RefuseForeignPost(req, csrf_key, "application/json")) {
                Send(&res, *refused);
                return;
              }
              Send(&res, api->CreateSignOff(PrincipalOfConnection(req.ssl), req.matches[1].str(), req.body,
                                            req.get_header_value("X-Request-Id").substr(0, 200)));
            });
  // A clerk's document: read (in a child process) and dry-run; then the
  // version created from what the clerk saw.
  http.Post("/api/import", [api, csrf_key](const httplib::Request& req, httplib::Response& res) {
    if (auto refused = RefuseForeignPost(req, csrf_key, "application/octet-stream", kMaxUploadBytes)) {
      Send(&res, *refused);
      return;
    }
    Send(&res, api->Import(PrincipalOfConnection(req.ssl), req.body,
                           req.get_param_value("format").substr(0, 16)));
  });
  http.Post(absl::StrCat("/api/", kReport, "/versions"),
            [api, csrf_key](const httplib::Request& req, httplib::Response& res) {
              // The report and, base64 in the JSON, its published document.
              if (auto refused = RefuseForeignPost(req, csrf_key, "application/json", kMaxUploadBytes)) {
                Send(&res, *refused);
                return;
              }
              Send(&res, api->CreateVersion(PrincipalOfConnection(req.ssl), req.matches[1].str(), req.body,
                                            req.get_header_value("X-Request-Id").substr(0, 200)));
            });

  const int port = config.port == 0 ? http.bind_to_any_port(config.host)
                                    : (http.bind_to_port(config.host, config.port) ? config.port : -1);
  if (port <= 0) {
    return absl::UnavailableError(absl::StrCat("console: cannot listen on ", config.host, ":", config.port));
  }
  server->port_ = port;
  server->thread_ = std::thread([&http] { http.listen_after_bind(); });
  return server;
}

Server::~Server() { Stop(); }

void Server::Stop() {
  if (http_ != nullptr) http_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace disclosure::console
