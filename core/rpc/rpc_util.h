// What both services and their clients share about gRPC: mutual-TLS
// credentials, the caller's principal, errors with google.rpc.BadRequest
// details, and the one log line per request.
#ifndef DISCLOSURE_CORE_RPC_RPC_UTIL_H_
#define DISCLOSURE_CORE_RPC_RPC_UTIL_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/arena.h"
#include "core/base/text_util.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/message_allocator.h"

namespace disclosure {

struct TlsFiles {
  std::string ca;    // PEM of the CA that signs peers
  std::string cert;  // own certificate chain, PEM
  std::string key;   // own private key, PEM
};

// Server credentials that require and verify a client certificate.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTlsServerCredentials(
    const TlsFiles& files);
// Client credentials presenting `files.cert`, trusting `files.ca`.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MutualTlsChannelCredentials(
    const TlsFiles& files);

// The principal of a call: its client certificate's subject common name.
// Empty when the call has no verified certificate.
std::string PrincipalOf(const grpc::ServerContextBase& context);

// An InvalidArgument status naming `field`; ToGrpcStatus turns it into a
// gRPC status with a google.rpc.BadRequest field violation.
absl::Status FieldError(absl::string_view field, absl::string_view description);

// absl → gRPC (the numeric codes are the same), keeping field violations.
grpc::Status ToGrpcStatus(const absl::Status& status);
// gRPC → absl, with "field: description" of any BadRequest appended.
absl::Status FromGrpcStatus(const grpc::Status& status);

// Logs one structured line at info when destroyed: principal, method,
// resource, status, latency; and counts the call in the metrics
// (core/base/metrics.h). Never logs report content.
class RequestLog {
 public:
  RequestLog(absl::string_view service, absl::string_view method, std::string principal);
  ~RequestLog();
  void set_resource(std::string resource) { resource_ = std::move(resource); }
  // The console the call came through, acting for the principal (Caller).
  void set_via(std::string via) { via_ = std::move(via); }
  const std::string& via() const { return via_; }
  void set_status(const grpc::Status& status) {
    code_ = status.error_code();
    message_ = status.error_message();
  }

 private:
  std::string service_, method_, principal_, via_, resource_, message_;
  grpc::StatusCode code_ = grpc::StatusCode::OK;
  absl::Time start_;
};

// Threads of the synchronous handlers of a service (the unary calls; watch
// streams run on threads of their own, core/rpc/watch_stream.h); when none is
// left, a new synchronous call gets RESOURCE_EXHAUSTED instead of a new
// thread.
inline constexpr int kDefaultMaxThreads = 64;
inline constexpr int kMinMaxThreads = 4;  // two completion queues, a poller each, and work
// Keepalive: an idle connection is pinged every minute and dropped when the
// ping is not answered in 20 s, so a vanished client's watch ends and frees
// its thread. Clients may ping every 10 s at most.
inline constexpr int kKeepaliveTimeMs = 60000;
inline constexpr int kKeepaliveTimeoutMs = 20000;
inline constexpr int kMinClientPingIntervalMs = 10000;

// A connection that has not finished its TLS handshake (a client
// certificate verified) this long after it was accepted is closed: a peer
// without a certificate holds a descriptor for 10 s at most, not gRPC's
// default 120 s.
inline constexpr int kHandshakeTimeoutMs = 10000;

// Thread quota, keepalive and handshake timeout of the server (docs/api.md,
// Limits); main.cc and the tests' server set them alike. max_threads >=
// kMinMaxThreads.
void ApplyServerLimits(grpc::ServerBuilder* builder, int max_threads,
                       int handshake_timeout_ms = kHandshakeTimeoutMs);

// Makes spdlog's default logger write to stdout through a buffer of
// kLogBufferBytes: a request line is formatted and copied into the buffer on
// the thread that logs it, and reaches the file, pipe or journal in one
// write(2) with many others, when the buffer is full or within a second
// (flushed every second), at once for warnings and errors. A crash loses at
// most that second. Call spdlog::shutdown() before exiting to flush the rest.
inline constexpr int kLogBufferBytes = 64 << 10;
void UseBufferedLogging();

// Sends gRPC-core's own log lines (handshake failures, transport errors,
// failed assertions; GRPC_VERBOSITY, ERROR by default, decides which) through
// spdlog's default logger, so they have the services' format, instead of
// gRPC's own on stderr: `grpc file=FILE:LINE message="…"` at spdlog's error,
// info or debug level.
void RouteGrpcLogsToSpdlog();


// Initial metadata of a WatchVersions stream, sent by submit_service as
// soon as the stream is open (before any version): the feed's last position
// then ("feed/N"). What tells the audit service's follower that it is
// connected and whether it had anything left to audit (its health).
inline constexpr char kFeedOpenMetadata[] = "disclosure-feed-open";

// Request and response of a callback unary method on one protobuf arena per
// call (SetMessageAllocatorFor_<Method>): a report parses into ~250
// sub-messages, and one arena block beats as many mallocs and frees.
template <typename Request, typename Response>
class ArenaMessageAllocator final : public grpc::MessageAllocator<Request, Response> {
 public:
  grpc::MessageHolder<Request, Response>* AllocateMessages() override { return new Holder; }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() : arena_(Options()) {
      this->set_request(google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    void Release() override { delete this; }

   private:
    static google::protobuf::ArenaOptions Options() {
      google::protobuf::ArenaOptions o;
      o.start_block_size = 32 << 10;  // a report and its findings, usually
      return o;
    }
    google::protobuf::Arena arena_;
  };
};

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_RPC_RPC_UTIL_H_
