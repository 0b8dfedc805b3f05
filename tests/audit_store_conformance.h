// Conformance suite for the audit store (audit_service/store/store.h),
// written once against `Store&` and run on every backend. A backend's test
// instantiates AuditStoreConformanceTest with a factory of fresh, empty
// stores; whatever a store needs (a temporary file, a scratch database) is
// released by the shared_ptr's deleter.
#ifndef DISCLOSURE_TESTS_AUDIT_STORE_CONFORMANCE_H_
#define DISCLOSURE_TESTS_AUDIT_STORE_CONFORMANCE_H_

#include <functional>
#include <set>
#include <thread>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "audit_service/clearance.h"
#include "audit_service/store/store.h"
#include "core/ledger/merkle.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace disclosure::audit::store_testing {

// A fresh, empty store, and a way to change its database behind its back
// (what a database writer can do).
struct StoreUnderTest {
  std::shared_ptr<Store> store;
  std::function<absl::Status(const std::string& sql)> exec_sql;
};
struct AuditStoreFactory {
  std::string name;  // test-name suffix
  std::function<absl::StatusOr<StoreUnderTest>()> make;
};
// What the stores under test sign entries with: not a real signature (the
// store keeps whatever its EntrySigner returns), but one that names its
// arguments, so a test can see what was signed.
inline std::string FakeEntrySignature(int64_t index, absl::string_view leaf_hash) {
  return absl::StrCat("signed ", index, " ", ToHex(leaf_hash));
}
inline void UseFakeEntrySigner(Store& store) {
  store.SetEntrySigner([](int64_t index, absl::string_view leaf_hash) -> absl::StatusOr<std::string> {
    return FakeEntrySignature(index, leaf_hash);
  });
}

inline void PrintTo(const AuditStoreFactory& f, std::ostream* os) { *os << f.name; }
inline std::string AuditStoreFactoryName(
    const ::testing::TestParamInfo<AuditStoreFactory>& info) {
  return info.param.name;
}

// An audit of agencies/{agency}/reports/{year}/versions/{version} with
// `errors` ERROR findings and one C-MOBILE warning.
inline AuditRecord MakeAudit(const std::string& agency, int32_t year, int64_t version,
                         const std::string& region = "410100", int errors = 0) {
  AuditRecord r;
  r.agency_id = agency;
  r.year = year;
  r.version = version;
  r.region_code = region;
  std::string name = absl::StrCat("agencies/", agency, "/reports/", year, "/versions/", version);
  r.audit.set_name(name + "/audit");
  r.audit.set_version(name);
  r.audit.set_content_hash("sha256:" + std::string(63, '0') + std::to_string(version % 10));
  r.audit.set_rule_set_version("2021.1");
  r.audit.set_submitter("clerk");
  for (int i = 0; i < errors; ++i) {
    v1::Finding* f = r.audit.add_findings();
    f->set_rule_id("T3-ROW");
    f->set_severity(v1::ERROR);
    f->mutable_location()->set_field_path(absl::StrCat("requests.received.", i));
  }
  r.audit.set_error_count(errors);
  v1::Finding* m = r.audit.add_findings();
  m->set_rule_id("C-MOBILE");
  m->set_severity(v1::WARNING);
  r.audit.set_warning_count(1);
  r.audit.set_findings_digest(
      FindingsDigest(r.audit.findings()));
  r.cells = "cells";
  return r;
}


class AuditStoreConformanceTest : public ::testing::TestWithParam<AuditStoreFactory> {
 protected:
  void SetUp() override {
    absl::StatusOr<StoreUnderTest> s = GetParam().make();
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = s->store;
    exec_sql_ = s->exec_sql;
    UseFakeEntrySigner(*store_);
  }

  static AuditRecord Audit(const std::string& agency, int32_t year, int64_t version,
                           const std::string& region = "410100", int errors = 0) {
    return MakeAudit(agency, year, version, region, errors);
  }

  static v1::SignOff Review(v1::ReviewKind kind, const std::string& reviewer) {
    v1::SignOff s;
    s.set_kind(v1::REVIEW);
    s.set_review_kind(kind);
    s.set_decision(v1::APPROVE);
    s.set_reviewer(reviewer);
    return s;
  }

