// The pure decisions of audit_service: review status and report state from
// an audit and its sign-offs, finding comparison, the findings digest, and
// the packed table cells of region sums.
#include "audit_service/clearance.h"

#include "audit_service/region_sums.h"
#include "core/report/canonical.h"
#include "core/report/template.h"
#include "gtest/gtest.h"

namespace disclosure::audit {
namespace {

v1::Finding F(const std::string& rule, v1::Severity sev, const std::string& path) {
  v1::Finding f;
  f.set_rule_id(rule);
  f.set_severity(sev);
  f.mutable_location()->set_field_path(path);
  return f;
}

v1::SignOff Review(v1::ReviewKind kind, const std::string& who, v1::Decision d) {
  v1::SignOff s;
  s.set_kind(v1::REVIEW);
  s.set_review_kind(kind);
  s.set_decision(d);
  s.set_reviewer(who);
  return s;
}

std::vector<v1::SignOff> AllApproved() {
  return {Review(v1::LEGALITY, "l", v1::APPROVE), Review(v1::NORMATIVITY, "n", v1::APPROVE),
          Review(v1::CONFIDENTIALITY, "c", v1::APPROVE)};
}

TEST(Clearance, ClearedOnlyWhenLatestWithoutErrorsAndAllThreeApproved) {
  v1::Audit audit;
  *audit.add_findings() = F("S-FEE6", v1::WARNING, "other_matters");
  EXPECT_EQ(ReviewStatusOf(audit, AllApproved(), true).state(), v1::ReviewStatus::CLEARED);
  v1::ReviewStatus old = ReviewStatusOf(audit, AllApproved(), false);
  EXPECT_EQ(old.state(), v1::ReviewStatus::BLOCKED);
  EXPECT_EQ(old.blockers_size(), 1);
  std::vector<v1::SignOff> two = AllApproved();
  two.pop_back();
  v1::ReviewStatus missing = ReviewStatusOf(audit, two, true);
  EXPECT_EQ(missing.state(), v1::ReviewStatus::BLOCKED);
  EXPECT_EQ(missing.reviews(2).state(), v1::ReviewKindStatus::MISSING);
  EXPECT_EQ(ReportStateOf(missing), v1::AWAITING_REVIEW);
}

TEST(Clearance, AnErrorBlocksUntilWaivedAndAWaiverNamesOneFinding) {
  v1::Audit audit;
  *audit.add_findings() = F("T3-ROW", v1::ERROR, "requests.received.total");
  *audit.add_findings() = F("T3-ROW", v1::ERROR, "requests.outcomes.total.total");
  std::vector<v1::SignOff> s = AllApproved();
  EXPECT_EQ(ReportStateOf(ReviewStatusOf(audit, s, true)), v1::HAS_ERRORS);
  v1::SignOff waiver;
  waiver.set_kind(v1::WAIVER);
  waiver.set_rule_id("T3-ROW");
  waiver.mutable_location()->set_field_path("requests.received.total");
  s.push_back(waiver);
  v1::ReviewStatus st = ReviewStatusOf(audit, s, true);
  ASSERT_EQ(st.blocking_findings_size(), 1);
  EXPECT_EQ(st.blocking_findings(0).location().field_path(), "requests.outcomes.total.total");
  waiver.mutable_location()->set_field_path("requests.outcomes.total.total");
  s.push_back(waiver);
  EXPECT_EQ(ReviewStatusOf(audit, s, true).state(), v1::ReviewStatus::CLEARED);
  EXPECT_EQ(WaiversOf(s).size(), 2u);
}

TEST(Clearance, TheSameReviewersLaterSignOffSupersedesAndAnyRejectionBlocks) {
  v1::Audit audit;
  std::vector<v1::SignOff> s = AllApproved();
  s.push_back(Review(v1::LEGALITY, "l", v1::REJECT));
  v1::ReviewStatus st = ReviewStatusOf(audit, s, true);
  EXPECT_EQ(st.reviews(0).state(), v1::ReviewKindStatus::REJECTED);
  EXPECT_EQ(ReportStateOf(st), v1::REJECTED);
  s.push_back(Review(v1::LEGALITY, "l", v1::APPROVE));
  EXPECT_EQ(ReviewStatusOf(audit, s, true).state(), v1::ReviewStatus::CLEARED);
  s.push_back(Review(v1::LEGALITY, "l2", v1::REJECT));  // another legality reviewer objects
  EXPECT_EQ(ReviewStatusOf(audit, s, true).reviews(0).state(), v1::ReviewKindStatus::REJECTED);
}

TEST(Clearance, CompareFindingsNamesNewFixedAndOpen) {
  std::vector<v1::Finding> before = {F("A", v1::ERROR, "x"), F("B", v1::WARNING, "y")};
  std::vector<v1::Finding> after = {F("B", v1::WARNING, "y"), F("C", v1::INFO, "z")};
  std::vector<v1::FindingChange> c = CompareFindings(before, after);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].kind(), v1::FindingChange::OPEN);
  EXPECT_EQ(c[1].kind(), v1::FindingChange::NEW);
  EXPECT_EQ(c[2].kind(), v1::FindingChange::FIXED);
  EXPECT_EQ(c[2].finding().rule_id(), "A");
}

