// Rules on the three tables: EMPTY, T-INT, T2-FEE, T3-ROW, T3-OUT, T3-BAL,
// T4-SUM; and the cross-year rules against the previous report: X-CARRY,
// X-INFORCE, T2-REPEAL, X-SAME.
//
// A sum is assessed only when every cell in it is usable (present, not
// negative): an empty or negative cell has its own finding (EMPTY, T-INT),
// and adding it up as a zero would report a second, invented difference.
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/report/decimal.h"
#include "core/rules/internal.h"
#include "core/report/template.h"

namespace disclosure::rules_internal {
namespace {

// Rows of table 三 that add up to （七）总计: （一）, （二） and every numbered
// sub-item of （三）–（六） (the group rows carry no numbers).
constexpr int kOutcomeRows[] = {kDisclosed, kPartiallyDisclosed,
                                6, 7, 8, 9, 10, 11, 12, 13,  // （三）1–8
                                15, 16, 17,                  // （四）1–3
                                19, 20, 21, 22, 23,          // （五）1–5
                                25, 26, 27};                 // （六）1–3

std::string Print(absl::int128 v) {
  if (v >= std::numeric_limits<int64_t>::min() && v <= std::numeric_limits<int64_t>::max()) {
    return absl::StrCat(static_cast<int64_t>(v));
  }
  // Only a sum of many huge cells gets here.
  const bool negative = v < 0;
  absl::uint128 m = negative ? -absl::uint128(v) : absl::uint128(v);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(m % 10)));
    m /= 10;
  } while (m != 0);
  return negative ? "-" + digits : digits;
}

// A row label that is unambiguous on its own: "（三）不予公开 1.属于国家秘密".
std::string QualifiedRowLabel(int row) {
  const RequestRow& r = kRequestRows[row];
  if (r.group < 0 || r.group == kOutcomesGroup) return r.label;
  return absl::StrCat(kRequestRows[r.group].label, " ", r.label);
}

// ------------------------------------------------------------ cells
// IMPORT-UNREAD stands in for EMPTY on a cell the document fills but the
// importer could not read (Report.import_record): the agency did not leave
// it blank.
template <typename Locate>
void AddUnread(const v1::UnreadCells& u, const std::string& cell_name, Findings* out,
               Locate locate) {
  v1::Finding& f = NewFinding(Rule::kImportUnread, out);  // IMPORT-UNREAD
  locate(f.mutable_location());
  f.set_expected("数值");
  f.set_actual("未能读取");
  f.set_message(absl::StrCat(u.source().empty() ? "" : absl::StrCat("原文", u.source(), "："),
                             cell_name, "导入时未能读取（原文并非空白）：请核对原文后补录"));
}

// EMPTY (or IMPORT-UNREAD) and T-INT for every count cell; EMPTY (or
// IMPORT-UNREAD) and T2-FEE for the fee.
void CheckCells(const v1::Report& r, const RequestTable& requests, Findings* out) {
  for (const CountCell& c : AllCountCells()) {
    const std::optional<int64_t> v =
        c.section == '3' ? requests.raw(c.row, c.col) : GetCount(r, c);
    if (!v.has_value()) {
      if (const v1::UnreadCells* u = UnreadEntryOf(r, c.field_path)) {
        AddUnread(*u, CellName(c), out, [&](v1::Location* loc) { LocateCell(c, loc); });
        continue;
      }
      v1::Finding& f = NewFinding(Rule::kEmpty, out);  // EMPTY
      LocateCell(c, f.mutable_location());
      f.set_expected("数值");
      f.set_actual("空");
      f.set_message(absl::StrCat(CellName(c), "为空：每个单元格都应填写，没有的填 0"));
    } else if (*v < 0) {
      v1::Finding& f = NewFinding(Rule::kTInt, out);  // T-INT
      LocateCell(c, f.mutable_location());
      f.set_expected("≥ 0");
      f.set_actual(absl::StrCat(*v));
      f.set_message(absl::StrCat(CellName(c), "为 ", *v, "：件数应为不小于 0 的整数"));
    } else if (*v > kMaxCount) {
      v1::Finding& f = NewFinding(Rule::kTInt, out);  // T-INT
      LocateCell(c, f.mutable_location());
      f.set_expected(absl::StrCat("≤ ", kMaxCount));
      f.set_actual(absl::StrCat(*v));
      f.set_message(absl::StrCat(CellName(c), "为 ", *v, "：超出一份报告可能的件数（至多 ",
                                 kMaxCount, "）"));
    }
  }
}

