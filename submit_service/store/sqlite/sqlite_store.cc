// SQLite backend of the submit store.
//
// Schema (version 1; PRAGMA user_version holds the version). Written so that
// PostgreSQL can run it with few changes: BLOB → BYTEA, and compare region
// codes with COLLATE "C" (or keep them ASCII digits, as they are) so that
// prefix ranges mean the same thing.
//
//   -- One row per (agency, year) report: what listings show, and the latest
//   -- version number (the row is written with every new version).
//   CREATE TABLE reports (
//     agency_id      TEXT    NOT NULL,
//     year           INTEGER NOT NULL,
//     agency_name    TEXT    NOT NULL,   -- as given by the latest version
//     region_code    TEXT    NOT NULL,   -- as given by the latest version
//     latest_version BIGINT  NOT NULL CHECK (latest_version >= 1),
//     PRIMARY KEY (agency_id, year)
//   );
//   -- Listings: keyset order (region_code, agency_id, year), region prefixes
//   -- as ranges region_code >= '41' AND region_code < '42'.
//   CREATE INDEX reports_by_region ON reports (region_code, agency_id, year);
//
//   -- Immutable versions; feed_seq is the change feed (1, 2, … in commit
//   -- order, no gaps).
//   CREATE TABLE versions (
//     agency_id      TEXT    NOT NULL,
//     year           INTEGER NOT NULL,
//     version        BIGINT  NOT NULL CHECK (version >= 1),
//     content_hash   TEXT    NOT NULL,   -- "sha256:<64 hex>"
//     submitter      TEXT    NOT NULL,
//     create_time_us BIGINT  NOT NULL,   -- commit time, µs since the Unix epoch
//     feed_seq       BIGINT  NOT NULL UNIQUE CHECK (feed_seq >= 1),
//     report         BLOB    NOT NULL,   -- canonical serialized disclosure.v1.Report
//     PRIMARY KEY (agency_id, year, version),
//     FOREIGN KEY (agency_id, year) REFERENCES reports (agency_id, year)
//   );
//
//   -- The answer given to each (submitter, request_id): replayed on retry.
//   CREATE TABLE idempotency (
//     submitter  TEXT    NOT NULL,
//     request_id TEXT    NOT NULL,
//     agency_id  TEXT    NOT NULL,
//     year       INTEGER NOT NULL,
//     version    BIGINT  NOT NULL,
//     created    BOOLEAN NOT NULL,   -- SQLite stores 0/1
//     PRIMARY KEY (submitter, request_id),
//     FOREIGN KEY (agency_id, year, version) REFERENCES versions (agency_id, year, version)
//   );
//
// Migrations (kMigrations below) are steps keyed by the user_version they
// produce; Open applies the missing ones in one transaction and refuses a
// file whose user_version is newer than this build (FAILED_PRECONDITION).
//
// Connections: one writer connection, used only by the writer thread (and by
// Open before that thread starts); a small pool of reader connections
// (sqlite::ReaderPool), each read one snapshot transaction. WAL lets readers
// run while the writer commits. synchronous=FULL: a commit returns after the WAL is
// fsync'd. Prepared statements are cached per connection.
//
// Group commit: CreateVersion puts a request on a queue and waits. The writer
// thread takes everything queued, runs it in one BEGIN IMMEDIATE … COMMIT,
// evaluating each request's checks in queue order inside the transaction (so
// a request sees the effects of those before it in the same batch), and wakes
// every caller once COMMIT has returned. All checks of a request run before
// its writes, and its writes run in a SAVEPOINT, so a request that fails
// (ABORTED, or an SQL error that leaves the transaction open) does not undo
// the others. If BEGIN or COMMIT fails, or the transaction is lost, every
// request of the batch gets the error and nothing of it is acknowledged.
// The versions of one batch share one create_time (taken when the write
// lock is held, never earlier than the previous batch's), so create_time
// never decreases along the feed.
//
// Idempotency: answers of kinds 3 and 4 (see store.h) are stored
// under (submitter, request_id), with the report (agency_id, year) they were
// for; the content hash of the request is the answered version's. Failures
// (ABORTED, errors) are not stored, so a client that refreshed its view may
// retry with the same request_id. An empty request_id means "not
// idempotent": nothing is looked up or recorded.
#include "submit_service/store/sqlite/sqlite_store.h"