using FindingList = google::protobuf::RepeatedPtrField<v1::Finding>;

FindingList List(std::initializer_list<v1::Finding> findings) {
  return FindingList(findings.begin(), findings.end());
}

TEST(Clearance, FindingsDigestDependsOnEveryFindingAndItsOrder) {
  const v1::Finding x = F("A", v1::ERROR, "x"), y = F("B", v1::WARNING, "y");
  const FindingList a = List({x, y});
  EXPECT_EQ(FindingsDigest(a), FindingsDigest(List({x, y})));
  EXPECT_NE(FindingsDigest(a), FindingsDigest(List({y, x})));
  EXPECT_NE(FindingsDigest(a), FindingsDigest(List({x})));
  EXPECT_EQ(FindingsDigest(FindingList()).size(), 7u + 64u);
}

// The digest's bytes are fixed (docs/ledger.md): a reviewer's client may
// recompute it. Each finding's deterministic serialization, preceded by its
// length as 8 bytes big-endian, hashed as one.
TEST(Clearance, FindingsDigestIsSha256OfLengthPrefixedSerializations) {
  const v1::Finding x = F("A", v1::ERROR, "x"), y = F("B", v1::WARNING, "y");
  std::string bytes;
  for (const v1::Finding* f : {&x, &y}) {
    const std::string one = DeterministicBytes(*f);
    bytes += std::string(7, '\0') + static_cast<char>(one.size()) + one;
  }
  EXPECT_EQ(FindingsDigest(List({x, y})), Sha256Hex(bytes));
}

TEST(RegionSums, SumsPresentCellsAndKeepsCellsEmptyEverywhereEmpty) {
  v1::Report a, b;
  a.mutable_requests()->mutable_received()->set_natural_person(3);
  a.mutable_requests()->mutable_received()->set_total(-2);  // kept as a value
  b.mutable_requests()->mutable_received()->set_natural_person(4);
  b.mutable_appeals()->mutable_administrative_reconsideration()->set_total(7);
  RegionSums sums;
  sums.Add(PackTableCells(a));
  sums.Add(PackTableCells(b));
  sums.Add("garbage");
  EXPECT_EQ(sums.skipped(), 1);
  v1::Report total = sums.ToReport();
  EXPECT_EQ(total.requests().received().natural_person(), 7);
  EXPECT_EQ(total.requests().received().total(), -2);
  EXPECT_EQ(total.appeals().administrative_reconsideration().total(), 7);
  EXPECT_FALSE(total.requests().received().has_commercial_enterprise());
}

TEST(RegionSums, DamagedBlobsAddNothingAndSumsAreCapped) {
  v1::Report a;
  a.mutable_requests()->mutable_received()->set_natural_person(INT64_MAX);
  const std::string packed = PackTableCells(a);
  RegionSums sums;
  sums.Add(packed);
  sums.Add(packed);                                 // capped, not wrapped
  sums.Add(packed.substr(0, packed.size() - 1));    // truncated
  sums.Add(packed + '\x01');                        // one cell too many
  sums.Add(std::string(11, '\xFF') + packed);       // a varint longer than 64 bits
  EXPECT_EQ(sums.skipped(), 3);
  EXPECT_EQ(sums.ToReport().requests().received().natural_person(), INT64_MAX);
  EXPECT_FALSE(sums.ToReport().requests().received().has_total());
}

}  // namespace
}  // namespace disclosure::audit
