// The rule catalogue, Validate() and what the rule groups share; the
// structure rules (S-SECT, S-VERSION, S-FEE6) and the deadline (D-DUE).
// The rules by family: tables.cc (tables, across years), narrative.cc,
// year.cc, confidentiality.cc.
#include "core/rules/rules.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/rules/internal.h"
#include "core/report/template.h"

namespace disclosure {

using rules_internal::Rule;

const std::vector<RuleInfo>& AllRules() {
  static const std::vector<RuleInfo>* rules = new std::vector<RuleInfo>{
#define DISCLOSURE_RULE_INFO(name, id, severity, family, title) \
  {RuleId::name, id, v1::severity, RuleFamily::family, title},
      DISCLOSURE_RULE_CATALOGUE(DISCLOSURE_RULE_INFO)
#undef DISCLOSURE_RULE_INFO
  };
  return *rules;
}

bool HasErrors(const std::vector<v1::Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const v1::Finding& f) { return f.severity() == v1::ERROR; });
}

namespace rules_internal {

v1::Finding& NewFinding(Rule rule, Findings* out, v1::Severity severity) {
  const RuleInfo& info = RuleOf(rule);
  v1::Finding& f = *out->Add();
  f.set_rule_id(info.id);
  f.set_severity(severity == v1::SEVERITY_UNSPECIFIED ? info.severity : severity);
  f.set_rule_set_version(kRuleSetVersion);
  return f;
}

// ------------------------------------------------------------ table cells
namespace {

struct CellIndex {
  const CountCell* proactive[kProactiveRowCount][3] = {};
  const CountCell* request[kRequestRowCount][kApplicantColumnCount] = {};
  const CountCell* appeal[kAppealBlockCount][kAppealColumnCount] = {};
};

const CellIndex& Cells() {
  static const CellIndex* index = [] {
    auto* x = new CellIndex;
    for (const CountCell& c : AllCountCells()) {
      switch (c.section) {
        case '2': x->proactive[c.row][c.col] = &c; break;
        case '3': x->request[c.row][c.col] = &c; break;
        default: x->appeal[c.row][c.col] = &c; break;
      }
    }
    return x;
  }();
  return *index;
}

}  // namespace


const CountCell& ProactiveCell(int row, int col) { return *Cells().proactive[row][col]; }
const CountCell& RequestCell(int row, int col) { return *Cells().request[row][col]; }
const CountCell& AppealCell(int block, int col) { return *Cells().appeal[block][col]; }

void LocateCell(const CountCell& cell, v1::Location* loc) {
  loc->set_section(SectionNumeral(cell));
  loc->set_field_path(cell.field_path);
  loc->set_row(cell.row_path);
  loc->set_column(cell.column);
  loc->set_row_label(cell.row_label);
  loc->set_column_label(cell.column_label);
}

void LocateFee(v1::Location* loc) {
  const ProactiveRow& row = kProactiveRows[kProactiveRowCount - 1];
  loc->set_section("二");
  loc->set_field_path(kFeeFieldPath);
  loc->set_row(absl::StrCat("proactive_disclosure.", row.field));
  loc->set_column(kFeeColumn.field);
  loc->set_row_label(row.label);
  loc->set_column_label(kFeeColumn.label);
}

std::string CellName(const CountCell& cell) {
  if (cell.section == '4') {
    return absl::StrCat("表四“", cell.row_label, "”“", cell.column_label, "”");
  }
  return absl::StrCat("表", SectionNumeral(cell), "“", cell.row_label, "”行“", cell.column_label,
                      "”列");
}

void AddAddend(const CountCell& cell, absl::string_view label, std::optional<int64_t> value,
               v1::Finding* f) {
  v1::Addend* a = f->add_addends();
  a->set_field_path(cell.field_path);
  a->set_label(std::string(label));
  if (value.has_value()) a->set_value(*value);
}

// ------------------------------------------------------------ texts
std::array<TextField, 4> TextFields(const v1::Report& r) {
  return {{
      {"标题", "title", &r.title()},
      {"一", "overview", &r.overview()},
      {"五", "problems_and_improvements", &r.problems_and_improvements()},
      {"六", "other_matters", &r.other_matters()},
  }};
}

void LocateText(const TextField& t, int start, int end, v1::Location* loc) {
  loc->set_section(t.section);
  loc->set_field_path(t.field);
  loc->set_start_offset(start);
  loc->set_end_offset(end);
}

bool Contains(absl::string_view text, absl::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > text.size()) return false;
  const size_t before = needle.size() - 1;  // bytes before the last
  const char* p = text.data() + before;
  const char* const end = text.data() + text.size();
  while (p < end) {
    p = static_cast<const char*>(std::memchr(p, needle.back(), end - p));
    if (p == nullptr) return false;
    if (std::memcmp(p - before, needle.data(), before) == 0) return true;
    ++p;
  }
  return false;
}

