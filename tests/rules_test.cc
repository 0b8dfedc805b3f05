// The audit rules on the sample (郑州市公安局 2021, tests/testdata/
// zhengzhou-psb-2021.json, written by hand from the published text): the
// sample as it is, then, rule by rule, a change that breaks the rule and
// exactly the findings that change must bring.
#include "core/rules/rules.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/report/decimal.h"
#include "core/report/export.h"
#include "core/import/import.h"
#include "core/report/template.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace disclosure {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(DISCLOSURE_TESTDATA) + "/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const v1::Report& Sample() {
  static const v1::Report* report = [] {
    auto* r = new v1::Report;
    const absl::Status s = FromJson(ReadTestdata("zhengzhou-psb-2021.json"), r);
    EXPECT_TRUE(s.ok()) << s;
    return r;
  }();
  return *report;
}

// Identity of a finding for comparing runs: everything but the message.
std::string Key(const v1::Finding& f) {
  return absl::StrCat(f.rule_id(), " | ", f.location().ShortDebugString(), " | ", f.expected(),
                      " | ", f.actual());
}

std::string Dump(const std::vector<v1::Finding>& findings) {
  std::vector<std::string> lines;
  for (const auto& f : findings) lines.push_back(absl::StrCat(Key(f), " | ", f.message()));
  return absl::StrJoin(lines, "\n");
}

// Findings of `now` that are not in `before`.
std::vector<v1::Finding> Minus(const std::vector<v1::Finding>& now,
                               const std::vector<v1::Finding>& before) {
  std::multiset<std::string> keys;
  for (const auto& f : before) keys.insert(Key(f));
  std::vector<v1::Finding> out;
  for (const auto& f : now) {
    auto it = keys.find(Key(f));
    if (it == keys.end()) {
      out.push_back(f);
    } else {
      keys.erase(it);
    }
  }
  return out;
}

const std::vector<v1::Finding>& SampleFindings() {
  static const auto* findings = new std::vector<v1::Finding>(Validate(Sample()));
  return *findings;
}

// What a changed sample brings (added) and takes away (removed).
struct Change {
  std::vector<v1::Finding> added;
  std::vector<v1::Finding> removed;
};
Change Diff(const v1::Report& changed, const ValidationContext& context = {}) {
  const std::vector<v1::Finding> now = Validate(changed, context);
  return {Minus(now, SampleFindings()), Minus(SampleFindings(), now)};
}

std::vector<std::string> RuleIds(const std::vector<v1::Finding>& findings) {
  std::vector<std::string> ids;
  for (const auto& f : findings) ids.push_back(f.rule_id());
  return ids;
}

// Replaces the one occurrence of `from` in `text`.
void ReplaceOnce(std::string* text, const std::string& from, const std::string& to) {
  const size_t at = text->find(from);
  ASSERT_NE(at, std::string::npos) << from;
  ASSERT_EQ(text->find(from, at + 1), std::string::npos) << from << " occurs twice";
  text->replace(at, from.size(), to);
}

int CodePoints(absl::string_view s) {
  int n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Code-point span [start, end) of the first `needle` at or after byte `from`.
std::pair<int, int> Span(const std::string& text, const std::string& needle, size_t from = 0) {
  const size_t at = text.find(needle, from);
  EXPECT_NE(at, std::string::npos) << needle;
  if (at == std::string::npos) return {-1, -1};
  const int start = CodePoints(absl::string_view(text).substr(0, at));
  return {start, start + CodePoints(needle)};
}

void ExpectSpan(const v1::Finding& f, const std::string& field, std::pair<int, int> span) {
  EXPECT_EQ(f.location().field_path(), field);
  EXPECT_EQ(f.location().start_offset(), span.first);
  EXPECT_EQ(f.location().end_offset(), span.second);
}

// The cell location the template gives (row path, column and both labels).
void ExpectCell(const v1::Finding& f, const std::string& section, const std::string& row,
                const std::string& column, const std::string& row_label,
                const std::string& column_label) {
  const v1::Location& l = f.location();
  EXPECT_EQ(l.section(), section);
  EXPECT_EQ(l.field_path(), row + "." + column);
  EXPECT_EQ(l.row(), row);
  EXPECT_EQ(l.column(), column);
  EXPECT_EQ(l.row_label(), row_label);
  EXPECT_EQ(l.column_label(), column_label);
  EXPECT_EQ(l.start_offset(), 0);
  EXPECT_EQ(l.end_offset(), 0);
}

std::vector<std::string> AddendLabels(const v1::Finding& f) {
  std::vector<std::string> out;
  for (const auto& a : f.addends()) out.push_back(a.label());
  return out;
}

std::vector<int64_t> AddendValues(const v1::Finding& f) {
  std::vector<int64_t> out;
  for (const auto& a : f.addends()) out.push_back(a.has_value() ? a.value() : -999);
  return out;
}

v1::ApplicantCounts* Row(v1::Report* r, int row) { return MutableRequestRow(r, row); }

// The sample with `text` appended to part 六 (which has no findings but
// S-FEE6, so offsets of the other findings stay).
v1::Report WithOtherMatters(const std::string& text) {
  v1::Report r = Sample();
  r.set_other_matters(absl::StrCat(r.other_matters(), text));
  return r;
}

// ================================================================ the sample
TEST(Sample, HandWrittenJsonIsThePublishedText) {
  // The JSON and the importer were written apart; they must agree on every
  // cell and every character of text.
  absl::StatusOr<ImportResult> imported = ImportText(ReadTestdata("zhengzhou-psb-2021.txt"));
  ASSERT_TRUE(imported.ok()) << imported.status();
  v1::Report from_text = imported->report;
  *from_text.mutable_agency() = Sample().agency();  // not in the published text
  EXPECT_EQ(from_text.import_record().format(), "text");
  EXPECT_TRUE(from_text.import_record().unread().empty());
  from_text.clear_import_record();  // how it was read, not what it says
  std::string differences;
  google::protobuf::util::MessageDifferencer d;
  d.ReportDifferencesToString(&differences);
  EXPECT_TRUE(d.Compare(from_text, Sample())) << differences;
}

TEST(Sample, NoErrorAndExactlyTheFindingsCheckedByHand) {
  const std::vector<v1::Finding>& findings = SampleFindings();
  EXPECT_FALSE(HasErrors(findings));
  // rules.md, "The sample, checked by hand"; in report order.
  ASSERT_THAT(RuleIds(findings), ElementsAre("N-DONE", "N-T3-COVER", "S-FEE6")) << Dump(findings);
  const std::string& overview = Sample().overview();

  const v1::Finding& done = findings[0];
  EXPECT_EQ(done.severity(), v1::INFO);
  EXPECT_EQ(done.location().section(), "一");
  ExpectSpan(done, "overview", Span(overview, "均按时办结"));
  EXPECT_EQ(done.expected(), "0");
  EXPECT_EQ(done.actual(), "1");
  EXPECT_THAT(done.message(), HasSubstr("四、结转下年度继续办理"));

  // 31 + 14 + 4 + 25 + 15 + 1 (结转) = 90, where （七）总计 90 + 四 1 = 91:
  // the prose leaves out （五）不予处理 1.
  const v1::Finding& cover = findings[1];
  EXPECT_EQ(cover.severity(), v1::WARNING);
  // The span: from the first outcome to the last 件 of the list.
  ExpectSpan(cover, "overview",
             {Span(overview, "予以公开 31 件").first, Span(overview, "继续办 1 件").second});
  EXPECT_EQ(cover.expected(), "91");
  EXPECT_EQ(cover.actual(), "90");
  EXPECT_THAT(AddendLabels(cover),
              ElementsAre("（一）予以公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                          "（三）不予公开", "（四）无法提供", "（六）其他处理",
                          "四、结转下年度继续办理"));
  EXPECT_THAT(AddendValues(cover), ElementsAre(31, 14, 4, 25, 15, 1));
  EXPECT_EQ(cover.addends(2).field_path(), "requests.outcomes.withheld");
  EXPECT_EQ(cover.addends(0).field_path(), "requests.outcomes.disclosed.total");
  EXPECT_THAT(cover.message(), HasSubstr("未提及：（五）不予处理 1 件"));

  const v1::Finding& fee = findings[2];
  EXPECT_EQ(fee.severity(), v1::WARNING);
  EXPECT_EQ(fee.location().section(), "六");
  EXPECT_EQ(fee.location().field_path(), "other_matters");
  EXPECT_THAT(fee.message(), HasSubstr("信息处理费"));
}

TEST(Sample, FindingsCarryVersionAndCatalogueSeverity) {
  v1::Report r = Sample();
  r.set_template_version(v1::TEMPLATE_VERSION_2019);
  Row(&r, kReceived)->set_total(87);
  r.mutable_appeals()->mutable_litigation_direct()->set_corrected(-1);
  r.set_other_matters("秘密★ 13812345678");
  for (const auto& f : Validate(r)) {
    EXPECT_EQ(f.rule_set_version(), kRuleSetVersion);
    bool known = false;
    for (const RuleInfo& rule : AllRules()) {
      if (f.rule_id() == rule.id) {
        known = true;
        EXPECT_EQ(f.severity(), rule.severity) << f.rule_id();
      }
    }
    EXPECT_TRUE(known) << f.rule_id();
    EXPECT_FALSE(f.message().empty()) << f.rule_id();
  }
}

TEST(Catalogue, ListsEveryRuleOnceWithATitleInItsOrder) {
  std::set<std::string> ids;
  for (size_t i = 0; i < AllRules().size(); ++i) {
    const RuleInfo& rule = AllRules()[i];
    EXPECT_EQ(static_cast<size_t>(rule.rule), i) << rule.id;
    EXPECT_EQ(&RuleOf(rule.rule), &rule) << rule.id;
    EXPECT_TRUE(ids.insert(rule.id).second) << rule.id;
    EXPECT_NE(rule.severity, v1::SEVERITY_UNSPECIFIED) << rule.id;
    EXPECT_GT(std::string(rule.title).size(), 0u) << rule.id;
  }
  EXPECT_EQ(AllRules().size(), static_cast<size_t>(RuleId::kCount));
}

// docs/rules.md has one catalogue row ("| ID | severity | …") per rule, with
// the catalogue's severity, and no row for a rule the code does not have.
TEST(Catalogue, DocsListEveryRuleWithItsSeverity) {
  std::ifstream in(std::string(DISCLOSURE_DOCS) + "/rules.md");
  ASSERT_TRUE(in) << DISCLOSURE_DOCS;
  std::map<std::string, std::string> documented;  // id -> severity as written
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells = absl::StrSplit(line, '|');
    if (cells.size() < 4 || !cells[0].empty()) continue;
    std::string id(absl::StripAsciiWhitespace(cells[1]));
    std::string severity(absl::StripAsciiWhitespace(cells[2]));
    if (id.empty() || id == "ID" || !absl::ascii_isupper(id[0])) continue;
    if (severity != "error" && severity != "warning" && severity != "info" &&
        severity != "error / warning") {
      continue;
    }
    EXPECT_TRUE(documented.emplace(id, severity).second) << id << " twice";
  }
  std::set<std::string> in_code;
  for (const RuleInfo& rule : AllRules()) {
    in_code.insert(rule.id);
    auto it = documented.find(rule.id);
    ASSERT_NE(it, documented.end()) << rule.id << " is not in docs/rules.md";
    std::string severity = absl::AsciiStrToLower(v1::Severity_Name(rule.severity));
    EXPECT_TRUE(absl::StartsWith(it->second, severity))
        << rule.id << ": docs " << it->second << ", catalogue " << severity;
  }
  for (const auto& [id, severity] : documented) {
    EXPECT_TRUE(in_code.count(id)) << id << " is documented but not in the catalogue";
  }
}