#include <pthread.h>

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/storage/sqlite_db.h"
#include "submit_service/store/create_version.h"

namespace disclosure::submit {
namespace {

constexpr int kMaxReaders = 4;
// Statements with more list parameters than this are not cached (listing
// scopes are usually short; long ones would fill the cache with one-offs).
constexpr size_t kMaxCachedListParams = 8;

constexpr sqlite::Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE reports (
  agency_id      TEXT    NOT NULL,
  year           INTEGER NOT NULL,
  agency_name    TEXT    NOT NULL,
  region_code    TEXT    NOT NULL,
  latest_version BIGINT  NOT NULL CHECK (latest_version >= 1),
  PRIMARY KEY (agency_id, year)
);
CREATE INDEX reports_by_region ON reports (region_code, agency_id, year);
CREATE TABLE versions (
  agency_id      TEXT    NOT NULL,
  year           INTEGER NOT NULL,
  version        BIGINT  NOT NULL CHECK (version >= 1),
  content_hash   TEXT    NOT NULL,
  submitter      TEXT    NOT NULL,
  create_time_us BIGINT  NOT NULL,
  feed_seq       BIGINT  NOT NULL UNIQUE CHECK (feed_seq >= 1),
  report         BLOB    NOT NULL,
  PRIMARY KEY (agency_id, year, version),
  FOREIGN KEY (agency_id, year) REFERENCES reports (agency_id, year)
);
CREATE TABLE idempotency (
  submitter  TEXT    NOT NULL,
  request_id TEXT    NOT NULL,
  agency_id  TEXT    NOT NULL,
  year       INTEGER NOT NULL,
  version    BIGINT  NOT NULL,
  created    BOOLEAN NOT NULL,
  PRIMARY KEY (submitter, request_id),
  FOREIGN KEY (agency_id, year, version) REFERENCES versions (agency_id, year, version)
);
)sql"},
    // 2: the published document of a version (CreateVersionArgs.document).
    {2, R"sql(
CREATE TABLE documents (
  agency_id TEXT    NOT NULL,
  year      INTEGER NOT NULL,
  version   BIGINT  NOT NULL,
  sha256    TEXT    NOT NULL,
  document  BLOB    NOT NULL,
  PRIMARY KEY (agency_id, year, version),
  FOREIGN KEY (agency_id, year, version) REFERENCES versions (agency_id, year, version)
);
CREATE INDEX documents_by_sha256 ON documents (sha256, agency_id, year, version);
)sql"},
};


using sqlite::Connection;
using sqlite::Stmt;

// ---------------------------------------------------------------------------
// Queries shared by readers and the writer

constexpr char kVersionColumns[] =
    "agency_id, year, version, content_hash, submitter, create_time_us, feed_seq";

// Reads kVersionColumns starting at column `first` (and the report after
// them when with_report).
VersionRecord ReadVersionRow(const Stmt& s, int first, bool with_report) {
  VersionRecord v;
  v.agency_id = s.ColText(first + 0);
  v.year = static_cast<int32_t>(s.ColInt(first + 1));
  v.version = s.ColInt(first + 2);
  v.content_hash = s.ColText(first + 3);
  v.submitter = s.ColText(first + 4);
  v.create_time = absl::FromUnixMicros(s.ColInt(first + 5));
  v.feed_seq = s.ColInt(first + 6);
  if (with_report) v.report = s.ColBlob(first + 7);
  return v;
}