  std::vector<EventRecord> Events(const std::string& prefix = "") {
    absl::StatusOr<std::vector<EventRecord>> e = store_->ReadEvents(0, prefix, 1000);
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? *e : std::vector<EventRecord>();
  }

  absl::StatusOr<v1::SignOff> SignOff(const std::string& agency, int64_t version,
                                       v1::ReviewKind kind, const std::string& reviewer) {
    return store_->AddSignOff(agency, 2021, version, Review(kind, reviewer),
                              [](const VersionReviews&) { return absl::OkStatus(); });
  }

  std::shared_ptr<Store> store_;
  std::function<absl::Status(const std::string& sql)> exec_sql_;
};

TEST_P(AuditStoreConformanceTest, RecordsAuditsWithTheirLedgerEntriesAndFeedPosition) {
  EXPECT_EQ(*store_->FeedPosition(), 0);
  absl::StatusOr<std::vector<int64_t>> idx =
      store_->RecordAudits({Audit("a", 2021, 1), Audit("a", 2021, 2)}, 7);
  ASSERT_TRUE(idx.ok()) << idx.status();
  EXPECT_EQ(*idx, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(*store_->FeedPosition(), 7);
  absl::StatusOr<AuditRecord> latest = store_->GetAudit("a", 2021, 0);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->version, 2);
  EXPECT_EQ(latest->audit.ledger_index(), 1);
  EXPECT_EQ(latest->cells, "cells");
  EXPECT_TRUE(absl::IsNotFound(store_->GetAudit("a", 2021, 3).status()));
  EXPECT_TRUE(absl::IsNotFound(store_->GetAudit("b", 2021, 0).status()));

  absl::StatusOr<std::vector<LedgerLeaf>> leaves = store_->ReadLedger(0, 10);
  ASSERT_TRUE(leaves.ok());
  ASSERT_EQ(leaves->size(), 2u);
  for (size_t i = 0; i < leaves->size(); ++i) {
    const LedgerLeaf& l = (*leaves)[i];
    EXPECT_EQ(l.leaf_hash, LeafHash(l.entry));
    // Signed as appended, at its index, and kept with the entry.
    EXPECT_EQ(l.signature, FakeEntrySignature(static_cast<int64_t>(i), l.leaf_hash));
  }
  v1::LedgerEntry e;
  ASSERT_TRUE(e.ParseFromString((*leaves)[1].entry));
  EXPECT_EQ(e.audit().version(), "agencies/a/reports/2021/versions/2");
  EXPECT_EQ(*store_->LedgerSize(), 2);
}

TEST_P(AuditStoreConformanceTest, AReplayedAuditIsSkippedNotDuplicated) {
  ASSERT_TRUE(store_->RecordAudits({Audit("a", 2021, 1)}, 1).ok());
  absl::StatusOr<std::vector<int64_t>> again =
      store_->RecordAudits({Audit("a", 2021, 1), Audit("a", 2021, 2)}, 2);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, (std::vector<int64_t>{-1, 1}));
  EXPECT_EQ(*store_->LedgerSize(), 2);
  EXPECT_EQ(Events().size(), 2u);
  EXPECT_EQ(*store_->FeedPosition(), 2);
}

// Two audit replicas may commit batches out of feed order: the later
// commit of an earlier position must not move the position back.
TEST_P(AuditStoreConformanceTest, FeedPositionNeverMovesBack) {
  ASSERT_TRUE(store_->RecordAudits({Audit("a", 2021, 1)}, 12).ok());
  ASSERT_TRUE(store_->RecordAudits({Audit("b", 2021, 1)}, 9).ok());
  EXPECT_EQ(*store_->FeedPosition(), 12);
  EXPECT_TRUE(store_->GetAudit("b", 2021, 1).ok());  // the audit itself is stored
  ASSERT_TRUE(store_->RecordAudits({Audit("c", 2021, 1)}, 100).ok());
  EXPECT_EQ(*store_->FeedPosition(), 100);  // numeric, not text, order
}