const char* FeeProblem(DecimalProblem p) {
  switch (p) {
    case DecimalProblem::kNegative: return "金额不能为负数";
    case DecimalProblem::kUnitSuffix:
      return "数字后带有单位或其他文字（表头已注明单位为万元），应只填数字";
    case DecimalProblem::kThousandsSeparator: return "含千位分隔符，应只填数字和小数点";
    case DecimalProblem::kTooManyDecimals: return "小数超过四位（以万元计，四位小数即精确到元）";
    case DecimalProblem::kTooLarge: return "数值过大";
    default: return "不是十进制数";
  }
}

// 1,000,000 万元 is 100 亿元: a department's fees that large were almost
// certainly entered in 元.
constexpr Decimal kFeeLooksLikeYuan = Decimal::Whole(1000000);


void CheckFee(const v1::Report& r, Findings* out) {
  const std::optional<std::string> fee = GetFee(r);
  if (!fee.has_value() || fee->empty()) {
    if (const v1::UnreadCells* u = UnreadEntryOf(r, kFeeFieldPath)) {
      AddUnread(*u, FeeCellName(), out, LocateFee);
      return;
    }
    v1::Finding& f = NewFinding(Rule::kEmpty, out);  // EMPTY
    LocateFee(f.mutable_location());
    f.set_expected("数值");
    f.set_actual("空");
    f.set_message(absl::StrCat(FeeCellName(), "为空：每个单元格都应填写，没有的填 0"));
    return;
  }
  const absl::StatusOr<Decimal> amount = ParseDecimal(*fee);
  if (!amount.ok()) {
    v1::Finding& f = NewFinding(Rule::kT2Fee, out);  // T2-FEE
    LocateFee(f.mutable_location());
    f.set_expected("以万元计的非负数，至多四位小数");
    f.set_actual(*fee);
    f.set_message(absl::StrCat(FeeCellName(), "“", *fee, "”", FeeProblem(DiagnoseDecimal(*fee))));
  } else if (*amount >= kFeeLooksLikeYuan) {
    v1::Finding& f = NewFinding(Rule::kT2Fee, out, v1::WARNING);  // T2-FEE
    LocateFee(f.mutable_location());
    f.set_expected(absl::StrCat("< ", kFeeLooksLikeYuan.ToString()));
    f.set_actual(*fee);
    f.set_message(absl::StrCat(FeeCellName(), "为 ", *fee,
                               " 万元（100 亿元以上），疑为以元而非万元填报"));
  }
}

// ------------------------------------------------------------ sums
// T3-ROW: 总计 = the six applicant columns, in every data row.
void CheckRowTotals(const RequestTable& t, Findings* out) {
  for (int row = 0; row < kRequestRowCount; ++row) {
    if (kRequestRows[row].is_group) continue;
    const std::optional<int64_t> total = t.at(row, kApplicantTotalColumn);
    if (!total.has_value()) continue;
    absl::int128 sum = 0;
    bool usable = true;
    for (int col = 0; col < kApplicantTotalColumn && usable; ++col) {
      const std::optional<int64_t> v = t.at(row, col);
      usable = v.has_value();
      if (usable) sum += *v;
    }
    if (!usable || sum == *total) continue;
    const CountCell& cell = RequestCell(row, kApplicantTotalColumn);
    v1::Finding& f = NewFinding(Rule::kT3Row, out);  // T3-ROW
    LocateCell(cell, f.mutable_location());
    f.set_expected(Print(sum));
    f.set_actual(absl::StrCat(*total));
    for (int col = 0; col < kApplicantTotalColumn; ++col) {
      AddAddend(RequestCell(row, col), kApplicantColumns[col].label, t.at(row, col),
                &f);
    }
    f.set_message(absl::StrCat(CellName(cell), "应等于六类申请人之和 ", Print(sum), "，实为 ",
                               *total));
  }
}

