#include "core/report/diff.h"

#include "absl/strings/str_cat.h"
#include "core/report/template.h"

namespace disclosure {
namespace {

std::optional<std::string> Printed(std::optional<int64_t> v) {
  if (!v) return std::nullopt;
  return std::to_string(*v);
}

void Text(std::vector<ReportChange>* out, const char* path, const char* label,
          const std::string& a, const std::string& b) {
  if (a != b) out->push_back({path, label, a, b});
}

}  // namespace

std::vector<ReportChange> DiffReports(const v1::Report& a, const v1::Report& b) {
  std::vector<ReportChange> out;
  Text(&out, "title", "标题", a.title(), b.title());
  if (a.year() != b.year()) {
    out.push_back({"year", "报告年度", std::to_string(a.year()), std::to_string(b.year())});
  }
  Text(&out, "agency.name", "机关名称", a.agency().name(), b.agency().name());
  Text(&out, "overview", kParts[0].heading, a.overview(), b.overview());
  const auto& cells = AllCountCells();
  auto diff_cells = [&](char section) {
    for (const CountCell& c : cells) {
      if (c.section != section) continue;
      auto x = GetCount(a, c), y = GetCount(b, c);
      if (x != y) {
        out.push_back({c.field_path,
                       absl::StrCat(SectionNumeral(c), " ", c.row_label, " / ", c.column_label),
                       Printed(x), Printed(y)});
      }
    }
  };
  diff_cells('2');
  if (GetFee(a) != GetFee(b)) {
    out.push_back({"proactive_disclosure.administrative_fees.amount_10k_yuan",
                   absl::StrCat("二 行政事业性收费 / ", kFeeColumn.label), GetFee(a), GetFee(b)});
  }
  diff_cells('3');
  diff_cells('4');
  Text(&out, "problems_and_improvements", kParts[4].heading, a.problems_and_improvements(),
       b.problems_and_improvements());
  Text(&out, "other_matters", kParts[5].heading, a.other_matters(), b.other_matters());
  return out;
}

}  // namespace disclosure