absl::StatusOr<VersionRecord> QueryVersion(Connection& c, const std::string& agency_id,
                                           int32_t year, int64_t version, bool with_report) {
  std::string sql = absl::StrCat("SELECT ", kVersionColumns, with_report ? ", report" : "",
                                 " FROM versions WHERE agency_id = ?1 AND year = ?2");
  if (version == 0) {
    absl::StrAppend(&sql, " ORDER BY version DESC LIMIT 1");
  } else {
    absl::StrAppend(&sql, " AND version = ?3");
  }
  absl::StatusOr<Stmt> s = c.Prepare(sql, "read version");
  if (!s.ok()) return s.status();
  s->Text(1, agency_id);
  s->Int(2, year);
  if (version != 0) s->Int(3, version);
  absl::StatusOr<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    if (version == 0) {
      return absl::NotFoundError(absl::StrCat("no version of report ", agency_id, "/", year));
    }
    return absl::NotFoundError(
        absl::StrCat("no version ", version, " of report ", agency_id, "/", year));
  }
  return ReadVersionRow(*s, 0, with_report);
}

absl::Status CheckLimit(int limit) {
  if (limit < 0) return absl::InvalidArgumentError(absl::StrCat("negative limit ", limit));
  return absl::OkStatus();
}

// The smallest string greater than every string that starts with `prefix`
// (bytewise, as SQLite's BINARY collation compares), or nullopt when there
// is none (prefix empty or all 0xFF).
std::optional<std::string> PrefixUpperBound(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (prefix.empty()) return std::nullopt;
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

// ---------------------------------------------------------------------------
// The store

class SqliteStore final : public Store {
 public:
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path);
  ~SqliteStore() override;

  absl::StatusOr<CreateVersionResult> CreateVersion(const CreateVersionArgs& args) override;
  void CreateVersionAsync(CreateVersionArgs args, CreateVersionCallback done) override;
  absl::StatusOr<VersionRecord> GetVersion(const std::string& agency_id, int32_t year,
                                           int64_t version, bool with_report) override;
  absl::StatusOr<std::vector<VersionRecord>> ListVersions(const std::string& agency_id,
                                                          int32_t year, int64_t after_version,
                                                          int limit, bool with_report) override;
  absl::StatusOr<std::vector<ReportRecord>> ListReports(const ReportFilter& filter,
                                                        const std::optional<ReportKey>& after,
                                                        int limit) override;
  absl::StatusOr<std::vector<VersionRecord>> ReadFeed(int64_t after_seq, int limit,
                                                      bool with_report) override;
  absl::StatusOr<int64_t> LastFeedSeq() override;
  absl::StatusOr<std::string> GetDocument(const std::string& agency_id, int32_t year,
                                          int64_t version) override;
  absl::StatusOr<std::vector<VersionRecord>> FindDocument(const std::string& sha256,
                                                          int limit) override;

 private:
  // A queued CreateVersion: either a caller waiting on `done`, or an
  // asynchronous one that owns its arguments and is answered by `callback`
  // (and deleted by the writer).
  struct Request {
    const CreateVersionArgs* args;
    absl::StatusOr<CreateVersionResult> result;
    absl::Notification done;
    CreateVersionArgs owned_args;
    CreateVersionCallback callback;
  };
  // State of the batch being written, writer thread only.
  struct Batch {
    int64_t time_us = 0;
    int64_t next_seq = 0;
  };

  SqliteStore(std::string path, std::unique_ptr<Connection> writer, int64_t last_time_us)
      : path_(std::move(path)), writer_(std::move(writer)), last_time_us_(last_time_us) {}

  // Writer thread.
  void WriterLoop();
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) {
    return stopping_ || !queue_.empty();
  }
  // Runs one batch; a non-OK status fails every request of it.
  absl::Status RunBatch(const std::vector<Request*>& batch);
  absl::StatusOr<CreateVersionResult> Apply(const CreateVersionArgs& a, Batch& batch);
  // Runs `writes` in a savepoint, rolled back to when they fail.
  template <typename Fn>
  absl::Status InSavepoint(Fn writes);

  const std::string path_;

  // Used only by the writer thread once it runs.
  std::unique_ptr<Connection> writer_;
  int64_t last_time_us_;  // create_time of the last committed batch
  std::thread writer_thread_;

  absl::Mutex queue_mu_;
  std::vector<Request*> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;

  sqlite::ReaderPool readers_{path_, kMaxReaders};
};