// T3-OUT: （七）总计 = Σ outcome rows, in every column.
void CheckOutcomeTotals(const RequestTable& t, Findings* out) {
  for (int col = 0; col < kApplicantColumnCount; ++col) {
    const std::optional<int64_t> total = t.at(kOutcomesTotal, col);
    if (!total.has_value()) continue;
    absl::int128 sum = 0;
    bool usable = true;
    for (int row : kOutcomeRows) {
      const std::optional<int64_t> v = t.at(row, col);
      usable = usable && v.has_value();
      if (v.has_value()) sum += *v;
    }
    if (!usable || sum == *total) continue;
    const CountCell& cell = RequestCell(kOutcomesTotal, col);
    v1::Finding& f = NewFinding(Rule::kT3Out, out);  // T3-OUT
    LocateCell(cell, f.mutable_location());
    f.set_expected(Print(sum));
    f.set_actual(absl::StrCat(*total));
    for (int row : kOutcomeRows) {
      AddAddend(RequestCell(row, col), QualifiedRowLabel(row), t.at(row, col), &f);
    }
    f.set_message(absl::StrCat(CellName(cell), "应等于各项办理结果之和 ", Print(sum), "，实为 ",
                               *total));
  }
}

// T3-BAL: the note in table 三's corner cell, 第一项加第二项之和，等于第三项加
// 第四项之和: 一 + 二 = （七）总计 + 四, in every column. The finding sits on
// the column (field path "requests"), since no single cell is at fault.
void CheckBalance(const RequestTable& t, Findings* out) {
  static constexpr int kLeft[] = {kReceived, kCarriedOver};
  static constexpr int kRight[] = {kOutcomesTotal, kCarriedToNextYear};
  for (int col = 0; col < kApplicantColumnCount; ++col) {
    const std::optional<int64_t> a = t.at(kLeft[0], col);
    const std::optional<int64_t> b = t.at(kLeft[1], col);
    const std::optional<int64_t> c = t.at(kRight[0], col);
    const std::optional<int64_t> d = t.at(kRight[1], col);
    if (!a || !b || !c || !d) continue;
    const absl::int128 left = absl::int128(*a) + *b;
    const absl::int128 right = absl::int128(*c) + *d;
    if (left == right) continue;
    v1::Finding& f = NewFinding(Rule::kT3Bal, out);  // T3-BAL
    v1::Location* loc = f.mutable_location();
    loc->set_section("三");
    loc->set_field_path("requests");
    loc->set_column(kApplicantColumns[col].field);
    loc->set_column_label(kApplicantColumns[col].label);
    f.set_expected(Print(left));
    f.set_actual(Print(right));
    for (int row : {kReceived, kCarriedOver, kOutcomesTotal, kCarriedToNextYear}) {
      AddAddend(RequestCell(row, col), kRequestRows[row].label, t.at(row, col), &f);
    }
    f.set_message(absl::StrCat("表三“", kApplicantColumns[col].label, "”列：第一项加第二项之和为 ",
                               Print(left), "，应等于第三项（七）总计加第四项之和，实为 ",
                               Print(right)));
  }
}

// T4-SUM: 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结, in each block.
void CheckAppealTotals(const v1::Report& r, Findings* out) {
  for (int block = 0; block < kAppealBlockCount; ++block) {
    const v1::AppealOutcomes& b = GetAppealBlock(r, block);
    const std::optional<int64_t> total = Usable(GetAppealCell(b, kAppealTotalColumn));
    if (!total.has_value()) continue;
    absl::int128 sum = 0;
    bool usable = true;
    for (int col = 0; col < kAppealTotalColumn; ++col) {
      const std::optional<int64_t> v = Usable(GetAppealCell(b, col));
      usable = usable && v.has_value();
      if (v.has_value()) sum += *v;
    }
    if (!usable || sum == *total) continue;
    const CountCell& cell = AppealCell(block, kAppealTotalColumn);
    v1::Finding& f = NewFinding(Rule::kT4Sum, out);  // T4-SUM
    LocateCell(cell, f.mutable_location());
    f.set_expected(Print(sum));
    f.set_actual(absl::StrCat(*total));
    for (int col = 0; col < kAppealTotalColumn; ++col) {
      AddAddend(AppealCell(block, col), kAppealColumns[col].label,
                Usable(GetAppealCell(b, col)), &f);
    }
    f.set_message(absl::StrCat(CellName(cell), "应等于结果维持、结果纠正、其他结果、尚未审结之和 ",
                               Print(sum), "，实为 ", *total));
  }
}

// ------------------------------------------------------------ across years
// Rows of table 二 with document counts (规章, 行政规范性文件) and their columns.
constexpr int kDocumentRows[] = {0, 1};
constexpr int kIssued = 0, kRepealed = 1, kInForce = 2;

