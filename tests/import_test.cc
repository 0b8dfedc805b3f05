// Import of the published text: the sample to its exact published numbers,
// round trips, damaged inputs, and the kinds of mess real extractions have.
#include "core/import/import.h"
#include "core/import/layout.h"
#include "core/rules/rules.h"
#include "core/import/template_mapper.h"
#include "core/import/text_reader.h"

#include <fstream>
#include <map>
#include <sstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "core/report/export.h"
#include "core/report/template.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace disclosure {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(DISCLOSURE_TESTDATA) + "/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string& SampleText() {
  static const std::string* text = new std::string(ReadTestdata("zhengzhou-psb-2021.txt"));
  return *text;
}

ImportResult MustImport(const std::string& text) {
  absl::StatusOr<ImportResult> r = ImportText(text);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : ImportResult{};
}

std::vector<std::string> Unplaced(const ImportResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics) {
    if (d.level() == v1::ImportDiagnostic::UNPLACED) out.push_back(absl::StrCat(d.line(), ": ", d.message()));
  }
  return out;
}

// Table 三 of the sample, data rows in template order, seven columns each.
const std::vector<std::vector<int64_t>>& SampleRequests() {
  static const auto* rows = new std::vector<std::vector<int64_t>>{
      {86, 0, 0, 0, 0, 0, 86},  // 一、本年新收
      {5, 0, 0, 0, 0, 0, 5},    // 二、上年结转
      {31, 0, 0, 0, 0, 0, 31},  // （一）予以公开
      {14, 0, 0, 0, 0, 0, 14},  // （二）部分公开
      {0, 0, 0, 0, 0, 0, 0},    // （三）1 国家秘密
      {0, 0, 0, 0, 0, 0, 0},    // 2
      {0, 0, 0, 0, 0, 0, 0},    // 3
      {2, 0, 0, 0, 0, 0, 2},    // 4 第三方
      {1, 0, 0, 0, 0, 0, 1},    // 5 内部事务
      {0, 0, 0, 0, 0, 0, 0},    // 6
      {0, 0, 0, 0, 0, 0, 0},    // 7
      {1, 0, 0, 0, 0, 0, 1},    // 8 行政查询
      {25, 0, 0, 0, 0, 0, 25},  // （四）1 不掌握
      {0, 0, 0, 0, 0, 0, 0},    // 2
      {0, 0, 0, 0, 0, 0, 0},    // 3
      {1, 0, 0, 0, 0, 0, 1},    // （五）1 信访
      {0, 0, 0, 0, 0, 0, 0},    // 2
      {0, 0, 0, 0, 0, 0, 0},    // 3
      {0, 0, 0, 0, 0, 0, 0},    // 4
      {0, 0, 0, 0, 0, 0, 0},    // 5 确认或重新出具 (shifted in the PDF text)
      {0, 0, 0, 0, 0, 0, 0},    // （六）1
      {0, 0, 0, 0, 0, 0, 0},    // 2
      {15, 0, 0, 0, 0, 0, 15},  // 3 其他
      {90, 0, 0, 0, 0, 0, 90},  // （七）总计 (shifted in the PDF text)
      {1, 0, 0, 0, 0, 0, 1},    // 四、结转下年度
  };
  return *rows;
}

TEST(ImportSample, EveryPublishedCell) {
  ImportResult r = MustImport(SampleText());
  const v1::Report& rep = r.report;
  EXPECT_TRUE(Unplaced(r).empty()) << absl::StrJoin(Unplaced(r), "\n");
  EXPECT_EQ(rep.template_version(), v1::TEMPLATE_VERSION_2021);
  EXPECT_EQ(rep.year(), 2021);
  EXPECT_EQ(rep.title(), "郑州市公安局 2021 年政府信息公开工作年度报告");
  EXPECT_EQ(rep.agency().name(), "郑州市公安局");

  // 二
  const std::vector<std::vector<int64_t>> proactive = {{0, 0, 0}, {3, 5, 11}, {733641}, {15720},
                                                       {52677}};
  for (int row = 0; row < 5; ++row) {
    for (size_t col = 0; col < proactive[row].size(); ++col) {
      EXPECT_EQ(GetProactiveCount(rep, row, static_cast<int>(col)), proactive[row][col])
          << kProactiveRows[row].label << " col " << col;
    }
  }
  EXPECT_EQ(GetFee(rep), "22943.1665");

  // 三: every cell of the 25 data rows.
  int data_row = 0;
  for (int row = 0; row < kRequestRowCount; ++row) {
    if (kRequestRows[row].is_group) continue;
    const auto& expected = SampleRequests()[data_row++];
    for (int col = 0; col < kApplicantColumnCount; ++col) {
      EXPECT_EQ(GetApplicantCell(*GetRequestRow(rep, row), col), expected[col])
          << kRequestRows[row].label << " / " << kApplicantColumns[col].label;
    }
  }
  EXPECT_EQ(data_row, 25);

  // 四
  const int64_t appeals[3][5] = {{3, 0, 0, 0, 3}, {4, 0, 0, 1, 5}, {3, 0, 0, 1, 4}};
  for (int b = 0; b < 3; ++b) {
    for (int c = 0; c < 5; ++c) {
      EXPECT_EQ(GetAppealCell(GetAppealBlock(rep, b), c), appeals[b][c])
          << kAppealBlocks[b].label << " / " << kAppealColumns[c].label;
    }
  }
}

TEST(ImportSample, NarrativePartsKeptAsPublished) {
  ImportResult r = MustImport(SampleText());
  EXPECT_THAT(r.report.overview(), ::testing::StartsWith("2021 年，郑州市公安局深入学习贯彻"));
  EXPECT_THAT(r.report.overview(), HasSubstr("\n（二）依申请公开情况\n2021 年度，市公安局本级共受理依申请公开 86 件"));
  EXPECT_THAT(r.report.overview(), ::testing::EndsWith("提升全警政务公开工作能力水平。"));
  EXPECT_THAT(r.report.problems_and_improvements(), ::testing::StartsWith("目前，我局政府信息公开工作"));
  EXPECT_EQ(r.report.other_matters(), "本报告公布的数据为市公安局本级机关产生，不包含各分县（市）局数据。");
}

TEST(ImportSample, MatchesTheHandWrittenJson) {
  v1::Report expected;
  std::string json = ReadTestdata("zhengzhou-psb-2021.json");
  ASSERT_TRUE(FromJson(json, &expected).ok());
  v1::Report got = MustImport(SampleText()).report;
  // The agency's id, region and kind are not in the text.
  got.mutable_agency()->set_id(expected.agency().id());
  got.mutable_agency()->set_region_code(expected.agency().region_code());
  got.mutable_agency()->set_kind(expected.agency().kind());
  // How it was read: from text, every cell.
  EXPECT_EQ(got.import_record().format(), "text");
  EXPECT_EQ(got.import_record().unread_size(), 0);
  got.clear_import_record();
  std::string diff;
  MessageDifferencer d;
  d.ReportDifferencesToString(&diff);
  EXPECT_TRUE(d.Compare(expected, got)) << diff;
}