TEST_P(AuditStoreConformanceTest, ARefusedSignOffWritesNothing) {
  ASSERT_TRUE(store_->RecordAudits({Audit("a", 2021, 1)}, 1).ok());
  absl::StatusOr<v1::SignOff> s =
      store_->AddSignOff("a", 2021, 1, Review(v1::LEGALITY, "r"),
                         [](const VersionReviews&) { return absl::FailedPreconditionError("no"); });
  EXPECT_TRUE(absl::IsFailedPrecondition(s.status()));
  EXPECT_EQ(*store_->LedgerSize(), 1);
  EXPECT_TRUE(store_->GetReviews("a", 2021, 1)->sign_offs.empty());
  EXPECT_TRUE(absl::IsNotFound(
      store_->AddSignOff("a", 2021, 9, Review(v1::LEGALITY, "r"),
                         [](const VersionReviews&) { return absl::OkStatus(); })
          .status()));
}

TEST_P(AuditStoreConformanceTest, SignOffsAreStoredInOrderAndClearTheReport) {
  ASSERT_TRUE(store_->RecordAudits({Audit("a", 2021, 1)}, 1).ok());
  int checks = 0;
  for (auto [kind, who] : std::vector<std::pair<v1::ReviewKind, std::string>>{
           {v1::LEGALITY, "l"}, {v1::NORMATIVITY, "n"}, {v1::CONFIDENTIALITY, "c"}}) {
    absl::StatusOr<v1::SignOff> s = store_->AddSignOff(
        "a", 2021, 1, Review(kind, who), [&](const VersionReviews& r) {
          EXPECT_EQ(r.sign_offs.size(), static_cast<size_t>(checks));
          EXPECT_TRUE(r.latest);
          ++checks;
          return absl::OkStatus();
        });
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_THAT(s->name(), ::testing::StartsWith("agencies/a/reports/2021/versions/1/signOffs/"));
    EXPECT_GT(s->ledger_index(), 0);
  }
  absl::StatusOr<VersionReviews> r = store_->GetReviews("a", 2021, 1);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->sign_offs.size(), 3u);
  EXPECT_EQ(r->sign_offs[0].reviewer(), "l");
  EXPECT_EQ(r->sign_offs[2].reviewer(), "c");
  std::vector<EventRecord> events = Events();
  ASSERT_EQ(events.size(), 5u);  // audited, 3 × signed off, cleared
  EXPECT_EQ(events.back().event.kind(), v1::AuditEvent::CLEARED);
  absl::StatusOr<std::vector<ReportStateRecord>> states = store_->ListReportStates(2021, "41");
  ASSERT_TRUE(states.ok());
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ((*states)[0].state, v1::CLEARED);
  EXPECT_EQ((*states)[0].rule_ids, std::vector<std::string>{"C-MOBILE"});

  // A new version: the report is no longer cleared, and v1 is not the latest.
  ASSERT_TRUE(store_->RecordAudits({Audit("a", 2021, 2, "410100", 1)}, 2).ok());
  EXPECT_EQ((*store_->ListReportStates(2021, "41"))[0].state, v1::HAS_ERRORS);
  EXPECT_FALSE(store_->GetReviews("a", 2021, 1)->latest);
}

// No entry is ever stored unsigned: without a signer, or when it fails,
// a write that would append to the ledger writes nothing at all.
TEST_P(AuditStoreConformanceTest, NoLedgerEntryIsStoredWithoutItsSignature) {
  ASSERT_TRUE(store_->RecordAudits({Audit("a", 2021, 1)}, 1).ok());
  bool fail = true;
  store_->SetEntrySigner([&fail](int64_t index,
                                 absl::string_view leaf_hash) -> absl::StatusOr<std::string> {
    if (fail) return absl::InternalError("no key");
    return FakeEntrySignature(index, leaf_hash);
  });
  absl::StatusOr<std::vector<int64_t>> audits =
      store_->RecordAudits({Audit("a", 2021, 2)}, 2);
  EXPECT_EQ(audits.status().code(), absl::StatusCode::kInternal) << audits.status();
  absl::StatusOr<v1::SignOff> s = store_->AddSignOff(
      "a", 2021, 1, Review(v1::LEGALITY, "r"), [](const VersionReviews&) { return absl::OkStatus(); });
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInternal) << s.status();
  EXPECT_EQ(*store_->LedgerSize(), 1);
  EXPECT_TRUE(absl::IsNotFound(store_->GetAudit("a", 2021, 2).status()));
  EXPECT_TRUE(store_->GetReviews("a", 2021, 1)->sign_offs.empty());
  EXPECT_EQ(*store_->FeedPosition(), 1);
  EXPECT_EQ(Events().size(), 1u);

  store_->SetEntrySigner(nullptr);
  EXPECT_TRUE(absl::IsFailedPrecondition(
      store_->RecordAudits({Audit("a", 2021, 2)}, 2).status()));
  EXPECT_EQ(*store_->LedgerSize(), 1);

  fail = false;
  store_->SetEntrySigner([](int64_t index,
                          absl::string_view leaf_hash) -> absl::StatusOr<std::string> {
    return FakeEntrySignature(index, leaf_hash);
  });
  s = store_->AddSignOff("a", 2021, 1, Review(v1::LEGALITY, "r"),
                         [](const VersionReviews&) { return absl::OkStatus(); });
  ASSERT_TRUE(s.ok()) << s.status();
  absl::StatusOr<std::vector<LedgerLeaf>> leaves = store_->ReadLedger(1, 1);
  ASSERT_TRUE(leaves.ok() && leaves->size() == 1u);
  EXPECT_EQ((*leaves)[0].signature, FakeEntrySignature(1, (*leaves)[0].leaf_hash));
}