std::optional<int64_t> DocumentValue(const v1::Report& r, int row, int col) {
  return Usable(GetProactiveCount(r, row, col));
}

// X-CARRY: this year's 二 = last year's 四, column by column.
void CheckCarryOver(const RequestTable& now_table, const RequestTable& before_table,
                    const ValidationContext& context, Findings* out) {
  for (int col = 0; col < kApplicantColumnCount; ++col) {
    const std::optional<int64_t> now = now_table.at(kCarriedOver, col);
    const std::optional<int64_t> before = before_table.at(kCarriedToNextYear, col);
    if (!now || !before || *now == *before) continue;
    const CountCell& cell = RequestCell(kCarriedOver, col);
    v1::Finding& f = NewFinding(Rule::kXCarry, out);  // X-CARRY
    LocateCell(cell, f.mutable_location());
    f.set_expected(absl::StrCat(*before));
    f.set_actual(absl::StrCat(*now));
    f.set_reference(context.previous_reference);
    f.set_message(absl::StrCat(CellName(cell), "为 ", *now, "，上年报告“",
                               kRequestRows[kCarriedToNextYear].label, "”为 ", *before,
                               "（机构合并、分设时可能不同）"));
  }
}

// X-INFORCE: 现行有效(Y) = 现行有效(Y−1) + 本年制发(Y) − 本年废止(Y);
// T2-REPEAL: 本年废止(Y) ≤ 现行有效(Y−1) + 本年制发(Y).
void CheckDocumentsInForce(const v1::Report& r, const ValidationContext& context,
                           Findings* out) {
  for (int row : kDocumentRows) {
    const std::optional<int64_t> before = DocumentValue(*context.previous, row, kInForce);
    const std::optional<int64_t> issued = DocumentValue(r, row, kIssued);
    const std::optional<int64_t> repealed = DocumentValue(r, row, kRepealed);
    const std::optional<int64_t> in_force = DocumentValue(r, row, kInForce);
    const char* label = kProactiveRows[row].label;
    const CountCell& before_cell = ProactiveCell(row, kInForce);  // same path, last year

    if (before && issued && repealed && absl::int128(*repealed) > absl::int128(*before) + *issued) {
      const CountCell& cell = ProactiveCell(row, kRepealed);
      const absl::int128 limit = absl::int128(*before) + *issued;
      v1::Finding& f = NewFinding(Rule::kT2Repeal, out);  // T2-REPEAL
      LocateCell(cell, f.mutable_location());
      f.set_expected(absl::StrCat("≤ ", Print(limit)));
      f.set_actual(absl::StrCat(*repealed));
      f.set_reference(context.previous_reference);
      AddAddend(before_cell, "上年现行有效件数", before, &f);
      AddAddend(ProactiveCell(row, kIssued), kDocumentColumns[kIssued].label, issued, &f);
      f.set_message(absl::StrCat(CellName(cell), "为 ", *repealed, "，超过上年现行有效件数 ",
                                 *before, " 与本年制发件数 ", *issued, " 之和 ", Print(limit)));
    }

    if (before && issued && repealed && in_force) {
      const absl::int128 expected = absl::int128(*before) + *issued - *repealed;
      if (expected == *in_force) continue;
      const CountCell& cell = ProactiveCell(row, kInForce);
      v1::Finding& f = NewFinding(Rule::kXInforce, out);  // X-INFORCE
      LocateCell(cell, f.mutable_location());
      f.set_expected(Print(expected));
      f.set_actual(absl::StrCat(*in_force));
      f.set_reference(context.previous_reference);
      AddAddend(before_cell, "上年现行有效件数", before, &f);
      AddAddend(ProactiveCell(row, kIssued), kDocumentColumns[kIssued].label, issued, &f);
      AddAddend(ProactiveCell(row, kRepealed), "本年废止件数（减）", repealed, &f);
      f.set_message(absl::StrCat("表二“", label, "”现行有效件数应为上年现行有效件数 ", *before,
                                 " 加本年制发 ", *issued, " 减本年废止 ", *repealed, "，即 ",
                                 Print(expected), "，实为 ", *in_force,
                                 "（制发件数含修订时可能不同）"));
    }
  }
}

