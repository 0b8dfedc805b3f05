// The SQLite store: the conformance suite on real files (a fresh temporary
// directory per test), and what only SQLite has — the schema version in
// PRAGMA user_version, WAL, reopening files, and the writer blocked by
// another process.
#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "submit_service/store/sqlite/sqlite_store.h"
#include "submit_store_conformance.h"

namespace disclosure::submit::store_testing {
namespace {

namespace fs = std::filesystem;

// A fresh directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::path(::testing::TempDir()) / "submit_store_XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

StoreFactory SqliteFactory() {
  return StoreFactory{"sqlite", []() -> absl::StatusOr<std::unique_ptr<Store>> {
                        auto dir = std::make_shared<TempDir>();
                        if (dir->path().empty()) return absl::InternalError("mkdtemp failed");
                        absl::StatusOr<std::unique_ptr<Store>> s =
                            OpenSqliteStore(dir->File("submit.db"));
                        if (!s.ok()) return s.status();
                        return std::unique_ptr<Store>(
                            new CleanupStore(std::move(*s), [dir]() mutable { dir.reset(); }));
                      }};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest, ::testing::Values(SqliteFactory()),
                         StoreFactoryName);

// ---------------------------------------------------------------------------
// Direct access to the file, as another process would have it.

class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    rc_ = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc_ == SQLITE_OK) sqlite3_busy_timeout(db_, 10000);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  bool ok() const { return rc_ == SQLITE_OK; }

  // Runs SQL; "" on success, else the error message.
  std::string Exec(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    std::string msg = rc == SQLITE_OK ? "" : (err != nullptr ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
    return msg;
  }
  // The first column of every row, as text.
  std::vector<std::string> Column(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return out;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(stmt, 0);
      out.push_back(t == nullptr ? "" : reinterpret_cast<const char*>(t));
    }
    sqlite3_finalize(stmt);
    return out;
  }
  std::string One(const std::string& sql) {
    std::vector<std::string> c = Column(sql);
    return c.empty() ? "<no row>" : c[0];
  }

 private:
  sqlite3* db_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()); }
  std::string DbPath() const { return dir_.File("submit.db"); }

  std::unique_ptr<Store> MustOpen() {
    absl::StatusOr<std::unique_ptr<Store>> s = OpenSqliteStore(DbPath());
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  TempDir dir_;
};

TEST_F(SqliteStoreTest, SchemaVersionIsInUserVersionAndTheFileUsesWal) {
  std::unique_ptr<Store> store = MustOpen();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->CreateVersion(MakeArgs("a1", 2023, "v1", 0)).ok());
  RawDb raw(DbPath());
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw.One("PRAGMA user_version"), absl::StrCat(kSqliteSchemaVersion));
  EXPECT_EQ(raw.One("PRAGMA journal_mode"), "wal");
  EXPECT_THAT(raw.Column("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                         "ORDER BY name"),
              ::testing::ElementsAre("documents", "documents_by_sha256", "idempotency", "reports",
                                     "reports_by_region", "versions"));
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM versions"), "1");
  EXPECT_EQ(raw.One("PRAGMA foreign_key_check"), "<no row>");
  EXPECT_EQ(raw.One("PRAGMA integrity_check"), "ok");
}