TEST_P(AuditStoreConformanceTest, StatesAndEventsAreFilteredByRegionAndYear) {
  ASSERT_TRUE(store_
                  ->RecordAudits({Audit("zz", 2021, 1, "410100"), Audit("ly", 2021, 1, "410300"),
                                  Audit("wh", 2021, 1, "420100"), Audit("zz", 2020, 1, "410100")},
                                 4)
                  .ok());
  EXPECT_EQ(store_->ListReportStates(2021, "41")->size(), 2u);
  EXPECT_EQ(store_->ListReportStates(2021, "4101")->size(), 1u);
  EXPECT_EQ(store_->ListReportStates(2021, "")->size(), 3u);
  EXPECT_EQ(store_->ListReportStates(2020, "41")->size(), 1u);
  EXPECT_EQ(Events("42").size(), 1u);
  EXPECT_EQ(Events("41").size(), 3u);
  absl::StatusOr<std::vector<EventRecord>> after = store_->ReadEvents(2, "41", 10);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].seq, 4);
  EXPECT_EQ(*store_->LastEventSeq(), 4);
}

// One batch: consecutive ledger indexes in the batch's order, one event
// each, a duplicate within the batch skipped; every stored leaf is the hash
// of its entry, signed at its index, and the entry names its version.
TEST_P(AuditStoreConformanceTest, ABatchGetsConsecutiveIndexesAndEventsInItsOrder) {
  ASSERT_TRUE(store_->RecordAudits({Audit("x", 2021, 1)}, 1).ok());
  absl::StatusOr<std::vector<int64_t>> indexes = store_->RecordAudits(
      {Audit("a", 2021, 1), Audit("b", 2021, 1), Audit("a", 2021, 1), Audit("a", 2021, 2)}, 5);
  ASSERT_TRUE(indexes.ok()) << indexes.status();
  EXPECT_EQ(*indexes, (std::vector<int64_t>{1, 2, -1, 3}));
  absl::StatusOr<std::vector<LedgerLeaf>> leaves = store_->ReadLedger(0, 100);
  ASSERT_TRUE(leaves.ok()) << leaves.status();
  ASSERT_EQ(leaves->size(), 4u);
  const std::vector<std::string> versions = {
      "agencies/x/reports/2021/versions/1", "agencies/a/reports/2021/versions/1",
      "agencies/b/reports/2021/versions/1", "agencies/a/reports/2021/versions/2"};
  for (size_t i = 0; i < leaves->size(); ++i) {
    const LedgerLeaf& leaf = (*leaves)[i];
    EXPECT_EQ(leaf.leaf_hash, LeafHash(leaf.entry)) << i;
    EXPECT_EQ(leaf.signature, FakeEntrySignature(static_cast<int64_t>(i), leaf.leaf_hash)) << i;
    v1::LedgerEntry entry;
    ASSERT_TRUE(entry.ParseFromString(leaf.entry)) << i;
    EXPECT_EQ(entry.audit().version(), versions[i]) << i;
    absl::StatusOr<AuditRecord> a =
        store_->GetAudit(i == 0 ? "x" : i == 2 ? "b" : "a", 2021, i == 3 ? 2 : 1);
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->audit.ledger_index(), static_cast<int64_t>(i));
  }
  std::vector<EventRecord> events = Events();
  ASSERT_EQ(events.size(), 4u);
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].seq, static_cast<int64_t>(i + 1));
    EXPECT_EQ(events[i].event.kind(), v1::AuditEvent::VERSION_AUDITED);
    EXPECT_EQ(events[i].event.version(), versions[i]);
  }
  EXPECT_EQ(*store_->FeedPosition(), 5);
  // The latest audited version of "a" is 2; version 0 reads it.
  EXPECT_EQ(store_->GetAudit("a", 2021, 0)->version, 2);
  EXPECT_TRUE(absl::IsNotFound(store_->GetAudit("nobody", 2021, 0).status()));
}

