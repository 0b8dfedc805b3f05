#include "core/rpc/watch_stream.h"

#include "absl/strings/str_cat.h"
#include "core/base/text_util.h"
#include "spdlog/spdlog.h"

namespace disclosure {

absl::Status WatchLimiter::Acquire(const std::string& principal, absl::string_view method) {
  absl::MutexLock lock(&mu_);
  int& mine = open_[principal];
  std::string refused;
  if (mine >= per_principal_) {
    refused = absl::StrCat("principal '", Echo(principal), "' already holds ", mine,
                           " open watch streams, the most one principal may hold; close one "
                           "(or resume it) before opening another");
  } else if (total_open_ >= total_) {
    refused = absl::StrCat("the server already holds ", total_open_,
                           " open watch streams, its maximum; retry later");
  }
  if (!refused.empty()) {
    int held = mine;
    if (held == 0) open_.erase(principal);
    spdlog::warn("watch refused: method={} principal=\"{}\" open_by_principal={} open_total={}: {}",
                 std::string(method), Echo(principal), held, total_open_, refused);
    return absl::ResourceExhaustedError(refused);
  }
  ++mine;
  ++total_open_;
  return absl::OkStatus();
}

void WatchLimiter::Release(const std::string& principal) {
  absl::MutexLock lock(&mu_);
  auto it = open_.find(principal);
  if (it == open_.end()) return;
  --total_open_;
  if (--it->second == 0) open_.erase(it);
}

int WatchLimiter::open(const std::string& principal) const {
  absl::MutexLock lock(&mu_);
  auto it = open_.find(principal);
  return it == open_.end() ? 0 : it->second;
}

}  // namespace disclosure