// Every number of the sample's tables, changed in the text, changes exactly
// that cell of the imported report: rows are found by label, whatever the
// PDF extraction did to their position.
TEST(ImportSample, EachChangedCellChangesExactlyThatCell) {
  const v1::Report original = MustImport(SampleText()).report;
  std::vector<std::string> lines = absl::StrSplit(SampleText(), '\n');
  int mutations = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty() || lines[i][0] != '|') continue;
    std::vector<std::string> cells = absl::StrSplit(lines[i], '|');
    for (size_t c = 0; c < cells.size(); ++c) {
      std::string t(absl::StripAsciiWhitespace(cells[c]));
      int64_t v;
      if (t.empty() || t.find('.') != std::string::npos || !absl::SimpleAtoi(t, &v)) continue;
      std::vector<std::string> mutated_cells = cells;
      mutated_cells[c] = absl::StrCat(" ", v + 7, " ");
      std::vector<std::string> mutated = lines;
      mutated[i] = absl::StrJoin(mutated_cells, "|");
      ImportResult r = MustImport(absl::StrJoin(mutated, "\n"));
      int changed = 0;
      for (const CountCell& cell : AllCountCells()) {
        auto before = GetCount(original, cell), after = GetCount(r.report, cell);
        if (before != after) {
          ++changed;
          EXPECT_EQ(after, v + 7) << "line " << i + 1 << " cell " << c << " → " << cell.field_path;
        }
      }
      EXPECT_EQ(changed, 1) << "line " << i + 1 << " cell " << c;
      ++mutations;
    }
  }
  EXPECT_EQ(mutations, 9 + 25 * 7 + 15);  // every count cell of the three tables
}

TEST(RoundTrip, TextExportImportsBackIdentical) {
  v1::Report r = MustImport(SampleText()).report;
  ImportResult back = MustImport(ExportText(r));
  EXPECT_TRUE(Unplaced(back).empty()) << absl::StrJoin(Unplaced(back), "\n");
  std::string diff;
  MessageDifferencer d;
  d.ReportDifferencesToString(&diff);
  EXPECT_TRUE(d.Compare(r, back.report)) << diff;
}

TEST(RoundTrip, BlankCellsStayBlankThroughText) {
  v1::Report r = MustImport(SampleText()).report;
  // A blank in every position class: first, middle and total columns; a
  // document cell; a decision row; table 四.
  SetApplicantCell(MutableRequestRow(&r, kReceived), 0, std::nullopt);
  SetApplicantCell(MutableRequestRow(&r, kDisclosed), 3, std::nullopt);
  SetApplicantCell(MutableRequestRow(&r, kOutcomesTotal), 6, std::nullopt);
  SetApplicantCell(MutableRequestRow(&r, 10), 0, std::nullopt);
  SetProactiveCount(&r, 1, 1, std::nullopt);
  SetProactiveCount(&r, 3, 0, std::nullopt);
  SetAppealCell(MutableAppealBlock(&r, 1), 3, std::nullopt);
  SetFee(&r, std::nullopt);
  ImportResult back = MustImport(ExportText(r));
  std::string diff;
  MessageDifferencer d;
  d.ReportDifferencesToString(&diff);
  EXPECT_TRUE(d.Compare(r, back.report)) << diff;
}

TEST(RoundTrip, JsonKeepsEmptyApartFromZero) {
  v1::Report r = MustImport(SampleText()).report;
  SetApplicantCell(MutableRequestRow(&r, kReceived), 1, std::nullopt);  // empty
  SetApplicantCell(MutableRequestRow(&r, kReceived), 2, 0);             // zero
  std::string json = ToJson(r);
  v1::Report back;
  ASSERT_TRUE(FromJson(json, &back).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(r, back));
  EXPECT_FALSE(GetApplicantCell(back.requests().received(), 1).has_value());
  EXPECT_EQ(GetApplicantCell(back.requests().received(), 2), 0);
  EXPECT_THAT(json, HasSubstr("\"amount_10k_yuan\": \"22943.1665\""));
}

TEST(RoundTrip, JsonErrorsNameTheField) {
  v1::Report r;
  absl::Status s = FromJson(R"({"year": 2021, "requests": {"received": {"natural_persn": 3}}})", &r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("natural_persn"));
}

// ------------------------------------------------------------ bad input

TEST(BadInput, EmptyTextHasNoReport) {
  EXPECT_EQ(ImportText("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ImportText("\n\n  \n").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(BadInput, BinaryIsRefusedWithItsOffset) {
  std::string binary = "abc\n";
  for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(255 - i));
  absl::Status s = ImportText(binary).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("line 2: not UTF-8 text (byte offset 4)"));
}