absl::StatusOr<std::unique_ptr<Store>> SqliteStore::Open(const std::string& path) {
  static_assert(kMigrations[std::size(kMigrations) - 1].to_version == kSqliteSchemaVersion,
                "the last migration must produce kSqliteSchemaVersion");
  absl::StatusOr<std::unique_ptr<Connection>> w = sqlite::OpenWithSchema(
      path, std::vector<sqlite::Migration>(std::begin(kMigrations), std::end(kMigrations)));
  if (!w.ok()) return w.status();
  Connection& c = **w;

  // Versions are committed with non-decreasing create_time along the feed;
  // continue from the last one.
  absl::StatusOr<int64_t> last_time = c.QueryInt(
      "SELECT COALESCE((SELECT create_time_us FROM versions ORDER BY feed_seq DESC LIMIT 1), 0)",
      "read last create_time");
  if (!last_time.ok()) return last_time.status();

  auto store = std::unique_ptr<SqliteStore>(new SqliteStore(path, std::move(*w), *last_time));
  // Open one reader now so that a file readers cannot use fails here.
  if (absl::Status r = store->readers_.Warm(); !r.ok()) return r;
  store->writer_thread_ = std::thread([s = store.get()] {
    pthread_setname_np(pthread_self(), "sqlite-writer");  // for top, perf, gdb
    s->WriterLoop();
  });
  return std::unique_ptr<Store>(std::move(store));
}

SqliteStore::~SqliteStore() {
  {
    absl::MutexLock l(&queue_mu_);
    stopping_ = true;
  }
  // The writer commits what is queued, then returns.
  if (writer_thread_.joinable()) writer_thread_.join();
  readers_.CloseIdle();
  // Last connection: SQLite checkpoints the WAL and removes it.
  writer_.reset();
}

// ---------------------------------------------------------------------------
// Writes

absl::StatusOr<CreateVersionResult> SqliteStore::CreateVersion(const CreateVersionArgs& args) {
  Request req;
  req.args = &args;
  {
    absl::MutexLock l(&queue_mu_);
    if (stopping_) return absl::UnavailableError("sqlite: the store is closing");
    queue_.push_back(&req);
  }
  req.done.WaitForNotification();
  return std::move(req.result);
}

void SqliteStore::CreateVersionAsync(CreateVersionArgs args, CreateVersionCallback done) {
  auto* req = new Request;
  req->owned_args = std::move(args);
  req->args = &req->owned_args;
  req->callback = std::move(done);
  {
    absl::MutexLock l(&queue_mu_);
    if (!stopping_) {
      queue_.push_back(req);
      return;
    }
  }
  req->callback(absl::UnavailableError("sqlite: the store is closing"));
  delete req;
}

void SqliteStore::WriterLoop() {
  for (;;) {
    std::vector<Request*> batch;
    {
      absl::MutexLock l(&queue_mu_);
      queue_mu_.Await(absl::Condition(this, &SqliteStore::HasWorkOrStopping));
      if (queue_.empty()) return;  // stopping, and everything is done
      batch.swap(queue_);
    }
    absl::Status s = RunBatch(batch);
    for (Request* r : batch) {
      if (!s.ok()) r->result = s;
      if (r->callback) {
        r->callback(std::move(r->result));
        delete r;
      } else {
        r->done.Notify();  // r may be gone after this
      }
    }
  }
}