// A replay may bring an older version after a newer one: the report's state
// stays that of the newer.
TEST_P(AuditStoreConformanceTest, TheStateFollowsTheLatestAuditedVersion) {
  ASSERT_TRUE(store_->RecordAudits({Audit("a", 2021, 2, "410100", 1)}, 2).ok());
  ASSERT_TRUE(store_->RecordAudits({Audit("a", 2021, 1)}, 1).ok());
  absl::StatusOr<std::vector<ReportStateRecord>> states = store_->ListReportStates(2021, "");
  ASSERT_TRUE(states.ok());
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ((*states)[0].latest_version, 2);
  EXPECT_EQ((*states)[0].state, v1::HAS_ERRORS);
  EXPECT_EQ((*states)[0].error_count, 1);
  EXPECT_EQ((*states)[0].rule_ids, (std::vector<std::string>{"T3-ROW", "C-MOBILE"}));
  EXPECT_EQ((*states)[0].cells, "cells");
  EXPECT_EQ(*store_->FeedPosition(), 2);
}

// Sign-offs of an older version are recorded (and evented) but change
// neither the report's state nor clear it.
TEST_P(AuditStoreConformanceTest, SignOffsOfAnOlderVersionLeaveTheStateAlone) {
  ASSERT_TRUE(store_->RecordAudits({Audit("a", 2021, 1), Audit("a", 2021, 2)}, 2).ok());
  ASSERT_TRUE(SignOff("a", 1, v1::LEGALITY, "l").ok());
  ASSERT_TRUE(SignOff("a", 1, v1::NORMATIVITY, "n").ok());
  ASSERT_TRUE(SignOff("a", 1, v1::CONFIDENTIALITY, "c").ok());
  EXPECT_EQ((*store_->ListReportStates(2021, ""))[0].state, v1::AWAITING_REVIEW);
  std::vector<EventRecord> events = Events();
  ASSERT_EQ(events.size(), 5u);  // 2 audited, 3 signed off, no CLEARED
  EXPECT_EQ(events.back().event.kind(), v1::AuditEvent::SIGNED_OFF);
  EXPECT_THAT(events.back().event.sign_off(),
              ::testing::StartsWith("agencies/a/reports/2021/versions/1/signOffs/"));
  // The same reviews of the latest version clear it, once.
  ASSERT_TRUE(SignOff("a", 2, v1::LEGALITY, "l").ok());
  ASSERT_TRUE(SignOff("a", 2, v1::NORMATIVITY, "n").ok());
  ASSERT_TRUE(SignOff("a", 2, v1::CONFIDENTIALITY, "c").ok());
  ASSERT_TRUE(SignOff("a", 2, v1::LEGALITY, "l2").ok());  // still cleared: no second CLEARED
  events = Events();
  int cleared = 0;
  for (const EventRecord& e : events) cleared += e.event.kind() == v1::AuditEvent::CLEARED;
  EXPECT_EQ(cleared, 1);
  EXPECT_EQ((*store_->ListReportStates(2021, ""))[0].state, v1::CLEARED);
}