TEST(BadInput, TooLargeIsRefused) {
  std::string big(kMaxImportBytes + 1, 'a');
  EXPECT_EQ(ImportText(big).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(BadInput, TruncatedAtEveryLineNeverCrashesAndNeverInventsZeros) {
  const v1::Report full = MustImport(SampleText()).report;
  std::vector<std::string> lines = absl::StrSplit(SampleText(), '\n');
  for (size_t n = 0; n <= lines.size(); ++n) {
    std::string text = absl::StrJoin(lines.begin(), lines.begin() + n, "\n");
    absl::StatusOr<ImportResult> r = ImportText(text);
    if (!r.ok()) continue;
    // Whatever was read is what the full text says; nothing else is filled.
    for (const CountCell& cell : AllCountCells()) {
      auto got = GetCount(r->report, cell);
      if (got.has_value()) {
        EXPECT_EQ(got, GetCount(full, cell)) << n << " " << cell.field_path;
      }
    }
  }
}

TEST(BadInput, TruncatedInsideACharacterIsRefused) {
  // The title's first character is three bytes: cut after one.
  size_t at = SampleText().find("郑州");
  absl::Status s = ImportText(SampleText().substr(0, at + 1)).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
}

TEST(BadInput, ShuffledLinesNeverCrash) {
  std::vector<std::string> lines = absl::StrSplit(SampleText(), '\n');
  uint32_t seed = 12345;
  for (int round = 0; round < 50; ++round) {
    for (size_t i = lines.size() - 1; i > 0; --i) {
      seed = seed * 1103515245 + 12345;
      std::swap(lines[i], lines[(seed >> 8) % (i + 1)]);
    }
    absl::StatusOr<ImportResult> r = ImportText(absl::StrJoin(lines, "\n"));
    if (r.ok()) {
      EXPECT_EQ(r->report.template_version(), v1::TEMPLATE_VERSION_2021);
    }
  }
}

TEST(BadInput, Format2019IsRefusedByName) {
  std::string text = absl::StrReplaceAll(SampleText(), {{"本年制发件数", "本年新制作数量"}});
  absl::Status s = ImportText(text).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("2019"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("本年新制作数量"));
}

TEST(BadInput, Format2019SingleRowOtherHandlingIsRefused) {
  std::string text = SampleText();
  size_t from = text.find("| (六) 其他处理");
  size_t to = text.find("| (七) 总计");
  text.replace(from, to - from, "| | (六) 其他处理 | 15 | 0 | 0 | 0 | 0 | 0 | 15 | |\n");
  // A report for 2020 or before with a single-row （六） is the 2019 format.
  std::string old = absl::StrReplaceAll(text, {{"2021 年政府信息公开", "2020 年政府信息公开"}});
  ASSERT_NE(old, text);
  absl::Status s = ImportText(old).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
}

// Parts under Markdown headings ("## 一、总体情况") or in bold are the same parts.
TEST(Import, MarkdownHeadingsAreHeadings) {
  const v1::Report plain = ImportText(SampleText())->report;
  for (const char* mark : {"## ", "#", "**"}) {
    std::string text = SampleText();
    for (const char* h : {"一、总体情况", "二、主动公开政府信息情况", "五、存在的主要问题及改进情况"}) {
      size_t at = text.find(absl::StrCat("\n", h));
      ASSERT_NE(at, std::string::npos) << h;
      std::string with = absl::StrCat(mark, h, std::string(mark) == "**" ? "**" : "");
      text.replace(at + 1, strlen(h), with);
    }
    absl::StatusOr<ImportResult> r = ImportText(text);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(r->report, plain)) << mark;
  }
}

// `text` with each `from` replaced by its `to` (each must be there).
std::string Rewrite(std::string text,
                    const std::vector<std::pair<std::string, std::string>>& edits) {
  for (const auto& [from, to] : edits) {
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
  }
  return text;
}

// Tables are found by what they hold, wherever they stand and whatever the
// report calls its parts: the agency's own numbering with captions 表一：…,
// all three tables under one heading with nothing between them, headings
// without numbers, tables under sub-headings （一）… of the agency's own part.
TEST(Import, TablesAreFoundByTheirContent) {
  const v1::Report plain = ImportText(SampleText())->report;
  const std::string own_numbers[][2] = {
      {"五、存在的主要问题及改进情况", "四、存在的主要问题及改进情况"},
      {"六、其他需要报告的事项", "五、其他需要报告的事项"}};
  std::map<std::string, std::string> variants;
  variants["captions"] = Rewrite(SampleText(), {
      {"二、主动公开政府信息情况", "二、工作机制保障\n\n本局建立健全政务公开工作机制。\n\n三、统计表\n\n表一：主动公开政府信息情况"},
      {"三、收到和处理政府信息公开申请情况", "表二：收到和处理政府信息公开申请情况"},
      {"四、政府信息公开行政复议、行政诉讼情况", "表三 政府信息公开行政复议、行政诉讼情况"},
      {own_numbers[0][0], own_numbers[0][1]}, {own_numbers[1][0], own_numbers[1][1]}});
  std::string together = Rewrite(SampleText(), {
      {"二、主动公开政府信息情况", "二、政府信息公开情况统计"},
      {"\n三、收到和处理政府信息公开申请情况\n", "\n"},
      {"\n四、政府信息公开行政复议、行政诉讼情况\n", "\n"},
      {"五、存在的主要问题及改进情况", "三、存在的主要问题及改进情况"},
      {"六、其他需要报告的事项", "四、其他需要报告的事项"}});
  while (together.find("|\n\n|") != std::string::npos) {
    together = absl::StrReplaceAll(together, {{"|\n\n|", "|\n|"}});
  }
  variants["together"] = together;
  std::string bare = SampleText();
  for (const char* h : {"一、", "二、主动", "三、收到", "四、政府", "五、存在", "六、其他"}) {
    bare = Rewrite(bare, {{absl::StrCat("\n", h), absl::StrCat("\n", h + strlen("一、"))}});
  }
  variants["unnumbered"] = bare;
  variants["sub-headings"] = Rewrite(SampleText(), {
      {"二、主动公开政府信息情况", "二、统计数据\n\n（一）主动公开政府信息情况"},
      {"三、收到和处理政府信息公开申请情况", "（二）收到和处理政府信息公开申请情况"},
      {"四、政府信息公开行政复议、行政诉讼情况", "（三）政府信息公开行政复议、行政诉讼情况"},
      {"五、存在的主要问题及改进情况", "三、存在的主要问题及改进情况"},
      {"六、其他需要报告的事项", "四、其他需要报告的事项"}});
  for (const auto& [name, text] : variants) {
    SCOPED_TRACE(name);
    absl::StatusOr<ImportResult> r = ImportText(text);
    ASSERT_TRUE(r.ok()) << r.status();
    using google::protobuf::util::MessageDifferencer;
    EXPECT_TRUE(MessageDifferencer::Equals(r->report.proactive_disclosure(), plain.proactive_disclosure()));
    EXPECT_TRUE(MessageDifferencer::Equals(r->report.requests(), plain.requests()));
    EXPECT_TRUE(MessageDifferencer::Equals(r->report.appeals(), plain.appeals()));
    EXPECT_EQ(r->report.problems_and_improvements(), plain.problems_and_improvements());
    EXPECT_EQ(r->report.other_matters(), plain.other_matters());
    EXPECT_THAT(r->report.overview(), HasSubstr("（五）监督保障"));
    EXPECT_THAT(r->report.overview(), Not(HasSubstr("行政许可")));
    EXPECT_TRUE(Unplaced(*r).empty()) << absl::StrJoin(Unplaced(*r), "\n");
  }
  EXPECT_THAT(ImportText(variants["captions"])->report.overview(), HasSubstr("本局建立健全政务公开工作机制。"));
}

// Found by the 10^6-input fuzz run: a line of only '#' (a Markdown rule).
TEST(Import, LineOfOnlyHashesIsNoHeading) {
  std::string text = Rewrite(SampleText(), {{"一、总体情况", "###\n一、总体情况\n#"}});
  absl::StatusOr<ImportResult> r = ImportText(text);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->report.overview(), ImportText(SampleText())->report.overview());
}

