// Several replicas on PostgreSQL (issue: beyond one machine): two
// submit_service replicas on one database, two audit_service replicas on
// another, each follower reading both submit replicas; clients submitting
// through both at once. Every acknowledged version is stored once with a
// dense number, audited once, and the ledger is one tree that verifies; a
// PostgreSQL restart in the middle of the load loses and duplicates nothing,
// and the services recover without being restarted.
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "audit_service/ledger.h"
#include "reportctl/ledger_verify.h"
#include "core/ledger/merkle.h"
#include "gmock/gmock.h"
#include "pqxx/pqxx"
#include "gtest/gtest.h"
#include "tests/audit_env.h"
#include "tests/pg_server.h"
#include "tests/service_env.h"

namespace disclosure::testing {
namespace {

struct Cluster {
  std::unique_ptr<InProcessSubmitServer> s1, s2;
  std::unique_ptr<InProcessAuditServer> a1, a2;
  std::string submit_targets;
  std::string audit_db;  // its connection string
};

Cluster Start(TestPostgres* pg) {
  Cluster c;
  absl::StatusOr<std::string> submit_db = pg->NewDatabase();
  absl::StatusOr<std::string> audit_db = pg->NewDatabase();
  EXPECT_TRUE(submit_db.ok() && audit_db.ok());
  c.s1 = std::make_unique<InProcessSubmitServer>(*submit_db);
  c.s2 = std::make_unique<InProcessSubmitServer>(*submit_db);
  c.submit_targets = c.s1->address() + "," + c.s2->address();
  c.a1 = std::make_unique<InProcessAuditServer>(*audit_db, c.submit_targets);
  c.a2 = std::make_unique<InProcessAuditServer>(*audit_db, c.submit_targets);
  c.audit_db = *audit_db;
  return c;
}

// Submits `n` amendments of report zz-psb/`year`, alternating replicas,
// retrying a call that failed UNAVAILABLE with the same request_id (and an
// ABORTED one after reading the latest version). Returns the versions
// acknowledged as created.
std::vector<std::string> SubmitMany(const Cluster& c, int year, int n,
                                    std::atomic<int>* unavailable,
                                    std::atomic<int>* acknowledged = nullptr) {
  std::vector<std::unique_ptr<v1::SubmissionService::Stub>> stubs;
  stubs.push_back(SubmitStubAs(c.s1->address(), "clerk-zz-psb"));
  stubs.push_back(SubmitStubAs(c.s2->address(), "clerk-zz-psb"));
  v1::Report report = SampleReport();
  report.set_year(year);
  std::vector<std::string> created;
  int64_t latest = 0;
  for (int i = 0; i < n; ++i) {
    v1::CreateVersionRequest req;
    req.set_parent(absl::StrCat("agencies/zz-psb/reports/", year));
    *req.mutable_report() = report;
    req.mutable_report()->set_other_matters(absl::StrCat("第", i, "次修订"));
    req.set_request_id(absl::StrCat("r-", year, "-", i));
    for (int attempt = 0; attempt < 100; ++attempt) {
      req.set_expected_latest_version(latest);
      v1::CreateVersionResponse resp;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      grpc::Status s = stubs[(i + attempt) % 2]->CreateVersion(&ctx, req, &resp);
      if (s.ok()) {
        latest = resp.version().version();
        if (resp.created()) created.push_back(resp.version().name());
        if (acknowledged != nullptr) ++*acknowledged;
        break;
      }
      if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
        ++*unavailable;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      ADD_FAILURE() << s.error_message();
      break;
    }
  }
  return created;
}

void ExpectEverythingOnceAndVerified(const Cluster& c, const std::vector<std::string>& created) {
  // Every acknowledged version is there, numbers dense per report.
  std::map<std::string, int> per_report;
  for (const std::string& v : created) ++per_report[v.substr(0, v.rfind("/versions/"))];
  auto stub = SubmitStubAs(c.s2->address(), "audit-service");
  for (const auto& [report, count] : per_report) {
    v1::ListVersionsRequest req;
    req.set_parent(report);
    req.set_page_size(100);
    v1::ListVersionsResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub->ListVersions(&ctx, req, &resp).ok());
    ASSERT_EQ(resp.versions_size(), count) << report;
    for (int i = 0; i < count; ++i) EXPECT_EQ(resp.versions(i).version(), i + 1);
  }
  // Every version audited exactly once, by one replica or the other.
  std::multiset<std::string> audited;
  for (int wait = 0; wait < 200; ++wait) {
    audited.clear();
    absl::StatusOr<std::vector<audit::LedgerLeaf>> leaves = c.a1->store()->ReadLedger(0, 100000);
    ASSERT_TRUE(leaves.ok()) << leaves.status();
    for (const auto& l : *leaves) {
      v1::LedgerEntry e;
      ASSERT_TRUE(e.ParseFromString(l.entry));
      if (e.has_audit()) audited.insert(e.audit().version());
    }
    if (audited.size() >= created.size()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(audited.size(), created.size());
  for (const std::string& v : created) EXPECT_EQ(audited.count(v), 1u) << v;
  // One tree, whichever replica answers.
  for (InProcessAuditServer* a : {c.a1.get(), c.a2.get()}) {
    auto audit = AuditStubAs(a->address(), "oversight-henan");
    absl::StatusOr<LedgerCheck> check =
        VerifyLedger(audit.get(), TestLedgerPublicKeyPem(), std::nullopt, true);
    ASSERT_TRUE(check.ok()) << check.status();
    EXPECT_EQ(check->checkpoint.size, created.size());
  }
}

TEST(Replicas, ManyClientsThroughBothReplicasEveryVersionFoundAuditedOnceLedgerVerifies) {
  absl::StatusOr<TestPostgres*> pg = TestPostgres::Get();
  ASSERT_TRUE(pg.ok()) << pg.status();
  Cluster c = Start(*pg);
  std::atomic<int> unavailable{0};
  std::mutex mu;
  std::vector<std::string> created;
  std::vector<std::thread> clients;
  for (int t = 0; t < 6; ++t) {
    clients.emplace_back([&, t] {
      std::vector<std::string> mine = SubmitMany(c, 2010 + t, 8, &unavailable);
      std::lock_guard<std::mutex> lock(mu);
      created.insert(created.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : clients) t.join();
  ASSERT_EQ(created.size(), 48u);
  EXPECT_EQ(unavailable.load(), 0);
  ExpectEverythingOnceAndVerified(c, created);
}

TEST(Replicas, APostgresRestartUnderLoadLosesAndDuplicatesNothing) {
  absl::StatusOr<TestPostgres*> pg = TestPostgres::Get();
  ASSERT_TRUE(pg.ok()) << pg.status();
  Cluster c = Start(*pg);
  std::atomic<int> unavailable{0};
  std::mutex mu;
  std::vector<std::string> created;
  std::vector<std::thread> clients;
  std::atomic<int> acknowledged{0};
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      std::vector<std::string> mine = SubmitMany(c, 2020 + t, 25, &unavailable, &acknowledged);
      std::lock_guard<std::mutex> lock(mu);
      created.insert(created.end(), mine.begin(), mine.end());
    });
  }
  while (acknowledged < 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE((*pg)->Restart().ok());
  const int at_restart = acknowledged;
  for (auto& t : clients) t.join();
  EXPECT_LT(at_restart, 100) << "the restart must fall in the middle of the load";
  ASSERT_EQ(created.size(), 100u);
  ExpectEverythingOnceAndVerified(c, created);
}

// Issue 12 on PostgreSQL: the check of what is served against the ledger is
// above the store backends, so a sign-off row changed in PostgreSQL is
// refused by every replica, and so is an entry inserted into its ledger.
TEST(Replicas, ARecordOrEntryChangedInPostgresIsRefusedByEveryReplica) {
  absl::StatusOr<TestPostgres*> pg = TestPostgres::Get();
  ASSERT_TRUE(pg.ok()) << pg.status();
  Cluster c = Start(*pg);
  std::atomic<int> unavailable{0};
  std::vector<std::string> created = SubmitMany(c, 2021, 1, &unavailable);
  ASSERT_EQ(created.size(), 1u);
  const std::string version = created[0];
  v1::Audit audit;
  for (int i = 0; i < 200; ++i) {
    v1::GetAuditRequest req;
    req.set_name(version + "/audit");
    grpc::ClientContext ctx;
    if (AuditStubAs(c.a1->address(), "oversight-henan")->GetAudit(&ctx, req, &audit).ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(audit.version(), version);
  v1::CreateSignOffRequest sign;
  *sign.mutable_sign_off() = ReviewOf(audit, v1::LEGALITY, v1::REJECT, "有误");
  v1::SignOff stored;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(AuditStubAs(c.a2->address(), "reviewer-legality")->CreateSignOff(&ctx, sign, &stored).ok());
  }
  auto status_code = [&](InProcessAuditServer* a) {
    v1::GetReviewStatusRequest req;
    req.set_name(version + "/reviewStatus");
    v1::ReviewStatus st;
    grpc::ClientContext ctx;
    return AuditStubAs(a->address(), "oversight-henan")->GetReviewStatus(&ctx, req, &st).error_code();
  };
  EXPECT_EQ(status_code(c.a1.get()), grpc::StatusCode::OK);

  // REJECT → APPROVE in the row.
  {
    pqxx::connection conn(c.audit_db);
    pqxx::work tx(conn);
    pqxx::result r = tx.exec_params("SELECT id, sign_off FROM sign_offs");
    ASSERT_EQ(r.size(), 1u);
    v1::SignOff row;
    ASSERT_TRUE(row.ParseFromString(pqxx::binarystring(r[0][1]).str()));
    row.set_decision(v1::APPROVE);
    row.clear_reason();
    std::string bytes;
    row.SerializeToString(&bytes);
    tx.exec_params("UPDATE sign_offs SET sign_off = $1 WHERE id = $2", pqxx::binarystring(bytes),
                   r[0][0].as<int64_t>());
    tx.commit();
  }
  for (InProcessAuditServer* a : {c.a1.get(), c.a2.get()}) {
    EXPECT_EQ(status_code(a), grpc::StatusCode::DATA_LOSS);
    EXPECT_EQ(HealthOf(a->address(), audit::kLedgerHealthService), "NOT_SERVING");
  }

  // An entry inserted into the ledger with another entry's signature.
  {
    pqxx::connection conn(c.audit_db);
    pqxx::work tx(conn);
    pqxx::result r = tx.exec("SELECT entry, signature FROM ledger WHERE idx = 1");
    ASSERT_EQ(r.size(), 1u);
    const std::string entry = pqxx::binarystring(r[0][0]).str() + std::string(1, '\0');
    tx.exec_params("INSERT INTO ledger (idx, entry, leaf_hash, signature) VALUES (2, $1, $2, $3)",
                   pqxx::binarystring(entry), pqxx::binarystring(LeafHash(entry)),
                   pqxx::binarystring(pqxx::binarystring(r[0][1]).str()));
    tx.commit();
  }
  for (InProcessAuditServer* a : {c.a1.get(), c.a2.get()}) {
    v1::SignedCheckpoint cp;
    grpc::ClientContext ctx;
    grpc::Status s =
        AuditStubAs(a->address(), "oversight-henan")->GetCheckpoint(&ctx, v1::GetCheckpointRequest(), &cp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::DATA_LOSS);
    EXPECT_THAT(s.error_message(), ::testing::HasSubstr("ledger entry 2 is refused"));
  }
}

TEST(Replicas, ClientsOverBothReplicasCarryOnWhenOneIsDown) {
  absl::StatusOr<TestPostgres*> pg = TestPostgres::Get();
  ASSERT_TRUE(pg.ok()) << pg.status();
  absl::StatusOr<std::string> db = (*pg)->NewDatabase();
  ASSERT_TRUE(db.ok());
  auto s1 = std::make_unique<InProcessSubmitServer>(*db);
  auto s2 = std::make_unique<InProcessSubmitServer>(*db);
  // One channel over both, as reportctl and the audit service make it.
  auto stub = SubmitStubAs(s1->address() + "," + s2->address(), "clerk-zz-psb");
  auto submit = [&](int i) {
    v1::CreateVersionRequest req;
    req.set_parent("agencies/zz-psb/reports/2021");
    *req.mutable_report() = SampleReport();
    req.mutable_report()->set_other_matters(absl::StrCat("第", i, "版"));
    req.set_request_id(absl::StrCat("down-", i));
    req.set_expected_latest_version(i - 1);
    v1::CreateVersionResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub->CreateVersion(&ctx, req, &resp);
  };
  for (int i = 1; i <= 4; ++i) ASSERT_TRUE(submit(i).ok()) << i;
  s1.reset();  // one replica goes away; the channel does not know yet
  for (int i = 5; i <= 12; ++i) {
    grpc::Status s = submit(i);
    ASSERT_TRUE(s.ok()) << i << ": " << s.error_message();
  }
}

TEST(Replicas, GrpcRetriesACallThatFoundTheDatabaseDown) {
  absl::StatusOr<TestPostgres*> pg = TestPostgres::Get();
  ASSERT_TRUE(pg.ok()) << pg.status();
  absl::StatusOr<std::string> db = (*pg)->NewDatabase();
  ASSERT_TRUE(db.ok());
  InProcessSubmitServer s1(*db), s2(*db);
  // Over two addresses: the channel of core/rpc/client_channel.h, with retries.
  auto stub = SubmitStubAs(s1.address() + "," + s2.address(), "clerk-zz-psb");
  ASSERT_TRUE((*pg)->Stop().ok());
  std::thread restart([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    EXPECT_TRUE((*pg)->Start().ok());
  });
  // One call, no retry of our own: the first attempts find the database
  // down (UNAVAILABLE) and gRPC tries again until it is back.
  v1::CreateVersionRequest req;
  req.set_parent("agencies/zz-psb/reports/2021");
  *req.mutable_report() = SampleReport();
  req.set_request_id("retried-by-grpc");
  v1::CreateVersionResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto t0 = std::chrono::steady_clock::now();
  grpc::Status s = stub->CreateVersion(&ctx, req, &resp);
  auto waited = std::chrono::steady_clock::now() - t0;
  restart.join();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.version().version(), 1);
  EXPECT_GE(waited, std::chrono::milliseconds(200)) << "the call must have waited for the restart";
}

}  // namespace
}  // namespace disclosure::testing
