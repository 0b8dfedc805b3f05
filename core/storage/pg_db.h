// A thin layer over libpqxx shared by the services' PostgreSQL stores:
// exceptions turned into absl::Status with the step that failed, and a small
// pool of connections that drops a broken one (PostgreSQL restarted) and
// opens a new one on the next call.
#ifndef DISCLOSURE_CORE_STORAGE_PG_DB_H_
#define DISCLOSURE_CORE_STORAGE_PG_DB_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "pqxx/pqxx"

namespace disclosure::pg {

// "postgres: <step>: <what>", with a status code a caller can act on:
// UNAVAILABLE for a broken connection or a commit in doubt (retry; the
// request_id makes CreateVersion safe to repeat), ABORTED for a
// serialization failure or deadlock, INTERNAL otherwise.
absl::Status Error(const std::exception& e, absl::string_view step);

// Runs fn() -> absl::Status or absl::StatusOr<T>, one step of a
// transaction: an exception becomes Error(e, step), except a broken
// connection, which is rethrown so that the transaction fails as a whole
// and ConnectionPool::Run drops the connection (UNAVAILABLE).
template <typename Fn>
auto Sql(absl::string_view step, Fn fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const std::exception& e) {
    return Error(e, step);
  }
}

class ConnectionPool {
 public:
  explicit ConnectionPool(std::string conninfo, size_t max_idle = 8)
      : conninfo_(std::move(conninfo)), max_idle_(max_idle) {}

  // Runs fn(pqxx::connection&) -> absl::Status on a pooled connection,
  // opening one if needed; an exception becomes Error(e, step); a connection
  // that broke is not returned to the pool.
  template <typename Fn>
  absl::Status Run(absl::string_view step, Fn fn) {
    std::unique_ptr<pqxx::connection> c = Take();
    absl::Status s;
    try {
      if (c == nullptr) c = std::make_unique<pqxx::connection>(conninfo_);
      s = fn(*c);
    } catch (const std::exception& e) {
      s = Error(e, step);
    }
    if (c != nullptr && c->is_open() && !absl::IsUnavailable(s)) Return(std::move(c));
    return s;
  }

 private:
  std::unique_ptr<pqxx::connection> Take();
  void Return(std::unique_ptr<pqxx::connection> c);

  const std::string conninfo_;
  const size_t max_idle_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mu_);
};

// Creates or migrates a store's schema: under the transaction-scoped
// advisory lock `lock` (replicas starting together migrate once), the table
// `version_table` (id 1, version) holds the schema version; the scripts
// migrations[v - 1] take it to v. FailedPrecondition, changing nothing, for
// a schema newer than migrations.size().
absl::Status Migrate(ConnectionPool& pool, const std::string& version_table, int64_t lock,
                     const std::vector<const char*>& migrations);

}  // namespace disclosure::pg

#endif  // DISCLOSURE_CORE_STORAGE_PG_DB_H_
