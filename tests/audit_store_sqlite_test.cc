// The SQLite audit store: the conformance suite on real files, and what only
// SQLite has (reopening a file, a schema newer than the build).
#include <sqlite3.h>

#include <memory>
#include <string>

#include "audit_service/store/sqlite/sqlite_store.h"
#include "audit_store_conformance.h"
#include "gtest/gtest.h"
#include "tests/service_env.h"

namespace disclosure::audit::store_testing {
namespace {

// Runs `sql` on the database file at `path` through a connection of its own.
absl::Status ExecOnFile(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open(path.c_str(), &db);
  if (rc == SQLITE_OK) rc = sqlite3_busy_timeout(db, 5000);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  absl::Status s = rc == SQLITE_OK ? absl::OkStatus()
                                   : absl::InternalError(sqlite3_errmsg(db));
  sqlite3_close(db);
  return s;
}

AuditStoreFactory SqliteFactory() {
  return {"sqlite", []() -> absl::StatusOr<StoreUnderTest> {
            auto dir = std::make_shared<testing::TempDir>();
            const std::string path = dir->path() + "/audit.db";
            absl::StatusOr<std::unique_ptr<Store>> s = OpenSqliteStore(path);
            if (!s.ok()) return s.status();
            return StoreUnderTest{
                std::shared_ptr<Store>(s->release(), [dir](Store* p) { delete p; }),
                [path](const std::string& sql) { return ExecOnFile(path, sql); }};
          }};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AuditStoreConformanceTest, ::testing::Values(SqliteFactory()),
                         AuditStoreFactoryName);

TEST(AuditSqliteStore, EverythingSurvivesReopening) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/audit.db";
  {
    auto s = OpenSqliteStore(path);
    ASSERT_TRUE(s.ok());
    UseFakeEntrySigner(**s);
    AuditRecord r;
    r.agency_id = "a";
    r.year = 2021;
    r.version = 1;
    r.region_code = "410100";
    r.audit.set_version("agencies/a/reports/2021/versions/1");
    ASSERT_TRUE((*s)->RecordAudits({r}, 3).ok());
  }
  auto s = OpenSqliteStore(path);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*(*s)->FeedPosition(), 3);
  EXPECT_EQ(*(*s)->LedgerSize(), 1);
  EXPECT_TRUE((*s)->GetAudit("a", 2021, 1).ok());
}

// Schema 3 keeps the feed position as an integer: a file of schema 2, whose
// position is the text "feed/12", opens at 12 and moves on numerically.
TEST(AuditSqliteStore, AFeedPositionStoredAsTextMigratesToItsNumber) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/audit.db";
  {
    auto s = OpenSqliteStore(path);
    ASSERT_TRUE(s.ok()) << s.status();
  }
  ASSERT_TRUE(ExecOnFile(path,
                         "DROP TABLE feed_seq; CREATE TABLE feed (id INTEGER PRIMARY KEY CHECK "
                         "(id = 1), position TEXT NOT NULL); INSERT INTO feed VALUES (1, "
                         "'feed/12'); PRAGMA user_version = 2;")
                  .ok());
  auto s = OpenSqliteStore(path);
  ASSERT_TRUE(s.ok()) << s.status();
  UseFakeEntrySigner(**s);
  EXPECT_EQ(*(*s)->FeedPosition(), 12);
  AuditRecord r = MakeAudit("a", 2021, 1);
  ASSERT_TRUE((*s)->RecordAudits({r}, 9).ok());
  EXPECT_EQ(*(*s)->FeedPosition(), 12);
  ASSERT_TRUE((*s)->RecordAudits({MakeAudit("a", 2021, 2)}, 100).ok());
  EXPECT_EQ(*(*s)->FeedPosition(), 100);
}

TEST(AuditSqliteStore, ASchemaNewerThanTheBuildIsRefused) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/audit.db";
  ASSERT_TRUE(OpenSqliteStore(path).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto s = OpenSqliteStore(path);
  EXPECT_TRUE(absl::IsFailedPrecondition(s.status())) << s.status();
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr("newer"));
}

}  // namespace
}  // namespace disclosure::audit::store_testing