// ================================================================ tables
TEST(TableRules, RowTotalIsTheSumOfTheSixApplicantColumns) {
  // A case moved from 部分公开 to 予以公开 in the 自然人 column only: the
  // column still adds up, the two rows' 总计 no longer do.
  v1::Report r = Sample();
  Row(&r, kDisclosed)->set_natural_person(32);
  Row(&r, kPartiallyDisclosed)->set_natural_person(13);
  const Change c = Diff(r);
  EXPECT_THAT(c.removed, IsEmpty()) << Dump(c.removed);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("T3-ROW", "T3-ROW")) << Dump(c.added);
  const v1::Finding& f = c.added[0];
  EXPECT_EQ(f.severity(), v1::ERROR);
  ExpectCell(f, "三", "requests.outcomes.disclosed", "total", "（一）予以公开", "总计");
  EXPECT_EQ(f.expected(), "32");
  EXPECT_EQ(f.actual(), "31");
  EXPECT_THAT(AddendLabels(f), ElementsAre("自然人", "商业企业", "科研机构", "社会公益组织",
                                           "法律服务机构", "其他"));
  EXPECT_THAT(AddendValues(f), ElementsAre(32, 0, 0, 0, 0, 0));
  EXPECT_EQ(f.addends(0).field_path(), "requests.outcomes.disclosed.natural_person");
  EXPECT_EQ(f.message(), "表三“（一）予以公开”行“总计”列应等于六类申请人之和 32，实为 31");
  EXPECT_EQ(c.added[1].location().row(), "requests.outcomes.partially_disclosed");
  EXPECT_EQ(c.added[1].expected(), "13");
  EXPECT_EQ(c.added[1].actual(), "14");
}

TEST(TableRules, OutcomesTotalIsTheSumOfTheOutcomeRows) {
  // One more 信访 case in （五）, which the prose does not mention: （七）总计
  // no longer adds up, in the 自然人 and the 总计 columns.
  v1::Report r = Sample();
  Row(&r, 19)->set_natural_person(2);
  Row(&r, 19)->set_total(2);
  const Change c = Diff(r);
  EXPECT_THAT(c.removed, IsEmpty()) << Dump(c.removed);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("T3-OUT", "T3-OUT")) << Dump(c.added);
  const v1::Finding& f = c.added[0];
  EXPECT_EQ(f.severity(), v1::ERROR);
  ExpectCell(f, "三", "requests.outcomes.total", "natural_person", "（七）总计", "自然人");
  EXPECT_EQ(f.expected(), "91");
  EXPECT_EQ(f.actual(), "90");
  EXPECT_EQ(f.message(), "表三“（七）总计”行“自然人”列应等于各项办理结果之和 91，实为 90");
  ASSERT_EQ(f.addends_size(), 21);  // （一）, （二）, 8 + 3 + 5 + 3 sub-items
  EXPECT_EQ(f.addends(0).label(), "（一）予以公开");
  EXPECT_EQ(f.addends(2).label(), "（三）不予公开 1.属于国家秘密");
  EXPECT_EQ(f.addends(13).label(), "（五）不予处理 1.信访举报投诉类申请");
  EXPECT_EQ(f.addends(13).value(), 2);
  EXPECT_EQ(f.addends(20).field_path(), "requests.outcomes.other_handling.other.natural_person");
  EXPECT_EQ(f.addends(20).value(), 15);
  ExpectCell(c.added[1], "三", "requests.outcomes.total", "total", "（七）总计", "总计");
}

TEST(TableRules, BalanceOfTheCornerNote) {
  // 87 received (table and prose agree), nothing else changed: 一 + 二 = 92,
  // （七） + 四 = 91.
  v1::Report r = Sample();
  Row(&r, kReceived)->set_natural_person(87);
  Row(&r, kReceived)->set_total(87);
  ReplaceOnce(r.mutable_overview(), "受理依申请公开 86 件", "受理依申请公开 87 件");
  const Change c = Diff(r);
  EXPECT_THAT(c.removed, IsEmpty()) << Dump(c.removed);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("T3-BAL", "T3-BAL")) << Dump(c.added);
  const v1::Finding& f = c.added[0];
  EXPECT_EQ(f.severity(), v1::ERROR);
  EXPECT_EQ(f.location().section(), "三");
  EXPECT_EQ(f.location().field_path(), "requests");
  EXPECT_EQ(f.location().column(), "natural_person");
  EXPECT_EQ(f.location().column_label(), "自然人");
  EXPECT_EQ(f.expected(), "92");
  EXPECT_EQ(f.actual(), "91");
  EXPECT_THAT(AddendLabels(f),
              ElementsAre("一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量",
                          "（七）总计", "四、结转下年度继续办理"));
  EXPECT_THAT(AddendValues(f), ElementsAre(87, 5, 90, 1));
  EXPECT_EQ(c.added[1].location().column(), "total");
}