int CodePointCursor::Advance(size_t byte_offset) {
  const size_t end = std::min(byte_offset, text_.size());
  // Eight bytes at a time: a byte 10xxxxxx continues a code point; the
  // others start one. `w & ~(w << 1)` keeps bit 7 of the bytes whose bit 6
  // is clear.
  constexpr uint64_t kHighBits = 0x8080808080808080ull;
  for (; byte_ + 8 <= end; byte_ += 8) {
    uint64_t w;
    std::memcpy(&w, text_.data() + byte_, 8);
    code_points_ += 8 - __builtin_popcountll(w & ~(w << 1) & kHighBits);
  }
  for (; byte_ < end; ++byte_) {
    if ((static_cast<unsigned char>(text_[byte_]) & 0xC0) != 0x80) ++code_points_;
  }
  return code_points_;
}

size_t DigitAt(absl::string_view s, size_t i, int* value) {
  int d = -1;
  size_t bytes = 0;
  if (i < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) {
    d = s[i] - '0';
    bytes = 1;
  } else if (i + 2 < s.size() && s[i] == '\xEF' && s[i + 1] == '\xBC') {
    const unsigned char last = static_cast<unsigned char>(s[i + 2]);
    if (last >= 0x90 && last <= 0x99) {  // U+FF10–U+FF19
      d = last - 0x90;
      bytes = 3;
    }
  }
  if (value != nullptr) *value = d;
  return bytes;
}

std::optional<int64_t> ParseCount(absl::string_view digits) {
  int64_t n = 0;
  int count = 0;
  for (size_t i = 0; i < digits.size();) {
    int d;
    const size_t bytes = DigitAt(digits, i, &d);
    // 12 digits at most: kMaxCount, so that sums of stated counts stay
    // far inside int64.
    if (bytes == 0 || ++count > 12) return std::nullopt;
    n = n * 10 + d;
    i += bytes;
  }
  if (count == 0) return std::nullopt;
  return n;
}

}  // namespace rules_internal