absl::Status SqliteStore::RunBatch(const std::vector<Request*>& batch) {
  Connection& c = *writer_;
  absl::Status s = c.Exec("BEGIN IMMEDIATE", "begin batch");
  if (!s.ok()) {
    if (c.InTransaction()) (void)c.Exec("ROLLBACK", "roll back batch");
    return s;
  }
  auto fail = [&c](absl::Status st) {
    if (c.InTransaction()) (void)c.Exec("ROLLBACK", "roll back batch");
    return st;
  };

  Batch b;
  b.time_us = std::max(absl::ToUnixMicros(absl::Now()), last_time_us_);
  absl::StatusOr<int64_t> last_seq =
      c.QueryInt("SELECT COALESCE(MAX(feed_seq), 0) FROM versions", "read last feed_seq");
  if (!last_seq.ok()) return fail(last_seq.status());
  b.next_seq = *last_seq + 1;

  for (Request* r : batch) {
    r->result = Apply(*r->args, b);
    // An error may have ended the transaction (SQLite rolls back on some
    // I/O errors): then the earlier requests' work is gone too.
    if (!r->result.ok() && !c.InTransaction()) {
      return absl::Status(
          r->result.status().code(),
          absl::StrCat(r->result.status().message(), " (the batch's transaction was rolled back)"));
    }
  }
  s = c.Exec("COMMIT", absl::StrCat("commit batch of ", batch.size()));
  if (!s.ok()) return fail(s);
  last_time_us_ = b.time_us;
  return absl::OkStatus();
}

template <typename Fn>
absl::Status SqliteStore::InSavepoint(Fn writes) {
  Connection& c = *writer_;
  absl::Status s = c.Exec("SAVEPOINT request", "begin request savepoint");
  if (!s.ok()) return s;
  s = writes();
  if (s.ok()) return c.Exec("RELEASE request", "release request savepoint");
  if (c.InTransaction()) {
    absl::Status r = c.Exec("ROLLBACK TO request", "roll back request savepoint");
    if (r.ok()) r = c.Exec("RELEASE request", "release request savepoint");
    if (!r.ok()) {
      // Cannot isolate the failure: give up the whole batch.
      (void)c.Exec("ROLLBACK", "roll back batch");
    }
  }
  return s;
}

// The SQL of CreateVersion's steps (create_version.h) on the writer, in the
// batch's transaction.
class SqliteCreateVersionTx final : public CreateVersionTx {
 public:
  SqliteCreateVersionTx(Connection* c, int64_t next_seq, int64_t time_us)
      : c_(*c), next_seq_(next_seq), time_us_(time_us) {}

  absl::StatusOr<std::optional<Answer>> FindAnswer(const std::string& submitter,
                                                   const std::string& request_id) override {
    absl::StatusOr<Stmt> s = c_.Prepare(
        "SELECT agency_id, year, version, created FROM idempotency "
        "WHERE submitter = ?1 AND request_id = ?2",
        "look up request_id");
    if (!s.ok()) return s.status();
    s->Text(1, submitter);
    s->Text(2, request_id);
    absl::StatusOr<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<Answer>();
    return Answer{s->ColText(0), static_cast<int32_t>(s->ColInt(1)), s->ColInt(2),
                  s->ColInt(3) != 0};
  }

  absl::StatusOr<Latest> ReadLatest(const std::string& agency_id, int32_t year) override {
    absl::StatusOr<Stmt> s = c_.Prepare(
        "SELECT r.latest_version, v.content_hash FROM reports r JOIN versions v "
        "ON v.agency_id = r.agency_id AND v.year = r.year AND v.version = r.latest_version "
        "WHERE r.agency_id = ?1 AND r.year = ?2",
        "read latest version");
    if (!s.ok()) return s.status();
    s->Text(1, agency_id);
    s->Int(2, year);
    absl::StatusOr<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Latest{};
    return Latest{s->ColInt(0), s->ColText(1)};
  }

  absl::StatusOr<VersionRecord> ReadVersion(const std::string& agency_id, int32_t year,
                                            int64_t version) override {
    return QueryVersion(c_, agency_id, year, version, true);
  }

  absl::StatusOr<FeedSlot> NextFeedSlot() override {
    return FeedSlot{next_seq_, absl::FromUnixMicros(time_us_)};
  }