TEST(TableRules, AppealTotals) {
  v1::Report r = Sample();
  r.mutable_appeals()->mutable_administrative_reconsideration()->set_total(4);
  const Change c = Diff(r);
  EXPECT_THAT(c.removed, IsEmpty()) << Dump(c.removed);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("T4-SUM")) << Dump(c.added);
  const v1::Finding& f = c.added[0];
  EXPECT_EQ(f.severity(), v1::ERROR);
  ExpectCell(f, "四", "appeals.administrative_reconsideration", "total", "行政复议", "总计");
  EXPECT_EQ(f.expected(), "3");
  EXPECT_EQ(f.actual(), "4");
  EXPECT_THAT(AddendLabels(f), ElementsAre("结果维持", "结果纠正", "其他结果", "尚未审结"));
  EXPECT_THAT(AddendValues(f), ElementsAre(3, 0, 0, 0));
}

TEST(TableRules, AppealBlocksAreCheckedEachOnItsOwn) {
  // 复议后起诉 (4) larger than 行政复议 (3) is no error; a wrong 直接起诉 total is.
  v1::Report r = Sample();
  r.mutable_appeals()->mutable_litigation_after_reconsideration()->set_upheld(13);
  r.mutable_appeals()->mutable_litigation_after_reconsideration()->set_total(14);
  EXPECT_THAT(Diff(r).added, IsEmpty()) << Dump(Diff(r).added);
  r.mutable_appeals()->mutable_litigation_direct()->set_pending(2);
  const Change c = Diff(r);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("T4-SUM")) << Dump(c.added);
  EXPECT_EQ(c.added[0].location().row(), "appeals.litigation_direct");
  EXPECT_EQ(c.added[0].expected(), "6");
  EXPECT_EQ(c.added[0].actual(), "5");
}

TEST(TableRules, NegativeCountIsAnErrorAtThatCell) {
  v1::Report r = Sample();
  r.mutable_proactive_disclosure()->mutable_regulations()->set_issued(-1);
  Change c = Diff(r);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("T-INT")) << Dump(c.added);
  EXPECT_EQ(c.added[0].severity(), v1::ERROR);
  ExpectCell(c.added[0], "二", "proactive_disclosure.regulations", "issued", "规章",
             "本年制发件数");
  EXPECT_EQ(c.added[0].expected(), "≥ 0");
  EXPECT_EQ(c.added[0].actual(), "-1");

  // In table 三 the sums through that cell are not assessed: T-INT says it.
  r = Sample();
  Row(&r, 6)->set_commercial_enterprise(-1);
  c = Diff(r);
  EXPECT_THAT(c.removed, IsEmpty()) << Dump(c.removed);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("T-INT")) << Dump(c.added);
  ExpectCell(c.added[0], "三", "requests.outcomes.withheld.state_secret", "commercial_enterprise",
             "1.属于国家秘密", "商业企业");
}

// Issue 12: counts up to INT64_MAX were taken as counts, and the sums over
// them overflowed (N-T3 printed -9223372036854775804). A count above what a
// report can hold (kMaxCount) is a T-INT error at its cell, and no sum,
// difference or message goes through it.
TEST(TableRules, CountsBeyondWhatAReportHoldsAreErrorsAndNoSumOverflows) {
  constexpr int64_t kHuge = std::numeric_limits<int64_t>::max();
  v1::Report r = Sample();
  Row(&r, kReceived)->set_total(kHuge);
  Row(&r, kCarriedOver)->set_total(kHuge - 3);
  Row(&r, kCarriedOver)->set_natural_person(kHuge);
  Row(&r, kCarriedOver)->set_commercial_enterprise(kHuge);
  r.mutable_appeals()->mutable_litigation_direct()->set_total(kHuge);
  r.mutable_appeals()->mutable_litigation_after_reconsideration()->set_total(kHuge);
  r.mutable_appeals()->mutable_administrative_reconsideration()->set_upheld(kHuge);
  r.mutable_appeals()->mutable_administrative_reconsideration()->set_corrected(kHuge);
  r.mutable_proactive_disclosure()->mutable_regulations()->set_issued(kMaxCount + 1);
  // Stated counts as long as a count may be, and longer.
  ReplaceOnce(r.mutable_overview(), "受理依申请公开 86 件",
              "受理依申请公开 999999999999999999 件");
  ReplaceOnce(r.mutable_overview(), "予以公开 31 件", "予以公开 999999999999 件");
  ReplaceOnce(r.mutable_overview(), "部分公开 14 件", "部分公开 999999999999 件");
  const std::vector<v1::Finding> findings = Validate(r);
  int huge = 0;
  for (const v1::Finding& f : findings) {
    for (const std::string& text : {f.message(), f.expected(), f.actual()}) {
      EXPECT_FALSE(absl::StrContains(text, "-9")) << Dump({f});
      // Only T-INT names the cell's value; nothing is computed from it.
      if (f.rule_id() != "T-INT") {
        EXPECT_FALSE(absl::StrContains(text, "922337203685477")) << Dump({f});
        EXPECT_FALSE(absl::StrContains(text, "99999999999999")) << Dump({f});
      }
    }
    if (f.rule_id() == "T-INT") {
      ++huge;
      EXPECT_EQ(f.expected(), "≤ 999999999999") << Dump({f});
      EXPECT_THAT(f.message(), HasSubstr("超出一份报告可能的件数")) << Dump({f});
    }
  }
  EXPECT_EQ(huge, 9) << Dump(findings);
  // The bound itself is a count like any other.
  r = Sample();
  r.mutable_proactive_disclosure()->mutable_regulations()->set_issued(kMaxCount);
  EXPECT_THAT(RuleIds(Diff(r).added), Not(testing::Contains("T-INT")));
}

TEST(TableRules, EmptyCellIsAFindingAndItsSumsAreNotAssessed) {
  v1::Report r = Sample();
  Row(&r, kDisclosed)->clear_natural_person();
  Change c = Diff(r);
  EXPECT_THAT(c.removed, IsEmpty()) << Dump(c.removed);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("EMPTY")) << Dump(c.added);
  EXPECT_EQ(c.added[0].severity(), v1::ERROR);
  ExpectCell(c.added[0], "三", "requests.outcomes.disclosed", "natural_person", "（一）予以公开",
             "自然人");
  EXPECT_EQ(c.added[0].actual(), "空");
  EXPECT_EQ(c.added[0].message(), "表三“（一）予以公开”行“自然人”列为空：每个单元格都应填写，没有的填 0");

  // An empty 总计: its row, its column, the balance and the prose's 受理 are
  // all not assessable; only EMPTY remains.
  r = Sample();
  Row(&r, kReceived)->clear_total();
  c = Diff(r);
  EXPECT_THAT(c.removed, IsEmpty()) << Dump(c.removed);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("EMPTY")) << Dump(c.added);
  EXPECT_EQ(c.added[0].location().field_path(), "requests.received.total");

  // And one finding per empty cell.
  r = Sample();
  r.mutable_appeals()->mutable_litigation_direct()->clear_upheld();
  r.mutable_appeals()->mutable_litigation_direct()->clear_total();
  c = Diff(r);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("EMPTY", "EMPTY")) << Dump(c.added);
  EXPECT_EQ(c.added[0].location().field_path(), "appeals.litigation_direct.upheld");
  EXPECT_EQ(c.added[1].location().field_path(), "appeals.litigation_direct.total");
}

TEST(TableRules, EmptyFeeCell) {
  v1::Report r = Sample();
  SetFee(&r, std::nullopt);
  const Change c = Diff(r);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("EMPTY")) << Dump(c.added);
  const v1::Location& l = c.added[0].location();
  EXPECT_EQ(l.section(), "二");
  EXPECT_EQ(l.field_path(), "proactive_disclosure.administrative_fees.amount_10k_yuan");
  EXPECT_EQ(l.row_label(), "行政事业性收费");
  EXPECT_EQ(l.column_label(), "本年收费金额（单位：万元）");
}