namespace {

using rules_internal::Findings;
using rules_internal::NewFinding;

// Only ASCII white space and ideographic spaces (U+3000).
bool IsBlank(absl::string_view s) {
  while (!s.empty()) {
    if (absl::ascii_isspace(static_cast<unsigned char>(s.front()))) {
      s.remove_prefix(1);
    } else if (absl::StartsWith(s, "\u3000")) {
      s.remove_prefix(3);
    } else {
      return false;
    }
  }
  return true;
}

// S-SECT on a Report: a narrative part without text, or a table without a
// single filled cell. (Order and headings are checked on the published text
// by the importer, which reports S-SECT too.)
void CheckParts(const v1::Report& r, Findings* out) {
  std::array<bool, kPartCount> empty = {
      IsBlank(r.overview()), true, true, true, IsBlank(r.problems_and_improvements()),
      IsBlank(r.other_matters())};
  for (const CountCell& c : AllCountCells()) {
    if (GetCount(r, c).has_value()) empty[c.section - '1'] = false;
  }
  if (GetFee(r).has_value()) empty[1] = false;
  for (int p = 0; p < kPartCount; ++p) {
    if (!empty[p]) continue;
    const Part& part = kParts[p];
    const bool table = p >= 1 && p <= 3;
    v1::Finding& f = NewFinding(Rule::kSSect, out);  // S-SECT
    f.mutable_location()->set_section(part.numeral);
    f.mutable_location()->set_field_path(part.field);
    f.set_expected(part.heading);
    f.set_actual("空");
    f.set_message(table ? absl::StrCat("第", part.numeral, "部分“", part.heading,
                                       "”的表格全部为空")
                        : absl::StrCat("第", part.numeral, "部分“", part.heading, "”没有内容"));
  }
}

// S-VERSION: the 2021 template (国办公开办函〔2021〕30号) is the format of the
// 2021 reports and later.
void CheckTemplateVersion(const v1::Report& r, Findings* out) {
  if (r.year() < 2021 || r.template_version() == v1::TEMPLATE_VERSION_2021) return;
  v1::Finding& f = NewFinding(Rule::kSVersion, out);  // S-VERSION
  f.mutable_location()->set_field_path("template_version");
  f.set_expected(v1::TemplateVersion_Name(v1::TEMPLATE_VERSION_2021));
  f.set_actual(v1::TemplateVersion_Name(r.template_version()));
  f.set_message(absl::StrCat(r.year(),
                             " 年度报告应使用 2021 年版格式（国办公开办函〔2021〕30号），本报告",
                             r.template_version() == v1::TEMPLATE_VERSION_2019
                                 ? "使用 2019 年试行格式（国办公开办函〔2019〕60号）"
                                 : "未标明所用格式"));
}

// S-FEE6: 国办函〔2020〕109号 asks part 六 to state the 信息处理费 collected;
// "未收取信息处理费" is a statement too, so any mention will do.
void CheckFeeStatement(const v1::Report& r, Findings* out) {
  if (rules_internal::Contains(r.other_matters(), "信息处理费") ||
      rules_internal::Contains(r.other_matters(), "公开处理费")) {
    return;
  }
  v1::Finding& f = NewFinding(Rule::kSFee6, out);  // S-FEE6
  f.mutable_location()->set_section("六");
  f.mutable_location()->set_field_path("other_matters");
  f.set_expected("信息处理费收取情况");
  f.set_actual("未说明");
  f.set_message(
      "第六部分“其他需要报告的事项”未说明信息处理费的收取情况（国办函〔2020〕109号；"
      "未收取的也应写明）");
}

// Whether the report is a 人民政府's own (due 31 March) rather than a
// department's (31 January). Without a kind, the name decides: …人民政府,
// but not its 办公厅/办公室, which are departments.
bool IsPeoplesGovernment(const v1::Agency& a) {
  switch (a.kind()) {
    case v1::AGENCY_KIND_PEOPLES_GOVERNMENT: return true;
    case v1::AGENCY_KIND_DEPARTMENT: return false;
    default:
      return absl::EndsWith(a.name(), "人民政府") && !absl::StrContains(a.name(), "办公厅") &&
             !absl::StrContains(a.name(), "办公室");
  }
}

}  // namespace

absl::CivilDay ReportDueDate(const v1::Agency& agency, int32_t year) {
  return absl::CivilDay(year + 1, IsPeoplesGovernment(agency) ? 3 : 1, 31);
}

