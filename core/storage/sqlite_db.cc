#include "core/storage/sqlite_db.h"

#include <pthread.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace disclosure::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr size_t kMaxCachedStatements = 128;

absl::StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
      return absl::StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::StatusCode::kDataLoss;
    default:
      return absl::StatusCode::kInternal;
  }
}

absl::Status CheckNotNewer(int64_t user_version, int64_t newest, const std::string& path) {
  if (user_version > newest) {
    return absl::FailedPreconditionError(
        absl::StrCat("sqlite: ", path, " has schema version ", user_version,
                     ", newer than this build's ", newest, "; upgrade the service"));
  }
  if (user_version < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("sqlite: ", path, " has a negative schema version ", user_version));
  }
  return absl::OkStatus();
}

absl::Status Migrate(Connection& c, const std::string& path,
                     const std::vector<Migration>& migrations) {
  const int64_t newest = migrations.empty() ? 0 : migrations.back().to_version;
  return c.InTransactionDo("migrate schema", [&]() -> absl::Status {
    // Read again under the write lock: another process may have migrated.
    absl::StatusOr<int64_t> uv = c.QueryInt("PRAGMA user_version", "read user_version");
    if (!uv.ok()) return uv.status();
    if (absl::Status st = CheckNotNewer(*uv, newest, path); !st.ok()) return st;
    for (const Migration& m : migrations) {
      if (m.to_version <= *uv) continue;
      std::string step = absl::StrCat("migrate to schema ", m.to_version);
      if (absl::Status st = c.ExecScript(m.sql, step); !st.ok()) return st;
      // PRAGMA user_version takes no parameters; the value is ours.
      if (absl::Status st =
              c.ExecScript(absl::StrCat("PRAGMA user_version = ", m.to_version).c_str(), step);
          !st.ok()) {
        return st;
      }
    }
    return absl::OkStatus();
  });
}

}  // namespace

absl::Status Error(sqlite3* db, int rc, absl::string_view step) {
  const char* msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return absl::Status(CodeFor(rc), absl::StrCat("sqlite: ", step, ": ", msg, " (",
                                                sqlite3_errstr(rc), ", code ", rc, ")"));
}

Stmt::Stmt(Stmt&& o) noexcept
    : db_(o.db_), stmt_(o.stmt_), in_use_(o.in_use_), step_(std::move(o.step_)),
      bind_rc_(o.bind_rc_) {
  o.stmt_ = nullptr;
  o.in_use_ = nullptr;
}

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  if (in_use_ != nullptr) {  // cached
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
  } else {
    sqlite3_finalize(stmt_);
  }
}

void Stmt::Text(int i, absl::string_view v) {
  Check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
}

void Stmt::Blob(int i, absl::string_view v) {
  // A null pointer would bind NULL, not an empty blob.
  if (v.empty()) {
    Check(sqlite3_bind_zeroblob(stmt_, i, 0));
  } else {
    Check(sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
  }
}

void Stmt::Int(int i, int64_t v) { Check(sqlite3_bind_int64(stmt_, i, v)); }

absl::StatusOr<bool> Stmt::Step() {
  if (bind_rc_ != SQLITE_OK) return Error(db_, bind_rc_, absl::StrCat(step_, " (bind)"));
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(db_, rc, step_);
}

absl::Status Stmt::ForEachRow(absl::FunctionRef<absl::Status()> row) {
  for (;;) {
    absl::StatusOr<bool> more = Step();
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    if (absl::Status s = row(); !s.ok()) return s;
  }
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

absl::Status Stmt::Run() {
  absl::StatusOr<bool> row = Step();
  if (!row.ok()) return row.status();
  if (*row) return absl::InternalError(absl::StrCat("sqlite: ", step_, ": unexpected row"));
  return absl::OkStatus();
}

std::string Stmt::ColText(int c) const {
  const unsigned char* p = sqlite3_column_text(stmt_, c);
  int n = sqlite3_column_bytes(stmt_, c);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), n);
}

std::string Stmt::ColBlob(int c) const { return std::string(ColBlobView(c)); }