struct FeeCase {
  const char* text;
  v1::Severity severity;  // SEVERITY_UNSPECIFIED: no finding
  const char* says;
};

void PrintTo(const FeeCase& c, std::ostream* os) { *os << "\"" << c.text << "\""; }

class FeeTest : public ::testing::TestWithParam<FeeCase> {};

TEST_P(FeeTest, FeeCell) {
  v1::Report r = Sample();
  SetFee(&r, std::string(GetParam().text));
  const Change c = Diff(r);
  EXPECT_THAT(c.removed, IsEmpty()) << Dump(c.removed);
  if (GetParam().severity == v1::SEVERITY_UNSPECIFIED) {
    EXPECT_THAT(c.added, IsEmpty()) << Dump(c.added);
    return;
  }
  ASSERT_THAT(RuleIds(c.added), ElementsAre("T2-FEE")) << Dump(c.added);
  const v1::Finding& f = c.added[0];
  EXPECT_EQ(f.severity(), GetParam().severity);
  EXPECT_EQ(f.location().field_path(), "proactive_disclosure.administrative_fees.amount_10k_yuan");
  EXPECT_EQ(f.actual(), GetParam().text);
  EXPECT_THAT(f.message(), HasSubstr(GetParam().says));
}

INSTANTIATE_TEST_SUITE_P(
    Amounts, FeeTest,
    ::testing::Values(FeeCase{"22943.1665", v1::SEVERITY_UNSPECIFIED, ""},
                      FeeCase{"0", v1::SEVERITY_UNSPECIFIED, ""},
                      FeeCase{"3.5", v1::SEVERITY_UNSPECIFIED, ""},
                      FeeCase{"999999.9999", v1::SEVERITY_UNSPECIFIED, ""},
                      FeeCase{"22943.1665万元", v1::ERROR, "单位"},
                      FeeCase{"22,943.1665", v1::ERROR, "千位分隔符"},
                      FeeCase{"22943.16650", v1::ERROR, "小数超过四位"},
                      FeeCase{"-1", v1::ERROR, "负数"},
                      FeeCase{"约2万", v1::ERROR, "不是十进制数"},
                      FeeCase{"1000000", v1::WARNING, "疑为以元而非万元"},
                      FeeCase{"229431665", v1::WARNING, "疑为以元而非万元"}));

// ================================================================ across years
// The agency's 2020 report, made up to fit the sample: 四 of 2020 is the
// sample's 二, and 行政规范性文件 in force 13 + 3 − 5 = 11.
v1::Report Previous() {
  v1::Report p;
  p.set_template_version(v1::TEMPLATE_VERSION_2019);
  *p.mutable_agency() = Sample().agency();
  p.set_year(2020);
  p.set_title("郑州市公安局 2020 年政府信息公开工作年度报告");
  p.set_overview("2020 年，郑州市公安局认真贯彻落实《中华人民共和国政府信息公开条例》。");
  p.set_problems_and_improvements("公开的及时性有待提高。");
  MaterializeTables(&p);
  const int64_t documents[2][3] = {{0, 0, 0}, {2, 1, 13}};
  for (int row = 0; row < 2; ++row) {
    for (int col = 0; col < 3; ++col) SetProactiveCount(&p, row, col, documents[row][col]);
  }
  SetProactiveCount(&p, 2, 0, 700112);
  SetProactiveCount(&p, 3, 0, 14001);
  SetProactiveCount(&p, 4, 0, 50100);
  SetFee(&p, "21000.5");
  for (int row = 0; row < kRequestRowCount; ++row) {
    if (kRequestRows[row].is_group) continue;
    for (int col = 0; col < kApplicantColumnCount; ++col) {
      SetApplicantCell(MutableRequestRow(&p, row), col, 0);
    }
  }
  auto set = [&](int row, int64_t v) {
    SetApplicantCell(MutableRequestRow(&p, row), 0, v);
    SetApplicantCell(MutableRequestRow(&p, row), kApplicantTotalColumn, v);
  };
  set(kReceived, 70);
  set(kCarriedOver, 2);
  set(kDisclosed, 30);
  set(kPartiallyDisclosed, 10);
  set(15, 27);  // 不掌握
  set(kOutcomesTotal, 67);
  set(kCarriedToNextYear, 5);
  for (int block = 0; block < kAppealBlockCount; ++block) {
    for (int col = 0; col < kAppealColumnCount; ++col) {
      SetAppealCell(MutableAppealBlock(&p, block), col, col == 0 || col == 4 ? 2 : 0);
    }
  }
  return p;
}

ValidationContext WithPrevious(const v1::Report* previous) {
  ValidationContext c;
  c.previous = previous;
  c.previous_reference = "agencies/zz-psb/reports/2020/versions/1";
  return c;
}

TEST(AcrossYears, NothingWithoutAPreviousReportNothingWhenItFits) {
  EXPECT_EQ(RuleIds(SampleFindings()), RuleIds(Validate(Sample(), ValidationContext{})));
  const v1::Report previous = Previous();
  const Change c = Diff(Sample(), WithPrevious(&previous));
  EXPECT_THAT(c.added, IsEmpty()) << Dump(c.added);
  EXPECT_THAT(c.removed, IsEmpty()) << Dump(c.removed);
}

TEST(AcrossYears, CarriedOverIsLastYearsCarriedToNextYear) {
  v1::Report previous = Previous();
  SetApplicantCell(MutableRequestRow(&previous, kCarriedToNextYear), 1, 1);
  const Change c = Diff(Sample(), WithPrevious(&previous));
  ASSERT_THAT(RuleIds(c.added), ElementsAre("X-CARRY")) << Dump(c.added);
  const v1::Finding& f = c.added[0];
  EXPECT_EQ(f.severity(), v1::WARNING);
  ExpectCell(f, "三", "requests.carried_over_from_previous_year", "commercial_enterprise",
             "二、上年结转政府信息公开申请数量", "商业企业");
  EXPECT_EQ(f.expected(), "1");
  EXPECT_EQ(f.actual(), "0");
  EXPECT_EQ(f.reference(), "agencies/zz-psb/reports/2020/versions/1");
}

TEST(AcrossYears, DocumentsInForceFollowOn) {
  v1::Report previous = Previous();
  SetProactiveCount(&previous, 1, 2, 12);  // 12 + 3 − 5 = 10, not 11
  const Change c = Diff(Sample(), WithPrevious(&previous));
  ASSERT_THAT(RuleIds(c.added), ElementsAre("X-INFORCE")) << Dump(c.added);
  const v1::Finding& f = c.added[0];
  EXPECT_EQ(f.severity(), v1::WARNING);
  ExpectCell(f, "二", "proactive_disclosure.normative_documents", "in_force", "行政规范性文件",
             "现行有效件数");
  EXPECT_EQ(f.expected(), "10");
  EXPECT_EQ(f.actual(), "11");
  EXPECT_THAT(AddendLabels(f), ElementsAre("上年现行有效件数", "本年制发件数", "本年废止件数（减）"));
  EXPECT_THAT(AddendValues(f), ElementsAre(12, 3, 5));
  EXPECT_EQ(f.reference(), "agencies/zz-psb/reports/2020/versions/1");
}

TEST(AcrossYears, RepealedAtMostWhatWasInForceAndIssued) {
  // Last year 1 in force, 3 issued: 5 cannot have been repealed. Whenever
  // this holds X-INFORCE fails too (11 in force ≠ 1 + 3 − 5): both report.
  v1::Report previous = Previous();
  SetProactiveCount(&previous, 1, 2, 1);
  const Change c = Diff(Sample(), WithPrevious(&previous));
  ASSERT_THAT(RuleIds(c.added), ElementsAre("T2-REPEAL", "X-INFORCE")) << Dump(c.added);
  const v1::Finding& f = c.added[0];
  EXPECT_EQ(f.severity(), v1::WARNING);
  ExpectCell(f, "二", "proactive_disclosure.normative_documents", "repealed", "行政规范性文件",
             "本年废止件数");
  EXPECT_EQ(f.expected(), "≤ 4");
  EXPECT_EQ(f.actual(), "5");
  EXPECT_THAT(AddendValues(f), ElementsAre(1, 3));
  EXPECT_EQ(c.added[1].expected(), "-1");
  // At the limit there is nothing to say.
  SetProactiveCount(&previous, 1, 2, 2);
  EXPECT_THAT(RuleIds(Diff(Sample(), WithPrevious(&previous)).added),
              ElementsAre("X-INFORCE"));
}

