// A thin layer over SQLite shared by the services' embedded stores: errors as
// absl::Status with the step that failed, prepared statements with a cache,
// and opening a database file with the settings every store relies on (WAL,
// synchronous=FULL, foreign keys) and its schema migrated in one transaction.
//
// Not thread-safe: a Connection is used by one thread at a time.
#ifndef DISCLOSURE_CORE_STORAGE_SQLITE_DB_H_
#define DISCLOSURE_CORE_STORAGE_SQLITE_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace disclosure::sqlite {

// "sqlite: <step>: <message> (<code name>)", with a status code a caller can
// act on: UNAVAILABLE for busy/locked/I/O/full (retry later), DATA_LOSS for a
// corrupt file, INTERNAL otherwise.
absl::Status Error(sqlite3* db, int rc, absl::string_view step);

// A prepared statement in use. Cached statements are reset and unbound when
// this goes away, others finalized. Values bound as text or blob are NOT
// copied: they must outlive this object.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt, bool* in_use, std::string step)
      : db_(db), stmt_(stmt), in_use_(in_use), step_(std::move(step)) {}
  Stmt(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  // Parameters are 1-based.
  void Text(int i, absl::string_view v);
  void Blob(int i, absl::string_view v);
  void Int(int i, int64_t v);

  // true: a row is available; false: done.
  absl::StatusOr<bool> Step();
  // Steps through every row, calling row() on each (it reads the columns
  // from this statement); stops at the first error, its own or row()'s.
  absl::Status ForEachRow(absl::FunctionRef<absl::Status()> row);
  // Runs a statement that returns no rows.
  absl::Status Run();
  // Makes the statement ready to be bound and run again (sqlite3_reset,
  // bindings cleared). The SQLite error of the last step is not repeated.
  void Reset();
  // Run(), then Reset(): one row of a batch of inserts.
  absl::Status RunAndReset() {
    absl::Status s = Run();
    Reset();
    return s;
  }

  // Columns are 0-based.
  int64_t ColInt(int c) const { return sqlite3_column_int64(stmt_, c); }
  std::string ColText(int c) const;
  std::string ColBlob(int c) const;
  // The blob without a copy; valid until the next Step() or destruction.
  absl::string_view ColBlobView(int c) const;

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;  // null: not cached
  std::string step_;
  int bind_rc_ = SQLITE_OK;
};

class Checkpointer;

// One SQLite connection with its statement cache.
class Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& path, int flags);
  ~Connection();

  sqlite3* db() const { return db_; }
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

  // Prepares `sql` (one statement), from the cache when possible. `step`
  // names it in errors.
  absl::StatusOr<Stmt> Prepare(const std::string& sql, absl::string_view step,
                               bool cacheable = true);
  // Runs a statement without results or parameters, e.g. BEGIN / COMMIT.
  absl::Status Exec(const std::string& sql, absl::string_view step);
  // Runs a script (several statements; not cached).
  absl::Status ExecScript(const char* sql, absl::string_view step);
  // A single integer from a one-row, one-column query.
  absl::StatusOr<int64_t> QueryInt(const std::string& sql, absl::string_view step);

  // Moves this (writer) connection's WAL checkpoints to a thread and
  // connection of their own; see Checkpointer. Stopped when this closes.
  absl::Status CheckpointInBackground(const std::string& path);

  // Runs `body` in BEGIN IMMEDIATE … COMMIT; rolls back when it fails.
  template <typename Fn>
  absl::Status InTransactionDo(absl::string_view what, Fn body) {
    absl::Status s = Exec("BEGIN IMMEDIATE", what);
    if (!s.ok()) return s;
    s = body();
    if (s.ok()) s = Exec("COMMIT", what);
    if (!s.ok() && InTransaction()) (void)Exec("ROLLBACK", what);
    return s;
  }

 private:
  struct Entry {
    sqlite3_stmt* stmt;
    bool in_use;
  };
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, Entry> cache_;
  std::unique_ptr<Checkpointer> checkpointer_;  // stopped before db_ closes
};