// A 2021-format report that prints （六）其他处理 as one row (as some do):
// its three items cannot be known unless the row is all zeros.
TEST(Import, SingleRowOtherHandlingLeavesItsItemsUnread) {
  std::string text = SampleText();
  size_t from = text.find("| (六) 其他处理");
  size_t to = text.find("| (七) 总计");
  text.replace(from, to - from, "| | (六) 其他处理 | 15 | 0 | 0 | 0 | 0 | 0 | 15 | |\n");
  absl::StatusOr<ImportResult> r = ImportText(text);
  ASSERT_TRUE(r.ok()) << r.status();
  const v1::ImportDiagnostic* unread = nullptr;
  for (const auto& d : r->diagnostics) {
    if (d.level() == v1::ImportDiagnostic::UNPLACED && d.field_paths_size() == 3) unread = &d;
  }
  ASSERT_NE(unread, nullptr);
  EXPECT_EQ(unread->field_paths(0), "requests.outcomes.other_handling.amendment_overdue");
  EXPECT_GT(unread->line(), 0);
  EXPECT_FALSE(r->report.requests().outcomes().other_handling().amendment_overdue().has_natural_person());
}

TEST(Import, SingleRowOtherHandlingOfZerosInfersItsItems) {
  std::string text = SampleText();
  size_t from = text.find("| (六) 其他处理");
  size_t to = text.find("| (七) 总计");
  text.replace(from, to - from, "| | (六) 其他处理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | |\n");
  absl::StatusOr<ImportResult> r = ImportText(text);
  ASSERT_TRUE(r.ok()) << r.status();
  const auto& other = r->report.requests().outcomes().other_handling();
  EXPECT_EQ(other.fee_overdue().total(), 0);
  EXPECT_TRUE(other.fee_overdue().has_total());
  EXPECT_TRUE(other.other().has_natural_person());
  EXPECT_FALSE(r->HasUnplaced());
}

// ------------------------------------------------------------ mess

// Replaces one line of the sample (found by its start) with `with`.
std::string ReplaceLine(const std::string& text, absl::string_view starts_with,
                        const std::string& with) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  for (auto& l : lines) {
    if (absl::StartsWith(l, starts_with)) {
      l = with;
      return absl::StrJoin(lines, "\n");
    }
  }
  ADD_FAILURE() << "no line starts with " << starts_with;
  return text;
}

TEST(Mess, BlankCellInAShiftedRowIsEmptyNotZero) {
  std::string text = ReplaceLine(SampleText(), "| | | 4.保护第三方合法权益",
                                 "| | | 4.保护第三方合法权益 | | 0 | 0 | 0 | 0 | 0 | 2 |");
  ImportResult r = MustImport(text);
  const auto& row = *GetRequestRow(r.report, 9);
  EXPECT_FALSE(GetApplicantCell(row, 0).has_value());
  EXPECT_EQ(GetApplicantCell(row, 6), 2);
}

TEST(Mess, BlankTotalInARowWithFillers) {
  std::string text = ReplaceLine(SampleText(), "| 一、本年新收",
                                 "| 一、本年新收政府信息公开申请数量 | | 86 | 0 | 0 | 0 | 0 | 0 | | |");
  ImportResult r = MustImport(text);
  const auto& row = r.report.requests().received();
  EXPECT_EQ(GetApplicantCell(row, 0), 86);
  EXPECT_FALSE(GetApplicantCell(row, 6).has_value());
  EXPECT_TRUE(Unplaced(r).empty());
}

TEST(Mess, ValueRowApartFromItsLabel) {
  std::string text = ReplaceLine(SampleText(), "| 二、上年结转",
                                 "| 二、上年结转政府信息公开申请数量 | | | | | | | | | |\n"
                                 "| | | 5 | 0 | 0 | 0 | 0 | 0 | 5 | |");
  ImportResult r = MustImport(text);
  EXPECT_EQ(GetApplicantCell(r.report.requests().carried_over_from_previous_year(), 0), 5);
  EXPECT_EQ(GetApplicantCell(r.report.requests().carried_over_from_previous_year(), 6), 5);
  EXPECT_TRUE(Unplaced(r).empty()) << absl::StrJoin(Unplaced(r), "\n");
}

TEST(Mess, LabelSplitOverTwoLinesAndRepeatedHeaderAfterPageBreak) {
  std::string text = ReplaceLine(
      SampleText(), "| | (二) 部分公开",
      "| | (二) 部分公开（区分处理的，只计这一情形， | 14 | 0 | 0 | 0 | 0 | 0 | 14 | |\n"
      "| | 不计其他情形） | | | | | | | | |\n"
      "- 5 -\n"
      "| | | 自然人 | 法人或其他组织 | | | | | 总计 | |\n"
      "| | | | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | | |");
  ImportResult r = MustImport(text);
  EXPECT_EQ(GetApplicantCell(r.report.requests().outcomes().partially_disclosed(), 6), 14);
  EXPECT_EQ(GetApplicantCell(r.report.requests().outcomes().withheld().state_secret(), 0), 0);
  EXPECT_TRUE(Unplaced(r).empty()) << absl::StrJoin(Unplaced(r), "\n");
}

TEST(Mess, UnplaceableRowIsReportedWithItsLineAndLeftEmpty) {
  // A garbled label and only five of seven values.
  std::string text = ReplaceLine(SampleText(), "| | | 7.属于行政执法案卷",
                                 "| | | 7.囗囗囗囗囗 | 3 | 0 | 0 | 0 | 3 |");
  ImportResult r = MustImport(text);
  std::vector<std::string> unplaced = Unplaced(r);
  ASSERT_FALSE(unplaced.empty());
  int line = 0;
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (absl::StrContains(lines[i], "囗囗")) line = static_cast<int>(i) + 1;
  }
  EXPECT_THAT(absl::StrJoin(unplaced, "\n"), HasSubstr(absl::StrCat(line, ": ")));
  const auto& row = r.report.requests().outcomes().withheld().enforcement_case_files();
  for (int col = 0; col < kApplicantColumnCount; ++col) {
    EXPECT_FALSE(GetApplicantCell(row, col).has_value()) << col;  // never a silent zero
  }
  // Its neighbours still import.
  EXPECT_EQ(GetApplicantCell(r.report.requests().outcomes().withheld().administrative_query(), 0), 1);

  ImportOptions strict;
  strict.strict = true;
  absl::Status s = ImportText(text, strict).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr(absl::StrCat("line ", line)));
}