TEST(AcrossYears, TableCopiedFromLastYear) {
  // Last year's table 三 equals this year's but for 四, which must be this
  // year's 二: 22 of 24 non-zero cells the same.
  v1::Report previous = Previous();
  *previous.mutable_requests() = Sample().requests();
  SetApplicantCell(MutableRequestRow(&previous, kCarriedToNextYear), 0, 5);
  SetApplicantCell(MutableRequestRow(&previous, kCarriedToNextYear), kApplicantTotalColumn, 5);
  const Change c = Diff(Sample(), WithPrevious(&previous));
  ASSERT_THAT(RuleIds(c.added), ElementsAre("X-SAME")) << Dump(c.added);
  const v1::Finding& f = c.added[0];
  EXPECT_EQ(f.severity(), v1::WARNING);
  EXPECT_EQ(f.location().section(), "三");
  EXPECT_EQ(f.location().field_path(), "requests");
  EXPECT_EQ(f.actual(), "24 个非零单元格中 22 个与上年相同");
  EXPECT_EQ(f.reference(), "agencies/zz-psb/reports/2020/versions/1");
}

TEST(AcrossYears, WholeReportCopiedFromLastYear) {
  // Last year's report is this one with only the year changed in the text.
  v1::Report previous = Sample();
  previous.set_year(2020);
  std::string overview = previous.overview();
  for (size_t at; (at = overview.find("2021")) != std::string::npos;) overview.replace(at, 4, "2020");
  previous.set_overview(overview);
  const Change c = Diff(Sample(), WithPrevious(&previous));
  // Every table and both long narrative parts; and 二 ≠ last year's 四.
  EXPECT_THAT(RuleIds(c.added), ElementsAre("X-SAME", "X-SAME", "X-INFORCE", "X-SAME", "X-CARRY",
                                            "X-CARRY", "X-SAME", "X-SAME"))
      << Dump(c.added);
  std::vector<std::string> sections;
  for (const auto& f : c.added) {
    if (f.rule_id() == "X-SAME") sections.push_back(f.location().section());
  }
  EXPECT_THAT(sections, ElementsAre("一", "二", "三", "四", "五"));
}

TEST(AcrossYears, TablesOfZerosAreNotCopies) {
  // Small agencies have all-zero tables year after year.
  v1::Report now = Sample();
  v1::Report previous = Previous();
  for (const CountCell& cell : AllCountCells()) {
    if (cell.section == '4') {
      SetCount(&now, cell, 0);
      SetCount(&previous, cell, 0);
    }
  }
  for (const auto& f : Validate(now, WithPrevious(&previous))) EXPECT_NE(f.rule_id(), "X-SAME");
}

// X-SAME looks last year's paragraphs up, it does not compare each with
// each (issue 12: two narratives of 40,000 short paragraphs, 450 KB of text,
// took 171 s in Validate; now well under a second). Copied paragraphs still
// count, figures aside.
TEST(AcrossYears, ManyParagraphsAreComparedInLinearTime) {
  auto paragraphs = [](const char* prefix, int n) {
    std::vector<std::string> out;
    for (int k = 0; k < n; ++k) {
      std::string name = prefix;
      for (int i = 0, v = k; i < 4; ++i, v /= 26) name.push_back(static_cast<char>('a' + v % 26));
      out.push_back(name);
    }
    return out;
  };
  v1::Report now = Sample();
  v1::Report previous = Previous();
  now.set_overview(absl::StrJoin(paragraphs("工作", 40000), "\n"));
  previous.set_overview(absl::StrJoin(paragraphs("别的", 40000), "\n"));
  const absl::Time start = absl::Now();
  std::vector<v1::Finding> findings = Validate(now, WithPrevious(&previous));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  for (const auto& f : findings) {
    EXPECT_FALSE(f.rule_id() == "X-SAME" && f.location().section() == "一") << f.DebugString();
  }
  // The same paragraphs, each with other figures, in another order: a copy.
  std::vector<std::string> copied = paragraphs("工作", 40000);
  std::reverse(copied.begin(), copied.end());
  for (std::string& paragraph : copied) paragraph += " 2020";
  previous.set_overview(absl::StrJoin(copied, "\n"));
  bool same = false;
  for (const auto& f : Validate(now, WithPrevious(&previous))) {
    same |= f.rule_id() == "X-SAME" && f.location().section() == "一";
  }
  EXPECT_TRUE(same);
}

// ================================================================ narrative
TEST(Narrative, StatedCountsAgreeWithTable3) {
  v1::Report r = Sample();
  ReplaceOnce(r.mutable_overview(), "上年结转政府信息公开申请 5 件", "上年结转政府信息公开申请 6 件");
  const Change c = Diff(r);
  EXPECT_THAT(c.removed, IsEmpty()) << Dump(c.removed);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("N-T3")) << Dump(c.added);
  const v1::Finding& f = c.added[0];
  EXPECT_EQ(f.severity(), v1::WARNING);
  EXPECT_EQ(f.location().section(), "一");
  const size_t sentence = r.overview().find("上年结转政府信息公开申请");
  ExpectSpan(f, "overview", Span(r.overview(), "6", sentence));
  EXPECT_EQ(f.expected(), "5");
  EXPECT_EQ(f.actual(), "6");
  EXPECT_THAT(f.message(), HasSubstr("二、上年结转政府信息公开申请数量"));
}

TEST(Narrative, AcceptedMayIncludeTheCarriedOver) {
  v1::Report r = Sample();
  ReplaceOnce(r.mutable_overview(), "受理依申请公开 86 件", "受理依申请公开 91 件");
  EXPECT_THAT(Diff(r).added, IsEmpty()) << Dump(Diff(r).added);
  r = Sample();
  ReplaceOnce(r.mutable_overview(), "受理依申请公开 86 件", "受理依申请公开 90 件");
  const Change c = Diff(r);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("N-T3")) << Dump(c.added);
  EXPECT_EQ(c.added[0].expected(), "86 或 91");
  EXPECT_EQ(c.added[0].actual(), "90");
}

TEST(Narrative, GroupCountIsTheSumOfItsSubItems) {
  // 不予公开 is 2 + 1 + 1 = 4 in the table. With 5 the list happens to add
  // up to 91, so N-T3-COVER goes.
  v1::Report r = Sample();
  ReplaceOnce(r.mutable_overview(), "不予公开 4 件", "不予公开 5 件");
  const Change c = Diff(r);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("N-T3")) << Dump(c.added);
  EXPECT_EQ(c.added[0].expected(), "4");
  EXPECT_EQ(c.added[0].actual(), "5");
  EXPECT_THAT(c.added[0].message(), HasSubstr("与表三“（三）不予公开”各项总计之和 4 不符"));
  EXPECT_THAT(RuleIds(c.removed), ElementsAre("N-T3-COVER"));
}

TEST(Narrative, OtherPartsAreReadToo) {
  v1::Report r = WithOtherMatters("本年度共新收政府信息公开申请 88 件。");
  const Change c = Diff(r);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("N-T3")) << Dump(c.added);
  EXPECT_EQ(c.added[0].location().section(), "六");
  ExpectSpan(c.added[0], "other_matters", Span(r.other_matters(), "88"));
  EXPECT_EQ(c.added[0].expected(), "86");
}

TEST(Narrative, CountsOfOtherThingsAreNotRead) {
  v1::Report r = Sample();
  r.set_overview(absl::StrCat(
      r.overview(),
      "\n全年受理群众来信 100 件，受理行政复议申请 7 件，予以公开和部分公开共 46 件，"
      "主动公开信息 1870 件，办结率 100%。"));
  EXPECT_THAT(Diff(r).added, IsEmpty()) << Dump(Diff(r).added);
}

