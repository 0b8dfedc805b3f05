#include "core/rpc/rpc_util.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "core/base/file.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "core/rpc/listener_watchdog.h"
#include "core/base/metrics.h"
#include "core/rpc/handler.h"
#include "core/base/text_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/support/log.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/support/error_details.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"

namespace disclosure {
namespace {

constexpr char kBadRequestUrl[] = "type.googleapis.com/google.rpc.BadRequest";
// Error messages are ours but echo request values (each capped by Echo).
constexpr size_t kMaxLoggedErrorBytes = 1000;

absl::StatusOr<std::string> ReadNamed(const std::string& path, const char* what) {
  absl::StatusOr<std::string> s = ReadFileToString(path);
  if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat(what, ": ", s.status().message()));
  if (s->empty()) return absl::InvalidArgumentError(absl::StrCat(what, ": ", path, " is empty"));
  return s;
}

}  // namespace

namespace {

struct TlsPems {
  std::string ca, cert, key;
};

absl::StatusOr<TlsPems> ReadTlsFiles(const TlsFiles& files) {
  TlsPems pems;
  struct {
    const std::string& path;
    const char* what;
    std::string* out;
  } parts[] = {{files.ca, "CA certificate", &pems.ca},
               {files.cert, "certificate", &pems.cert},
               {files.key, "private key", &pems.key}};
  for (const auto& p : parts) {
    absl::StatusOr<std::string> s = ReadNamed(p.path, p.what);
    if (!s.ok()) return s.status();
    *p.out = *std::move(s);
  }
  return pems;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTlsServerCredentials(
    const TlsFiles& files) {
  absl::StatusOr<TlsPems> pems = ReadTlsFiles(files);
  if (!pems.ok()) return pems.status();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = pems->ca;
  options.pem_key_cert_pairs.push_back({pems->key, pems->cert});
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MutualTlsChannelCredentials(
    const TlsFiles& files) {
  absl::StatusOr<TlsPems> pems = ReadTlsFiles(files);
  if (!pems.ok()) return pems.status();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = pems->ca;
  options.pem_cert_chain = pems->cert;
  options.pem_private_key = pems->key;
  return grpc::SslCredentials(options);
}

std::string PrincipalOf(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (!auth || !auth->IsPeerAuthenticated()) return "";
  std::vector<grpc::string_ref> cn = auth->FindPropertyValues("x509_common_name");
  if (cn.empty()) return "";
  return std::string(cn.front().data(), cn.front().size());
}

absl::Status FieldError(absl::string_view field, absl::string_view description) {
  google::rpc::BadRequest bad;
  auto* v = bad.add_field_violations();
  v->set_field(std::string(field));
  v->set_description(std::string(description));
  absl::Status s = absl::InvalidArgumentError(absl::StrCat(field, ": ", description));
  s.SetPayload(kBadRequestUrl, absl::Cord(bad.SerializeAsString()));
  return s;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  auto bad = status.GetPayload(kBadRequestUrl);
  if (!bad.has_value()) return grpc::Status(code, message);
  google::rpc::Status details;
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  auto* any = details.add_details();
  any->set_type_url(kBadRequestUrl);
  any->set_value(std::string(*bad));
  grpc::Status out;
  grpc::SetErrorDetails(details, &out);
  return out;
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  std::string message = status.error_message();
  google::rpc::Status details;
  if (!status.error_details().empty() && details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      google::rpc::BadRequest bad;
      if (any.type_url() == kBadRequestUrl && bad.ParseFromString(any.value())) {
        for (const auto& v : bad.field_violations()) {
          absl::StrAppend(&message, " [field ", v.field(), ": ", v.description(), "]");
        }
      }
    }
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), message);
}

void ApplyServerLimits(grpc::ServerBuilder* builder, int max_threads, int handshake_timeout_ms) {
  // Fixed completion queues and pollers, so that the quota's floor does not
  // grow with the machine's cores (gRPC aborts when the quota cannot hold
  // the minimum pollers).
  builder->SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::NUM_CQS, 2);
  builder->SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 1);
  builder->SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 2);
  grpc::ResourceQuota quota("sync-handlers");
  quota.SetMaxThreads(std::max(max_threads, kMinMaxThreads));
  builder->SetResourceQuota(quota);  // keeps its own reference
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveTimeMs);
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  builder->AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                              kMinClientPingIntervalMs);
  // Bounds how long a peer that never completes TLS holds a descriptor.
  builder->AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, handshake_timeout_ms);
}