// X-SAME for a table: the cells that are not zero in one year or the other
// are compared; a table is "nearly identical" when at least
// kSameTableShare of them are equal. All-zero cells say nothing (many small
// agencies have all-zero tables every year), so at least kMinTableCells
// non-zero cells are needed.
constexpr int kMinTableCells = 4;
constexpr int kSameTablePercent = 90;

struct Tally {
  int informative = 0;
  int same = 0;

  void Add(const std::optional<int64_t>& now, const std::optional<int64_t>& before) {
    if (now.value_or(0) == 0 && before.value_or(0) == 0) return;
    ++informative;
    if (now == before) ++same;
  }
};

std::optional<int64_t> FeeUnits(const v1::Report& r) {
  const std::optional<std::string> fee = GetFee(r);
  if (!fee.has_value()) return std::nullopt;
  const absl::StatusOr<Decimal> amount = ParseDecimal(*fee);
  return amount.ok() ? std::optional<int64_t>(amount->units()) : std::nullopt;
}

void CheckSameTables(const v1::Report& r, const RequestTable& now, const RequestTable& before,
                     const ValidationContext& context, Findings* out) {
  Tally tally[3];  // tables 二, 三, 四
  for (const CountCell& c : AllCountCells()) {
    if (c.section == '3') {
      tally[1].Add(now.raw(c.row, c.col), before.raw(c.row, c.col));
    } else {
      tally[c.section - '2'].Add(GetCount(r, c), GetCount(*context.previous, c));
    }
  }
  tally[0].Add(FeeUnits(r), FeeUnits(*context.previous));
  for (int t = 0; t < 3; ++t) {
    const Tally& x = tally[t];
    if (x.informative < kMinTableCells || x.same * 100 < x.informative * kSameTablePercent) {
      continue;
    }
    const Part& part = kParts[t + 1];
    v1::Finding& f = NewFinding(Rule::kXSame, out);  // X-SAME
    f.mutable_location()->set_section(part.numeral);
    f.mutable_location()->set_field_path(part.field);
    f.set_expected("与上年报告不同");
    f.set_actual(absl::StrCat(x.informative, " 个非零单元格中 ", x.same, " 个与上年相同"));
    f.set_reference(context.previous_reference);
    f.set_message(absl::StrCat("表", part.numeral, "与上年报告几乎相同：", x.informative,
                               " 个非零单元格中有 ", x.same,
                               " 个与上年相同，请核实是否照搬上年报告"));
  }
}

// X-SAME for a narrative part: the share of its text (in bytes) that is in
// paragraphs found in last year's part, the same but for their figures.
// Parts shorter than kMinTextBytes (about 100 Chinese characters) are not
// assessed: short statements such as part 六's scope note are rightly the
// same every year.
constexpr size_t kMinTextBytes = 300;
constexpr size_t kSameTextPercent = 80;

// Digits and white space: the figures and years that change from year to
// year in a copied text.
bool Figure(char c) { return absl::ascii_isdigit(c) || absl::ascii_isspace(c); }

// Whether two paragraphs are the same but for their figures. Stops at the
// first difference, so comparing every paragraph with every other is cheap.
bool SameButFigures(absl::string_view a, absl::string_view b) {
  if (a == b) return true;  // a copy: one memcmp
  size_t i = 0, j = 0;
  for (;;) {
    while (i < a.size() && Figure(a[i])) ++i;
    while (j < b.size() && Figure(b[j])) ++j;
    if (i == a.size() || j == b.size()) return i == a.size() && j == b.size();
    if (a[i++] != b[j++]) return false;
  }
}

// A hash of a paragraph less its figures (FNV-1a): equal for paragraphs
// that are SameButFigures, computed without a copy.
uint64_t HashWithoutFigures(absl::string_view paragraph) {
  uint64_t h = 14695981039346656037u;
  for (char c : paragraph) {
    if (Figure(c)) continue;
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211u;
  }
  return h;
}

