// Private to the rules library (rules.cc and the family files beside it):
// the rule catalogue by index, how a finding is started and located, and the
// rule groups Validate() runs.
#ifndef DISCLOSURE_CORE_RULES_INTERNAL_H_
#define DISCLOSURE_CORE_RULES_INTERNAL_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "core/rules/rules.h"
#include "re2/re2.h"
#include "core/report/template.h"
#include "disclosure/v1/findings.pb.h"
#include "disclosure/v1/report.pb.h"

namespace disclosure::rules_internal {

// The catalogue's names (core/rules/catalogue.h).
using Rule = RuleId;

using Findings = google::protobuf::RepeatedPtrField<v1::Finding>;

// Appends a finding of `rule` with the rule-set version and the catalogue's
// severity, or `severity` when given (T2-FEE has two).
v1::Finding& NewFinding(Rule rule, Findings* out,
                        v1::Severity severity = v1::SEVERITY_UNSPECIFIED);

// ------------------------------------------------------------ table cells
// The CountCell of each cell (template.h), for locations and labels.
const CountCell& ProactiveCell(int row, int col);
const CountCell& RequestCell(int row, int col);
const CountCell& AppealCell(int block, int col);
// The fee cell is not a CountCell: its path and labels.

// A cell's value when a sum may use it: present, not negative and at most
// kMaxCount. Empty cells and counts out of that range have findings of
// their own (EMPTY, T-INT); a sum over them is not assessable.
inline bool InCountRange(int64_t v) { return v >= 0 && v <= kMaxCount; }
inline std::optional<int64_t> Usable(std::optional<int64_t> v) {
  return v.has_value() && InCountRange(*v) ? v : std::nullopt;
}

// Table 三 read once (the table and narrative rules read its cells hundreds
// of times).
class RequestTable {
 public:
  explicit RequestTable(const v1::Report& r);

  // The cell as it is (nullopt: empty, or a group row).
  std::optional<int64_t> raw(int row, int col) const {
    return present_[row][col] ? std::optional<int64_t>(values_[row][col]) : std::nullopt;
  }
  // The cell when a sum may use it: nullopt for an empty cell or one out of
  // the count range.
  std::optional<int64_t> at(int row, int col) const {
    return present_[row][col] && InCountRange(values_[row][col])
               ? std::optional<int64_t>(values_[row][col])
               : std::nullopt;
  }
  // 总计 of a data row, or of a group row （三）–（六）: the sum of its
  // sub-rows' 总计. nullopt when any term is not usable.
  std::optional<int64_t> Total(int row) const;

 private:
  // Plain arrays rather than std::optional: the sums run over them.
  int64_t values_[kRequestRowCount][kApplicantColumnCount] = {};
  bool present_[kRequestRowCount][kApplicantColumnCount] = {};
};

// Location of a cell, or of the fee cell.
void LocateCell(const CountCell& cell, v1::Location* loc);
void LocateFee(v1::Location* loc);
// "表三“（七）总计”行“自然人”列": how messages name a cell; and the fee cell.
std::string CellName(const CountCell& cell);
std::string FeeCellName();
void AddAddend(const CountCell& cell, absl::string_view label, std::optional<int64_t> value,
               v1::Finding* f);

// ------------------------------------------------------------ texts
// The texts of a report that the text rules read, with where they sit.
struct TextField {
  const char* section;  // "标题", "一", "五", "六"
  const char* field;    // "title", "overview", …
  const std::string* text;
};
// Title and the three narrative parts, in report order.
std::array<TextField, 4> TextFields(const v1::Report& r);

// Location of [start, end) in code points of a text field.
void LocateText(const TextField& t, int start, int end, v1::Location* loc);

// Counts code points of a text from left to right: Advance(byte offset)
// returns the code-point offset of that byte. Offsets must not decrease, so
// a scan over matches in order counts every byte once.
class CodePointCursor {
 public:
  explicit CodePointCursor(absl::string_view text) : text_(text) {}
  int Advance(size_t byte_offset);

 private:
  absl::string_view text_;
  size_t byte_ = 0;
  int code_points_ = 0;
};

// Whether `needle` occurs in `text`, fast on Chinese text: the prefilters
// that spare a text a regex pass run on every text. absl::StrContains and
// glibc's memmem key on the needle's first byte, which for most ideographs is
// one of E4–E9 and so matches every other byte; this memchr()s the last byte,
// a continuation byte spread over 64 values.
bool Contains(absl::string_view text, absl::string_view needle);

// Digits, ASCII or full-width (０–９), as a number; nullopt when empty, not
// all digits, or more than 12 digits (above kMaxCount: not a count).
std::optional<int64_t> ParseCount(absl::string_view digits);
// Bytes of the digit (0–9 or ０–９) at s[i], 0 when there is none; its value
// in *value when asked (-1 for none).
size_t DigitAt(absl::string_view s, size_t i, int* value = nullptr);

// ------------------------------------------------------------ narrative
// The pattern of the counts the narrative states (narrative.cc says what
// its six groups are) and the groups of one of its whole matches, as RE2
// would capture them: an unset view (data() == nullptr) for a group that
// did not take part. RE2 finds whole matches with its DFA alone; capturing
// groups takes it a second pass that cost as much again.
const re2::RE2& CountPattern();
struct CountMatch {
  absl::string_view keyword, gap, number, percent;  // groups 1–4
  absl::string_view all_concluded;                  // group 5
  absl::string_view all_upheld;                     // group 6
};
CountMatch SplitCountMatch(absl::string_view match);

// ------------------------------------------------------------ text views
// An RE2 match as a view; byte offsets of a part of `text` (a view into it,
// or an RE2 match in it).
inline absl::string_view View(const re2::StringPiece& p) {
  return absl::string_view(p.data(), p.size());
}
inline size_t Begin(absl::string_view text, absl::string_view p) {
  return static_cast<size_t>(p.data() - text.data());
}
inline size_t End(absl::string_view text, absl::string_view p) { return Begin(text, p) + p.size(); }
inline size_t Begin(absl::string_view text, const re2::StringPiece& p) {
  return Begin(text, View(p));
}
inline size_t End(absl::string_view text, const re2::StringPiece& p) {
  return End(text, View(p));
}

// ------------------------------------------------------------ rule groups
// tables.cc: EMPTY, T-INT, T2-FEE, T3-ROW, T3-OUT, T3-BAL, T4-SUM.
void CheckTables(const v1::Report& r, const RequestTable& requests, Findings* out);
// tables.cc: X-CARRY, X-INFORCE, T2-REPEAL, X-SAME (needs previous).
void CheckAcrossYears(const v1::Report& r, const RequestTable& requests,
                      const ValidationContext& context, Findings* out);
// narrative.cc: N-T3, N-T3-COVER, N-T4, N-PCT, N-DONE.
void CheckNarrative(const v1::Report& r, const RequestTable& requests, Findings* out);
// year.cc: S-YEAR.
void CheckYears(const v1::Report& r, Findings* out);
// confidentiality.cc: C-ID, C-MOBILE, C-CARD, C-MARK.
void CheckConfidentiality(const v1::Report& r, Findings* out);

}  // namespace disclosure::rules_internal

#endif  // DISCLOSURE_CORE_RULES_INTERNAL_H_
