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

AuditStoreFactory SqliteFactory() {
  return {"sqlite", []() -> absl::StatusOr<std::shared_ptr<Store>> {
            auto dir = std::make_shared<testing::TempDir>();
            absl::StatusOr<std::unique_ptr<Store>> s = OpenSqliteStore(dir->path() + "/audit.db");
            if (!s.ok()) return s.status();
            return std::shared_ptr<Store>(s->release(), [dir](Store* p) { delete p; });
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
    ASSERT_TRUE((*s)->RecordAudits({r}, "feed/3").ok());
  }
  auto s = OpenSqliteStore(path);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*(*s)->FeedPosition(), "feed/3");
  EXPECT_EQ(*(*s)->LedgerSize(), 1);
  EXPECT_TRUE((*s)->GetAudit("a", 2021, 1).ok());
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