TEST_F(SqliteStoreTest, ReopeningKeepsEverything) {
  CreateVersionResult first;
  {
    std::unique_ptr<Store> store = MustOpen();
    ASSERT_NE(store, nullptr);
    absl::StatusOr<CreateVersionResult> r =
        store->CreateVersion(MakeArgs("a1", 2023, "v1", 0, "req-1", "alice", "410102"));
    ASSERT_TRUE(r.ok()) << r.status();
    first = *r;
    ASSERT_TRUE(store->CreateVersion(MakeArgs("a1", 2023, "v2", 1, "req-2")).ok());
    ASSERT_TRUE(store->CreateVersion(MakeArgs("b1", 2022, "w1", 0, "", "bob", "420100")).ok());
  }
  {
    std::unique_ptr<Store> store = MustOpen();
    ASSERT_NE(store, nullptr);
    absl::StatusOr<VersionRecord> v1 = store->GetVersion("a1", 2023, 1, true);
    ASSERT_TRUE(v1.ok()) << v1.status();
    EXPECT_EQ(v1->report, "v1");
    EXPECT_EQ(v1->content_hash, FakeHash("v1"));
    EXPECT_EQ(v1->create_time, first.version.create_time);
    EXPECT_EQ(v1->feed_seq, 1);
    absl::StatusOr<VersionRecord> latest = store->GetVersion("a1", 2023, 0, false);
    ASSERT_TRUE(latest.ok()) << latest.status();
    EXPECT_EQ(latest->version, 2);

    // Request ids are remembered.
    absl::StatusOr<CreateVersionResult> replay =
        store->CreateVersion(MakeArgs("a1", 2023, "v1", 0, "req-1"));
    ASSERT_TRUE(replay.ok()) << replay.status();
    EXPECT_EQ(replay->version.version, 1);
    EXPECT_TRUE(replay->created);

    // Numbering and the feed continue.
    absl::StatusOr<CreateVersionResult> v3 =
        store->CreateVersion(MakeArgs("a1", 2023, "v3", 2, "req-3"));
    ASSERT_TRUE(v3.ok()) << v3.status();
    EXPECT_EQ(v3->version.version, 3);
    EXPECT_EQ(v3->version.feed_seq, 4);
    EXPECT_GE(v3->version.create_time, first.version.create_time);
    absl::StatusOr<int64_t> last = store->LastFeedSeq();
    ASSERT_TRUE(last.ok());
    EXPECT_EQ(*last, 4);

    absl::StatusOr<std::vector<ReportRecord>> reports =
        store->ListReports(ReportFilter(), std::nullopt, 10);
    ASSERT_TRUE(reports.ok()) << reports.status();
    EXPECT_THAT(Keys(*reports), ::testing::ElementsAre("a1/2023", "b1/2022"));
  }
}

TEST_F(SqliteStoreTest, ConcurrentWritesSurviveCloseAndReopen) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 10;
  {
    std::unique_ptr<Store> store = MustOpen();
    ASSERT_NE(store, nullptr);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          absl::StatusOr<CreateVersionResult> r = store->CreateVersion(
              MakeArgs(absl::StrCat("ag", t), 2023, absl::StrCat(t, "/", i), i));
          EXPECT_TRUE(r.ok()) << r.status();
        }
      });
    }
    for (std::thread& th : threads) th.join();
  }
  // Closed cleanly: the WAL was checkpointed into the file and removed.
  EXPECT_FALSE(fs::exists(DbPath() + "-wal"));
  {
    RawDb raw(DbPath());
    EXPECT_EQ(raw.One("SELECT COUNT(*) FROM versions"), absl::StrCat(kThreads * kPerThread));
  }
  std::unique_ptr<Store> store = MustOpen();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<std::vector<VersionRecord>> feed = store->ReadFeed(0, 1000, false);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_THAT(Seqs(*feed), ::testing::ElementsAreArray(Range(1, kThreads * kPerThread)));
  // Commit times never go backwards along the feed.
  for (size_t i = 1; i < feed->size(); ++i) {
    EXPECT_LE((*feed)[i - 1].create_time, (*feed)[i].create_time) << "seq " << i + 1;
  }
  for (int t = 0; t < kThreads; ++t) {
    absl::StatusOr<std::vector<VersionRecord>> vs =
        store->ListVersions(absl::StrCat("ag", t), 2023, 0, 100, true);
    ASSERT_TRUE(vs.ok());
    ASSERT_EQ(vs->size(), static_cast<size_t>(kPerThread));
    for (int i = 0; i < kPerThread; ++i) EXPECT_EQ((*vs)[i].report, absl::StrCat(t, "/", i));
  }
}

TEST_F(SqliteStoreTest, NewerSchemaIsRefused) {
  { ASSERT_NE(MustOpen(), nullptr); }
  {
    RawDb raw(DbPath());
    ASSERT_EQ(raw.Exec(absl::StrCat("PRAGMA user_version = ", kSqliteSchemaVersion + 1)), "");
  }
  absl::StatusOr<std::unique_ptr<Store>> s = OpenSqliteStore(DbPath());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition) << s.status();
  RawDb raw(DbPath());
  EXPECT_EQ(raw.One("PRAGMA user_version"), absl::StrCat(kSqliteSchemaVersion + 1));
}

TEST_F(SqliteStoreTest, NewerSchemaInAFileWithoutOurTablesIsRefusedUntouched) {
  {
    RawDb raw(DbPath());
    ASSERT_EQ(raw.Exec("PRAGMA user_version = 99"), "");
  }
  absl::StatusOr<std::unique_ptr<Store>> s = OpenSqliteStore(DbPath());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition) << s.status();
  RawDb raw(DbPath());
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM sqlite_master"), "0");
  EXPECT_EQ(raw.One("PRAGMA journal_mode"), "delete");
}

