// Conformance suite for the audit store (audit_service/store/store.h),
// written once against `Store&` and run on every backend. A backend's test
// instantiates AuditStoreConformanceTest with a factory of fresh, empty
// stores; whatever a store needs (a temporary file, a scratch database) is
// released by the shared_ptr's deleter.
#ifndef DISCLOSURE_TESTS_AUDIT_STORE_CONFORMANCE_H_
#define DISCLOSURE_TESTS_AUDIT_STORE_CONFORMANCE_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "audit_service/clearance.h"
#include "audit_service/store/store.h"
#include "core/merkle.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace disclosure::audit::store_testing {

struct AuditStoreFactory {
  std::string name;  // test-name suffix
  std::function<absl::StatusOr<std::shared_ptr<Store>>()> make;
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
    absl::StatusOr<std::shared_ptr<Store>> s = GetParam().make();
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
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

  std::shared_ptr<Store> store_;
};

TEST_P(AuditStoreConformanceTest, RecordsAuditsWithTheirLedgerEntriesAndFeedPosition) {
  EXPECT_EQ(*store_->FeedPosition(), "");
  absl::StatusOr<std::vector<int64_t>> idx =
      store_->RecordAudits({Audit("a", 2021, 1), Audit("a", 2021, 2)}, "feed/7");
  ASSERT_TRUE(idx.ok()) << idx.status();
  EXPECT_EQ(*idx, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(*store_->FeedPosition(), "feed/7");
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
  ASSERT_TRUE(store_->RecordAudits({Audit("a", 2021, 1)}, "feed/1").ok());
  absl::StatusOr<std::vector<int64_t>> again =
      store_->RecordAudits({Audit("a", 2021, 1), Audit("a", 2021, 2)}, "feed/2");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, (std::vector<int64_t>{-1, 1}));
  EXPECT_EQ(*store_->LedgerSize(), 2);
  EXPECT_EQ(Events().size(), 2u);
  EXPECT_EQ(*store_->FeedPosition(), "feed/2");
}

// Two audit replicas may commit batches out of feed order: the later
// commit of an earlier position must not move the position back.
TEST_P(AuditStoreConformanceTest, FeedPositionNeverMovesBack) {
  ASSERT_TRUE(store_->RecordAudits({Audit("a", 2021, 1)}, "feed/12").ok());
  ASSERT_TRUE(store_->RecordAudits({Audit("b", 2021, 1)}, "feed/9").ok());
  EXPECT_EQ(*store_->FeedPosition(), "feed/12");
  EXPECT_TRUE(store_->GetAudit("b", 2021, 1).ok());  // the audit itself is stored
  ASSERT_TRUE(store_->RecordAudits({Audit("c", 2021, 1)}, "feed/100").ok());
  EXPECT_EQ(*store_->FeedPosition(), "feed/100");  // numeric, not text, order
}

TEST_P(AuditStoreConformanceTest, ARefusedSignOffWritesNothing) {
  ASSERT_TRUE(store_->RecordAudits({Audit("a", 2021, 1)}, "feed/1").ok());
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
  ASSERT_TRUE(store_->RecordAudits({Audit("a", 2021, 1)}, "feed/1").ok());
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
  ASSERT_TRUE(store_->RecordAudits({Audit("a", 2021, 2, "410100", 1)}, "feed/2").ok());
  EXPECT_EQ((*store_->ListReportStates(2021, "41"))[0].state, v1::HAS_ERRORS);
  EXPECT_FALSE(store_->GetReviews("a", 2021, 1)->latest);
}

// No entry is ever stored unsigned: without a signer, or when it fails,
// a write that would append to the ledger writes nothing at all.
TEST_P(AuditStoreConformanceTest, NoLedgerEntryIsStoredWithoutItsSignature) {
  ASSERT_TRUE(store_->RecordAudits({Audit("a", 2021, 1)}, "feed/1").ok());
  bool fail = true;
  store_->SetEntrySigner([&fail](int64_t index,
                                 absl::string_view leaf_hash) -> absl::StatusOr<std::string> {
    if (fail) return absl::InternalError("no key");
    return FakeEntrySignature(index, leaf_hash);
  });
  absl::StatusOr<std::vector<int64_t>> audits =
      store_->RecordAudits({Audit("a", 2021, 2)}, "feed/2");
  EXPECT_EQ(audits.status().code(), absl::StatusCode::kInternal) << audits.status();
  absl::StatusOr<v1::SignOff> s = store_->AddSignOff(
      "a", 2021, 1, Review(v1::LEGALITY, "r"), [](const VersionReviews&) { return absl::OkStatus(); });
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInternal) << s.status();
  EXPECT_EQ(*store_->LedgerSize(), 1);
  EXPECT_TRUE(absl::IsNotFound(store_->GetAudit("a", 2021, 2).status()));
  EXPECT_TRUE(store_->GetReviews("a", 2021, 1)->sign_offs.empty());
  EXPECT_EQ(*store_->FeedPosition(), "feed/1");
  EXPECT_EQ(Events().size(), 1u);

  store_->SetEntrySigner(nullptr);
  EXPECT_TRUE(absl::IsFailedPrecondition(
      store_->RecordAudits({Audit("a", 2021, 2)}, "feed/2").status()));
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
                                 "feed/4")
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

}  // namespace disclosure::audit::store_testing

#endif  // DISCLOSURE_TESTS_AUDIT_STORE_CONFORMANCE_H_
