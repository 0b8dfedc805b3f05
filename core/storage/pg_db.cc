#include "core/storage/pg_db.h"

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

absl::Status Migrate(ConnectionPool& pool, const std::string& version_table, int64_t lock,
                     const std::vector<const char*>& migrations) {
  const int newest = static_cast<int>(migrations.size());
  return pool.Run("migrate schema", [&](pqxx::connection& c) -> absl::Status {
    pqxx::work tx(c);
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", lock);
    // The table name is ours, never a client's.
    tx.exec(absl::StrCat("CREATE TABLE IF NOT EXISTS ", version_table,
                         " (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)"));
    pqxx::result r = tx.exec(absl::StrCat("SELECT version FROM ", version_table, " WHERE id = 1"));
    const int version = r.empty() ? 0 : r[0][0].as<int>();
    if (version > newest) {
      return absl::FailedPreconditionError(
          absl::StrCat("postgres: ", version_table, " says schema version ", version,
                       ", newer than this build's ", newest, "; upgrade the service"));
    }
    for (int v = version + 1; v <= newest; ++v) tx.exec(migrations[v - 1]);
    tx.exec_params(absl::StrCat("INSERT INTO ", version_table, " (id, version) VALUES (1, $1) ",
                                "ON CONFLICT (id) DO UPDATE SET version = excluded.version"),
                   newest);
    tx.commit();
    return absl::OkStatus();
  });
}

}  // namespace disclosure::pg