  absl::Status WriteVersion(const CreateVersionArgs& a, const VersionRecord& v) override {
    {
      absl::StatusOr<Stmt> st = c_.Prepare(
          "INSERT INTO reports (agency_id, year, agency_name, region_code, latest_version) "
          "VALUES (?1, ?2, ?3, ?4, ?5) "
          "ON CONFLICT (agency_id, year) DO UPDATE SET agency_name = excluded.agency_name, "
          "region_code = excluded.region_code, latest_version = excluded.latest_version",
          "write report");
      if (!st.ok()) return st.status();
      st->Text(1, a.agency_id);
      st->Int(2, a.year);
      st->Text(3, a.agency_name);
      st->Text(4, a.region_code);
      st->Int(5, v.version);
      if (absl::Status r = st->Run(); !r.ok()) return r;
    }
    absl::StatusOr<Stmt> st = c_.Prepare(
        "INSERT INTO versions (agency_id, year, version, content_hash, submitter, "
        "create_time_us, feed_seq, report) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        "write version");
    if (!st.ok()) return st.status();
    st->Text(1, a.agency_id);
    st->Int(2, a.year);
    st->Int(3, v.version);
    st->Text(4, a.content_hash);
    st->Text(5, a.submitter);
    st->Int(6, absl::ToUnixMicros(v.create_time));
    st->Int(7, v.feed_seq);
    st->Blob(8, a.report);
    if (absl::Status r = st->Run(); !r.ok() || a.document.empty()) return r;
    absl::StatusOr<Stmt> doc = c_.Prepare(
        "INSERT INTO documents (agency_id, year, version, sha256, document) "
        "VALUES (?1, ?2, ?3, ?4, ?5)",
        "write document");
    if (!doc.ok()) return doc.status();
    doc->Text(1, a.agency_id);
    doc->Int(2, a.year);
    doc->Int(3, v.version);
    doc->Text(4, a.document_sha256);
    doc->Blob(5, a.document);
    return doc->Run();
  }

  absl::Status WriteAnswer(const CreateVersionArgs& a, const VersionRecord& v,
                           bool created) override {
    absl::StatusOr<Stmt> s = c_.Prepare(
        "INSERT INTO idempotency (submitter, request_id, agency_id, year, version, created) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        "record request_id");
    if (!s.ok()) return s.status();
    s->Text(1, a.submitter);
    s->Text(2, a.request_id);
    s->Text(3, v.agency_id);
    s->Int(4, v.year);
    s->Int(5, v.version);
    s->Int(6, created ? 1 : 0);
    return s->Run();
  }

 private:
  Connection& c_;
  const int64_t next_seq_;
  const int64_t time_us_;
};

absl::StatusOr<CreateVersionResult> SqliteStore::Apply(const CreateVersionArgs& a, Batch& b) {
  SqliteCreateVersionTx tx(writer_.get(), b.next_seq, b.time_us);
  absl::StatusOr<CreateVersionResult> result = absl::UnknownError("not run");
  absl::Status s = InSavepoint([&] {
    result = ApplyCreateVersion(a, &tx);
    return result.status();
  });
  if (!s.ok()) return s;
  if (result->created) ++b.next_seq;
  return result;
}

// ---------------------------------------------------------------------------
// Reads

absl::StatusOr<VersionRecord> SqliteStore::GetVersion(const std::string& agency_id, int32_t year,
                                                      int64_t version, bool with_report) {
  if (version < 0) {
    return absl::InvalidArgumentError(absl::StrCat("negative version number ", version));
  }
  return readers_.Run(
      [&](Connection& c) { return QueryVersion(c, agency_id, year, version, with_report); });
}

absl::StatusOr<std::string> SqliteStore::GetDocument(const std::string& agency_id, int32_t year,
                                                     int64_t version) {
  return readers_.Run([&](Connection& c) -> absl::StatusOr<std::string> {
    absl::StatusOr<Stmt> s = c.Prepare(
        "SELECT document FROM documents WHERE agency_id = ?1 AND year = ?2 AND version = ?3",
        "read document");
    if (!s.ok()) return s.status();
    s->Text(1, agency_id);
    s->Int(2, year);
    s->Int(3, version);
    absl::StatusOr<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) {
      return absl::NotFoundError(absl::StrCat("version ", version, " of report ", agency_id, "/",
                                              year, " has no published document"));
    }
    return s->ColBlob(0);
  });
}

absl::StatusOr<std::vector<VersionRecord>> SqliteStore::FindDocument(const std::string& sha256,
                                                                     int limit) {
  if (absl::Status s = CheckLimit(limit); !s.ok()) return s;
  return readers_.Run([&](Connection& c) -> absl::StatusOr<std::vector<VersionRecord>> {
    absl::StatusOr<Stmt> s = c.Prepare(
        absl::StrCat("SELECT ", kVersionColumns, " FROM versions WHERE (agency_id, year, version) IN "
                     "(SELECT agency_id, year, version FROM documents WHERE sha256 = ?1) "
                     "ORDER BY agency_id, year, version LIMIT ?2"),
        "find document");
    if (!s.ok()) return s.status();
    s->Text(1, sha256);
    s->Int(2, limit);
    std::vector<VersionRecord> out;
    absl::Status rows = s->ForEachRow([&]() -> absl::Status {
      out.push_back(ReadVersionRow(*s, 0, /*with_report=*/false));
      return absl::OkStatus();
    });
    if (!rows.ok()) return rows;
    return out;
  });
}

absl::StatusOr<std::vector<VersionRecord>> SqliteStore::ListVersions(const std::string& agency_id,
                                                                     int32_t year,
                                                                     int64_t after_version,
                                                                     int limit, bool with_report) {
  if (absl::Status s = CheckLimit(limit); !s.ok()) return s;
  if (limit == 0) return std::vector<VersionRecord>();
  return readers_.Run([&](Connection& c) -> absl::StatusOr<std::vector<VersionRecord>> {
    absl::StatusOr<Stmt> s =
        c.Prepare(absl::StrCat("SELECT ", kVersionColumns, with_report ? ", report" : "",
                               " FROM versions WHERE agency_id = ?1 AND year = ?2 AND version > ?3 "
                               "ORDER BY version LIMIT ?4"),
                  "list versions");
    if (!s.ok()) return s.status();
    s->Text(1, agency_id);
    s->Int(2, year);
    s->Int(3, after_version);
    s->Int(4, limit);
    std::vector<VersionRecord> out;
    absl::Status rows = s->ForEachRow([&]() -> absl::Status {
      out.push_back(ReadVersionRow(*s, 0, with_report));
      return absl::OkStatus();
    });
    if (!rows.ok()) return rows;
    return out;
  });
}

absl::StatusOr<std::vector<ReportRecord>> SqliteStore::ListReports(
    const ReportFilter& filter, const std::optional<ReportKey>& after, int limit) {
  if (absl::Status s = CheckLimit(limit); !s.ok()) return s;
  if (limit == 0) return std::vector<ReportRecord>();
  if (filter.scope.has_value() && filter.scope->agency_ids.empty() &&
      filter.scope->region_prefixes.empty()) {
    return std::vector<ReportRecord>();  // an empty scope allows nothing
  }

  // Build the statement. text() and num() add a parameter and return its
  // numbered placeholder ("?N", so the order in which arguments of one StrCat
  // are evaluated does not matter). Binding does not copy: the values live in
  // `params` until the query ends.
  struct Param {
    bool is_text;
    std::string text;
    int64_t num;
  };
  std::vector<Param> params;
  auto text = [&params](std::string v) {
    params.push_back({true, std::move(v), 0});
    return absl::StrCat("?", params.size());
  };
  auto num = [&params](int64_t v) {
    params.push_back({false, std::string(), v});
    return absl::StrCat("?", params.size());
  };
  // region_code starts with `prefix`, as a range on the index.
  auto prefix_cond = [&](const std::string& prefix) -> std::string {
    if (prefix.empty()) return "1";
    std::optional<std::string> upper = PrefixUpperBound(prefix);
    std::string cond = absl::StrCat("r.region_code >= ", text(prefix));
    if (upper.has_value()) absl::StrAppend(&cond, " AND r.region_code < ", text(*upper));
    return absl::StrCat("(", cond, ")");
  };

  std::string sql = absl::StrCat(
      "SELECT r.agency_name, r.region_code, ", "v.agency_id, v.year, v.version, v.content_hash, ",
      "v.submitter, v.create_time_us, v.feed_seq ",
      "FROM reports r JOIN versions v ON v.agency_id = r.agency_id AND v.year = r.year "
      "AND v.version = r.latest_version WHERE 1");
  if (!filter.region_prefix.empty()) {
    absl::StrAppend(&sql, " AND ", prefix_cond(filter.region_prefix));
  }
  if (filter.year != 0) absl::StrAppend(&sql, " AND r.year = ", num(filter.year));
  size_t list_params = 0;
  if (filter.scope.has_value()) {
    std::vector<std::string> alternatives;
    if (!filter.scope->agency_ids.empty()) {
      std::string in = "r.agency_id IN (";
      for (size_t i = 0; i < filter.scope->agency_ids.size(); ++i) {
        absl::StrAppend(&in, i == 0 ? "" : ", ", text(filter.scope->agency_ids[i]));
      }
      alternatives.push_back(absl::StrCat(in, ")"));
    }
    for (const std::string& prefix : filter.scope->region_prefixes) {
      alternatives.push_back(prefix_cond(prefix));
    }
    list_params = filter.scope->agency_ids.size() + filter.scope->region_prefixes.size();
    std::string any;
    for (size_t i = 0; i < alternatives.size(); ++i) {
      absl::StrAppend(&any, i == 0 ? "" : " OR ", alternatives[i]);
    }
    absl::StrAppend(&sql, " AND (", any, ")");
  }
  if (after.has_value()) {
    absl::StrAppend(&sql, " AND (r.region_code, r.agency_id, r.year) > (", text(after->region_code),
                    ", ", text(after->agency_id), ", ", num(after->year), ")");
  }
  absl::StrAppend(&sql, " ORDER BY r.region_code, r.agency_id, r.year LIMIT ", num(limit));

  return readers_.Run([&](Connection& c) -> absl::StatusOr<std::vector<ReportRecord>> {
    absl::StatusOr<Stmt> s =
        c.Prepare(sql, "list reports", /*cacheable=*/list_params <= kMaxCachedListParams);
    if (!s.ok()) return s.status();
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      if (params[i].is_text) {
        s->Text(idx, params[i].text);
      } else {
        s->Int(idx, params[i].num);
      }
    }
    std::vector<ReportRecord> out;
    absl::Status rows = s->ForEachRow([&]() -> absl::Status {
      ReportRecord r;
      r.agency_name = s->ColText(0);
      r.region_code = s->ColText(1);
      r.latest = ReadVersionRow(*s, 2, /*with_report=*/false);
      r.agency_id = r.latest.agency_id;
      r.year = r.latest.year;
      out.push_back(std::move(r));
      return absl::OkStatus();
    });
    if (!rows.ok()) return rows;
    return out;
  });
}