absl::string_view Stmt::ColBlobView(int c) const {
  const void* p = sqlite3_column_blob(stmt_, c);
  int n = sqlite3_column_bytes(stmt_, c);
  return p == nullptr ? absl::string_view() : absl::string_view(static_cast<const char*>(p), n);
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status s = Error(db, rc, absl::StrCat("open ", path));
    sqlite3_close_v2(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  auto c = std::unique_ptr<Connection>(new Connection(db));
  rc = sqlite3_busy_timeout(db, kBusyTimeoutMs);
  if (rc != SQLITE_OK) return Error(db, rc, "set busy_timeout");
  return c;
}

Connection::~Connection() {
  checkpointer_.reset();
  for (auto& [sql, entry] : cache_) sqlite3_finalize(entry.stmt);
  sqlite3_close_v2(db_);
}

absl::StatusOr<Stmt> Connection::Prepare(const std::string& sql, absl::string_view step,
                                         bool cacheable) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.in_use) {
    it->second.in_use = true;
    return Stmt(db_, it->second.stmt, &it->second.in_use, std::string(step));
  }
  bool cache = cacheable && it == cache_.end() && cache_.size() < kMaxCachedStatements;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              cache ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Error(db_, rc, absl::StrCat(step, " (prepare)"));
  }
  if (stmt == nullptr) {
    return absl::InternalError(absl::StrCat("sqlite: ", step, " (prepare): empty statement"));
  }
  if (!cache) return Stmt(db_, stmt, nullptr, std::string(step));
  auto [pos, inserted] = cache_.emplace(sql, Entry{stmt, true});
  return Stmt(db_, stmt, &pos->second.in_use, std::string(step));
}

absl::Status Connection::Exec(const std::string& sql, absl::string_view step) {
  absl::StatusOr<Stmt> s = Prepare(sql, step);
  if (!s.ok()) return s.status();
  return s->Run();
}

absl::Status Connection::ExecScript(const char* sql, absl::string_view step) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  sqlite3_free(err);  // sqlite3_errmsg still has it
  if (rc != SQLITE_OK) return Error(db_, rc, step);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Connection::QueryInt(const std::string& sql, absl::string_view step) {
  absl::StatusOr<Stmt> s = Prepare(sql, step);
  if (!s.ok()) return s.status();
  absl::StatusOr<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError(absl::StrCat("sqlite: ", step, ": no row"));
  return s->ColInt(0);
}

absl::StatusOr<std::unique_ptr<Connection>> OpenWithSchema(
    const std::string& path, const std::vector<Migration>& migrations) {
  if (sqlite3_threadsafe() == 0) {
    return absl::FailedPreconditionError("sqlite: library built without thread support");
  }
  absl::StatusOr<std::unique_ptr<Connection>> w =
      Connection::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
  if (!w.ok()) return w.status();
  Connection& c = **w;
  const int64_t newest = migrations.empty() ? 0 : migrations.back().to_version;

  // Refuse a newer file before changing anything in it.
  absl::StatusOr<int64_t> uv = c.QueryInt("PRAGMA user_version", "read user_version");
  if (!uv.ok()) return uv.status();
  if (absl::Status s = CheckNotNewer(*uv, newest, path); !s.ok()) return s;
  {
    absl::StatusOr<Stmt> s = c.Prepare("PRAGMA journal_mode = WAL", "set journal_mode=WAL",
                                       /*cacheable=*/false);
    if (!s.ok()) return s.status();
    absl::StatusOr<bool> row = s->Step();
    if (!row.ok()) return row.status();
    std::string mode = *row ? s->ColText(0) : "";
    if (mode != "wal") {
      return absl::FailedPreconditionError(
          absl::StrCat("sqlite: ", path, ": cannot use WAL (journal_mode is '", mode, "')"));
    }
  }
  for (const char* pragma : {"PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON",
                             // Keep the WAL file from staying large after a burst of writes.
                             "PRAGMA journal_size_limit = 67108864"}) {
    if (absl::Status s = c.ExecScript(pragma, pragma); !s.ok()) return s;
  }
  if (*uv < newest) {
    if (absl::Status s = Migrate(c, path, migrations); !s.ok()) return s;
  }
  if (absl::Status s = c.CheckpointInBackground(path); !s.ok()) return s;
  return w;
}