TEST(Narrative, ListedOutcomesCoverTheTotal) {
  // With 不予处理 in the list it adds up: 31+14+4+25+1+15+1 = 91.
  v1::Report r = Sample();
  ReplaceOnce(r.mutable_overview(), "无法提供 25 件，", "无法提供 25 件，不予处理 1 件，");
  Change c = Diff(r);
  EXPECT_THAT(c.added, IsEmpty()) << Dump(c.added);
  EXPECT_THAT(RuleIds(c.removed), ElementsAre("N-T3-COVER"));
  // Without 结转 in the list it must add up to （七）总计 alone.
  ReplaceOnce(r.mutable_overview(), "，结转下年度继续办 1 件", "");
  c = Diff(r);
  EXPECT_THAT(c.added, IsEmpty()) << Dump(c.added);
  // One class is no list.
  r = Sample();
  ReplaceOnce(r.mutable_overview(), "予以公开 31 件，部分公开 14 件，不予公开 4 件，无法提供 25 件，其他处理 15 件，",
              "予以公开 31 件。");
  c = Diff(r);
  EXPECT_THAT(c.added, IsEmpty()) << Dump(c.added);
  EXPECT_THAT(RuleIds(c.removed), ElementsAre("N-T3-COVER"));
}

TEST(Narrative, AppealCountsAgreeWithTable4) {
  v1::Report r = Sample();
  r.set_overview(absl::StrCat(r.overview(), "\n全年发生行政复议 3 件、行政诉讼 9 件。"));
  EXPECT_THAT(Diff(r).added, IsEmpty()) << Dump(Diff(r).added);
  r.set_overview(absl::StrCat(Sample().overview(), "\n全年发生行政复议 4 件、行政诉讼 7 件。"));
  const Change c = Diff(r);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("N-T4", "N-T4")) << Dump(c.added);
  EXPECT_EQ(c.added[0].severity(), v1::WARNING);
  const size_t last = r.overview().rfind("全年发生");
  ExpectSpan(c.added[0], "overview", Span(r.overview(), "4", last));
  EXPECT_EQ(c.added[0].expected(), "3");
  EXPECT_EQ(c.added[1].expected(), "5 或 4 或 9");
  EXPECT_EQ(c.added[1].actual(), "7");
}

TEST(Narrative, AllUpheldNeedsNothingCorrectedOrPending) {
  v1::Report r = Sample();
  r.set_overview(absl::StrCat(r.overview(), "\n行政复议 3 件，均获维持。"));
  EXPECT_THAT(Diff(r).added, IsEmpty()) << Dump(Diff(r).added);
  r.set_overview(absl::StrCat(Sample().overview(), "\n行政复议 3 件、行政诉讼 9 件，均获维持。"));
  const Change c = Diff(r);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("N-T4")) << Dump(c.added);
  ExpectSpan(c.added[0], "overview", Span(r.overview(), "均获维持"));
  EXPECT_EQ(c.added[0].actual(),
            "行政诉讼 未经复议直接起诉 尚未审结 1；行政诉讼 复议后起诉 尚未审结 1");
}

// The findings of `rule` among `findings`.
std::vector<v1::Finding> OfRule(const std::vector<v1::Finding>& findings, const std::string& rule) {
  std::vector<v1::Finding> out;
  for (const auto& f : findings) {
    if (f.rule_id() == rule) out.push_back(f);
  }
  return out;
}

TEST(Narrative, PercentageOfACount) {
  // A percentage inside the outcome list moves N-T3-COVER's span, so the
  // findings are compared rule by rule here.
  auto with = [](const std::string& percent) {
    v1::Report r = Sample();
    ReplaceOnce(r.mutable_overview(), "予以公开 31 件，", absl::StrCat("予以公开 31 件", percent, "，"));
    return r;
  };
  for (const char* fits : {"，占 34.4%", "（36.0%）", "，占总数的34%"}) {  // of 90, 86, 90
    const std::vector<v1::Finding> findings = Validate(with(fits));
    EXPECT_THAT(RuleIds(findings), ElementsAre("N-DONE", "N-T3-COVER", "S-FEE6"))
        << fits << "\n" << Dump(findings);
  }
  const v1::Report r = with("，占 40%");
  const std::vector<v1::Finding> findings = Validate(r);
  EXPECT_THAT(RuleIds(findings), ElementsAre("N-DONE", "N-T3-COVER", "N-PCT", "S-FEE6"))
      << Dump(findings);
  const std::vector<v1::Finding> pct = OfRule(findings, "N-PCT");
  ASSERT_EQ(pct.size(), 1u);
  EXPECT_EQ(pct[0].severity(), v1::WARNING);
  ExpectSpan(pct[0], "overview", Span(r.overview(), "40%"));
  EXPECT_EQ(pct[0].expected(), "34%");
  EXPECT_EQ(pct[0].actual(), "40%");
}

TEST(Narrative, AllConcludedWhileSomeAreCarriedOver) {
  // The sample says 均按时办结 with 1 carried over (an N-DONE in the sample
  // findings); without the claim, or with nothing carried over, none.
  v1::Report r = Sample();
  ReplaceOnce(r.mutable_overview(), "均按时办结", "已按时办结");  // same length: no offsets move
  EXPECT_THAT(RuleIds(Diff(r).removed), ElementsAre("N-DONE"));
  EXPECT_THAT(Diff(r).added, IsEmpty());
  r = Sample();
  Row(&r, kCarriedToNextYear)->set_natural_person(0);
  Row(&r, kCarriedToNextYear)->set_total(0);
  for (const auto& f : Validate(r)) EXPECT_NE(f.rule_id(), "N-DONE");
}

// ================================================================ structure
TEST(Structure, EmptyNarrativePart) {
  v1::Report r = Sample();
  r.set_problems_and_improvements(" \u3000");
  const Change c = Diff(r);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("S-SECT")) << Dump(c.added);
  EXPECT_EQ(c.added[0].severity(), v1::WARNING);
  EXPECT_EQ(c.added[0].location().section(), "五");
  EXPECT_EQ(c.added[0].location().field_path(), "problems_and_improvements");
}

TEST(Structure, EmptyTable) {
  v1::Report r = Sample();
  r.mutable_appeals()->Clear();
  const Change c = Diff(r);
  ASSERT_EQ(c.added.size(), 16u) << Dump(c.added);
  EXPECT_EQ(c.added[0].rule_id(), "S-SECT");  // the table first, then its cells
  EXPECT_EQ(c.added[0].location().section(), "四");
  EXPECT_EQ(c.added[0].location().field_path(), "appeals");
  for (size_t i = 1; i < c.added.size(); ++i) EXPECT_EQ(c.added[i].rule_id(), "EMPTY");
}

TEST(Structure, TemplateVersion) {
  v1::Report r = Sample();
  r.set_template_version(v1::TEMPLATE_VERSION_2019);
  Change c = Diff(r);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("S-VERSION")) << Dump(c.added);
  EXPECT_EQ(c.added[0].severity(), v1::ERROR);
  EXPECT_EQ(c.added[0].location().field_path(), "template_version");
  EXPECT_EQ(c.added[0].expected(), "TEMPLATE_VERSION_2021");
  EXPECT_EQ(c.added[0].actual(), "TEMPLATE_VERSION_2019");
  r.set_template_version(v1::TEMPLATE_VERSION_UNSPECIFIED);
  EXPECT_THAT(RuleIds(Diff(r).added), ElementsAre("S-VERSION"));
  // A 2020 report in the 2019 format is right.
  r.set_template_version(v1::TEMPLATE_VERSION_2019);
  r.set_year(2020);
  for (const auto& f : Validate(r)) EXPECT_NE(f.rule_id(), "S-VERSION");
}

TEST(Structure, FeeStatementInPart6) {
  v1::Report r = Sample();
  r.set_other_matters(absl::StrCat(r.other_matters(), "\n本年度未收取信息处理费。"));
  const Change c = Diff(r);
  EXPECT_THAT(c.added, IsEmpty()) << Dump(c.added);
  EXPECT_THAT(RuleIds(c.removed), ElementsAre("S-FEE6"));
  r.set_other_matters("本年度收取信息处理费 0 元。");
  EXPECT_THAT(RuleIds(Diff(r).removed), ElementsAre("S-FEE6"));
}