grpc::Status AdmitCaller(const grpc::ServerContextBase& context, const AccessPolicy& policy,
                         Caller* caller) {
  caller->principal = PrincipalOf(context);
  caller->via.clear();
  grpc::Status admitted = AdmitPrincipal(policy, caller->principal);
  if (!admitted.ok()) return admitted;
  const auto& metadata = context.client_metadata();
  const size_t acting = metadata.count(kActingForMetadata);
  const bool console = policy.IsConsole(caller->principal);
  auto denied = [](std::string message) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, std::move(message));
  };
  if (acting == 0) {
    // A console reads and writes nothing of its own.
    if (console) {
      return denied(absl::StrCat("console '", Echo(caller->principal), "' must say for whom it acts (",
                                 kActingForMetadata, ")"));
    }
    return grpc::Status::OK;
  }
  if (!console) {
    return denied(absl::StrCat("principal '", Echo(caller->principal), "' may not act for another (",
                               kActingForMetadata, " needs the console role)"));
  }
  if (acting > 1) {
    return denied(absl::StrCat(kActingForMetadata, " given ", acting, " times; one user per call"));
  }
  const grpc::string_ref value = metadata.find(kActingForMetadata)->second;
  const std::string user(value.data(), value.size());
  if (user.empty() || user.size() > 256 || Utf8ErrorOffset(user) != absl::string_view::npos) {
    return denied(absl::StrCat(kActingForMetadata, " must be a principal's name (UTF-8, 1–256 bytes)"));
  }
  if (!policy.IsKnown(user)) {
    return denied(absl::StrCat("console '", Echo(caller->principal), "' acts for '", Echo(user),
                               "', who has no role"));
  }
  if (policy.IsConsole(user) || policy.IsAuditService(user)) {
    return denied(absl::StrCat("console '", Echo(caller->principal), "' may act for users, not for '",
                               Echo(user), "'"));
  }
  caller->via = std::move(caller->principal);
  caller->principal = user;
  return grpc::Status::OK;
}

grpc::Status AdmitPrincipal(const AccessPolicy& policy, const std::string& principal) {
  if (principal.empty()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "a client certificate is required");
  }
  if (!policy.IsKnown(principal)) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        absl::StrCat("principal '", Echo(principal), "' has no role"));
  }
  return grpc::Status::OK;
}

namespace {

void GrpcLogToSpdlog(gpr_log_func_args* args) {
  spdlog::level::level_enum level = spdlog::level::debug;
  if (args->severity == GPR_LOG_SEVERITY_ERROR) level = spdlog::level::err;
  if (args->severity == GPR_LOG_SEVERITY_INFO) level = spdlog::level::info;
  absl::string_view file = args->file != nullptr ? args->file : "";
  if (size_t slash = file.rfind('/'); slash != absl::string_view::npos) file.remove_prefix(slash + 1);
  // gRPC's messages quote peers' data (addresses, certificate errors):
  // escaped like request values.
  std::string message = Echo(args->message != nullptr ? args->message : "", kMaxLoggedErrorBytes);
  // gRPC's threads may still log after main's spdlog::shutdown().
  if (std::shared_ptr<spdlog::logger> logger = spdlog::default_logger()) {
    logger->log(level, "grpc file={}:{} message=\"{}\"", Echo(file), args->line, message);
  } else {
    std::fprintf(stderr, "grpc file=%s:%d message=\"%s\"\n", Echo(file).c_str(), args->line,
                 message.c_str());
  }
}

}  // namespace

void RouteGrpcLogsToSpdlog() { gpr_set_log_function(GrpcLogToSpdlog); }


void UseBufferedLogging() {
  // Fully buffered even on a terminal; setvbuf must come before any output.
  static char buffer[kLogBufferBytes];
  std::setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
  // std::cout writes through stdout's buffer (synced with stdio): a line is
  // formatted and copied under the sink's mutex on the thread that logs it.
  // An asynchronous logger cost more: it woke its thread for every line
  // (bench/audit_load: ~15 % of a ValidateReport call's CPU).
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(std::cout, /*force_flush=*/false);
  auto logger = std::make_shared<spdlog::logger>("disclosure", std::move(sink));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  spdlog::flush_every(std::chrono::seconds(1));
}

RequestLog::RequestLog(absl::string_view service, absl::string_view method, std::string principal)
    : service_(service), method_(method), principal_(std::move(principal)), start_(absl::Now()) {}

RequestLog::~RequestLog() {
  const absl::Duration latency = absl::Now() - start_;
  metrics::Registry::Global().ObserveRpc(service_, method_, static_cast<int>(code_), latency);
  double ms = absl::ToDoubleMilliseconds(latency);
  // key=value pairs: one line per request, easy to grep and to parse. The
  // quoted values come from the client (resource names, certificate names,
  // messages that echo them): escaped and capped, so that none can forge a
  // line or a pair.
  spdlog::info("rpc service={} method={} principal=\"{}\"{}{}{} resource=\"{}\" code={} latency_ms={:.3f}{}{}",
               service_, method_, Echo(principal_), via_.empty() ? "" : " via=\"",
               via_.empty() ? "" : Echo(via_), via_.empty() ? "" : "\"", Echo(resource_),
               static_cast<int>(code_), ms,
               message_.empty() ? "" : " error=\"",
               message_.empty() ? "" : Echo(message_, kMaxLoggedErrorBytes) + "\"");
}

}  // namespace disclosure