TEST_F(SqliteStoreTest, EmptyFileIsInitialised) {
  { std::ofstream(DbPath()).flush(); }
  ASSERT_TRUE(fs::exists(DbPath()));
  std::unique_ptr<Store> store = MustOpen();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->CreateVersion(MakeArgs("a1", 2023, "v1", 0)).ok());
}

TEST_F(SqliteStoreTest, NotADatabaseIsRefused) {
  {
    std::ofstream f(DbPath());
    for (int i = 0; i < 100; ++i) f << "this is not an SQLite database, just text\n";
  }
  absl::StatusOr<std::unique_ptr<Store>> s = OpenSqliteStore(DbPath());
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr("sqlite"));
}

TEST_F(SqliteStoreTest, MissingDirectoryIsAnError) {
  absl::StatusOr<std::unique_ptr<Store>> s = OpenSqliteStore(dir_.File("no/such/dir/submit.db"));
  EXPECT_FALSE(s.ok());
}

// While another process holds the write lock, the writer waits busy_timeout
// (5 s) and fails the whole batch; requests queued meanwhile form the next
// batch, which commits together once the lock is free: they share one commit
// time, see each other's effects in queue order, and a conflict among them
// does not undo the others.
TEST_F(SqliteStoreTest, BlockedWriterFailsItsBatchAndTheNextBatchCommitsTogether) {
  std::unique_ptr<Store> store = MustOpen();
  ASSERT_NE(store, nullptr);
  RawDb other(DbPath());
  ASSERT_TRUE(other.ok());
  ASSERT_EQ(other.Exec("BEGIN IMMEDIATE"), "");

  absl::StatusOr<CreateVersionResult> blocked;
  std::thread first([&] { blocked = store->CreateVersion(MakeArgs("x", 2023, "x1", 0, "rx")); });
  // Let the writer take that request alone and start waiting for the lock.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  // Queued in this order while the writer waits.
  std::vector<CreateVersionArgs> queued = {
      MakeArgs("a", 2023, "a1", 0, "ra1"),  // a v1
      MakeArgs("a", 2023, "a2", 1, "ra2"),  // a v2, sees a v1 from the same batch
      MakeArgs("a", 2023, "zz", 0, "rz"),   // conflict: a is at 2 by now
      MakeArgs("b", 2023, "b1", 0, "rb1"),  // b v1
      MakeArgs("a", 2023, "a2", 2, "ra3"),  // identical to a v2
  };
  std::vector<absl::StatusOr<CreateVersionResult>> results(queued.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < queued.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = store->CreateVersion(queued[i]); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  first.join();  // after busy_timeout
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kUnavailable) << blocked.status();
  EXPECT_THAT(std::string(blocked.status().message()), ::testing::HasSubstr("begin batch"));
  ASSERT_EQ(other.Exec("ROLLBACK"), "");
  for (std::thread& th : threads) th.join();

  ASSERT_TRUE(results[0].ok()) << results[0].status();
  ASSERT_TRUE(results[1].ok()) << results[1].status();
  EXPECT_EQ(results[2].status().code(), absl::StatusCode::kAborted) << results[2].status();
  ASSERT_TRUE(results[3].ok()) << results[3].status();
  ASSERT_TRUE(results[4].ok()) << results[4].status();
  EXPECT_EQ(results[0]->version.version, 1);
  EXPECT_EQ(results[1]->version.version, 2);
  EXPECT_EQ(results[3]->version.version, 1);
  EXPECT_FALSE(results[4]->created);
  EXPECT_EQ(results[4]->version.version, 2);
  // Nothing of the failed batch: x was never stored, and the feed starts
  // with this batch, in queue order.
  EXPECT_EQ(results[0]->version.feed_seq, 1);
  EXPECT_EQ(results[1]->version.feed_seq, 2);
  EXPECT_EQ(results[3]->version.feed_seq, 3);
  EXPECT_EQ(store->GetVersion("x", 2023, 0, false).status().code(), absl::StatusCode::kNotFound);
  // One transaction, one commit time.
  EXPECT_EQ(results[0]->version.create_time, results[1]->version.create_time);
  EXPECT_EQ(results[0]->version.create_time, results[3]->version.create_time);

  // The failed request was not recorded: it can be retried as it was.
  absl::StatusOr<CreateVersionResult> retry =
      store->CreateVersion(MakeArgs("x", 2023, "x1", 0, "rx"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->version.feed_seq, 4);
}

}  // namespace
}  // namespace disclosure::submit::store_testing