TEST(Structure, YearInTitle) {
  v1::Report r = Sample();
  ReplaceOnce(r.mutable_title(), "2021", "2020");
  const Change c = Diff(r);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("S-YEAR")) << Dump(c.added);
  EXPECT_EQ(c.added[0].severity(), v1::WARNING);
  EXPECT_EQ(c.added[0].location().section(), "标题");
  ExpectSpan(c.added[0], "title", {7, 11});
  EXPECT_EQ(c.added[0].expected(), "2021");
  EXPECT_EQ(c.added[0].actual(), "2020");
}

TEST(Structure, YearAtParagraphStarts) {
  v1::Report r = Sample();
  ReplaceOnce(r.mutable_overview(), "2021 年度，", "2020 年度，");
  const Change c = Diff(r);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("S-YEAR")) << Dump(c.added);
  ExpectSpan(c.added[0], "overview", Span(r.overview(), "2020"));
  // The first paragraph, at offset 0.
  r = Sample();
  r.mutable_overview()->replace(0, 4, "2020");
  ASSERT_THAT(RuleIds(Diff(r).added), ElementsAre("S-YEAR"));
  ExpectSpan(Diff(r).added[0], "overview", {0, 4});
  // Years inside paragraphs, ranges and next year's plans in part 五 are not
  // statements of the report's year.
  r = Sample();
  r.set_overview(absl::StrCat(r.overview(), "\n2019 年以来，我局持续推进政务公开。与 2020 年相比有所增长。"));
  r.set_problems_and_improvements(absl::StrCat(r.problems_and_improvements(),
                                               "\n2022 年，我局将继续加强培训指导。"));
  EXPECT_THAT(Diff(r).added, IsEmpty()) << Dump(Diff(r).added);
}

TEST(Structure, YearOfTheStatisticsPeriod) {
  v1::Report r = Sample();
  r.set_other_matters(absl::StrCat(r.other_matters(),
                                   "本报告统计期限自 2021 年 1 月 1 日起至 2021 年 12 月 31 日止。"));
  EXPECT_THAT(Diff(r).added, IsEmpty()) << Dump(Diff(r).added);
  r.set_other_matters(
      absl::StrCat(Sample().other_matters(), "本报告统计期限为2020年1月1日至2020年12月31日。"));
  const Change c = Diff(r);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("S-YEAR", "S-YEAR")) << Dump(c.added);
  EXPECT_EQ(c.added[0].location().section(), "六");
  ExpectSpan(c.added[0], "other_matters", Span(r.other_matters(), "2020"));
  ExpectSpan(c.added[1], "other_matters",
             Span(r.other_matters(), "2020", r.other_matters().find("至")));
}

// ================================================================ deadline
ValidationContext SubmittedOn(int y, int m, int d) {
  ValidationContext c;
  c.submitted = absl::CivilDay(y, m, d);
  return c;
}

TEST(Deadline, DepartmentBy31January) {
  EXPECT_THAT(Diff(Sample(), SubmittedOn(2022, 1, 31)).added, IsEmpty());
  const Change c = Diff(Sample(), SubmittedOn(2022, 2, 1));
  ASSERT_THAT(RuleIds(c.added), ElementsAre("D-DUE")) << Dump(c.added);
  EXPECT_EQ(c.added[0].severity(), v1::WARNING);
  EXPECT_EQ(c.added[0].expected(), "2022-01-31");
  EXPECT_EQ(c.added[0].actual(), "2022-02-01");
  EXPECT_THAT(c.added[0].message(), HasSubstr("逾期 1 天"));
}

TEST(Deadline, PeoplesGovernmentBy31March) {
  v1::Report r = Sample();
  r.mutable_agency()->set_kind(v1::AGENCY_KIND_PEOPLES_GOVERNMENT);
  EXPECT_THAT(Diff(r, SubmittedOn(2022, 3, 31)).added, IsEmpty());
  Change c = Diff(r, SubmittedOn(2022, 4, 1));
  ASSERT_THAT(RuleIds(c.added), ElementsAre("D-DUE")) << Dump(c.added);
  EXPECT_EQ(c.added[0].expected(), "2022-03-31");
  EXPECT_EQ(c.added[0].actual(), "2022-04-01");

  // Without a kind, the name decides: 人民政府 itself, not its 办公厅.
  r.mutable_agency()->set_kind(v1::AGENCY_KIND_UNSPECIFIED);
  r.mutable_agency()->set_name("郑州市人民政府");
  EXPECT_THAT(Diff(r, SubmittedOn(2022, 3, 31)).added, IsEmpty());
  EXPECT_THAT(RuleIds(Diff(r, SubmittedOn(2022, 4, 1)).added), ElementsAre("D-DUE"));
  r.mutable_agency()->set_name("郑州市人民政府办公厅");
  c = Diff(r, SubmittedOn(2022, 2, 1));
  ASSERT_THAT(RuleIds(c.added), ElementsAre("D-DUE"));
  EXPECT_EQ(c.added[0].expected(), "2022-01-31");
}

// ================================================================ confidentiality

TEST(Confidentiality, ResidentIdNumberWithItsSpanAndMasked) {
  const v1::Report r = WithOtherMatters("申请人张某（身份证号41010519900307123X）。");
  const Change c = Diff(r);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("C-ID")) << Dump(c.added);
  const v1::Finding& f = c.added[0];
  EXPECT_EQ(f.severity(), v1::ERROR);
  EXPECT_EQ(f.location().section(), "六");
  ExpectSpan(f, "other_matters", Span(r.other_matters(), "41010519900307123X"));
  EXPECT_EQ(f.actual(), "4101**********123X");
  // The number itself is nowhere in the finding.
  EXPECT_THAT(ToJson(f), Not(HasSubstr("19900307")));
}

TEST(Confidentiality, ResidentIdNumberForms) {
  // Grouped, lower-case x, full-width digits: each an ID.
  for (const char* id : {"410105 19900307 123X", "41010519900307123x",
                         "４１０１０５１９９００３０７１２３X"}) {
    const v1::Report r = WithOtherMatters(absl::StrCat("号码：", id, "。"));
    const Change c = Diff(r);
    ASSERT_THAT(RuleIds(c.added), ElementsAre("C-ID")) << id << "\n" << Dump(c.added);
    ExpectSpan(c.added[0], "other_matters", Span(r.other_matters(), id));
    EXPECT_EQ(c.added[0].actual(), "4101**********123X");
  }
}

TEST(Confidentiality, NotAnIdNumber) {
  // Wrong check digit (and no Luhn card either); inside a longer run of
  // digits; a real check digit but no real date.
  for (const char* text : {"410105199003071231", "9410105199003071231X", "41010519900307123X5",
                           "410105199002301232"}) {
    const Change c = Diff(WithOtherMatters(absl::StrCat("编号", text, "。")));
    EXPECT_THAT(c.added, IsEmpty()) << text << "\n" << Dump(c.added);
  }
}

TEST(Confidentiality, MobileNumber) {
  for (const char* mobile : {"13812345678", "138 1234 5678", "138-1234-5678"}) {
    const v1::Report r = WithOtherMatters(absl::StrCat("咨询电话", mobile, "。"));
    const Change c = Diff(r);
    ASSERT_THAT(RuleIds(c.added), ElementsAre("C-MOBILE")) << mobile << "\n" << Dump(c.added);
    EXPECT_EQ(c.added[0].severity(), v1::WARNING);
    ExpectSpan(c.added[0], "other_matters", Span(r.other_matters(), mobile));
    EXPECT_EQ(c.added[0].actual(), "138****5678");
  }
  // Part of a longer run, not a mobile prefix, a landline.
  for (const char* text : {"8613812345678", "138123456789", "12812345678", "0371-67188110"}) {
    EXPECT_THAT(Diff(WithOtherMatters(absl::StrCat("电话", text, "。"))).added, IsEmpty()) << text;
  }
}

TEST(Confidentiality, BankCardNumber) {
  for (const char* card : {"6222020200112345679", "6222 0202 0011 2345 679", "4111111111111111"}) {
    const v1::Report r = WithOtherMatters(absl::StrCat("退费账户", card, "。"));
    const Change c = Diff(r);
    ASSERT_THAT(RuleIds(c.added), ElementsAre("C-CARD")) << card << "\n" << Dump(c.added);
    EXPECT_EQ(c.added[0].severity(), v1::WARNING);
    ExpectSpan(c.added[0], "other_matters", Span(r.other_matters(), card));
    EXPECT_THAT(c.added[0].actual(), Not(HasSubstr("02020011")));
  }
  EXPECT_EQ(Diff(WithOtherMatters("账户6222020200112345679。")).added[0].actual(),
            "6222***********5679");
  // Fails Luhn; too short; a valid ID number is an ID, not a card.
  for (const char* text : {"6222020200112345678", "622202020011234", "440524188001010014"}) {
    const std::vector<std::string> ids = RuleIds(Diff(WithOtherMatters(text)).added);
    EXPECT_THAT(ids, Not(::testing::Contains("C-CARD"))) << text;
  }
}