TEST(Mess, PlainTextExtraction) {
  // Plain text tables (no pipes), labels split over lines, a value row apart
  // from its label, page numbers, a running header, OCR slips, full-width
  // digits, a non-template label, table 四 split over two lines.
  ImportResult r = MustImport(ReadTestdata("plain-text-2022.txt"));
  EXPECT_TRUE(Unplaced(r).empty()) << absl::StrJoin(Unplaced(r), "\n");
  const v1::Report& rep = r.report;
  EXPECT_EQ(rep.year(), 2022);
  EXPECT_EQ(rep.agency().name(), "某某市某某局");
  EXPECT_EQ(GetProactiveCount(rep, 1, 2), 9);        // 规范性文件 → 行政规范性文件
  EXPECT_EQ(GetProactiveCount(rep, 2, 0), 1200);     // 1,200
  EXPECT_EQ(GetFee(rep), "0.00");
  EXPECT_EQ(GetApplicantCell(rep.requests().carried_over_from_previous_year(), 6), 2);
  EXPECT_EQ(GetApplicantCell(rep.requests().outcomes().partially_disclosed(), 0), 1);
  EXPECT_EQ(GetApplicantCell(rep.requests().outcomes().withheld().state_secret(), 0), 0);  // 秘蜜
  EXPECT_EQ(GetApplicantCell(rep.requests().outcomes().unable_to_provide().not_held(), 1), 1);
  EXPECT_EQ(GetApplicantCell(rep.requests().outcomes().other_handling().amendment_overdue(), 6), 0);
  EXPECT_EQ(GetApplicantCell(rep.requests().outcomes().total(), 6), 12);
  EXPECT_EQ(GetApplicantCell(rep.requests().carried_over_to_next_year(), 0), 1);
  EXPECT_EQ(GetApplicantCell(rep.requests().carried_over_to_next_year(), 6), 1);
  EXPECT_EQ(GetAppealCell(rep.appeals().administrative_reconsideration(), 4), 1);
  EXPECT_EQ(GetAppealCell(rep.appeals().litigation_after_reconsideration(), 4), 0);
  std::vector<std::string> labels;
  for (const auto& f : StructureFindings(r)) labels.push_back(f.actual());
  EXPECT_THAT(labels, ::testing::Contains("规范性文件"));
}

TEST(Mess, OneCellPerLine) {
  // pdftotext output of a table: every cell on its own line.
  std::string text = ReplaceLine(SampleText(), "| 一、本年新收",
                                 "一、本年新收政府信息公开申请数量\n86\n0\n0\n0\n0\n0\n86");
  ImportResult r = MustImport(text);
  EXPECT_EQ(GetApplicantCell(r.report.requests().received(), 0), 86);
  EXPECT_EQ(GetApplicantCell(r.report.requests().received(), 6), 86);
}

TEST(Mess, AppealsInAVerticalLayout) {
  std::string text = SampleText();
  size_t from = text.find("| 行政复议 |");
  size_t to = text.find("五、存在的主要问题");
  text.replace(from, to - from,
               "行政复议 3 0 0 0 3\n未经复议直接起诉 4 0 0 1 5\n复议后起诉 3 0 0 1 4\n\n");
  ImportResult r = MustImport(text);
  EXPECT_EQ(GetAppealCell(r.report.appeals().litigation_direct(), 3), 1);
  EXPECT_EQ(GetAppealCell(r.report.appeals().litigation_after_reconsideration(), 4), 4);
  EXPECT_TRUE(Unplaced(r).empty()) << absl::StrJoin(Unplaced(r), "\n");
}

TEST(Mess, MissingHeadingIsAStructureFinding) {
  std::string text = ReplaceLine(SampleText(), "五、存在的主要问题", "");
  ImportResult r = MustImport(text);
  bool found = false;
  for (const auto& f : StructureFindings(r)) found |= f.rule_id() == "S-SECT";
  EXPECT_TRUE(found);
}

// Structure findings are findings like the others: the catalogue's severity
// and a message in Chinese only (no English diagnostic wrapped in Chinese).
TEST(Mess, StructureFindingsSpeakChineseWithTheCataloguesSeverity) {
  std::string text = ReplaceLine(SampleText(), "五、存在的主要问题", "");
  text = ReplaceLine(text, "二、主动公开政府信息情况", "二、主动公开情况");  // a heading that differs
  text.erase(text.find("六、其他需要报告的事项"));                     // a part missing
  ImportResult r = MustImport(text);
  std::set<std::string> rules;
  for (const auto& f : StructureFindings(r)) {
    rules.insert(f.rule_id());
    EXPECT_EQ(f.severity(), RuleOf(f.rule_id() == "S-SECT" ? RuleId::kSSect : RuleId::kSLabel).severity);
    for (char c : f.message()) {
      EXPECT_FALSE(absl::ascii_isalpha(static_cast<unsigned char>(c))) << f.message();
    }
  }
  EXPECT_EQ(rules, (std::set<std::string>{"S-SECT", "S-LABEL"}));
}

// Cells glued without separators, as web crawlers save tables: split only
// where exactly one split makes the row add up to its totals, and every row
// so read reported as inferred, with its field path.
TEST(Import, GluedCellsAreSplitOnlyWhereOneSplitAddsUp) {
  const v1::Report plain = ImportText(SampleText())->report;
  std::string text = ReplaceLine(SampleText(), "| 一、本年新收",
                                 "| 一、本年新收政府信息公开申请数量 | | 860000086 | | | | | | | |");
  text = ReplaceLine(text, "| 二、上年结转", "二、上年结转政府信息公开申请数量 5000005");
  text = ReplaceLine(text, "| | (四) 无法提供 | 1.本机关",
                     "| | (四) 无法提供 | 1.本机关不掌握相关政府信息 | 25000 | 0025 | | | | | |");
  text = ReplaceLine(text, "| 3 | 0 | 0 | 0 | 3 |", "| 300034001530014 | | | | | | | | | | | | | | |");
  ImportResult r = MustImport(text);
  using google::protobuf::util::MessageDifferencer;
  EXPECT_TRUE(MessageDifferencer::Equals(r.report.requests(), plain.requests()));
  EXPECT_TRUE(MessageDifferencer::Equals(r.report.appeals(), plain.appeals()));
  std::vector<std::string> inferred;
  for (const auto& d : r.diagnostics) {
    if (!d.inferred() || d.field_paths().empty()) continue;
    for (const auto& path : d.field_paths()) inferred.push_back(path);
  }
  EXPECT_THAT(inferred, ::testing::UnorderedElementsAre(
                            "requests.received", "requests.carried_over_from_previous_year",
                            "requests.outcomes.unable_to_provide.not_held",
                            "appeals.administrative_reconsideration", "appeals.litigation_direct",
                            "appeals.litigation_after_reconsideration"));
  EXPECT_TRUE(Unplaced(r).empty()) << absl::StrJoin(Unplaced(r), "\n");
}

