// The PostgreSQL submit store: the same conformance suite as SQLite, on a
// real PostgreSQL server started for this test binary (tests/pg_server.h),
// a fresh database per test; and what only PostgreSQL has: a server restart
// under the store.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "submit_service/store/postgres/postgres_store.h"
#include "submit_store_conformance.h"
#include "pqxx/pqxx"
#include "tests/pg_server.h"

namespace disclosure::submit::store_testing {
namespace {

using disclosure::testing::TestPostgres;

StoreFactory PostgresFactory() {
  return StoreFactory{"postgres", []() -> absl::StatusOr<std::unique_ptr<Store>> {
                        absl::StatusOr<TestPostgres*> pg = TestPostgres::Get();
                        if (!pg.ok()) return pg.status();
                        absl::StatusOr<std::string> db = (*pg)->NewDatabase();
                        if (!db.ok()) return db.status();
                        return OpenPostgresStore(*db);
                      }};
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest, ::testing::Values(PostgresFactory()),
                         StoreFactoryName);

TEST(PostgresStore, SurvivesAServerRestartWithoutLosingAnything) {
  absl::StatusOr<TestPostgres*> pg = TestPostgres::Get();
  ASSERT_TRUE(pg.ok()) << pg.status();
  absl::StatusOr<std::string> db = (*pg)->NewDatabase();
  ASSERT_TRUE(db.ok()) << db.status();
  absl::StatusOr<std::unique_ptr<Store>> store = OpenPostgresStore(*db);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->CreateVersion(MakeArgs("a1", 2023, "one", 0)).ok());
  ASSERT_TRUE((*pg)->Restart().ok());
  // The pooled connection broke: the first call may fail UNAVAILABLE, never
  // anything worse; the next ones work on a new connection.
  absl::StatusOr<CreateVersionResult> r = (*store)->CreateVersion(MakeArgs("a1", 2023, "two", 1));
  if (!r.ok()) {
    EXPECT_TRUE(absl::IsUnavailable(r.status())) << r.status();
    r = (*store)->CreateVersion(MakeArgs("a1", 2023, "two", 1));
  }
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->version.version, 2);
  absl::StatusOr<std::vector<VersionRecord>> feed = (*store)->ReadFeed(0, 10, true);
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_EQ(feed->size(), 2u);
  EXPECT_EQ((*feed)[0].report, "one");
  EXPECT_EQ((*feed)[1].report, "two");
}

TEST(PostgresStore, ASchemaNewerThanTheBuildIsRefused) {
  absl::StatusOr<TestPostgres*> pg = TestPostgres::Get();
  ASSERT_TRUE(pg.ok()) << pg.status();
  absl::StatusOr<std::string> db = (*pg)->NewDatabase();
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(OpenPostgresStore(*db).ok());
  {
    pqxx::connection c(*db);
    pqxx::work tx(c);
    tx.exec("UPDATE disclosure_schema SET version = 99");
    tx.commit();
  }
  absl::StatusOr<std::unique_ptr<Store>> again = OpenPostgresStore(*db);
  EXPECT_TRUE(absl::IsFailedPrecondition(again.status())) << again.status();
}

}  // namespace
}  // namespace disclosure::submit::store_testing