// WAL checkpoints off the writer's commits. By default SQLite checkpoints in
// the connection that commits once the WAL holds 1000 pages: that commit
// then also copies the pages into the database file and fsyncs it, a stall
// of milliseconds for every caller waiting on it (all of a group commit's).
// A Checkpointer replaces the writer's automatic checkpoint: when a commit
// leaves kPages or more in the WAL, a thread of its own runs a PASSIVE
// checkpoint (which never blocks the writer or readers) on a connection of
// its own. Should the WAL reach kForcePages all the same (checkpoints
// starved), the writer checkpoints in its commit as SQLite would, so the WAL
// stays bounded. Durability is unchanged: a commit is durable once the WAL
// is fsync'd.
class Checkpointer {
 public:
  static constexpr int kPages = 1000;
  static constexpr int kForcePages = 16000;

  // Installs the hook on `writer` (which must outlive this).
  static absl::StatusOr<std::unique_ptr<Checkpointer>> Start(const std::string& path,
                                                             sqlite3* writer);
  ~Checkpointer();  // removes the hook, stops the thread
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

 private:
  Checkpointer(std::unique_ptr<Connection> own, sqlite3* writer);
  static int OnCommit(void* self, sqlite3* db, const char* name, int pages);
  void Run();

  std::unique_ptr<Connection> own_;
  sqlite3* writer_;
  absl::Mutex mu_;
  bool wanted_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// One step of a store's schema: the script that takes it to `to_version`.
struct Migration {
  int to_version;
  const char* sql;
};

// Opens (creating if needed) a read-write connection to `path`, refuses a
// file whose schema (PRAGMA user_version) is newer than the last migration,
// sets WAL, synchronous=FULL, foreign keys and a WAL size limit, and applies
// the migrations it has not had, in one transaction; its WAL is then
// checkpointed in the background (Checkpointer). FailedPrecondition for
// a newer schema or a file that cannot use WAL.
absl::StatusOr<std::unique_ptr<Connection>> OpenWithSchema(
    const std::string& path, const std::vector<Migration>& migrations);

// A read-only connection (query_only) to a database opened as above.
absl::StatusOr<std::unique_ptr<Connection>> OpenReader(const std::string& path);

// At most `max_open` reader connections to one database (OpenReader), each
// used by one thread at a time; a caller waits while all are busy. WAL lets
// them read while the writer writes. Thread-safe.
class ReaderPool {
 public:
  ReaderPool(std::string path, int max_open) : path_(std::move(path)), max_open_(max_open) {}
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  // Runs fn(Connection&) -> absl::Status or absl::StatusOr<T> on a reader,
  // in one read transaction, so all its statements see one snapshot.
  template <typename Fn>
  auto Run(Fn fn) -> decltype(fn(std::declval<Connection&>())) {
    absl::StatusOr<std::unique_ptr<Connection>> c = Acquire();
    if (!c.ok()) return c.status();
    auto result = [&]() -> decltype(fn(**c)) {
      if (absl::Status s = (*c)->Exec("BEGIN", "begin read"); !s.ok()) return s;
      auto r = fn(**c);
      if (absl::Status s = (*c)->Exec("COMMIT", "end read"); !s.ok()) return s;
      return r;
    }();
    Release(*std::move(c));
    return result;
  }
  // Opens one connection now, so that a file readers cannot use fails at
  // start rather than at the first read.
  absl::Status Warm();
  // Closes every connection; only when no Run is in progress (before the
  // writer, the last connection, closes and SQLite removes the WAL).
  void CloseIdle();

 private:
  bool Available() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !idle_.empty() || open_ < max_open_;
  }
  absl::StatusOr<std::unique_ptr<Connection>> Acquire();
  void Release(std::unique_ptr<Connection> c);

  const std::string path_;
  const int max_open_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace disclosure::sqlite

#endif  // DISCLOSURE_CORE_STORAGE_SQLITE_DB_H_