absl::StatusOr<std::vector<VersionRecord>> SqliteStore::ReadFeed(int64_t after_seq, int limit,
                                                                  bool with_report) {
  if (absl::Status s = CheckLimit(limit); !s.ok()) return s;
  if (limit == 0) return std::vector<VersionRecord>();
  return readers_.Run([&](Connection& c) -> absl::StatusOr<std::vector<VersionRecord>> {
    absl::StatusOr<Stmt> s = c.Prepare(absl::StrCat("SELECT ", kVersionColumns,
                                                    with_report ? ", report" : "",
                                                    " FROM versions WHERE feed_seq > ?1 "
                                                    "ORDER BY feed_seq LIMIT ?2"),
                                       "read feed");
    if (!s.ok()) return s.status();
    s->Int(1, after_seq);
    s->Int(2, limit);
    std::vector<VersionRecord> out;
    absl::Status rows = s->ForEachRow([&]() -> absl::Status {
      out.push_back(ReadVersionRow(*s, 0, with_report));
      return absl::OkStatus();
    });
    if (!rows.ok()) return rows;
    return out;
  });
}

absl::StatusOr<int64_t> SqliteStore::LastFeedSeq() {
  return readers_.Run([](Connection& c) {
    return c.QueryInt("SELECT COALESCE(MAX(feed_seq), 0) FROM versions", "read last feed_seq");
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  return SqliteStore::Open(path);
}

}  // namespace disclosure::submit