TEST(Import, GluedCellsThatCannotBeToldApartAreUnread) {
  // 101000011: 1|0|10|0|0|0|11 and 10|1|0|0|0|0|11 both add up; 2500000025
  // (one zero too many) has no split that does.
  std::string text = ReplaceLine(SampleText(), "| | | 4.保护第三方",
                                 "| | | 4.保护第三方合法权益 | 101000011 | | | | | | |");
  text = ReplaceLine(text, "| | (四) 无法提供 | 1.本机关",
                     "| | (四) 无法提供 | 1.本机关不掌握相关政府信息 | 2500000025 | | | | | | |");
  ImportResult r = MustImport(text);
  const v1::RequestStatistics& q = r.report.requests();
  const std::pair<const char*, const v1::ApplicantCounts*> rows[] = {
      {"requests.outcomes.withheld.third_party_rights", &q.outcomes().withheld().third_party_rights()},
      {"requests.outcomes.unable_to_provide.not_held", &q.outcomes().unable_to_provide().not_held()}};
  for (const auto& [path, counts] : rows) {
    SCOPED_TRACE(path);
    const v1::ApplicantCounts& row = *counts;
    for (int col = 0; col < kApplicantColumnCount; ++col) EXPECT_FALSE(GetApplicantCell(row, col).has_value());
    bool unread = false;
    for (const v1::UnreadCells& u : r.report.import_record().unread()) unread |= u.field_path() == path;
    EXPECT_TRUE(unread);
  }
}

// The sample as OCR would give it, with `edits` (one line each, found by
// its start) standing for misread digits.
ImportResult ImportAsOcr(const std::vector<std::pair<std::string, std::string>>& edits) {
  std::string text = SampleText();
  for (const auto& [starts_with, with] : edits) text = ReplaceLine(text, starts_with, with);
  absl::StatusOr<Document> doc = ReadText(text);
  EXPECT_TRUE(doc.ok()) << doc.status();
  for (DocBlock& b : doc->blocks) b.ocr = true;
  absl::StatusOr<ImportResult> r = MapTemplate(*doc);
  EXPECT_TRUE(r.ok()) << r.status();
  return *r;
}

// 31 misread as 37: only one cell changed makes both the row (total 31) and
// its column ((七)总计 = the items) add up — it is inferred and said so.
TEST(Ocr, OneReadingThatSatisfiesEverySumIsInferred) {
  ImportResult r = ImportAsOcr({{"| 三、本年度办理结果 | (一) 予以公开",
                                 "| 三、本年度办理结果 | (一) 予以公开 | 37 | 0 | 0 | 0 | 0 | 0 | 31 |"}});
  EXPECT_EQ(GetApplicantCell(r.report.requests().outcomes().disclosed(), 0), 31);
  std::vector<std::string> inferred;
  for (const auto& d : r.diagnostics) {
    if (d.inferred()) {
      inferred.insert(inferred.end(), d.field_paths().begin(), d.field_paths().end());
    }
  }
  EXPECT_THAT(inferred, ::testing::ElementsAre("requests.outcomes.disclosed.natural_person"));
  EXPECT_TRUE(Unplaced(r).empty()) << absl::StrJoin(Unplaced(r), "\n");
}

// Two misread rows in one column: no column sum can be checked, so neither
// is guessed; a misread in table 四 (no column sums) is never guessed.
TEST(Ocr, RowsThatDoNotAddUpAreNotGuessedWithoutAColumnToCheck) {
  ImportResult r = ImportAsOcr({
      {"| 三、本年度办理结果 | (一) 予以公开", "| 三、本年度办理结果 | (一) 予以公开 | 37 | 0 | 0 | 0 | 0 | 0 | 31 |"},
      {"| | | 4.保护第三方", "| | | 4.保护第三方合法权益 | 7 | 0 | 0 | 0 | 0 | 0 | 2 |"},
      {"| 3 | 0 | 0 | 0 | 3 |", "| 3 | 0 | 0 | 0 | 8 | 4 | 0 | 0 | 1 | 5 | 3 | 0 | 0 | 1 | 4 |"}});
  const v1::RequestStatistics& q = r.report.requests();
  for (int col = 0; col < kApplicantColumnCount; ++col) {
    EXPECT_FALSE(GetApplicantCell(q.outcomes().disclosed(), col).has_value());
    EXPECT_FALSE(GetApplicantCell(q.outcomes().withheld().third_party_rights(), col).has_value());
  }
  EXPECT_FALSE(r.report.appeals().administrative_reconsideration().has_total());
  std::vector<std::string> unread;
  for (const v1::UnreadCells& u : r.report.import_record().unread()) unread.push_back(u.field_path());
  EXPECT_THAT(unread, ::testing::UnorderedElementsAre(
                          "requests.outcomes.disclosed", "requests.outcomes.withheld.third_party_rights",
                          "appeals.administrative_reconsideration"));
}

// Every count cell and the fee of `got` as in the sample's own import.
void ExpectCellsOfTheSample(const ImportResult& got) {
  const ImportResult want = MustImport(SampleText());
  for (const CountCell& c : AllCountCells()) {
    EXPECT_EQ(GetCount(got.report, c), GetCount(want.report, c)) << c.field_path;
  }
  EXPECT_EQ(GetFee(got.report), GetFee(want.report));
  EXPECT_THAT(Unplaced(got), ::testing::IsEmpty());
}

std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  EXPECT_NE(text.find(from), std::string::npos) << from;
  return absl::StrReplaceAll(text, {{from, to}});
}

// A table whose group column is merged into the row labels prints the
// group's label and the row's with nothing between them.
TEST(Mess, GroupLabelGluedToTheRowLabel) {
  std::string text = Replaced(SampleText(), "| 三、本年度办理结果 | (一) 予以公开 |",
                              "| 三、本年度办理结果(一)予以公开 | |");
  text = Replaced(text, "| | (三) 不予公开 | 1.属于国家秘密 |", "| | (三)不予公开1.属于国家秘密 | |");
  text = Replaced(text, "| | (五) 不予处理 | 1.信访举报投诉类申请 |", "| | (五)不予处理1.信访举报投诉类申请 | |");
  ExpectCellsOfTheSample(MustImport(text));
}

// Labels wrapped in their narrow cells, as a PDF's lines give them: the
// first part of the next row's label starts with its own number (not the
// rest of the row before, whose words it shares), and the group label's
// last character stands alone on the row's second line.
TEST(Mess, WrappedLabelsOfNeighbouringRows) {
  std::string text = Replaced(SampleText(),
                              "| | | 7.属于行政执法案卷 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n"
                              "| | | 8.属于行政查询事项 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n",
                              "7.属于行\n政执法案卷    0  0  0  0  0  0  0\n"
                              "8.属于行\n政查询事项    1  0  0  0  0  0  1\n");
  text = Replaced(text,
                  "| | 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | |\n",
                  "(六)其他处 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公\n"
                  "理     开申请    0  0  0  0  0  0  0\n");
  ImportResult r = MustImport(text);
  ExpectCellsOfTheSample(r);
  for (const auto& d : r.diagnostics) EXPECT_THAT(d.message(), Not(HasSubstr("按模板标签"))) << d.text();
}