// The bytes of `paragraphs` in paragraphs SameButFigures as one of `old`.
// A report has tens of paragraphs: then every pair is compared, each
// comparison stopping at the first difference. Beyond kMaxPairs pairs, last
// year's are sorted by HashWithoutFigures and only those with a paragraph's
// hash compared: n log n (issue 12: 40,000 short paragraphs in each year
// took minutes compared pairwise).
constexpr size_t kMaxPairs = 1 << 16;
size_t SameBytes(const std::vector<absl::string_view>& paragraphs,
                 const std::vector<absl::string_view>& old) {
  size_t same = 0;
  if (paragraphs.size() * old.size() <= kMaxPairs) {
    for (absl::string_view p : paragraphs) {
      for (absl::string_view o : old) {
        if (SameButFigures(p, o)) {
          same += p.size();
          break;
        }
      }
    }
    return same;
  }
  std::vector<std::pair<uint64_t, absl::string_view>> by_hash;
  by_hash.reserve(old.size());
  for (absl::string_view o : old) by_hash.emplace_back(HashWithoutFigures(o), o);
  std::sort(by_hash.begin(), by_hash.end());
  for (absl::string_view p : paragraphs) {
    const uint64_t h = HashWithoutFigures(p);
    for (auto it = std::lower_bound(by_hash.begin(), by_hash.end(),
                                    std::make_pair(h, absl::string_view()));
         it != by_hash.end() && it->first == h; ++it) {
      if (SameButFigures(p, it->second)) {
        same += p.size();
        break;
      }
    }
  }
  return same;
}

void CheckSameText(const v1::Report& r, const ValidationContext& context, Findings* out) {
  static constexpr int kNarrativeParts[] = {0, 4};  // 一, 五: part 六 is mostly boilerplate
  for (int p : kNarrativeParts) {
    const std::string& now = p == 0 ? r.overview() : r.problems_and_improvements();
    const std::string& before = p == 0 ? context.previous->overview()
                                       : context.previous->problems_and_improvements();
    const std::vector<absl::string_view> paragraphs = absl::StrSplit(now, '\n');
    const std::vector<absl::string_view> old_paragraphs = absl::StrSplit(before, '\n');
    const size_t same = SameBytes(paragraphs, old_paragraphs);
    const size_t total = now.size();
    if (total < kMinTextBytes || same * 100 < total * kSameTextPercent) continue;
    const Part& part = kParts[p];
    const size_t percent = same * 100 / total;
    v1::Finding& f = NewFinding(Rule::kXSame, out);  // X-SAME
    f.mutable_location()->set_section(part.numeral);
    f.mutable_location()->set_field_path(part.field);
    f.set_expected("与上年报告不同");
    f.set_actual(absl::StrCat(percent, "% 的文字与上年相同"));
    f.set_reference(context.previous_reference);
    f.set_message(absl::StrCat("第", part.numeral, "部分“", part.heading,
                               "”与上年报告几乎相同：除数字外 ", percent,
                               "% 的文字逐段与上年相同，请核实是否照搬上年报告"));
  }
}

}  // namespace

RequestTable::RequestTable(const v1::Report& r) {
  for (int row = 0; row < kRequestRowCount; ++row) {
    const v1::ApplicantCounts* counts = GetRequestRow(r, row);
    for (int col = 0; col < kApplicantColumnCount; ++col) {
      const std::optional<int64_t> v =
          counts == nullptr ? std::nullopt : GetApplicantCell(*counts, col);
      present_[row][col] = v.has_value();
      values_[row][col] = v.value_or(0);
    }
  }
}

std::optional<int64_t> RequestTable::Total(int row) const {
  if (!kRequestRows[row].is_group) return at(row, kApplicantTotalColumn);
  int64_t sum = 0;
  for (int sub = row + 1; sub < kRequestRowCount && kRequestRows[sub].group == row; ++sub) {
    const std::optional<int64_t> v = at(sub, kApplicantTotalColumn);
    if (!v.has_value() || __builtin_add_overflow(sum, *v, &sum)) return std::nullopt;
  }
  return sum;
}

void CheckTables(const v1::Report& r, const RequestTable& requests, Findings* out) {
  CheckCells(r, requests, out);
  CheckFee(r, out);
  CheckRowTotals(requests, out);
  CheckOutcomeTotals(requests, out);
  CheckBalance(requests, out);
  CheckAppealTotals(r, out);
}

void CheckAcrossYears(const v1::Report& r, const RequestTable& requests,
                      const ValidationContext& context, Findings* out) {
  const RequestTable previous(*context.previous);
  CheckCarryOver(requests, previous, context, out);
  CheckDocumentsInForce(r, context, out);
  CheckSameTables(r, requests, previous, context, out);
  CheckSameText(r, context, out);
}

std::string FeeCellName() {
  return absl::StrCat("表二“", kProactiveRows[kProactiveRowCount - 1].label, "”行“",
                      kFeeColumn.label, "”列");
}

}  // namespace disclosure::rules_internal