absl::StatusOr<std::unique_ptr<Connection>> OpenReader(const std::string& path) {
  absl::StatusOr<std::unique_ptr<Connection>> c =
      Connection::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
  if (!c.ok()) return c.status();
  if (absl::Status s = (*c)->ExecScript("PRAGMA query_only = ON", "set query_only"); !s.ok()) {
    return s;
  }
  return c;
}

absl::Status Connection::CheckpointInBackground(const std::string& path) {
  // A second Checkpointer's hook would be removed by the first one's end.
  if (checkpointer_ != nullptr) return absl::FailedPreconditionError("sqlite: checkpointing already");
  absl::StatusOr<std::unique_ptr<Checkpointer>> c = Checkpointer::Start(path, db_);
  if (!c.ok()) return c.status();
  checkpointer_ = *std::move(c);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& path,
                                                                  sqlite3* writer) {
  absl::StatusOr<std::unique_ptr<Connection>> own =
      Connection::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
  if (!own.ok()) return own.status();
  // A connection learns that the file is in WAL mode when it first reads
  // it; until then a checkpoint on it does nothing (and says SQLITE_OK).
  if (absl::StatusOr<int64_t> n =
          (*own)->QueryInt("SELECT COUNT(*) FROM sqlite_master", "open the WAL to checkpoint");
      !n.ok()) {
    return n.status();
  }
  std::unique_ptr<Checkpointer> c(new Checkpointer(*std::move(own), writer));
  // Replaces SQLite's automatic checkpoint (itself a WAL hook) on the writer.
  sqlite3_wal_hook(writer, &Checkpointer::OnCommit, c.get());
  return c;
}

Checkpointer::Checkpointer(std::unique_ptr<Connection> own, sqlite3* writer)
    : own_(std::move(own)), writer_(writer) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "sqlite-ckpt");
    Run();
  });
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_autocheckpoint(writer_, kPages);  // the writer's own hook again
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

// On the writer's thread, after each commit: must be quick.
int Checkpointer::OnCommit(void* self, sqlite3* db, const char* name, int pages) {
  auto* c = static_cast<Checkpointer*>(self);
  if (pages >= kForcePages) {
    // As SQLite's own automatic checkpoint does; errors surface on later calls.
    (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= kPages) {
    absl::MutexLock lock(&c->mu_);
    c->wanted_ = true;
  }
  return SQLITE_OK;
}

void Checkpointer::Run() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Checkpointer* c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(c->mu_) {
            return c->wanted_ || c->stopping_;
          },
          this));
      if (stopping_) return;
      wanted_ = false;
    }
    int rc = sqlite3_wal_checkpoint_v2(own_->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                       nullptr);
    // BUSY: another checkpoint (the writer's forced one) is running.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      spdlog::warn("{}", Error(own_->db(), rc, "background WAL checkpoint").ToString());
    }
  }
}

absl::StatusOr<std::unique_ptr<Connection>> ReaderPool::Acquire() {
  {
    absl::MutexLock l(&mu_);
    mu_.Await(absl::Condition(this, &ReaderPool::Available));
    if (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    ++open_;
  }
  absl::StatusOr<std::unique_ptr<Connection>> c = OpenReader(path_);
  if (!c.ok()) {
    absl::MutexLock l(&mu_);
    --open_;
  }
  return c;
}

void ReaderPool::Release(std::unique_ptr<Connection> c) {
  absl::MutexLock l(&mu_);
  idle_.push_back(std::move(c));
}

absl::Status ReaderPool::Warm() {
  absl::StatusOr<std::unique_ptr<Connection>> c = Acquire();
  if (!c.ok()) return c.status();
  Release(*std::move(c));
  return absl::OkStatus();
}

void ReaderPool::CloseIdle() {
  absl::MutexLock l(&mu_);
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
}

}  // namespace disclosure::sqlite