// Fragments of group labels wrapped in their narrow cells, printed on a
// row's line before its label (a PDF's lines beside vertically centred
// group cells): several fragments of two groups, or a group's first
// characters with its numbering before the first part of a wrapped row
// label, are read as no part of the row's label.
TEST(Mess, GroupLabelFragmentsBeforeARowLabel) {
  std::string text = Replaced(SampleText(),
                              "| | | 2.没有现成信息需要另行制作 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n",
                              "三、本 （四）无 法提供 2.没有现成信息需要另行制作   0   0   0   0   0   0   0\n");
  text = Replaced(text,
                  "| | 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | |\n",
                  "（六）其 2.申请人逾期未按收费通知要求缴\n"
                  "他处理 纳费用、行政机关不再处理其政府 0   0   0   0   0   0   0\n"
                  "信息公开申请\n");
  ImportResult r = MustImport(text);
  ExpectCellsOfTheSample(r);
  for (const auto& d : r.diagnostics) EXPECT_THAT(d.message(), Not(HasSubstr("按模板标签"))) << d.text();
  for (const v1::Finding& f : StructureFindings(r)) EXPECT_NE(f.rule_id(), "S-LABEL") << f.message();
}

// A label wrapped so that only its last character (and a bracket) is left
// for the line of its values, as a narrow cell prints （二）部分公开（…）.
TEST(Mess, LastCharacterOfAWrappedLabelWithTheValues) {
  std::string text = Replaced(SampleText(),
                              "| | (二) 部分公开（区分处理的，只计这一情形，不计其他情形） | 14 | 0 | 0 | 0 | 0 | 0 | 14 | |\n",
                              "办理结果 (二)部分公开(区分处理的,只计这一情形,不计其他情\n"
                              "形)                   14 0 0 0   0   0 14\n");
  ImportResult r = MustImport(text);
  ExpectCellsOfTheSample(r);
}

// A row label glued to its first value, as some extractions print it.
TEST(Mess, LabelGluedToItsFirstValue) {
  ImportResult r = MustImport(
      "某局2021年政府信息公开工作年度报告\n二、主动公开政府信息情况\n规章0 0 0\n行政规范性文件3 5 11\n"
      "行政许可733641\n行政事业性收费22943.1665\n三、收到和处理政府信息公开申请情况\n"
      "一、本年新收政府信息公开申请数量86 0 0 0 0 0 86\n"
      "(二)部分公开(区分处理的,只计这一情形,不计其他情形)14 0 0 0 0 0 14\n");
  const v1::ProactiveDisclosure& p = r.report.proactive_disclosure();
  EXPECT_EQ(p.regulations().issued(), 0);
  EXPECT_TRUE(p.regulations().has_in_force());
  EXPECT_EQ(p.normative_documents().in_force(), 11);
  EXPECT_EQ(p.administrative_licensing().decisions(), 733641);
  EXPECT_EQ(p.administrative_fees().amount_10k_yuan(), "22943.1665");
  EXPECT_EQ(r.report.requests().received().natural_person(), 86);
  EXPECT_EQ(r.report.requests().outcomes().partially_disclosed().total(), 14);
}

// Text pasted without its line breaks: a part's heading word for word at
// the start of its first paragraph, or after the last sentence of the part
// before. A heading quoted inside a sentence stays text.
TEST(Mess, HeadingsGluedIntoRunningText) {
  std::string text = Replaced(SampleText(), "五、存在的主要问题及改进情况\n\n目前",
                              "五、存在的主要问题及改进情况目前");
  text = Replaced(text, "能力水平。\n\n六、其他需要报告的事项\n\n本报告",
                  "能力水平。六、其他需要报告的事项本报告");
  ImportResult r = MustImport(text);
  const ImportResult want = MustImport(SampleText());
  ExpectCellsOfTheSample(r);
  EXPECT_EQ(r.report.problems_and_improvements(), want.report.problems_and_improvements());
  EXPECT_EQ(r.report.other_matters(), want.report.other_matters());
  for (const v1::Finding& f : StructureFindings(r)) EXPECT_NE(f.rule_id(), "S-SECT") << f.message();

  ImportResult quoted = MustImport(Replaced(SampleText(), "本报告公布的数据", "详见五、存在的主要问题及改进情况所述，本报告公布的数据"));
  EXPECT_THAT(quoted.report.other_matters(), HasSubstr("详见五、存在的主要问题及改进情况所述"));
}

// A saved web page read without its article element: the site's menu
// above the title and its footer below the last part are not the report's.
TEST(Import, SiteMenuAndFooterAreNotNarrative) {
  ImportResult r = MustImport(absl::StrCat("首页 政务公开 政府信息公开年报\n", SampleText(),
                                           "\n版权所有：郑州市公安局 ICP备05012345号-1 豫公网安备 41010502001234号\n"));
  const ImportResult want = MustImport(SampleText());
  EXPECT_EQ(r.report.overview(), want.report.overview());
  EXPECT_EQ(r.report.other_matters(), want.report.other_matters());
}

// A PDF's lines (layout.h): a line that ends short of the page's right
// margin ends its paragraph, so a heading printed flush left after it (as
// WPS and Word print headings, unindented) is a paragraph of its own, not
// the end of the paragraph before it.
Word LayoutWord(const std::string& text, double x0, double x1, double y0) {
  Word w;
  w.text = text;
  w.x0 = x0;
  w.x1 = x1;
  w.y0 = y0;
  w.y1 = y0 + 12;
  return w;
}

TEST(PdfLayout, LineEndingShortOfTheMarginEndsItsParagraph) {
  Document doc;
  AppendPageLines({LayoutWord("一、总体情况", 50, 122, 100),
                   LayoutWord("本机关全年主动公开政府信息一千余条，内容涵盖机构职能政策文件和办事服务", 74, 545, 120),
                   LayoutWord("等方面。", 50, 98, 140),
                   LayoutWord("二、主动公开政府信息情况", 50, 194, 160),
                   LayoutWord("本年度共制发规范性文件三件，全部按规定在政府网站公开，接受社会监督和", 74, 545, 180),
                   LayoutWord("查询。", 50, 86, 200)},
                  1, 842, false, &doc);
  std::vector<std::string> texts;
  for (const DocBlock& b : doc.blocks) texts.push_back(b.text);
  EXPECT_THAT(texts, ::testing::ElementsAre(
                         "一、总体情况",
                         "本机关全年主动公开政府信息一千余条，内容涵盖机构职能政策文件和办事服务等方面。",
                         "二、主动公开政府信息情况",
                         "本年度共制发规范性文件三件，全部按规定在政府网站公开，接受社会监督和查询。"));
}