TEST(Confidentiality, ClassificationMarkings) {
  struct Case {
    const char* text;
    const char* mark;
  };
  for (const Case& m : {Case{"秘密★1年", "秘密★1年"}, Case{"机密★", "机密★"},
                        Case{"绝密 ★ 长期", "绝密 ★ 长期"}, Case{"内部★", "内部★"},
                        Case{"（内部资料，注意保存）", "内部资料"}}) {
    v1::Report r = Sample();
    r.set_problems_and_improvements(absl::StrCat(r.problems_and_improvements(), "\n", m.text));
    const Change c = Diff(r);
    ASSERT_THAT(RuleIds(c.added), ElementsAre("C-MARK")) << m.text << "\n" << Dump(c.added);
    EXPECT_EQ(c.added[0].severity(), v1::ERROR);
    EXPECT_EQ(c.added[0].location().section(), "五");
    ExpectSpan(c.added[0], "problems_and_improvements",
               Span(r.problems_and_improvements(), m.mark));
    EXPECT_EQ(c.added[0].actual(), m.mark);
  }
  // A line that is only a marking.
  v1::Report r = Sample();
  r.set_other_matters(absl::StrCat(r.other_matters(), "\n\u3000秘密\u3000"));
  const Change c = Diff(r);
  ASSERT_THAT(RuleIds(c.added), ElementsAre("C-MARK")) << Dump(c.added);
  ExpectSpan(c.added[0], "other_matters", Span(r.other_matters(), "秘密"));
  EXPECT_EQ(c.added[0].actual(), "秘密");
}

TEST(Confidentiality, LegalTermsAreNotMarkings) {
  // The sample itself has 保密审查 and 公安内网.
  v1::Report r = Sample();
  r.set_problems_and_improvements(absl::StrCat(
      r.problems_and_improvements(),
      "\n对涉及国家秘密、商业秘密、个人隐私和工作秘密的信息依法不予公开，"
      "属于三类内部事务信息的不予公开，严格落实保密审查，内部管理信息通过内网发布。\n秘密文件管理"));
  EXPECT_THAT(Diff(r).added, IsEmpty()) << Dump(Diff(r).added);
}

TEST(Confidentiality, TitleIsScreenedToo) {
  v1::Report r = Sample();
  r.set_title(absl::StrCat("机密★ ", r.title()));
  EXPECT_THAT(RuleIds(Diff(r).added), ElementsAre("C-MARK"));
}

// ================================================================ odd input
TEST(OddInput, EmptyReport) {
  // Nothing to read: every part missing, every cell empty; no crash, no
  // rule that needs the year.
  const std::vector<v1::Finding> findings = Validate(v1::Report(), SubmittedOn(2022, 1, 1));
  std::map<std::string, int> by_rule;
  for (const auto& f : findings) ++by_rule[f.rule_id()];
  EXPECT_EQ(by_rule, (std::map<std::string, int>{{"S-SECT", 6}, {"EMPTY", 200}, {"S-FEE6", 1}}))
      << Dump(findings);
}

TEST(OddInput, MalformedUtf8AndHugeNumbers) {
  v1::Report r = Sample();
  r.set_other_matters("\xFF\xFE\xC3 13812345678 \xE4\xB8");
  Row(&r, kReceived)->set_commercial_enterprise(std::numeric_limits<int64_t>::max());
  Row(&r, kReceived)->set_other(std::numeric_limits<int64_t>::max());
  const std::vector<v1::Finding> findings = Validate(r);
  bool mobile = false, row_sum = false;
  int huge = 0;
  for (const auto& f : findings) {
    mobile = mobile || f.rule_id() == "C-MOBILE";
    huge += f.rule_id() == "T-INT" && f.location().row() == "requests.received";
    // Counts above kMaxCount are T-INT errors, and no sum runs through them.
    row_sum = row_sum || (f.rule_id() == "T3-ROW" && f.location().row() == "requests.received");
  }
  EXPECT_TRUE(mobile) << Dump(findings);
  EXPECT_EQ(huge, 2) << Dump(findings);
  EXPECT_FALSE(row_sum) << Dump(findings);
}

// ================================================================ ordering
TEST(Ordering, BySectionThenTemplateOrderThenOffset) {
  v1::Report r = Sample();
  r.mutable_appeals()->mutable_administrative_reconsideration()->set_total(4);   // 四
  Row(&r, kOutcomesTotal)->clear_other();                                        // 三
  r.mutable_proactive_disclosure()->mutable_regulations()->set_in_force(-2);     // 二
  r.set_template_version(v1::TEMPLATE_VERSION_2019);                             // report
  r.set_other_matters("秘密★ 13812345678");                                      // 六
  const std::vector<v1::Finding> findings = Validate(r, SubmittedOn(2022, 3, 1));
  std::vector<std::string> order;
  for (const auto& f : findings) order.push_back(absl::StrCat(f.location().section(), " ", f.rule_id()));
  EXPECT_THAT(order, ElementsAre(" D-DUE", " S-VERSION", "一 N-DONE", "一 N-T3-COVER",
                                 "二 T-INT", "三 EMPTY", "四 T4-SUM", "六 C-MARK", "六 S-FEE6",
                                 "六 C-MOBILE"))
      << Dump(findings);
}

// ================================================================ decimal
TEST(Decimal, ParsesExactly) {
  EXPECT_EQ(ParseDecimal("22943.1665")->units(), 229431665);
  EXPECT_EQ(ParseDecimal("0")->units(), 0);
  EXPECT_EQ(ParseDecimal("3.5")->units(), 35000);
  EXPECT_EQ(ParseDecimal("007")->units(), 70000);
  EXPECT_EQ(ParseDecimal("99999999999999.9999")->units(), 999999999999999999);
  EXPECT_EQ(ParseDecimal("22943.1665")->ToString(), "22943.1665");
  EXPECT_EQ(ParseDecimal("3.50")->ToString(), "3.5");
  EXPECT_EQ(Decimal::FromUnits(-12500).ToString(), "-1.25");
  EXPECT_EQ(Decimal::FromUnits(5).ToString(), "0.0005");
  EXPECT_LT(*ParseDecimal("999999.9999"), Decimal::Whole(1000000));
  EXPECT_EQ(*ParseDecimal("1000000.0"), Decimal::Whole(1000000));
}

TEST(Decimal, SaysWhatIsWrong) {
  EXPECT_EQ(DiagnoseDecimal(""), DecimalProblem::kEmpty);
  EXPECT_EQ(DiagnoseDecimal("-3"), DecimalProblem::kNegative);
  EXPECT_EQ(DiagnoseDecimal("-3万元"), DecimalProblem::kNegative);
  EXPECT_EQ(DiagnoseDecimal("3万元"), DecimalProblem::kUnitSuffix);
  EXPECT_EQ(DiagnoseDecimal("3 元"), DecimalProblem::kUnitSuffix);
  EXPECT_EQ(DiagnoseDecimal("22,943.1665"), DecimalProblem::kThousandsSeparator);
  EXPECT_EQ(DiagnoseDecimal("1.23456"), DecimalProblem::kTooManyDecimals);
  EXPECT_EQ(DiagnoseDecimal("100000000000000"), DecimalProblem::kTooLarge);
  EXPECT_EQ(DiagnoseDecimal("000000000000000001"), DecimalProblem::kNone);
  for (const char* bad : {".5", "3.", "1.2.3", " 3", "+3", "abc", "３", "1 234", "1e5"}) {
    EXPECT_EQ(DiagnoseDecimal(bad), DecimalProblem::kMalformed) << bad;
    EXPECT_FALSE(ParseDecimal(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseDecimal("3万元").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace disclosure
