// Real and realistic messy reports of other agencies (tests/testdata/messy,
// see its README): each imports to its expected cells, cell by cell — a
// blank stays absent, never a zero — and only the lines the README names are
// reported as unplaced.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "core/report/export.h"
#include "core/import/import.h"
#include "core/report/template.h"
#include "gtest/gtest.h"

namespace disclosure {
namespace {

std::string Messy(const std::string& name) {
  std::ifstream in(std::string(DISCLOSURE_TESTDATA) + "/messy/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Case {
  std::string name;
  std::vector<int> unplaced_lines;  // lines that must be reported as unplaced
};

class MessyImport : public ::testing::TestWithParam<Case> {};

TEST_P(MessyImport, CellsAsExpected) {
  const Case& c = GetParam();
  v1::Report expected;
  ASSERT_TRUE(FromJson(Messy(c.name + ".expected.json"), &expected).ok()) << c.name;
  absl::StatusOr<ImportResult> got = ImportText(Messy(c.name + ".txt"));
  ASSERT_TRUE(got.ok()) << got.status();
  const v1::Report& r = got->report;
  EXPECT_EQ(r.year(), expected.year());
  EXPECT_EQ(r.title(), expected.title());
  EXPECT_EQ(r.agency().name(), expected.agency().name());
  for (const CountCell& cell : AllCountCells()) {
    EXPECT_EQ(GetCount(r, cell), GetCount(expected, cell)) << c.name << ": " << cell.field_path;
  }
  EXPECT_EQ(GetFee(r), GetFee(expected));
  std::vector<int> unplaced;
  std::vector<std::string> messages;
  for (const auto& d : got->diagnostics) {
    if (d.level() != v1::ImportDiagnostic::UNPLACED) continue;
    unplaced.push_back(d.line());
    messages.push_back(absl::StrCat(d.line(), ": ", d.message(), " [", d.text(), "]"));
  }
  // Every note is for the clerk, in Chinese: no English words (runs of four
  // ASCII letters or more) beside what it quotes of the document.
  for (const auto& d : got->diagnostics) {
    std::string message = d.message();
    for (const std::string& quoted : {d.text(), d.expected()}) {
      for (size_t at; !quoted.empty() && (at = message.find(quoted)) != std::string::npos;) {
        message.erase(at, quoted.size());
      }
    }
    int letters = 0;
    for (char ch : message) {
      letters = absl::ascii_isalpha(static_cast<unsigned char>(ch)) ? letters + 1 : 0;
      EXPECT_LT(letters, 4) << c.name << " line " << d.line() << ": " << d.message();
      if (letters >= 4) break;
    }
  }
  std::sort(unplaced.begin(), unplaced.end());
  unplaced.erase(std::unique(unplaced.begin(), unplaced.end()), unplaced.end());
  EXPECT_EQ(unplaced, c.unplaced_lines) << absl::StrJoin(messages, "\n");
}

INSTANTIATE_TEST_SUITE_P(
    OtherAgencies, MessyImport,
    ::testing::Values(Case{"changchun-erdao-fwzs-2022", {}}, Case{"hanyang-zfb-2022", {}},
                      Case{"huaian-zrzy-2021", {}}, Case{"fuyuan-zrzy-2022", {}},
                      Case{"wendeng-xfj-2022", {}}, Case{"ocr-weijian-2022", {}},
                      Case{"county-commerce-2022", {}}, Case{"market-regulation-2023", {}},
                      Case{"unplaced-row-hrss-2022", {38}},
                      Case{"layout-glued-labels-2021", {}}),
    [](const auto& info) {
      std::string n = info.param.name;
      std::replace(n.begin(), n.end(), '-', '_');
      return n;
    });

TEST(MessyImport, Format2019IsRefused) {
  absl::StatusOr<ImportResult> got = ImportText(Messy("format2019-duji-jxj-2020.txt"));
  EXPECT_EQ(got.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace disclosure