// A table row's label beside group cells centred over several rows (as
// Chromium prints table 三, CJK glyph boxes taller than the digits'): the
// row is the band of its values, and every fragment whose centre falls in
// it joins it, so "2." and its label stay on the line of their values; the
// group cells' fragments between rows are lines of their own.
Word BoxWord(const std::string& text, double x0, double y0, double x1, double y1) {
  Word w = LayoutWord(text, x0, x1, y0);
  w.y1 = y1;
  return w;
}

TEST(PdfLayout, LabelFragmentsJoinTheRowOfTheirValues) {
  std::vector<Word> words = {BoxWord("1.", 174.0, 378.5, 183.6, 390.1),
                             BoxWord("本机关不掌握相关政府信息", 183.6, 368.8, 303.5, 394.7),
                             BoxWord("（四）无", 121.4, 383.0, 161.4, 409.0),
                             BoxWord("三、本年", 66.7, 393.5, 106.7, 419.5),
                             BoxWord("法提供", 121.4, 397.3, 151.4, 423.2),
                             BoxWord("2.", 174.0, 399.5, 183.6, 411.1),
                             BoxWord("没有现成信息需要另行制作", 183.6, 389.8, 303.5, 415.7),
                             BoxWord("度办理结", 66.7, 407.8, 106.7, 433.7),
                             BoxWord("3.", 174.0, 420.5, 183.6, 432.1),
                             BoxWord("补正后申请内容仍不明确", 183.6, 410.8, 293.5, 436.7),
                             BoxWord("果", 66.7, 422.0, 76.7, 448.0)};
  for (double y : {377.7, 398.7, 419.7}) {
    for (double x : {336.0, 362.4, 391.1, 419.8, 456.4, 493.1, 513.8}) {
      words.push_back(BoxWord(y == 377.7 ? "25" : "0", x, y, x + 6.4, y + 11.7));
    }
  }
  Document doc;
  AppendPageLines(words, 3, 842, false, &doc);
  std::vector<std::string> texts;
  for (const DocBlock& b : doc.blocks) texts.push_back(b.text);
  ASSERT_EQ(texts.size(), 5u) << absl::StrJoin(texts, "\n");
  EXPECT_THAT(texts[0], ::testing::MatchesRegex("1\\.本机关不掌握相关政府信息 +25( +25){6}"));
  EXPECT_EQ(texts[1], "（四）无");
  EXPECT_THAT(texts[2], ::testing::MatchesRegex("三、本年 +法提供 +2\\.没有现成信息需要另行制作( +0){7}"));
  EXPECT_THAT(texts[3], ::testing::MatchesRegex("度办理结 +3\\.补正后申请内容仍不明确( +0){7}"));
  EXPECT_EQ(texts[4], "果");
}

// OCR boxes CJK punctuation as words of its own, taller than the glyphs
// or low on the line: a mark joins the line it overlaps most, not the row
// of values whose band holds its centre (a label's second line below the
// values of its row keeps its comma and bracket).
TEST(PdfLayout, PunctuationStaysWithItsWords) {
  std::vector<Word> words = {BoxWord("(三", 110.9, 80.6, 126.5, 88.6),
                             BoxWord(")", 125.8, 76.1, 129.8, 91.2),
                             BoxWord("部分公开", 133.0, 80.6, 167.8, 88.8),
                             BoxWord("只计这一情", 233.5, 80.9, 276.2, 89.3),
                             BoxWord("，", 162.7, 87.6, 171.4, 104.6),
                             BoxWord(")", 223.4, 87.6, 226.8, 104.6),
                             BoxWord("形", 151.0, 94.8, 161.3, 103.7),
                             BoxWord("不计其他情形", 171.1, 94.8, 225.8, 103.0)};
  // The values as OCR boxed them, a little lower to the right.
  words.push_back(BoxWord("14", 302.2, 88.6, 310.1, 95.8));
  words.push_back(BoxWord("0", 340.8, 88.8, 345.4, 95.8));
  words.push_back(BoxWord("0", 377.3, 89.0, 381.8, 96.0));
  words.push_back(BoxWord("0", 414.2, 89.0, 418.8, 96.0));
  words.push_back(BoxWord("0", 450.7, 89.3, 455.3, 96.0));
  words.push_back(BoxWord("0", 487.7, 89.3, 492.2, 96.2));
  words.push_back(BoxWord("14", 523.0, 89.3, 530.9, 96.5));
  Document doc;
  AppendPageLines(words, 3, 842, true, &doc);
  std::vector<std::string> texts;
  for (const DocBlock& b : doc.blocks) texts.push_back(b.text);
  ASSERT_EQ(texts.size(), 3u) << absl::StrJoin(texts, "\n");
  EXPECT_THAT(texts[0], HasSubstr("部分公开"));
  EXPECT_THAT(texts[1], ::testing::MatchesRegex("14( +0){5} +14"));
  EXPECT_EQ(texts[2], "形，不计其他情形)");
}

// A row that could not be read and then its label once more with values
// (libFuzzer, fuzz/regressions/rules/unread-row-read-again.txt): its cells
// stay empty and unread, as the UNPLACED diagnostic says, and the rules
// report IMPORT-UNREAD for them, not the second reading's values (issue 12:
// the cell held 0 and was listed as unread).
TEST(Import, RowUnreadThenReadAgainStaysUnread) {
  std::string sample = ReadTestdata("zhengzhou-psb-2021.txt");
  const std::string row = "| 行政处罚 | 15720 | | |";
  ASSERT_NE(sample.find(row), std::string::npos);
  for (const std::string& text :
       {std::string("二信息情况\n政处罚 下\n政处罚 0\n"),
        absl::StrReplaceAll(sample, {{row, "| 行政处罚 | 下 | | |\n" + row}})}) {
    absl::StatusOr<ImportResult> r = ImportText(text);
    ASSERT_TRUE(r.ok()) << r.status();
    const v1::Report& report = r->report;
    EXPECT_NE(UnreadEntryOf(report, "proactive_disclosure.administrative_penalty.decisions"),
              nullptr);
    EXPECT_FALSE(report.proactive_disclosure().administrative_penalty().has_decisions())
        << report.proactive_disclosure().administrative_penalty().decisions();
    bool unread_finding = false;
    for (const v1::Finding& f : Validate(report)) {
      unread_finding |= f.rule_id() == "IMPORT-UNREAD" &&
                        f.location().field_path() ==
                            "proactive_disclosure.administrative_penalty.decisions";
    }
    EXPECT_TRUE(unread_finding);
  }
}

}  // namespace
}  // namespace disclosure
