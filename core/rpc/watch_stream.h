// The watch streams of both services (WatchVersions, WatchEvents) on gRPC's
// callback API, each on a thread of its own out of a bounded set, so that an
// open stream never holds one of the synchronous handlers' threads that the
// unary calls need (docs/api.md, Limits). A principal may hold a few streams
// at a time, the server a bounded number in all; a stream over either cap is
// refused with RESOURCE_EXHAUSTED and a warning log line.
#ifndef DISCLOSURE_CORE_RPC_WATCH_STREAM_H_
#define DISCLOSURE_CORE_RPC_WATCH_STREAM_H_

#include <functional>
#include <map>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "core/access/access.h"
#include "core/rpc/handler.h"
#include "core/rpc/rpc_util.h"
#include "grpcpp/grpcpp.h"

namespace disclosure {

// Open watch streams one principal may hold (the audit service's follower
// holds one per submit replica, a dashboard one or two), and the server in
// all (each is a thread).
inline constexpr int kMaxWatchStreamsPerPrincipal = 8;
inline constexpr int kMaxWatchStreams = 256;

// Counts the open streams by principal.
class WatchLimiter {
 public:
  WatchLimiter(int per_principal = kMaxWatchStreamsPerPrincipal, int total = kMaxWatchStreams)
      : per_principal_(per_principal), total_(total) {}
  // A slot for one more stream of `principal`, or RESOURCE_EXHAUSTED naming
  // the cap that refuses it (and a warning log line: a refusal is either a
  // client leaking streams or one trying to starve others).
  absl::Status Acquire(const std::string& principal, absl::string_view method);
  void Release(const std::string& principal);
  int open(const std::string& principal) const;

 private:
  const int per_principal_;
  const int total_;
  mutable absl::Mutex mu_;
  std::map<std::string, int> open_ ABSL_GUARDED_BY(mu_);
  int total_open_ ABSL_GUARDED_BY(mu_) = 0;
};

// Initial metadata a watch sends once it is admitted and its request valid,
// before any event: a client can tell a watch that was accepted and has
// nothing to send yet from one still being decided (the console answers its
// browser's request for the event stream only then, docs/console.md).
inline constexpr char kWatchOpenMetadata[] = "x-disclosure-watch-open";

// What a watch's body writes through, blocking on its own thread.
template <typename Event>
class WatchWriter {
 public:
  virtual ~WatchWriter() = default;
  // Sends `event`; false once the client went away or cancelled.
  virtual bool Write(const Event& event) = 0;
  // Sends the initial metadata with `key: value` before any event.
  virtual void SendInitialMetadata(const std::string& key, const std::string& value) = 0;
  virtual bool IsCancelled() const = 0;
};

namespace internal {

template <typename Event>
class WatchReactor final : public grpc::ServerWriteReactor<Event>, public WatchWriter<Event> {
 public:
  WatchReactor(grpc::CallbackServerContext* context, std::function<void()> on_done)
      : context_(context), on_done_(std::move(on_done)) {}

  // Runs `body` on a new thread and finishes the stream with its status.
  void Start(std::function<grpc::Status(WatchWriter<Event>*)> body) {
    std::thread([this, body = std::move(body)] {
      grpc::Status status = body(this);
      // The last use of `this`: OnDone may delete it from here on.
      this->Finish(status);
    }).detach();
  }

  bool Write(const Event& event) override {
    {
      absl::MutexLock lock(&mu_);
      if (cancelled_) return false;
      pending_ = true;
    }
    // Not under mu_: gRPC may run OnWriteDone on this very thread.
    this->StartWrite(&event);
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(+[](bool* pending) { return !*pending; }, &pending_));
    return ok_;
  }

  void SendInitialMetadata(const std::string& key, const std::string& value) override {
    context_->AddInitialMetadata(key, value);
    {
      absl::MutexLock lock(&mu_);
      pending_ = true;
    }
    this->StartSendInitialMetadata();
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(+[](bool* pending) { return !*pending; }, &pending_));
  }

  bool IsCancelled() const override {
    absl::MutexLock lock(&mu_);
    return cancelled_;
  }

  void OnWriteDone(bool ok) override { Done(ok); }
  void OnSendInitialMetadataDone(bool ok) override { Done(ok); }
  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
  }
  void OnDone() override {
    on_done_();
    delete this;
  }

 private:
  void Done(bool ok) {
    absl::MutexLock lock(&mu_);
    ok_ = ok;
    pending_ = false;
  }

  grpc::CallbackServerContext* context_;
  std::function<void()> on_done_;
  mutable absl::Mutex mu_;
  bool pending_ ABSL_GUARDED_BY(mu_) = false;
  bool ok_ ABSL_GUARDED_BY(mu_) = true;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace internal

// The frame of a watch handler, as HandleRpc is for the others: admission
// (AdmitCaller: the caps count the user a console acts for), the stream
// caps, then `body(principal, RequestLog*, WatchWriter<Event>*)
// -> absl::Status` on the stream's own thread, one log line when it ends.
template <typename Event, typename Body>
grpc::ServerWriteReactor<Event>* StartWatch(grpc::CallbackServerContext* context,
                                            const char* service, const char* method,
                                            const AccessPolicy& policy, WatchLimiter* limiter,
                                            Body body) {
  Caller caller;
  grpc::Status refused = AdmitCaller(*context, policy, &caller);
  const std::string principal = caller.principal, via = caller.via;
  if (refused.ok()) refused = ToGrpcStatus(limiter->Acquire(principal, method));
  if (!refused.ok()) {
    RequestLog log(service, method, principal);
    log.set_via(via);
    log.set_status(refused);
    auto* reactor = new internal::WatchReactor<Event>(context, [] {});
    reactor->Finish(refused);
    return reactor;
  }
  auto* reactor = new internal::WatchReactor<Event>(
      context, [limiter, principal] { limiter->Release(principal); });
  reactor->Start([service, method, principal, via, body = std::move(body)](WatchWriter<Event>* writer) {
    RequestLog log(service, method, principal);
    log.set_via(via);
    grpc::Status status = ToGrpcStatus(body(principal, &log, writer));
    log.set_status(status);
    return status;
  });
  return reactor;
}

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_RPC_WATCH_STREAM_H_
