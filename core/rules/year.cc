// S-YEAR: the report's year in its title, at the start of its paragraphs
// and in the periods it names. Offsets in findings are Unicode code points
// of the field's text.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/report/decimal.h"
#include "core/rules/identity_numbers.h"
#include "core/base/text_util.h"
#include "core/rules/internal.h"
#include "core/report/template.h"
#include "re2/re2.h"

namespace disclosure::rules_internal {
namespace {

// ================================================================ S-YEAR
const RE2& TitleYearPattern() {
  static const RE2* re = new RE2("([0-9０-９]{4})[ \\t　]*年");
  return *re;
}

// A year opening a paragraph: "2021 年，", "2021年度，". Matched anchored at
// the paragraph's start.
const RE2& ParagraphYearPattern() {
  static const RE2* re = new RE2("[ \\t　]*([0-9０-９]{4})[ \\t　]*年度?[ \\t　]*[，,]");
  return *re;
}

// The statistics period "Y年1月1日（起）至Y年12月31日": groups 1 and 2.
const RE2& PeriodPattern() {
  static const RE2* re = new RE2(
      "([0-9０-９]{4})[ \\t　]*年[ \\t　]*0?1[ \\t　]*月[ \\t　]*0?1[ \\t　]*日[ \\t　]*起?[ \\t　]*"
      "(?:至|到|—|－|-|~|～)[ \\t　]*"
      "([0-9０-９]{4})[ \\t　]*年[ \\t　]*12[ \\t　]*月[ \\t　]*31[ \\t　]*日");
  return *re;
}

class YearScan {
 public:
  YearScan(int year, const TextField& field, Findings* out)
      : year_(year), field_(field), text_(*field.text), out_(out) {}

  void Title() {
    re2::StringPiece g[2];
    CodePointCursor cursor(text_);
    if (TitleYearPattern().Match(Piece(), 0, text_.size(), RE2::UNANCHORED, g, 2)) {
      Check(g[1], &cursor, "标题中");
    }
  }

  // Only parts 一 and 六: part 五 rightly opens paragraphs with next year's
  // plans ("2022 年，我局将…").
  void ParagraphStarts() {
    CodePointCursor cursor(text_);
    re2::StringPiece g[2];
    for (size_t begin = 0; begin < text_.size();) {
      size_t end = text_.find('\n', begin);
      if (end == std::string::npos) end = text_.size();
      // Only lines that open with a digit or a space can match (CJK text
      // opens with 0xE4–0xE9, "（" with 0xEF, "　" with 0xE3).
      const unsigned char first = static_cast<unsigned char>(text_[begin]);
      if ((absl::ascii_isdigit(first) || first == ' ' || first == '\t' || first == 0xEF ||
           first == 0xE3) &&
          ParagraphYearPattern().Match(Piece(), begin, end, RE2::ANCHOR_START, g, 2)) {
        Check(g[1], &cursor, "段首");
      }
      begin = end + 1;
    }
  }

  void Periods() {
    // Every period has a 12 and a 31; most texts have not both.
    if (!(Contains(text_, "31") && Contains(text_, "12")) &&
        !(Contains(text_, "３１") && Contains(text_, "１２"))) {
      return;
    }
    CodePointCursor cursor(text_);
    re2::StringPiece g[3];
    for (size_t pos = 0; pos < text_.size() &&
                         PeriodPattern().Match(Piece(), pos, text_.size(), RE2::UNANCHORED, g, 3);
         pos = End(text_, g[0])) {
      Check(g[1], &cursor, "统计期限中");
      Check(g[2], &cursor, "统计期限中");
    }
  }

 private:
  re2::StringPiece Piece() const { return re2::StringPiece(text_.data(), text_.size()); }

  void Check(const re2::StringPiece& digits, CodePointCursor* cursor, const char* where) {
    const std::optional<int64_t> found = ParseCount(View(digits));
    if (!found.has_value() || *found == year_) return;
    const int start = cursor->Advance(Begin(text_, digits));
    const int end = cursor->Advance(End(text_, digits));
    v1::Finding& f = NewFinding(Rule::kSYear, out_);  // S-YEAR
    LocateText(field_, start, end, f.mutable_location());
    f.set_expected(absl::StrCat(year_));
    f.set_actual(absl::StrCat(*found));
    // "标题中的年度 2020 …", "第一部分段首的年度 2020 …",
    // "第六部分统计期限中的年度 2020 …".
    const std::string part =
        field_.field == std::string("title") ? "" : absl::StrCat("第", field_.section, "部分");
    f.set_message(absl::StrCat(part, where, "的年度 ", *found, " 与报告年度 ", year_, " 不一致"));
  }

  const int year_;
  const TextField& field_;
  const std::string& text_;
  Findings* out_;
};


}  // namespace

void CheckYears(const v1::Report& r, Findings* out) {
  if (r.year() <= 0) return;
  const auto fields = TextFields(r);
  YearScan(r.year(), fields[0], out).Title();
  for (int i : {1, 3}) YearScan(r.year(), fields[i], out).ParagraphStarts();  // 一, 六
  for (int i : {1, 2, 3}) YearScan(r.year(), fields[i], out).Periods();
}

}  // namespace disclosure::rules_internal
