#include "core/pg_db.h"

#include "absl/strings/str_cat.h"

namespace disclosure::pg {

absl::Status Error(const std::exception& e, absl::string_view step) {
  std::string what = absl::StrCat("postgres: ", step, ": ", e.what());
  while (!what.empty() && what.back() == '\n') what.pop_back();
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr ||
      dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return absl::UnavailableError(what);
  }
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e) != nullptr) {
    return absl::AbortedError(what);
  }
  return absl::InternalError(what);
}

std::unique_ptr<pqxx::connection> ConnectionPool::Take() {
  absl::MutexLock l(&mu_);
  if (idle_.empty()) return nullptr;
  std::unique_ptr<pqxx::connection> c = std::move(idle_.back());
  idle_.pop_back();
  return c;
}

void ConnectionPool::Return(std::unique_ptr<pqxx::connection> c) {
  absl::MutexLock l(&mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(c));
}

}  // namespace disclosure::pg
