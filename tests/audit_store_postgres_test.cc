// The PostgreSQL audit store: the same conformance suite as SQLite, on a
// real PostgreSQL server started for this test binary, a fresh database per
// test; and two stores on one database (two replicas) recording the same
// audits at once: each version stored once, one dense ledger.
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "audit_service/store/postgres/postgres_store.h"
#include "audit_store_conformance.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "tests/pg_server.h"

namespace disclosure::audit::store_testing {
namespace {

using disclosure::testing::TestPostgres;

AuditStoreFactory PostgresFactory() {
  return {"postgres", []() -> absl::StatusOr<StoreUnderTest> {
            absl::StatusOr<TestPostgres*> pg = TestPostgres::Get();
            if (!pg.ok()) return pg.status();
            absl::StatusOr<std::string> db = (*pg)->NewDatabase();
            if (!db.ok()) return db.status();
            absl::StatusOr<std::unique_ptr<Store>> s = OpenPostgresStore(*db);
            if (!s.ok()) return s.status();
            return StoreUnderTest{std::shared_ptr<Store>(std::move(*s)),
                                  [conninfo = *db](const std::string& sql) -> absl::Status {
                                    try {
                                      pqxx::connection c(conninfo);
                                      pqxx::nontransaction tx(c);
                                      tx.exec(sql);
                                      return absl::OkStatus();
                                    } catch (const std::exception& e) {
                                      return absl::InternalError(e.what());
                                    }
                                  }};
          }};
}

INSTANTIATE_TEST_SUITE_P(Postgres, AuditStoreConformanceTest,
                         ::testing::Values(PostgresFactory()), AuditStoreFactoryName);

TEST(PostgresAuditStore, TwoReplicasAuditingTheSameVersionsStoreEachOnce) {
  absl::StatusOr<TestPostgres*> pg = TestPostgres::Get();
  ASSERT_TRUE(pg.ok()) << pg.status();
  absl::StatusOr<std::string> db = (*pg)->NewDatabase();
  ASSERT_TRUE(db.ok());
  auto a = OpenPostgresStore(*db);
  auto b = OpenPostgresStore(*db);
  ASSERT_TRUE(a.ok() && b.ok());
  UseFakeEntrySigner(**a);
  UseFakeEntrySigner(**b);
  auto run = [](Store* s) {
    for (int v = 1; v <= 40; ++v) {
      auto r = s->RecordAudits(
          {MakeAudit("a", 2021, v)},
          v);
      EXPECT_TRUE(r.ok()) << r.status();
    }
  };
  std::thread t1(run, a->get()), t2(run, b->get());
  t1.join();
  t2.join();
  absl::StatusOr<std::vector<LedgerLeaf>> leaves = (*a)->ReadLedger(0, 1000);
  ASSERT_TRUE(leaves.ok()) << leaves.status();
  EXPECT_EQ(leaves->size(), 40u);  // dense: ReadLedger checks the indexes
  std::set<std::string> versions;
  for (const LedgerLeaf& l : *leaves) {
    v1::LedgerEntry e;
    ASSERT_TRUE(e.ParseFromString(l.entry));
    versions.insert(e.audit().version());
  }
  EXPECT_EQ(versions.size(), 40u);
  EXPECT_EQ(*(*b)->LastEventSeq(), 40);
}

}  // namespace
}  // namespace disclosure::audit::store_testing
