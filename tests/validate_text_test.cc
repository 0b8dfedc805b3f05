// End to end on the published text, as `reportctl validate` runs it:
// import, structure findings, rules. Every single cell of the sample's
// tables changed in the text so that a sum no longer holds gives an error
// that points at that table, row and column.
#include <string>
#include <vector>

#include "core/base/file.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/import/import.h"
#include "core/rules/rules.h"
#include "core/rpc/rpc_util.h"
#include "core/report/template.h"
#include "gtest/gtest.h"

namespace disclosure {
namespace {

std::string Sample() {
  return *ReadFileToString(std::string(DISCLOSURE_TESTDATA) + "/zhengzhou-psb-2021.txt");
}

std::vector<v1::Finding> ValidateText(const std::string& text) {
  absl::StatusOr<ImportResult> r = ImportText(text);
  EXPECT_TRUE(r.ok()) << r.status();
  std::vector<v1::Finding> findings = StructureFindings(*r);
  for (auto& f : Validate(r->report)) findings.push_back(std::move(f));
  return findings;
}

TEST(ValidateText, SampleHasNoErrorAndNoStructureFinding) {
  absl::StatusOr<ImportResult> r = ImportText(Sample());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(StructureFindings(*r).empty());
  EXPECT_FALSE(HasErrors(ValidateText(Sample())));
}

// Does `f` point at `cell`: its row, with its column or the cell among the
// addends of the sum?
bool PointsAt(const v1::Finding& f, const CountCell& cell) {
  if (f.severity() != v1::ERROR || f.location().section() != SectionNumeral(cell)) return false;
  bool row = f.location().row() == cell.row_path;
  bool column = f.location().column() == cell.column;
  bool addend = false;
  for (const auto& a : f.addends()) addend |= a.field_path() == cell.field_path;
  return (row && (column || addend)) || (column && addend);
}

TEST(ValidateText, EverySumBreakingCellChangeIsFoundAtItsPlace) {
  const std::string text = Sample();
  const v1::Report original = ImportText(text)->report;
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  int checked = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty() || lines[i][0] != '|') continue;
    std::vector<std::string> cells = absl::StrSplit(lines[i], '|');
    for (size_t c = 0; c < cells.size(); ++c) {
      int64_t v;
      std::string t(absl::StripAsciiWhitespace(cells[c]));
      if (t.find('.') != std::string::npos || !absl::SimpleAtoi(t, &v)) continue;
      std::vector<std::string> changed_cells = cells;
      changed_cells[c] = absl::StrCat(" ", v + 1, " ");
      std::vector<std::string> changed = lines;
      changed[i] = absl::StrJoin(changed_cells, "|");
      std::string mutated = absl::StrJoin(changed, "\n");
      v1::Report report = ImportText(mutated)->report;
      // Which cell changed?
      const CountCell* which = nullptr;
      for (const CountCell& cell : AllCountCells()) {
        if (GetCount(report, cell) != GetCount(original, cell)) which = &cell;
      }
      ASSERT_NE(which, nullptr) << "line " << i + 1;
      if (which->section == '2') continue;  // table 二 has no sums
      std::vector<v1::Finding> findings = ValidateText(mutated);
      EXPECT_TRUE(HasErrors(findings)) << which->field_path;
      bool at_place = false;
      for (const auto& f : findings) at_place |= PointsAt(f, *which);
      EXPECT_TRUE(at_place) << which->field_path;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 25 * 7 + 15);
}

}  // namespace
}  // namespace disclosure