namespace {

std::string ChineseDate(absl::CivilDay d) {
  return absl::StrCat(d.year(), " 年 ", d.month(), " 月 ", d.day(), " 日");
}

// D-DUE: 条例 第四十九条.
void CheckDeadline(const v1::Report& r, absl::CivilDay submitted, Findings* out) {
  const bool government = IsPeoplesGovernment(r.agency());
  const absl::CivilDay due = ReportDueDate(r.agency(), r.year());
  if (submitted <= due) return;
  v1::Finding& f = NewFinding(Rule::kDDue, out);  // D-DUE
  f.set_expected(absl::FormatCivilTime(due));
  f.set_actual(absl::FormatCivilTime(submitted));
  f.set_message(absl::StrCat(government ? "人民政府" : "政府部门", "的 ", r.year(),
                             " 年度报告应于 ", ChineseDate(due),
                             "前报送并公开（条例第四十九条），实际报送于 ", ChineseDate(submitted),
                             "，逾期 ", submitted - due, " 天"));
}

// ------------------------------------------------------------ ordering
// Findings are ordered by part ("" for the whole report, then 标题, 一 … 六),
// then by the template's order of cells (table-level findings such as T3-BAL
// first: the note they check heads the table), then by column, then by text
// offset, then by rule id.
int SectionRank(const std::string& section) {
  static constexpr const char* kOrder[] = {"", "标题", "一", "二", "三", "四", "五", "六"};
  for (int i = 0; i < 8; ++i) {
    if (section == kOrder[i]) return i;
  }
  return 8;
}

int PlaceInTemplate(const std::string& field_path) {
  static const auto* places = [] {
    auto* m = new absl::flat_hash_map<std::string, int>;
    int place = 1;
    char section = '2';
    for (const CountCell& c : AllCountCells()) {
      if (c.section != section && section == '2') (*m)[kFeeFieldPath] = place++;
      section = c.section;
      (*m)[c.field_path] = place++;
    }
    return m;
  }();
  auto it = places->find(field_path);
  return it == places->end() ? 0 : it->second;
}

int ColumnRank(const v1::Location& loc) {
  for (int c = 0; c < kApplicantColumnCount; ++c) {
    if (loc.column() == kApplicantColumns[c].field) return c;
  }
  return -1;
}

struct SortKey {
  int section;
  int place;
  int column;
  int offset;
  const std::string* rule_id;

  bool operator<(const SortKey& o) const {
    return std::tie(section, place, column, offset, *rule_id) <
           std::tie(o.section, o.place, o.column, o.offset, *o.rule_id);
  }
};

void SortFindings(Findings* findings) {
  std::vector<std::pair<SortKey, v1::Finding*>> keys;
  keys.reserve(findings->size());
  for (auto it = findings->pointer_begin(); it != findings->pointer_end(); ++it) {
    v1::Finding* f = *it;
    const v1::Location& l = f->location();
    keys.push_back({{SectionRank(l.section()), PlaceInTemplate(l.field_path()), ColumnRank(l),
                     l.start_offset(), &f->rule_id()},
                    f});
  }
  std::stable_sort(keys.begin(), keys.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  // A permutation of the field's own pointers: nothing is copied or moved.
  auto slot = findings->pointer_begin();
  for (const auto& k : keys) *slot++ = k.second;
}

}  // namespace

void Validate(const v1::Report& report, const ValidationContext& context, Findings* out) {
  out->Clear();
  CheckParts(report, out);
  CheckTemplateVersion(report, out);
  CheckFeeStatement(report, out);
  const rules_internal::RequestTable requests(report);
  rules_internal::CheckTables(report, requests, out);
  if (context.previous != nullptr) {
    rules_internal::CheckAcrossYears(report, requests, context, out);
  }
  rules_internal::CheckNarrative(report, requests, out);
  rules_internal::CheckYears(report, out);
  rules_internal::CheckConfidentiality(report, out);
  if (context.submitted.has_value() && report.year() > 0) {
    CheckDeadline(report, *context.submitted, out);
  }
  SortFindings(out);
}

std::vector<v1::Finding> Validate(const v1::Report& report, const ValidationContext& context) {
  Findings findings;
  Validate(report, context, &findings);
  // Heap to heap: a move is a swap of the messages' contents.
  return std::vector<v1::Finding>(std::make_move_iterator(findings.begin()),
                                  std::make_move_iterator(findings.end()));
}

}  // namespace disclosure