TEST_P(AuditStoreConformanceTest, EventsAndTheLedgerAreReadInPages) {
  std::vector<AuditRecord> batch;
  for (int v = 1; v <= 7; ++v) batch.push_back(Audit("a", 2021, v));
  ASSERT_TRUE(store_->RecordAudits(batch, 7).ok());
  std::vector<int64_t> seqs;
  for (int64_t after = 0;;) {
    absl::StatusOr<std::vector<EventRecord>> page = store_->ReadEvents(after, "", 3);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_LE(page->size(), 3u);
    if (page->empty()) break;
    for (const EventRecord& e : *page) seqs.push_back(e.seq);
    after = page->back().seq;
  }
  EXPECT_EQ(seqs, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_TRUE(store_->ReadEvents(7, "", 3)->empty());
  EXPECT_EQ(store_->ReadLedger(2, 3)->size(), 3u);
  EXPECT_EQ(store_->ReadLedger(5, 100)->size(), 2u);
  EXPECT_TRUE(store_->ReadLedger(7, 100)->empty());
  EXPECT_EQ(*store_->LedgerSize(), 7);
}

// A database writer who deletes a ledger row gets no silently shorter
// ledger: reading across the gap is DataLoss naming the missing entry.
TEST_P(AuditStoreConformanceTest, AGapInTheLedgerIsDataLoss) {
  ASSERT_TRUE(
      store_->RecordAudits({Audit("a", 2021, 1), Audit("a", 2021, 2), Audit("a", 2021, 3)}, 3)
          .ok());
  ASSERT_TRUE(exec_sql_("DELETE FROM ledger WHERE idx = 1").ok());
  absl::StatusOr<std::vector<LedgerLeaf>> read = store_->ReadLedger(0, 10);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss) << read.status();
  EXPECT_THAT(read.status().message(), ::testing::HasSubstr("ledger entry 1 is missing"));
  EXPECT_EQ(store_->ReadLedger(0, 1)->size(), 1u);  // before the gap: as stored
}

// Writers on many threads (several service threads, or replicas on one
// database): every write is whole, the ledger and the events stay dense,
// and no two sign-offs share a name or a ledger index.
TEST_P(AuditStoreConformanceTest, ConcurrentWritersKeepTheLedgerAndEventsDense) {
  constexpr int kThreads = 4, kPerThread = 8;
  std::vector<std::thread> threads;
  std::vector<std::vector<v1::SignOff>> signed_offs(kThreads);
  std::vector<absl::Status> failures(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string agency = absl::StrCat("agency-", t);
      for (int i = 1; i <= kPerThread; ++i) {
        absl::StatusOr<std::vector<int64_t>> r =
            store_->RecordAudits({Audit(agency, 2021, i)}, t * 100 + i);
        if (!r.ok()) {
          failures[t] = r.status();
          return;
        }
        absl::StatusOr<v1::SignOff> s = SignOff(agency, i, v1::LEGALITY, "l");
        if (!s.ok()) {
          failures[t] = s.status();
          return;
        }
        signed_offs[t].push_back(*s);
        // A reader among the writers sees whole transactions only.
        absl::StatusOr<VersionReviews> rv = store_->GetReviews(agency, 2021, i);
        if (!rv.ok() || rv->sign_offs.size() != 1u) {
          failures[t] = rv.ok() ? absl::InternalError("sign-off not visible") : rv.status();
          return;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& f : failures) ASSERT_TRUE(f.ok()) << f;
  constexpr int kWrites = 2 * kThreads * kPerThread;
  EXPECT_EQ(*store_->LedgerSize(), kWrites);
  absl::StatusOr<std::vector<LedgerLeaf>> leaves = store_->ReadLedger(0, kWrites + 1);
  ASSERT_TRUE(leaves.ok()) << leaves.status();
  EXPECT_EQ(leaves->size(), static_cast<size_t>(kWrites));
  std::vector<EventRecord> events = Events();
  ASSERT_EQ(events.size(), static_cast<size_t>(kWrites));
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].seq, static_cast<int64_t>(i + 1));
  std::set<std::string> names;
  std::set<int64_t> indexes;
  for (const auto& per_thread : signed_offs) {
    for (const v1::SignOff& s : per_thread) {
      names.insert(s.name());
      indexes.insert(s.ledger_index());
    }
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(indexes.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*store_->FeedPosition(), (kThreads - 1) * 100 + kPerThread);
}

}  // namespace disclosure::audit::store_testing

#endif  // DISCLOSURE_TESTS_AUDIT_STORE_CONFORMANCE_H_
